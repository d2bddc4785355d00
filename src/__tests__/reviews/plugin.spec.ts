import { JupyterFrontEnd } from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { ObservableDisposableDelegate } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { OPEN_REVIEW_PAGE, reviewsPlugin } from '../../reviews/plugin';
import { CommandIDs } from '../../shell/commands';
import { IMLPlatformSidebar } from '../../tokens';
import { identity } from '../shell/fixtures';
import { labRendermime } from '../shell/rendermime';

/** The sidebar as the plugin sees it, recording what it is asked to show. */
function fakeSidebar(roles: string[]) {
  const shown: string[] = [];
  const tabs: IMLPlatformSidebar.ITab[] = [];
  // the pages the plugin asks to have reopened after a reload
  const tracked: { namespace: string; command: string; args: unknown }[] = [];
  const sidebar = {
    pages: (namespace: string, command: string) => ({
      track: (_: unknown, args: unknown) =>
        tracked.push({ namespace, command, args })
    }),
    addTab: (tab: IMLPlatformSidebar.ITab) => {
      tabs.push(tab);
      return new ObservableDisposableDelegate(() => tab.model?.dispose());
    },
    addReasonLabels: () => new ObservableDisposableDelegate(() => undefined),
    showTab: (id: string) => shown.push(id),
    whoAmI: async () => identity({ name: 'rita', roles: roles as never }),
    translationDomain: 'jupyterlab_mlplat',
    notifications: {
      state: { items: [], status: { kind: 'ready' } },
      stateChanged: new Signal({}),
      arrived: new Signal({}),
      refresh: async () => undefined
    }
  } as unknown as IMLPlatformSidebar;
  return { sidebar, shown, tabs, tracked };
}

function activate(roles: string[]) {
  const commands = new CommandRegistry();
  const opened: unknown[] = [];
  commands.addCommand('mlplat:open-model-version', {
    execute: args => {
      opened.push(args);
    }
  });
  // the main area, recording the pages the plugin adds and brings forward
  const main: Widget[] = [];
  const activated: string[] = [];
  const shell = {
    add: (widget: Widget) => main.push(widget),
    activateById: (id: string) => activated.push(id)
  };
  const app = {
    commands,
    shell,
    serviceManager: {
      // Nothing answers here: the test looks only at where Open goes.
      serverSettings: ServerConnection.makeSettings({
        baseUrl: 'http://127.0.0.1:9/'
      })
    }
  } as unknown as JupyterFrontEnd;
  const fake = fakeSidebar(roles);
  void reviewsPlugin.activate(
    app,
    fake.sidebar,
    nullTranslator,
    labRendermime()
  );
  return { commands, opened, main, activated, ...fake };
}

describe('reviewsPlugin', () => {
  it('adds the Reviews tab for reviewers, with its count on the strip', () => {
    const { tabs } = activate(['reviewer']);
    expect(tabs).toHaveLength(1);
    expect(tabs[0].role).toBe('reviewer');
    expect(tabs[0].badge?.state).toBe(0);
    tabs[0].model?.dispose();
  });

  it('opens a submission on the review page of a reviewer', async () => {
    const { commands, shown, opened, tabs } = activate(['reviewer']);
    await commands.execute(CommandIDs.openPublication, {
      id: 7,
      kind: 'submitted',
      modelName: 'churn',
      version: '3'
    });
    expect(shown).toEqual(['reviews']);
    expect(opened).toEqual([]);
    tabs[0].model?.dispose();
  });

  it('shows an open publication in the main area, and closing one closes the other', async () => {
    const { commands, main, activated, tabs, tracked } = activate(['reviewer']);
    const model = tabs[0].model as unknown as {
      state: { page: { id: number } | null };
      close(): void;
    };
    await commands.execute(CommandIDs.openPublication, {
      id: 7,
      kind: 'submitted'
    });
    expect(main).toHaveLength(1);
    expect(activated).toEqual([main[0].id]);
    // a second publication reuses the page and brings it forward
    await commands.execute(CommandIDs.openPublication, {
      id: 8,
      kind: 'submitted'
    });
    expect(main).toHaveLength(1);
    expect(activated).toEqual([main[0].id, main[0].id]);
    // a reload reopens the publication shown last, by a command that opens
    // the page at once, without waiting for the platform
    expect(tracked).toEqual(
      [7, 8].map(id => ({
        namespace: 'mlplat-review-page',
        command: OPEN_REVIEW_PAGE,
        args: { id }
      }))
    );
    // closing the page closes the publication ...
    main[0].dispose();
    expect(model.state.page).toBeNull();
    // ... and closing the publication (Back to the queue) closes the page
    await commands.execute(CommandIDs.openPublication, {
      id: 7,
      kind: 'submitted'
    });
    expect(main).toHaveLength(2);
    model.close();
    expect(main[1].isDisposed).toBe(true);
    tabs[0].model?.dispose();
  });

  it('reopens a review page at once after a reload, reading it itself', async () => {
    const { commands, main, tabs } = activate(['reviewer']);
    const opened = commands.execute(OPEN_REVIEW_PAGE, { id: 7 });
    // the page is there before anything was read (nothing answers here)
    expect(main).toHaveLength(1);
    expect(await opened).toBe(main[0]);
    main[0].dispose();
    tabs[0].model?.dispose();
  });

  it("opens a decision on the author's version page", async () => {
    const { commands, shown, opened, tabs } = activate(['data_scientist']);
    await commands.execute(CommandIDs.openPublication, {
      id: 7,
      kind: 'decided',
      modelName: 'churn',
      version: '3'
    });
    expect(opened).toEqual([{ name: 'churn', version: '3' }]);
    expect(shown).toEqual([]);
    tabs[0].model?.dispose();
  });
});
