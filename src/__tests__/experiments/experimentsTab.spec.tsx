import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { Notification } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import * as React from 'react';

import { CommandIDs } from '../../experiments/commandIds';
import { ExperimentsModel } from '../../experiments/model';
import { ExperimentsTab } from '../../experiments/tab';
import { PlatformRequestError } from '../../api/request';
import { IExperimentPrivacy, IRunQuery } from '../../experiments/types';
import { english, unavailable } from '../shell/fixtures';
import {
  experiment,
  mlflowConfig,
  runPage,
  runRow,
  ScriptedMlflow
} from './fixtures';

const models: ExperimentsModel[] = [];
afterEach(() => models.splice(0).forEach(model => model.dispose()));

/** Commands that record what the tab asks them to do. */
function recordingCommands() {
  const commands = new CommandRegistry();
  const executed: { id: string; args: ReadonlyPartialJSONObject }[] = [];
  const notebook = { open: false };
  for (const id of [CommandIDs.compareRuns, CommandIDs.openRun]) {
    commands.addCommand(id, {
      execute: args => {
        executed.push({ id, args });
      }
    });
  }
  for (const id of [CommandIDs.trackNotebook, CommandIDs.logNotebook]) {
    commands.addCommand(id, {
      caption: () => (notebook.open ? '' : 'Open a notebook first'),
      isEnabled: () => notebook.open,
      execute: args => {
        executed.push({ id, args });
      }
    });
  }
  return { commands, executed, notebook };
}

/** Resolve once the model has no request under way. */
function settled(model: ExperimentsModel): Promise<void> {
  return new Promise(resolve => {
    const check = () => {
      if (!model.state.busy && model.state.status.kind !== 'loading') {
        model.stateChanged.disconnect(check);
        resolve();
      }
    };
    model.stateChanged.connect(check);
    // Let requests started by the last action begin before checking.
    setTimeout(check, 0);
  });
}

async function renderTab(api: ScriptedMlflow) {
  const model = new ExperimentsModel({ api, auto: false, searchDelay: 5 });
  models.push(model);
  model.panelVisible = true;
  const recorded = recordingCommands();
  render(
    <ExperimentsTab
      model={model}
      commands={recorded.commands}
      trans={english}
    />
  );
  // Mounting the tab made it visible, which loads it.
  await act(() => settled(model));
  return { model, ...recorded };
}

/** Render the tab and open the first experiment's runs. */
async function renderRuns(api: ScriptedMlflow) {
  const rendered = await renderTab(api);
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'alice/churn' }));
    await settled(rendered.model);
  });
  return rendered;
}

const PRIVATE = 'Private: only you can see this experiment';

const notifications = () =>
  Notification.manager.notifications.map(n => ({
    type: n.type,
    message: n.message
  }));

beforeEach(() => Notification.dismiss());

const lastRunQuery = (api: ScriptedMlflow) =>
  api.callsOf('runs').pop()?.[0] as IRunQuery;

describe('ExperimentsTab', () => {
  it('says when MLflow is not configured for the server', async () => {
    const api = new ScriptedMlflow();
    api.configs = [mlflowConfig({ enabled: false })];
    await renderTab(api);

    expect(screen.getByRole('status').textContent).toContain(
      'MLflow is not configured for this server.'
    );
  });

  it('shows an outage with the server message, then recovers', async () => {
    const api = new ScriptedMlflow();
    api.experimentPages = [
      unavailable('<b>MLflow</b> is restarting'),
      { experiments: [experiment()], next_page_token: null }
    ];
    const { model } = await renderTab(api);

    expect(screen.getByText('MLflow unavailable — retrying')).toBeTruthy();
    // Server text is text, not markup
    expect(screen.getByText('<b>MLflow</b> is restarting')).toBeTruthy();
    expect(document.querySelector('b')).toBeNull();

    await act(() => model.refresh());
    expect(screen.queryByText('MLflow unavailable — retrying')).toBeNull();
    expect(screen.getByRole('button', { name: 'alice/churn' })).toBeTruthy();
  });

  it('lists experiments with owners and searches by name', async () => {
    const api = new ScriptedMlflow();
    api.experimentPages = [
      {
        experiments: [
          experiment(),
          experiment({
            id: '2',
            name: 'shared/<script>',
            owner: null,
            can_write: false
          })
        ],
        next_page_token: null
      }
    ];
    const { model } = await renderTab(api);

    const list = screen.getByRole('list', { name: 'Experiment list' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map(item => item.textContent)).toEqual([
      'alice/churnalice',
      'shared/<script>read-only'
    ]);

    await act(async () => {
      fireEvent.change(
        screen.getByRole('searchbox', { name: 'Search experiments' }),
        { target: { value: 'churn' } }
      );
      await new Promise(resolve => setTimeout(resolve, 30));
    });
    expect(api.callsOf('experiments').pop()).toEqual([
      { filter: 'churn', maxResults: 50 }
    ]);
    expect(model.state.list.filter).toBe('churn');
  });

  it('mirrors the notebook commands in its buttons', async () => {
    const { commands, executed, notebook } = await renderTab(
      new ScriptedMlflow()
    );
    const track = screen.getByRole('button', { name: 'Track this notebook' });
    expect((track as HTMLButtonElement).disabled).toBe(true);
    expect(track.getAttribute('title')).toBe('Open a notebook first');

    act(() => {
      notebook.open = true;
      commands.notifyCommandChanged();
    });
    expect((track as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(track);
    fireEvent.click(
      screen.getByRole('button', { name: 'Log notebook to run' })
    );
    expect(executed.map(e => e.id)).toEqual([
      CommandIDs.trackNotebook,
      CommandIDs.logNotebook
    ]);
  });
});

describe('RunsTable', () => {
  it('opens an experiment into its runs and goes back', async () => {
    const api = new ScriptedMlflow();
    const { model } = await renderRuns(api);

    expect(
      screen.getByRole('region', { name: 'Runs of alice/churn' })
    ).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Runs' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(th => th.textContent);
    expect(headers).toEqual([
      'Select',
      'Name',
      'Status',
      'Started',
      'Duration',
      'User',
      'Notebook'
    ]);
    const row = within(table).getAllByRole('row')[1];
    expect(row.textContent).toContain('brave-owl-1');
    expect(row.textContent).toContain('Finished');
    expect(row.textContent).toContain('1 min 5 s');
    expect(row.textContent).toContain('train.ipynb');

    await act(async () => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Back to experiments' })
      );
      await settled(model);
    });
    expect(screen.getByRole('list', { name: 'Experiment list' })).toBeTruthy();
  });

  it('adds the chosen params and metrics as columns', async () => {
    const api = new ScriptedMlflow();
    api.runPages = [
      runPage({
        runs: [runRow({ params: { lr: '0.1' }, metrics: { auc: 0.91234567 } })]
      })
    ];
    const { model } = await renderRuns(api);

    fireEvent.click(screen.getByRole('button', { name: 'Columns' }));
    const chooser = screen.getByRole('group', { name: 'Columns to show' });
    const params = within(chooser).getByRole('group', { name: 'Parameters' });
    const metrics = within(chooser).getByRole('group', { name: 'Metrics' });
    expect(
      within(params)
        .getAllByRole('checkbox')
        .map(box => box.parentElement?.textContent)
    ).toEqual(['lr', 'depth']);

    await act(async () => {
      fireEvent.click(within(params).getByRole('checkbox', { name: 'lr' }));
      await settled(model);
    });
    await act(async () => {
      fireEvent.click(within(metrics).getByRole('checkbox', { name: 'auc' }));
      await settled(model);
    });

    expect(lastRunQuery(api).columns).toEqual([
      { kind: 'param', key: 'lr' },
      { kind: 'metric', key: 'auc' }
    ]);
    const table = screen.getByRole('table', { name: 'Runs' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(th => th.textContent);
    expect(headers.slice(-2)).toEqual(['lr', 'auc']);
    const cells = within(within(table).getAllByRole('row')[1])
      .getAllByRole('cell')
      .map(td => td.textContent);
    expect(cells.slice(-2)).toEqual(['0.1', '0.912346']);
  });

  it('sorts by a header click and flips on the second click', async () => {
    const api = new ScriptedMlflow();
    const { model } = await renderRuns(api);
    const header = () => screen.getByRole('columnheader', { name: /^Name/ });

    expect(
      screen
        .getByRole('columnheader', { name: /^Started/ })
        .getAttribute('aria-sort')
    ).toBe('descending');
    expect(header().getAttribute('aria-sort')).toBeNull();

    await act(async () => {
      fireEvent.click(within(header()).getByRole('button'));
      await settled(model);
    });
    expect(header().getAttribute('aria-sort')).toBe('ascending');
    expect(lastRunQuery(api).sort).toEqual({
      kind: 'attribute',
      key: 'run_name',
      direction: 'asc'
    });

    await act(async () => {
      fireEvent.click(within(header()).getByRole('button'));
      await settled(model);
    });
    expect(header().getAttribute('aria-sort')).toBe('descending');
    expect(lastRunQuery(api).sort?.direction).toBe('desc');
  });

  it('marks runs the user may not change as read-only', async () => {
    const api = new ScriptedMlflow();
    api.runPages = [
      runPage({
        runs: [
          runRow({ id: 'mine', name: 'mine' }),
          runRow({
            id: 'theirs',
            name: 'theirs',
            user: 'bob',
            can_write: false
          })
        ]
      })
    ];
    await renderRuns(api);

    const [, mine, theirs] = within(
      screen.getByRole('table', { name: 'Runs' })
    ).getAllByRole('row');
    expect(within(mine).queryByText('read-only')).toBeNull();
    const mark = within(theirs).getByText('read-only');
    expect(mark.getAttribute('title')).toBe(
      'MLflow does not let you change this run.'
    );
  });

  it('enables Compare only for 2 to 5 selected runs and passes them on', async () => {
    const api = new ScriptedMlflow();
    const runs = ['a', 'b', 'c', 'd', 'e', 'f'].map(id =>
      runRow({ id, name: `run-${id}` })
    );
    api.runPages = [runPage({ runs })];
    const { executed } = await renderRuns(api);
    const compare = () =>
      screen.getByRole('button', { name: 'Compare' }) as HTMLButtonElement;
    const pick = (id: string) =>
      act(() => {
        fireEvent.click(
          screen.getByRole('checkbox', { name: `Select run run-${id}` })
        );
      });

    expect(compare().disabled).toBe(true);
    pick('a');
    expect(compare().disabled).toBe(true);
    pick('b');
    expect(compare().disabled).toBe(false);
    ['c', 'd', 'e'].forEach(pick);
    expect(compare().disabled).toBe(false);
    expect(screen.getByText('Selected: 5')).toBeTruthy();
    pick('f');
    expect(compare().disabled).toBe(true);
    pick('f');
    pick('e');
    pick('d');

    fireEvent.click(compare());
    expect(executed).toEqual([
      { id: CommandIDs.compareRuns, args: { runIds: ['a', 'b', 'c'] } }
    ]);
  });

  it('opens a run page from the run name', async () => {
    const { executed } = await renderRuns(new ScriptedMlflow());
    fireEvent.click(screen.getByRole('button', { name: 'brave-owl-1' }));
    expect(executed).toEqual([
      { id: CommandIDs.openRun, args: { runId: 'r1', name: 'brave-owl-1' } }
    ]);
  });

  it('pages with Next and Previous', async () => {
    const api = new ScriptedMlflow();
    api.runPages = [
      runPage({ next_page_token: 'tok-2' }),
      runPage({ next_page_token: null })
    ];
    const { model } = await renderRuns(api);
    const next = () =>
      screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement;
    const previous = () =>
      screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement;

    expect(previous().disabled).toBe(true);
    await act(async () => {
      fireEvent.click(next());
      await settled(model);
    });
    expect(lastRunQuery(api).pageToken).toBe('tok-2');
    expect(screen.getByText('Page 2')).toBeTruthy();
    expect(next().disabled).toBe(true);
    expect(previous().disabled).toBe(false);
  });

  it('shows odd names and keys as text', async () => {
    const api = new ScriptedMlflow();
    const odd = '<img src=x onerror=alert(1)>';
    api.runPages = [
      runPage({
        runs: [runRow({ name: odd, params: { [odd]: odd } })],
        columns: { params: [odd], metrics: [] }
      })
    ];
    const { model } = await renderRuns(api);
    await act(() => model.setColumnVisible({ kind: 'param', key: odd }, true));

    // The run link and the sortable header of the param
    expect(screen.getAllByRole('button', { name: odd })).toHaveLength(2);
    expect(screen.getByRole('columnheader', { name: odd })).toBeTruthy();
    expect(
      screen.getAllByRole('cell').filter(c => c.textContent?.includes(odd))
    ).toHaveLength(2);
    expect(document.querySelector('img')).toBeNull();
  });
});

describe('Private experiments', () => {
  it('marks private experiments in the list', async () => {
    const api = new ScriptedMlflow();
    api.experimentPages = [
      {
        experiments: [
          experiment({ id: '1', name: 'alice/churn' }),
          experiment({ id: '2', name: 'alice/secret', private: true })
        ],
        next_page_token: null
      }
    ];
    await renderTab(api);

    const [shared, hidden] = within(
      screen.getByRole('list', { name: 'Experiment list' })
    ).getAllByRole('listitem');
    expect(within(shared).queryByText('private')).toBeNull();
    const badge = within(hidden).getByText('private');
    expect(badge.getAttribute('title')).toBe(
      'Only the owner can see this experiment, its runs and artifacts.'
    );
    // The lock is decoration; the word is what assistive technology reads.
    expect(badge.querySelector('[aria-hidden="true"] svg')).toBeTruthy();
  });

  it('gives the owner a checkbox that reflects the privacy', async () => {
    const api = new ScriptedMlflow();
    api.experimentPages = [
      {
        experiments: [experiment({ private: true })],
        next_page_token: null
      }
    ];
    await renderRuns(api);

    const box = screen.getByRole('checkbox', { name: PRIVATE });
    expect((box as HTMLInputElement).checked).toBe(true);
    expect((box as HTMLInputElement).disabled).toBe(false);
    expect(
      document.getElementById(box.getAttribute('aria-describedby')!)
        ?.textContent
    ).toContain('including people who join later');
    // The owner has the switch, not a second badge.
    expect(
      within(screen.getByRole('region', { name: 'Runs of alice/churn' }))
        .queryAllByText('private')
        .filter(el => el.classList.contains('jp-mlplat-private'))
    ).toEqual([]);
  });

  it('shows no checkbox to others, only the badge of a private experiment', async () => {
    const api = new ScriptedMlflow();
    api.experimentPages = [
      {
        experiments: [
          experiment({ owner: 'bob', can_write: false, private: true })
        ],
        next_page_token: null
      }
    ];
    await renderRuns(api);

    expect(screen.queryByRole('checkbox', { name: PRIVATE })).toBeNull();
    const header = document.querySelector('.jp-mlplat-runs-header')!;
    expect(within(header as HTMLElement).getByText('private')).toBeTruthy();
  });

  it('shows neither to others on a shared experiment', async () => {
    const api = new ScriptedMlflow();
    api.experimentPages = [
      {
        experiments: [experiment({ owner: 'bob', can_write: false })],
        next_page_token: null
      }
    ];
    await renderRuns(api);

    expect(screen.queryByRole('checkbox', { name: PRIVATE })).toBeNull();
    const header = document.querySelector('.jp-mlplat-runs-header')!;
    expect(within(header as HTMLElement).queryByText('private')).toBeNull();
  });

  it('is disabled while the server works, then keeps the new value', async () => {
    const api = new ScriptedMlflow();
    const { model } = await renderRuns(api);
    let answer!: (value: IExperimentPrivacy) => void;
    const asked: [string, boolean][] = [];
    api.setExperimentPrivate = (id, value) => {
      asked.push([id, value]);
      return new Promise(resolve => (answer = resolve));
    };

    const box = screen.getByRole('checkbox', {
      name: PRIVATE
    }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    act(() => {
      fireEvent.click(box);
    });

    expect(asked).toEqual([['1', true]]);
    expect(box.checked).toBe(true);
    expect(box.disabled).toBe(true);

    await act(async () => answer({ id: '1', private: true }));

    expect(box.disabled).toBe(false);
    expect(box.checked).toBe(true);
    expect(model.state.runs?.experiment.private).toBe(true);
    expect(model.state.list.experiments?.[0].private).toBe(true);
    expect(notifications()).toEqual([]);

    // And back to shared, through the real scripted API.
    api.setExperimentPrivate = ScriptedMlflow.prototype.setExperimentPrivate;
    await act(async () => {
      fireEvent.click(box);
    });
    expect(api.callsOf('setExperimentPrivate')).toEqual([['1', false]]);
    expect(box.checked).toBe(false);
    expect(model.state.runs?.experiment.private).toBe(false);
  });

  it('reverts and shows the server message when the change is refused', async () => {
    const api = new ScriptedMlflow();
    api.privacies = [
      new PlatformRequestError({
        status: 403,
        url: 'x',
        serverMessage: '<b>only bob</b> may change this experiment'
      })
    ];
    const { model } = await renderRuns(api);

    const box = screen.getByRole('checkbox', {
      name: PRIVATE
    }) as HTMLInputElement;
    await act(async () => {
      fireEvent.click(box);
    });

    expect(api.callsOf('setExperimentPrivate')).toEqual([['1', true]]);
    expect(box.checked).toBe(false);
    expect(box.disabled).toBe(false);
    expect(model.state.runs?.experiment.private).toBe(false);
    expect(notifications()).toEqual([
      {
        type: 'error',
        message:
          'Could not make “alice/churn” private: <b>only bob</b> may change this experiment'
      }
    ]);
    expect(document.querySelector('b')).toBeNull();
  });
});
