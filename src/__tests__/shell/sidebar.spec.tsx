import { act, fireEvent, screen, within } from '@testing-library/react';
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';
import { StateDB } from '@jupyterlab/statedb';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

// The shell alone: no feature plugin is imported here.
import { PlatformModel } from '../../shell/model';
import { PlatformPanel } from '../../shell/panel';
import { shellPlugin } from '../../shell/plugin';
import { IMLPlatformSidebar } from '../../tokens';
import { identity, ScriptedAPI } from './fixtures';

/** The slice of JupyterFrontEnd the shell touches. */
function fakeApp() {
  const added: Widget[] = [];
  const app = {
    commands: new CommandRegistry(),
    serviceManager: {
      serverSettings: ServerConnection.makeSettings({
        baseUrl: 'http://127.0.0.1:9/'
      })
    },
    shell: {
      add: (widget: Widget) => added.push(widget),
      activateById: () => undefined
    }
  };
  return { app: app as unknown as JupyterFrontEnd, added };
}

/** A model that records what the sidebar tells it. */
class NotesModel {
  panelVisible = false;
  isDisposed = false;
  dispose(): void {
    this.isDisposed = true;
  }
}

/** A plugin of a tab the shell has never heard of. */
function notesPlugin(
  model: NotesModel,
  handles: {
    tab?: IMLPlatformSidebar['addTab'] extends (...a: any) => infer R
      ? R
      : never;
  }
): JupyterFrontEndPlugin<void> {
  return {
    id: 'test:notes',
    autoStart: true,
    requires: [IMLPlatformSidebar],
    activate: (app: JupyterFrontEnd, sidebar: IMLPlatformSidebar) => {
      handles.tab = sidebar.addTab({
        id: 'notes',
        rank: 150,
        label: trans => trans.__('Notes'),
        model,
        render: ({ identity }) => (
          <p className="test-notes">Notes of {identity.name}</p>
        )
      });
    }
  };
}

describe('IMLPlatformSidebar', () => {
  let panel: PlatformPanel;
  let sidebar: IMLPlatformSidebar;

  beforeEach(async () => {
    const { app, added } = fakeApp();
    sidebar = await shellPlugin.activate(app, nullTranslator, null, null);
    panel = added[0] as PlatformPanel;
    // Answer from a scripted platform instead of the network.
    const model = panel.model;
    model.dispose();
    const scripted = new PlatformModel({
      api: new ScriptedAPI([identity({ name: 'dana', roles: ['reviewer'] })]),
      auto: false
    });
    (panel as unknown as { _model: PlatformModel })._model = scripted;
    await act(async () => {
      Widget.attach(panel, document.body);
      await scripted.refresh();
    });
  });

  afterEach(() => {
    act(() => panel.dispose());
  });

  function tabNames(): string[] {
    return within(panel.node)
      .queryAllByRole('tab')
      .map(tab => tab.textContent ?? '');
  }

  it('starts with no tab: the shell knows none', () => {
    expect(tabNames()).toEqual([]);
    expect(panel.node.textContent).toContain('dana');
  });

  it('shows a tab a plugin adds, in rank order, and removes it on dispose', async () => {
    const model = new NotesModel();
    const handles: { tab?: ReturnType<IMLPlatformSidebar['addTab']> } = {};
    await act(async () => {
      await notesPlugin(model, handles).activate(
        {} as JupyterFrontEnd,
        sidebar
      );
      sidebar.addTab({
        id: 'first',
        rank: 10,
        label: 'First',
        render: () => <p>first</p>
      });
      sidebar.addTab({
        id: 'last',
        rank: 999,
        label: 'Last',
        render: () => <p>last</p>
      });
    });

    // Ordered by rank, whatever the order of adding
    expect(tabNames()).toEqual(['First', 'Notes', 'Last']);
    // The panel is shown, so the new tab's model is told it is seen
    expect(model.panelVisible).toBe(true);

    act(() => {
      fireEvent.click(screen.getByRole('tab', { name: 'Notes' }));
    });
    expect(screen.getByRole('tabpanel').textContent).toBe('Notes of dana');

    act(() => handles.tab!.dispose());
    expect(tabNames()).toEqual(['First', 'Last']);
    expect(model.isDisposed).toBe(true);
    expect(screen.queryByText('Notes of dana')).toBeNull();
  });

  it('hides a tab from a user without its role', async () => {
    await act(async () => {
      sidebar.addTab({
        id: 'admin-only',
        rank: 1,
        label: 'Secrets',
        role: 'admin',
        render: () => <p>secret</p>
      });
      sidebar.addTab({
        id: 'reviews',
        rank: 2,
        label: 'Queue',
        role: 'reviewer',
        render: () => <p>queue</p>
      });
    });
    expect(tabNames()).toEqual(['Queue']);
  });

  it('shows the tab a plugin asks for, unless the user may not see it', async () => {
    await act(async () => {
      for (const [id, role] of [
        ['first', undefined],
        ['queue', 'reviewer'],
        ['secrets', 'admin']
      ]) {
        sidebar.addTab({
          id: id as string,
          rank: 1,
          label: id as string,
          role,
          render: () => <p>{id} content</p>
        });
      }
    });
    expect(screen.getByRole('tabpanel').textContent).toBe('first content');
    act(() => sidebar.showTab('queue'));
    expect(screen.getByRole('tabpanel').textContent).toBe('queue content');
    act(() => sidebar.showTab('secrets'));
    act(() => sidebar.showTab('nowhere'));
    expect(screen.getByRole('tabpanel').textContent).toBe('queue content');
  });

  it('disposes every tab with the sidebar', async () => {
    const model = new NotesModel();
    await act(async () => {
      await notesPlugin(model, {}).activate({} as JupyterFrontEnd, sidebar);
    });
    act(() => panel.dispose());
    expect(model.isDisposed).toBe(true);
  });
});

describe('the sidebar’s chosen tab', () => {
  /** One load of the lab: the shell on ``db``, two tabs, drawn for dana. */
  async function load(db: StateDB): Promise<PlatformPanel> {
    const { app, added } = fakeApp();
    const sidebar: IMLPlatformSidebar = await shellPlugin.activate(
      app,
      nullTranslator,
      null,
      null,
      db
    );
    const panel = added[0] as PlatformPanel;
    panel.model.dispose();
    const scripted = new PlatformModel({
      api: new ScriptedAPI([identity({ name: 'dana', roles: ['reviewer'] })]),
      auto: false
    });
    (panel as unknown as { _model: PlatformModel })._model = scripted;
    for (const id of ['experiments', 'catalog']) {
      sidebar.addTab({
        id,
        rank: id === 'experiments' ? 1 : 2,
        label: id,
        render: () => <p>{id} content</p>
      });
    }
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 0)); // the state database answers
      Widget.attach(panel, document.body);
      await scripted.refresh();
    });
    return panel;
  }

  it('is the one a reload shows', async () => {
    const db = new StateDB();
    const first = await load(db);
    expect(within(first.node).getByRole('tabpanel').textContent).toBe(
      'experiments content'
    );
    act(() => {
      fireEvent.click(within(first.node).getByRole('tab', { name: 'catalog' }));
    });
    expect(within(first.node).getByRole('tabpanel').textContent).toBe(
      'catalog content'
    );
    act(() => first.dispose());

    const second = await load(db);
    expect(within(second.node).getByRole('tabpanel').textContent).toBe(
      'catalog content'
    );
    act(() => second.dispose());
  });
});
