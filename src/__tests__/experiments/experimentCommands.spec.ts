import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { YNotebook } from '@jupyter/ydoc';
import { CommandRegistry } from '@lumino/commands';
import { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../../experiments/commandIds';
import { addExperimentCommands } from '../../experiments/commands';
import { ExperimentsModel } from '../../experiments/model';
import { trackingCellSource } from '../../experiments/tracking';
import { PlatformRequestError } from '../../api/request';
import { english } from '../shell/fixtures';
import { experiment, runPage, runRow, ScriptedMlflow } from './fixtures';

// yjs 13.6 warns about reads of cells before they join the document, which
// the shared model does on purpose when it builds a cell; keep the log clean.
const warn = console.warn;
beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('Invalid access')) {
      warn(...args);
    }
  });
});
afterAll(() => jest.restoreAllMocks());

/** A notebook panel as far as the commands look at it, on a real shared model. */
function fakeNotebook(path: string, order: string[] = []) {
  const shared = YNotebook.create();
  shared.insertCell(0, { cell_type: 'markdown', source: '# Churn' });
  shared.insertCell(1, { cell_type: 'code', source: 'import pandas' });
  const content = { model: { sharedModel: shared }, activeCellIndex: 0 };
  const panel = {
    context: {
      ready: Promise.resolve(),
      path,
      localPath: path,
      save: jest.fn(async () => {
        order.push('save');
      })
    },
    content
  } as unknown as NotebookPanel;
  return { panel, shared, content };
}

function setup(options: { notebook?: NotebookPanel | null } = {}) {
  const commands = new CommandRegistry();
  const api = new ScriptedMlflow();
  const model = new ExperimentsModel({ api, auto: false });
  const added: Widget[] = [];
  const activated: string[] = [];
  const tracker = {
    currentWidget: options.notebook ?? null,
    currentChanged: new Signal<unknown, unknown>({})
  };
  const shell = {
    currentWidget: options.notebook ?? null,
    add: (widget: Widget) => added.push(widget),
    activateById: (id: string) => activated.push(id)
  };
  const asked: string[] = [];
  // what the dialog answers: the name offered unless told (null: cancelled)
  let answer: string | null | undefined = undefined;
  // the pages handed to the restorer, and with what to reopen them
  const tracked: { kind: string; widget: unknown; args: unknown }[] = [];
  const recorder = (kind: string) => ({
    track: (widget: unknown, args: unknown) =>
      tracked.push({ kind, widget, args })
  });
  const disposable: IDisposable = addExperimentCommands({
    commands,
    shell: shell as unknown as JupyterFrontEnd.IShell,
    model,
    tracker: tracker as unknown as INotebookTracker,
    trans: english,
    userName: async () => 'alice',
    askExperimentName: async name => {
      asked.push(name);
      return answer === undefined ? name : answer;
    },
    pages: { runs: recorder('runs'), compare: recorder('compare') }
  });
  return {
    tracked,
    commands,
    api,
    model,
    added,
    activated,
    tracker,
    shell,
    asked,
    answerWith: (value: string | null) => (answer = value),
    dispose: () => {
      disposable.dispose();
      model.dispose();
    }
  };
}

const notifications = () =>
  Notification.manager.notifications.map(n => ({
    type: n.type,
    message: n.message
  }));

beforeEach(() => Notification.dismiss());

describe('mlplat:track-notebook', () => {
  it('is disabled without a current notebook', () => {
    const env = setup();
    expect(env.commands.isEnabled(CommandIDs.trackNotebook)).toBe(false);
    expect(env.commands.label(CommandIDs.trackNotebook)).toBe(
      'Track This Notebook in MLflow'
    );
    expect(env.commands.caption(CommandIDs.trackNotebook)).toBe(
      'Open a notebook to track it in MLflow'
    );
    env.dispose();
  });

  it('is disabled when the notebook is not the current widget', () => {
    const { panel } = fakeNotebook('a/b.ipynb');
    const env = setup({ notebook: panel });
    expect(env.commands.isEnabled(CommandIDs.trackNotebook)).toBe(true);
    env.shell.currentWidget = new Widget() as any;
    expect(env.commands.isEnabled(CommandIDs.trackNotebook)).toBe(false);
    env.dispose();
  });

  it('offers <user>/<folder>, then inserts the cell after the Markdown', async () => {
    const { panel, shared, content } = fakeNotebook(
      'projects/churn/train.ipynb'
    );
    const env = setup({ notebook: panel });

    const name = await env.commands.execute(CommandIDs.trackNotebook);

    expect(env.asked).toEqual(['alice/churn']);
    expect(name).toBe('alice/churn');
    expect(shared.cells.map(c => c.cell_type)).toEqual([
      'markdown',
      'code',
      'code'
    ]);
    expect(shared.cells[1].getSource()).toBe(trackingCellSource('alice/churn'));
    expect(content.activeCellIndex).toBe(1);
    expect(notifications()[0].type).toBe('success');
    env.dispose();
  });

  it('uses the edited name, and rewrites its cell when tracked again', async () => {
    const { panel, shared } = fakeNotebook('Untitled.ipynb');
    const env = setup({ notebook: panel });

    env.answerWith('team/"quoted"');
    await env.commands.execute(CommandIDs.trackNotebook);
    env.answerWith('team/second');
    await env.commands.execute(CommandIDs.trackNotebook);

    expect(env.asked[0]).toBe('alice/Untitled');
    expect(shared.cells).toHaveLength(3);
    // a name of one's own is not said to come from the folder
    expect(shared.cells[1].getSource()).toBe(
      trackingCellSource(
        'team/second',
        'the experiment this notebook logs to; edit freely'
      )
    );
    env.dispose();
  });

  it('says a name offered for a notebook at the home root comes from the notebook', async () => {
    const { panel, shared } = fakeNotebook('Untitled.ipynb');
    const env = setup({ notebook: panel });

    await env.commands.execute(CommandIDs.trackNotebook);

    expect(shared.cells[1].getSource()).toBe(
      trackingCellSource(
        'alice/Untitled',
        'named after this notebook; edit freely'
      )
    );
    env.dispose();
  });

  it('adds nothing when the dialog is cancelled', async () => {
    const { panel, shared } = fakeNotebook('x/y.ipynb');
    const env = setup({ notebook: panel });
    env.answerWith(null);

    await env.commands.execute(CommandIDs.trackNotebook);

    expect(shared.cells).toHaveLength(2);
    expect(notifications()).toEqual([]);
    env.dispose();
  });

  it('says why nothing was added when the name was emptied', async () => {
    const { panel, shared } = fakeNotebook('x/y.ipynb');
    const env = setup({ notebook: panel });
    env.answerWith('   ');

    await env.commands.execute(CommandIDs.trackNotebook);

    expect(shared.cells).toHaveLength(2);
    expect(notifications()).toEqual([
      {
        type: 'warning',
        message: 'An experiment needs a name: no tracking cell was added.'
      }
    ]);
    env.dispose();
  });
});

describe('mlplat:log-notebook', () => {
  it('saves first, then logs to the newest run of the user', async () => {
    const order: string[] = [];
    const { panel } = fakeNotebook('projects/churn/train.ipynb', order);
    const env = setup({ notebook: panel });
    await env.model.refresh();
    await env.model.openExperiment(experiment());
    expect(env.commands.isEnabled(CommandIDs.logNotebook)).toBe(true);

    env.api.runPages = [
      runPage({
        runs: [
          runRow({ id: 'b1', user: 'bob' }),
          runRow({ id: 'a1', name: 'mine', user: 'alice' })
        ]
      })
    ];
    const original = env.api.logNotebook.bind(env.api);
    env.api.logNotebook = (runId, path) => {
      order.push('log');
      return original(runId, path);
    };

    const result = await env.commands.execute(CommandIDs.logNotebook);

    expect(order).toEqual(['save', 'log']);
    expect(env.api.callsOf('logNotebook')).toEqual([
      ['a1', 'projects/churn/train.ipynb']
    ]);
    expect(result).toBe('notebook/train.ipynb');
    expect(notifications()[0]).toEqual({
      type: 'success',
      message: 'Notebook logged to the run “mine” as notebook/train.ipynb.'
    });
    env.dispose();
  });

  it('logs to the run selected in the table', async () => {
    const { panel } = fakeNotebook('a/b.ipynb');
    const env = setup({ notebook: panel });
    await env.model.openExperiment(experiment());
    env.model.toggleSelected(runRow({ id: 'picked', name: 'picked' }));

    await env.commands.execute(CommandIDs.logNotebook);

    expect(env.api.callsOf('logNotebook')).toEqual([['picked', 'a/b.ipynb']]);
    env.dispose();
  });

  it('is disabled with several runs selected or no experiment open', async () => {
    const { panel } = fakeNotebook('a/b.ipynb');
    const env = setup({ notebook: panel });
    expect(env.commands.isEnabled(CommandIDs.logNotebook)).toBe(false);
    await env.model.openExperiment(experiment());
    env.model.toggleSelected(runRow({ id: 'x' }));
    env.model.toggleSelected(runRow({ id: 'y' }));
    expect(env.commands.isEnabled(CommandIDs.logNotebook)).toBe(false);
    expect(env.commands.isEnabled(CommandIDs.logNotebook, { runId: 'x' })).toBe(
      true
    );
    env.dispose();
  });

  it('shows the server message when logging fails', async () => {
    const { panel } = fakeNotebook('a/b.ipynb');
    const env = setup({ notebook: panel });
    env.api.logged = [
      new PlatformRequestError({
        status: 403,
        url: 'x',
        serverMessage: 'bob owns this run'
      })
    ];

    await env.commands.execute(CommandIDs.logNotebook, { runId: 'r9' });

    expect(notifications()[0]).toEqual({
      type: 'error',
      message: 'Could not log the notebook: bob owns this run'
    });
    env.dispose();
  });

  it('warns when there is no run of the user to log to', async () => {
    const { panel } = fakeNotebook('a/b.ipynb');
    const env = setup({ notebook: panel });
    await env.model.refresh();
    await env.model.openExperiment(experiment());
    env.api.runPages = [runPage({ runs: [runRow({ user: 'bob' })] })];

    await env.commands.execute(CommandIDs.logNotebook);

    expect(env.api.callsOf('logNotebook')).toEqual([]);
    expect(notifications()[0].type).toBe('warning');
    env.dispose();
  });
});

describe('mlplat:open-run and mlplat:compare-runs', () => {
  it('opens one page per run and reuses it', async () => {
    const env = setup();
    const first = await env.commands.execute(CommandIDs.openRun, {
      runId: 'r1',
      name: 'brave-owl-1'
    });
    const again = await env.commands.execute(CommandIDs.openRun, {
      runId: 'r1'
    });

    expect(again).toBe(first);
    expect(env.added).toEqual([first]);
    expect((first as Widget).title.label).toBe('brave-owl-1');
    expect(env.activated).toEqual([(first as Widget).id, (first as Widget).id]);

    // A closed page is opened anew
    (first as Widget).dispose();
    await env.commands.execute(CommandIDs.openRun, { runId: 'r1' });
    expect(env.added).toHaveLength(2);
    // each page opened is handed to the restorer once, with its arguments
    expect(env.tracked).toEqual([
      {
        kind: 'runs',
        widget: first,
        args: { runId: 'r1', name: 'brave-owl-1' }
      },
      { kind: 'runs', widget: env.added[1], args: { runId: 'r1', name: '' } }
    ]);
    env.dispose();
  });

  it('compares 2 to 5 runs, by argument or from the selection', async () => {
    const env = setup();
    const enabled = (runIds?: string[]) =>
      env.commands.isEnabled(CommandIDs.compareRuns, runIds ? { runIds } : {});
    expect(enabled(['a'])).toBe(false);
    expect(enabled(['a', 'b'])).toBe(true);
    expect(enabled(['a', 'b', 'c', 'd', 'e'])).toBe(true);
    expect(enabled(['a', 'b', 'c', 'd', 'e', 'f'])).toBe(false);

    await env.model.openExperiment(experiment());
    expect(enabled()).toBe(false);
    env.model.toggleSelected(runRow({ id: 'x' }));
    env.model.toggleSelected(runRow({ id: 'y' }));
    expect(enabled()).toBe(true);

    const page = await env.commands.execute(CommandIDs.compareRuns);
    expect(env.added).toEqual([page]);
    expect((page as Widget).title.label).toBe('Compare 2 runs');
    // The same runs in another order reuse the page
    await env.commands.execute(CommandIDs.compareRuns, { runIds: ['y', 'x'] });
    expect(env.added).toHaveLength(1);
    // a reload compares the same runs: the selection is gone by then
    expect(env.tracked).toEqual([
      { kind: 'compare', widget: page, args: { runIds: ['x', 'y'] } }
    ]);
    env.dispose();
  });
});
