import { ExperimentsModel } from '../../experiments/model';
import { PlatformRequestError } from '../../api/request';
import { IRunQuery } from '../../experiments/types';
import {
  experiment,
  mlflowConfig,
  runPage,
  runRow,
  ScriptedMlflow
} from './fixtures';
import { unavailable } from '../shell/fixtures';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Resolve when the model's state satisfies a predicate. */
function until(
  model: ExperimentsModel,
  predicate: (state: ExperimentsModel.IState) => boolean
): Promise<ExperimentsModel.IState> {
  if (predicate(model.state)) {
    return Promise.resolve(model.state);
  }
  return new Promise(resolve => {
    const onChange = (_: ExperimentsModel, state: ExperimentsModel.IState) => {
      if (predicate(state)) {
        model.stateChanged.disconnect(onChange);
        resolve(state);
      }
    };
    model.stateChanged.connect(onChange);
  });
}

describe('ExperimentsModel', () => {
  let model: ExperimentsModel;
  let api: ScriptedMlflow;

  beforeEach(() => {
    api = new ScriptedMlflow();
  });

  afterEach(() => {
    model.dispose();
  });

  /** A model nobody polls by itself; the test drives it. */
  function manual(): ExperimentsModel {
    model = new ExperimentsModel({ api, auto: false, searchDelay: 10 });
    return model;
  }

  /** A model whose poll runs every few milliseconds, shown in the sidebar. */
  function polling(): ExperimentsModel {
    model = new ExperimentsModel({
      api,
      frequency: { interval: 10, backoff: false, max: 50 },
      searchDelay: 10
    });
    model.panelVisible = true;
    model.tabVisible = true;
    return model;
  }

  const runQueries = () =>
    api.callsOf('runs').map(args => args[0] as IRunQuery);

  it('reads the config, then the first page of experiments', async () => {
    manual();
    await model.refresh();

    expect(api.callsOf('config')).toHaveLength(1);
    expect(api.callsOf('experiments')).toEqual([
      [{ filter: '', maxResults: 50 }]
    ]);
    expect(model.state.status).toEqual({ kind: 'ready' });
    expect(model.state.list.experiments).toEqual([experiment()]);

    // The config is read once, not on every refresh
    await model.refresh();
    expect(api.callsOf('config')).toHaveLength(1);
  });

  it('says MLflow is not configured and asks nothing more', async () => {
    api.configs = [mlflowConfig({ enabled: false })];
    model = new ExperimentsModel({
      api,
      frequency: { interval: 5, backoff: false, max: 20 }
    });
    model.panelVisible = true;
    model.tabVisible = true;
    await until(model, s => s.status.kind === 'disabled');
    await sleep(60);

    expect(model.state.status.kind).toBe('disabled');
    expect(api.callsOf('experiments')).toHaveLength(0);
    expect(api.callsOf('config')).toHaveLength(1);
    expect(model.isPolling).toBe(false);
  });

  it('searches by name once typing pauses', async () => {
    manual();
    await model.refresh();

    const typing = [
      model.setFilter('c'),
      model.setFilter('ch'),
      model.setFilter('chu')
    ];
    expect(model.state.list.filter).toBe('chu');
    await Promise.all(typing);

    const searches = api.callsOf('experiments').slice(1);
    expect(searches).toEqual([[{ filter: 'chu', maxResults: 50 }]]);
  });

  it('appends the next page of experiments with its token', async () => {
    api.experimentPages = [
      { experiments: [experiment({ id: '1' })], next_page_token: 'e2' },
      {
        experiments: [experiment({ id: '2', name: 'bob/x' })],
        next_page_token: null
      }
    ];
    manual();
    await model.refresh();
    await model.loadMoreExperiments();

    expect(api.callsOf('experiments')[1]).toEqual([
      { filter: '', maxResults: 50, pageToken: 'e2' }
    ]);
    expect(model.state.list.experiments?.map(e => e.id)).toEqual(['1', '2']);
    expect(model.state.list.nextPageToken).toBeNull();
  });

  it('sets privacy through the API and updates the list and the open experiment', async () => {
    api.experimentPages = [
      {
        experiments: [
          experiment({ id: '1' }),
          experiment({ id: '2', name: 'alice/other' })
        ],
        next_page_token: null
      }
    ];
    manual();
    await model.refresh();
    await model.openExperiment(model.state.list.experiments![0]);
    const before = model.state;

    await model.setExperimentPrivate('1', true);

    expect(api.callsOf('setExperimentPrivate')).toEqual([['1', true]]);
    expect(model.state).not.toBe(before);
    expect(model.state.runs?.experiment.private).toBe(true);
    expect(model.state.list.experiments?.map(e => [e.id, e.private])).toEqual([
      ['1', true],
      ['2', false]
    ]);

    // The server's answer wins over what was asked.
    api.privacies = [{ id: '1', private: true }];
    await model.setExperimentPrivate('1', false);
    expect(model.state.runs?.experiment.private).toBe(true);
  });

  it('leaves the state alone and rejects when privacy is refused', async () => {
    api.privacies = [
      new PlatformRequestError({
        status: 403,
        url: 'x',
        serverMessage: 'only the owner may change privacy'
      })
    ];
    manual();
    await model.refresh();
    await model.openExperiment(model.state.list.experiments![0]);
    const before = model.state;

    await expect(model.setExperimentPrivate('1', true)).rejects.toMatchObject({
      status: 403,
      serverMessage: 'only the owner may change privacy'
    });
    expect(model.state).toBe(before);
    expect(model.state.runs?.experiment.private).toBe(false);
  });

  it('passes the page tokens on, forwards and back', async () => {
    api.runPages = [
      runPage({ next_page_token: 't2' }),
      runPage({ next_page_token: 't3' }),
      runPage({ next_page_token: null }),
      runPage({ next_page_token: 't3' }),
      runPage({ next_page_token: 't2' })
    ];
    manual();
    await model.refresh();

    await model.openExperiment(experiment({ id: '7' }));
    await model.nextPage();
    await model.nextPage();
    // The last page has no token: Next does nothing
    await model.nextPage();
    await model.previousPage();
    await model.previousPage();
    await model.previousPage();

    expect(runQueries().map(q => q.pageToken)).toEqual([
      null,
      't2',
      't3',
      't2',
      null
    ]);
    expect(runQueries().every(q => q.experimentId === '7')).toBe(true);
    expect(runQueries().every(q => q.maxResults === 25)).toBe(true);
    expect(model.state.runs?.pageIndex).toBe(0);
  });

  it('builds the sort from header clicks and starts paging over', async () => {
    api.runPages = [runPage({ next_page_token: 't2' })];
    manual();
    await model.openExperiment(experiment());
    await model.nextPage();

    await model.sortBy('attribute', 'run_name');
    await model.sortBy('attribute', 'run_name');
    await model.setColumnVisible({ kind: 'metric', key: 'auc' }, true);
    await model.sortBy('metric', 'auc');
    await model.sortBy('attribute', 'start_time');

    const queries = runQueries();
    expect(queries[0].sort).toEqual({
      kind: 'attribute',
      key: 'start_time',
      direction: 'desc'
    });
    expect(queries.slice(2).map(q => q.sort)).toEqual([
      { kind: 'attribute', key: 'run_name', direction: 'asc' },
      { kind: 'attribute', key: 'run_name', direction: 'desc' },
      { kind: 'attribute', key: 'run_name', direction: 'desc' },
      { kind: 'metric', key: 'auc', direction: 'asc' },
      { kind: 'attribute', key: 'start_time', direction: 'desc' }
    ]);
    // A new order invalidates the tokens of the old one
    expect(queries[1].pageToken).toBe('t2');
    expect(queries[2].pageToken).toBeNull();
  });

  it('asks for the chosen columns and forgets a hidden sort column', async () => {
    manual();
    await model.openExperiment(experiment());
    await model.setColumnVisible({ kind: 'param', key: 'lr' }, true);
    await model.setColumnVisible({ kind: 'metric', key: 'auc' }, true);
    await model.sortBy('metric', 'auc');
    await model.setColumnVisible({ kind: 'metric', key: 'auc' }, false);

    const queries = runQueries();
    expect(queries[2].columns).toEqual([
      { kind: 'param', key: 'lr' },
      { kind: 'metric', key: 'auc' }
    ]);
    expect(queries[3].sort).toEqual({
      kind: 'metric',
      key: 'auc',
      direction: 'asc'
    });
    expect(queries[4].columns).toEqual([{ kind: 'param', key: 'lr' }]);
    expect(queries[4].sort).toEqual(ExperimentsModel.DEFAULT_SORT);

    // The choice is remembered for the experiment
    await model.backToList();
    await model.openExperiment(experiment());
    expect(runQueries().pop()?.columns).toEqual([{ kind: 'param', key: 'lr' }]);
  });

  it('refreshes while a run is RUNNING and stops when the tab is hidden', async () => {
    // Given an experiment whose only run is still running
    api.runPages = [
      runPage({ runs: [runRow({ status: 'RUNNING' })], active: true })
    ];
    polling();
    await until(model, s => s.status.kind === 'ready');
    await model.openExperiment(experiment());

    // Then the page is asked for again and again
    const before = runQueries().length;
    await sleep(80);
    expect(runQueries().length - before).toBeGreaterThanOrEqual(3);
    expect(model.isPolling).toBe(true);

    // When the sidebar is hidden, no request goes out
    model.panelVisible = false;
    await sleep(20);
    const hidden = runQueries().length;
    await sleep(80);
    expect(runQueries().length).toBe(hidden);

    // Nor when the panel is shown but another tab is selected
    model.panelVisible = true;
    model.tabVisible = false;
    await sleep(20);
    const otherTab = runQueries().length;
    await sleep(80);
    expect(runQueries().length).toBe(otherTab);
  });

  it('stops polling once no run on the page is active', async () => {
    // Given a run that finishes after two refreshes
    api.runPages = [
      runPage({ runs: [runRow({ status: 'RUNNING' })], active: true }),
      runPage({ runs: [runRow({ status: 'RUNNING' })], active: true }),
      runPage({ runs: [runRow({ status: 'FINISHED' })], active: false })
    ];
    polling();
    await model.openExperiment(experiment());
    await until(model, s => s.runs?.page?.runs[0].status === 'FINISHED');

    // Then the poll goes quiet
    const done = runQueries().length;
    await sleep(100);
    expect(runQueries().length).toBe(done);
    expect(model.isPolling).toBe(false);
  });

  it('refreshes the shown experiment list, at most every listInterval', async () => {
    // Given a list shown in the sidebar, refreshed every 40 ms
    model = new ExperimentsModel({
      api,
      frequency: { interval: 10, backoff: false, max: 50 },
      searchDelay: 10,
      listInterval: 40
    });
    model.panelVisible = true;
    model.tabVisible = true;
    await until(model, s => s.status.kind === 'ready');
    expect(model.isPolling).toBe(true);

    // When an experiment is created elsewhere
    api.experimentPages = [
      {
        experiments: [experiment(), experiment({ id: '9', name: 'new' })],
        next_page_token: null
      }
    ];

    // Then it shows up without reopening anything, and the poll's 10 ms
    // ticks did not each ask MLflow
    const before = api.callsOf('experiments').length;
    await until(model, s => s.list.experiments?.length === 2);
    await sleep(100);
    const asked = api.callsOf('experiments').length - before;
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(5);

    // And nothing is asked while the tab is hidden
    model.tabVisible = false;
    await sleep(20);
    const hidden = api.callsOf('experiments').length;
    await sleep(100);
    expect(api.callsOf('experiments').length).toBe(hidden);
  });

  it('keeps the rows "Show more" added when the list refreshes', async () => {
    manual();
    const many = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) =>
        experiment({ id: String(from + i), name: `e${from + i}` })
      );
    api.experimentPages = [
      { experiments: many(0, 50), next_page_token: '50' },
      { experiments: many(50, 10), next_page_token: null }
    ];
    await model.refresh();
    await model.loadMoreExperiments();
    api.experimentPages = [{ experiments: many(0, 60), next_page_token: null }];
    await model.refresh();
    const last = api.callsOf('experiments').pop()?.[0] as {
      maxResults: number;
    };
    expect(last.maxResults).toBe(60);
    expect(model.state.list.experiments).toHaveLength(60);
  });

  it('shows a chosen column only once its values are in', async () => {
    manual();
    await model.openExperiment(experiment());
    expect(model.state.runs?.pageColumns).toEqual([]);
    const chosen = model.setColumnVisible({ kind: 'metric', key: 'auc' }, true);
    // The chooser has it at once; the page still is the one without it
    expect(model.state.runs?.columns).toEqual([{ kind: 'metric', key: 'auc' }]);
    expect(model.state.runs?.pageColumns).toEqual([]);
    await chosen;
    expect(model.state.runs?.pageColumns).toEqual([
      { kind: 'metric', key: 'auc' }
    ]);
  });

  it('shows a 503 as unavailable and recovers by itself', async () => {
    // Given MLflow down twice, then back
    api.experimentPages = [
      unavailable('MLflow is restarting'),
      unavailable('MLflow is restarting'),
      { experiments: [experiment()], next_page_token: null }
    ];
    polling();

    // Then the tab says so with the server's words, and nobody clicks
    const down = await until(model, s => s.status.kind === 'unavailable');
    expect(down.status).toEqual({
      kind: 'unavailable',
      message: 'MLflow is restarting',
      reason: 'Service Unavailable',
      requestId: 'req-503'
    });
    const back = await until(model, s => s.status.kind === 'ready');
    expect(back.list.experiments).toEqual([experiment()]);
    // and goes on refreshing the list it shows, as it does when all is well
    expect(model.isPolling).toBe(true);
  });

  it('keeps a 404 as an error and does not retry it alone', async () => {
    api.runPages = [
      new PlatformRequestError({
        status: 404,
        url: 'x',
        serverMessage: 'Experiment 9 does not exist'
      })
    ];
    manual();
    await model.openExperiment(experiment({ id: '9' }));

    expect(model.state.status).toEqual({
      kind: 'error',
      status: 404,
      message: 'Experiment 9 does not exist',
      requestId: null
    });
    model.panelVisible = true;
    model.tabVisible = true;
    expect(model.isPolling).toBe(false);
  });

  it('keeps the selection across pages and allows comparing 2 to 5 runs', async () => {
    const runs = ['a', 'b', 'c', 'd', 'e', 'f'].map(id => runRow({ id }));
    api.runPages = [
      runPage({ runs: runs.slice(0, 3), next_page_token: 't2' }),
      runPage({ runs: runs.slice(3) })
    ];
    manual();
    await model.openExperiment(experiment());

    model.toggleSelected(runs[0]);
    expect(model.canCompare).toBe(false);
    model.toggleSelected(runs[1]);
    expect(model.canCompare).toBe(true);
    await model.nextPage();
    runs.slice(3).forEach(run => model.toggleSelected(run));
    expect(model.state.selection.map(r => r.id)).toEqual([
      'a',
      'b',
      'd',
      'e',
      'f'
    ]);
    expect(model.canCompare).toBe(true);
    model.toggleSelected(runs[2]);
    expect(model.canCompare).toBe(false);
    model.toggleSelected(runs[2]);
    model.toggleSelected(runs[0]);
    expect(model.state.selection).toHaveLength(4);

    await model.backToList();
    expect(model.state.selection).toEqual([]);
  });

  it('logs to the selected run, else to the newest run of this user', async () => {
    manual();
    await model.refresh();
    await model.openExperiment(experiment());

    // Newest of alice, looking past bob's runs and onto the next page
    api.runPages = [
      runPage({
        runs: [runRow({ id: 'b1', user: 'bob' })],
        next_page_token: 'p2'
      }),
      runPage({ runs: [runRow({ id: 'a9', user: 'alice' })] })
    ];
    const before = runQueries().length;
    expect((await model.logTarget())?.id).toBe('a9');
    const asked = runQueries().slice(before);
    expect(asked.map(q => q.pageToken)).toEqual([null, 'p2']);
    expect(asked[0].sort).toEqual(ExperimentsModel.DEFAULT_SORT);

    // A picked run wins
    model.toggleSelected(runRow({ id: 'picked' }));
    expect((await model.logTarget())?.id).toBe('picked');
  });

  it('drops an answer that a newer request made stale', async () => {
    manual();
    await model.refresh();
    let release: () => void = () => undefined;
    const slow = new Promise<void>(resolve => (release = resolve));
    const original = api.runs.bind(api);
    let first = true;
    api.runs = async query => {
      if (first) {
        first = false;
        await slow;
        return runPage({ runs: [runRow({ id: 'old' })] });
      }
      return original(query);
    };

    const opening = model.openExperiment(experiment());
    await model.sortBy('attribute', 'run_name');
    release();
    await opening;

    expect(model.state.runs?.page?.runs.map(r => r.id)).toEqual(['r1']);
  });
});
