import { JupyterFrontEnd } from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { ObservableDisposableDelegate } from '@lumino/disposable';

import { CommandIDs } from '../../instructions/commandIds';
import { InstructionsModel } from '../../instructions/model';
import {
  addCommands,
  instructionsPlugin,
  labActionRunner
} from '../../instructions/plugin';
import { IMLPlatformSidebar } from '../../tokens';
import { english, identity } from '../shell/fixtures';
import { labRendermime } from '../shell/rendermime';
import { content, FakeInstructions } from './fixtures';

function fakeSidebar(roles: string[]) {
  const shown: string[] = [];
  const tabs: IMLPlatformSidebar.ITab[] = [];
  const sidebar = {
    addTab: (tab: IMLPlatformSidebar.ITab) => {
      tabs.push(tab);
      return new ObservableDisposableDelegate(() => tab.model?.dispose());
    },
    addReasonLabels: () => new ObservableDisposableDelegate(() => undefined),
    showTab: (id: string) => shown.push(id),
    whoAmI: async () => identity({ name: 'ivan', roles: roles as never }),
    translationDomain: 'jupyterlab_mlplat'
  } as unknown as IMLPlatformSidebar;
  return { sidebar, shown, tabs };
}

describe('the Instructions plugin', () => {
  it('puts the tab in the launcher, the Help menu and the palette', async () => {
    const commands = new CommandRegistry();
    const launched: unknown[] = [];
    const help: unknown[] = [];
    const palette: unknown[] = [];
    const app = {
      commands,
      serviceManager: {
        serverSettings: ServerConnection.makeSettings({
          baseUrl: 'http://127.0.0.1:9/'
        })
      }
    } as unknown as JupyterFrontEnd;
    const { sidebar, tabs } = fakeSidebar(['instructor']);
    instructionsPlugin.activate(
      app,
      sidebar,
      nullTranslator,
      labRendermime(),
      { add: (item: unknown) => launched.push(item) },
      { helpMenu: { addGroup: (items: unknown) => help.push(items) } },
      { addItem: (item: unknown) => palette.push(item) }
    );
    expect(tabs.map(tab => [tab.id, tab.rank, tab.role])).toEqual([
      ['instructions', 600, undefined]
    ]);
    expect(launched).toEqual([
      { command: CommandIDs.open, category: 'ML Platform', rank: 1 }
    ]);
    expect(help).toEqual([
      [{ command: CommandIDs.open }, { command: CommandIDs.openFirst }]
    ]);
    expect(palette).toEqual([
      { command: CommandIDs.open, category: 'ML Platform' },
      { command: CommandIDs.openFirst, category: 'ML Platform' }
    ]);
    expect(commands.label(CommandIDs.open)).toBe('Instructions');
    // instructors write: the model is told once the sidebar knows who it is
    const model = tabs[0].model as InstructionsModel;
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.state.canEdit).toBe(true);
    model.dispose();
  });

  it('opens the tab, an article, or the first article', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = new InstructionsModel({ api });
    const commands = new CommandRegistry();
    const { sidebar, shown } = fakeSidebar([]);
    addCommands({ commands, sidebar, model, trans: english });

    await commands.execute(CommandIDs.open, { slug: 'track' });
    expect(shown).toEqual(['instructions']);
    expect(model.state.article?.slug).toBe('track');

    await commands.execute(CommandIDs.open);
    expect(model.state.view).toBe('list');

    await commands.execute(CommandIDs.openFirst);
    expect(model.state.article?.data?.title).toBe('Track a notebook');
    model.dispose();
  });

  it('runs product actions as lab commands, only when they are there', () => {
    const commands = new CommandRegistry();
    const ran: string[] = [];
    const { sidebar, shown } = fakeSidebar([]);
    const model = new InstructionsModel({ api: new FakeInstructions() });
    const runner = labActionRunner({
      sidebar,
      commands,
      model,
      openFile: () => undefined
    });
    runner.execute('mlplat:track-notebook');
    commands.addCommand('mlplat:track-notebook', {
      execute: () => {
        ran.push('tracked');
      }
    });
    runner.execute('mlplat:track-notebook');
    runner.showTab('experiments');
    expect(ran).toEqual(['tracked']);
    expect(shown).toEqual(['experiments']);
    model.dispose();
  });
});
