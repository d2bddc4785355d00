import { Debouncer, IPoll, Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import { PlatformModel } from '../shell/model';
import {
  IExperiment,
  IMlflowAPI,
  IMlflowConfig,
  IRunColumn,
  IRunPage,
  IRunRow,
  IRunSort,
  RunSortKind
} from './types';
import { TabModel } from '../shell/tabModel';

/**
 * What the Experiments tab shows: the experiment list or one experiment's
 * runs, with paging, sort, chosen columns and the runs picked for comparing.
 *
 * One poll keeps it fresh, but only when that is worth a request: while the
 * experiment list is shown (a tracking cell or a console may create an
 * experiment at any time, and nobody should have to reopen the panel to see
 * it; the list is asked for at most every `listInterval`), while a run on the
 * page is still going (its metrics move) or while MLflow is down (to notice
 * it coming back). It stands by whenever the sidebar or the tab is hidden, so
 * a workbench left open does not keep MLflow busy.
 */
export class ExperimentsModel extends TabModel<ExperimentsModel.IState> {
  constructor(options: ExperimentsModel.IOptions) {
    super({
      status: { kind: 'loading' },
      busy: false,
      config: null,
      view: 'list',
      list: { filter: '', experiments: null, nextPageToken: null },
      runs: null,
      selection: []
    });
    this._api = options.api;
    this._listInterval = options.listInterval ?? ExperimentsModel.LIST_INTERVAL;
    this._poll = new Poll({
      auto: options.auto ?? true,
      factory: () => this._tick(),
      frequency: {
        ...ExperimentsModel.DEFAULT_FREQUENCY,
        ...options.frequency
      },
      name: 'jupyterlab-mlplat:experiments',
      standby: () => (this._wantsPolling() ? 'when-hidden' : true)
    });
    this._search = new Debouncer(
      () => this._load().catch(() => undefined),
      options.searchDelay ?? ExperimentsModel.SEARCH_DELAY
    );
  }

  /** The API the model reads from, shared with the run and compare pages. */
  get api(): IMlflowAPI {
    return this._api;
  }

  /** Whether the poll would ask MLflow at its next tick (for tests and logs). */
  get isPolling(): boolean {
    return this._wantsPolling();
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Reload what is shown now; resolves once the answer is in the state. */
  async refresh(): Promise<void> {
    await this._load().catch(() => undefined);
  }

  /**
   * Filter the experiment list by name. The text shows at once; the request
   * waits until typing pauses.
   */
  setFilter(filter: string): Promise<void> {
    this._update({ list: { ...this._state.list, filter } });
    return this._search.invoke();
  }

  /** Append the next page of experiments. */
  async loadMoreExperiments(): Promise<void> {
    const { list } = this._state;
    if (!list.nextPageToken || this._state.view !== 'list') {
      return;
    }
    const ticket = ++this._ticket;
    this._update({ busy: true });
    try {
      const page = await this._api.experiments({
        filter: list.filter,
        maxResults: ExperimentsModel.EXPERIMENTS_PAGE_SIZE,
        pageToken: list.nextPageToken
      });
      if (ticket !== this._ticket || this.isDisposed) {
        return;
      }
      this._update({
        busy: false,
        status: { kind: 'ready' },
        list: {
          ...this._state.list,
          experiments: [
            ...(this._state.list.experiments ?? []),
            ...page.experiments
          ],
          nextPageToken: page.next_page_token
        }
      });
    } catch (error) {
      this._record(ticket, error);
    }
  }

  /** Show the runs of one experiment, from its first page. */
  openExperiment(experiment: IExperiment): Promise<void> {
    this._update({
      view: 'runs',
      selection: [],
      runs: {
        experiment,
        pageIndex: 0,
        pageTokens: [null],
        page: null,
        sort: ExperimentsModel.DEFAULT_SORT,
        columns: this._columns.get(experiment.id) ?? [],
        pageColumns: []
      }
    });
    return this.refresh();
  }

  /**
   * Make an experiment private (only its owner sees it, its runs and its
   * artifacts) or shared again. On success the stored value replaces the
   * experiment wherever the state holds it; a failure rejects and leaves the
   * state as it was, so the caller can say why.
   */
  async setExperimentPrivate(
    experimentId: string,
    value: boolean
  ): Promise<void> {
    const answer = await this._api.setExperimentPrivate(experimentId, value);
    if (this.isDisposed) {
      return;
    }
    const patch = (experiment: IExperiment): IExperiment =>
      experiment.id === experimentId
        ? { ...experiment, private: answer.private }
        : experiment;
    const { list, runs } = this._state;
    this._update({
      list: {
        ...list,
        experiments: list.experiments?.map(patch) ?? null
      },
      runs: runs ? { ...runs, experiment: patch(runs.experiment) } : runs
    });
  }

  /** Back to the experiment list, refreshed. */
  backToList(): Promise<void> {
    this._update({ view: 'list', runs: null, selection: [] });
    return this.refresh();
  }

  /** Next page of runs, following the token MLflow gave for it. */
  nextPage(): Promise<void> {
    const runs = this._state.runs;
    const token = runs?.page?.next_page_token;
    if (!runs || !token) {
      return Promise.resolve();
    }
    const pageTokens = runs.pageTokens.slice(0, runs.pageIndex + 1);
    pageTokens.push(token);
    this._update({
      runs: { ...runs, pageTokens, pageIndex: runs.pageIndex + 1 }
    });
    return this.refresh();
  }

  /** Previous page of runs, with the token remembered for it. */
  previousPage(): Promise<void> {
    const runs = this._state.runs;
    if (!runs || runs.pageIndex === 0) {
      return Promise.resolve();
    }
    this._update({ runs: { ...runs, pageIndex: runs.pageIndex - 1 } });
    return this.refresh();
  }

  /**
   * Sort by a column: the same column again flips the direction, another
   * column starts ascending (newest first for the start time). Page tokens
   * belong to one order, so paging starts over.
   */
  sortBy(kind: RunSortKind, key: string): Promise<void> {
    const runs = this._state.runs;
    if (!runs) {
      return Promise.resolve();
    }
    const current = runs.sort;
    const same = current.kind === kind && current.key === key;
    const direction = same
      ? current.direction === 'asc'
        ? 'desc'
        : 'asc'
      : kind === 'attribute' && key === 'start_time'
        ? 'desc'
        : 'asc';
    this._update({
      runs: {
        ...runs,
        sort: { kind, key, direction },
        pageIndex: 0,
        pageTokens: [null]
      }
    });
    return this.refresh();
  }

  /**
   * Show or hide a param or metric column. Hiding the column the table is
   * sorted by returns to the default order.
   */
  setColumnVisible(column: IRunColumn, visible: boolean): Promise<void> {
    const runs = this._state.runs;
    if (!runs) {
      return Promise.resolve();
    }
    const same = (c: IRunColumn) =>
      c.kind === column.kind && c.key === column.key;
    const columns = visible
      ? runs.columns.some(same)
        ? runs.columns
        : [...runs.columns, column]
      : runs.columns.filter(c => !same(c));
    this._columns.set(runs.experiment.id, columns);
    const sortGone =
      !visible &&
      runs.sort.kind === column.kind &&
      runs.sort.key === column.key;
    // The chooser shows the choice at once; the table keeps drawing the
    // columns its page was fetched with (`pageColumns`) until the page with
    // the new column's values is in, so a new column is never blank.
    this._update({
      runs: {
        ...runs,
        columns,
        ...(sortGone
          ? {
              sort: ExperimentsModel.DEFAULT_SORT,
              pageIndex: 0,
              pageTokens: [null]
            }
          : {})
      }
    });
    return this.refresh();
  }

  /** Pick or unpick a run for comparing or logging; kept across pages. */
  toggleSelected(run: IRunRow): void {
    const { selection } = this._state;
    const next = selection.some(r => r.id === run.id)
      ? selection.filter(r => r.id !== run.id)
      : [...selection, run];
    this._update({ selection: next });
  }

  clearSelection(): void {
    this._update({ selection: [] });
  }

  /** Whether the picked runs can be compared (MLflow's compare takes 2–5). */
  get canCompare(): boolean {
    const count = this._state.selection.length;
    return (
      count >= ExperimentsModel.COMPARE_MIN &&
      count <= ExperimentsModel.COMPARE_MAX
    );
  }

  /**
   * The run "Log notebook to run" writes to: the one picked in the table,
   * otherwise the newest run of this user in the open experiment (the run
   * the notebook most likely just made). Null when there is none.
   */
  async logTarget(): Promise<IRunRow | null> {
    const { selection, runs, config } = this._state;
    if (selection.length === 1) {
      return selection[0];
    }
    if (selection.length > 1 || !runs || !config) {
      return null;
    }
    let pageToken: string | null = null;
    for (let i = 0; i < ExperimentsModel.LOG_TARGET_PAGES; i++) {
      const page: IRunPage = await this._api.runs({
        experimentId: runs.experiment.id,
        maxResults: ExperimentsModel.RUNS_PAGE_SIZE,
        pageToken,
        sort: ExperimentsModel.DEFAULT_SORT
      });
      const own = page.runs.find(run => run.user === config.user);
      if (own) {
        return own;
      }
      pageToken = page.next_page_token;
      if (!pageToken) {
        break;
      }
    }
    return null;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    this._search.dispose();
    Signal.clearData(this);
  }

  /**
   * Whether a poll tick should ask MLflow: someone sees the tab and either
   * MLflow has to be found again or a run on the page is still moving.
   */
  private _wantsPolling(): boolean {
    if (!this.visible) {
      return false;
    }
    const { status, view, runs } = this._state;
    switch (status.kind) {
      case 'loading':
      case 'unavailable':
        return true;
      case 'ready':
        if (view === 'list') {
          return true;
        }
        return (
          !!runs?.page &&
          (runs.page.active ||
            runs.page.runs.some(run => ExperimentsModel.isActive(run.status)))
        );
      default:
        return false;
    }
  }

  /**
   * Coming into view: show fresh data rather than what was there an hour
   * ago, unless MLflow is turned off for this workbench.
   */
  protected _shown(): void {
    if (this._state.status.kind !== 'disabled') {
      void this.refresh();
    }
  }

  /**
   * One tick of the poll. The list changes seldom, so it is asked for only
   * once `listInterval` has passed since its last answer; everything else is
   * asked for on every tick the poll makes.
   */
  private _tick(): Promise<void> {
    const { status, view } = this._state;
    if (
      status.kind === 'ready' &&
      view === 'list' &&
      Date.now() - this._listLoadedAt < this._listInterval
    ) {
      return Promise.resolve();
    }
    return this._load();
  }

  /**
   * Load what the current view needs. Rejects on failure so the poll backs
   * off; an answer that arrives after a newer request was sent is dropped.
   */
  private async _load(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const ticket = ++this._ticket;
    const stale = () => ticket !== this._ticket || this.isDisposed;
    this._update({ busy: true });
    try {
      if (!this._state.config) {
        const config = await this._api.config();
        if (stale()) {
          return;
        }
        if (!config.enabled) {
          this._update({ config, busy: false, status: { kind: 'disabled' } });
          return;
        }
        this._update({ config });
      }
      const { view, runs, list } = this._state;
      if (view === 'runs' && runs) {
        const page = await this._api.runs({
          experimentId: runs.experiment.id,
          maxResults: ExperimentsModel.RUNS_PAGE_SIZE,
          pageToken: runs.pageTokens[runs.pageIndex],
          sort: runs.sort,
          columns: runs.columns
        });
        if (stale() || !this._state.runs) {
          return;
        }
        // Picked runs show their latest values wherever they are listed.
        const fresh = new Map(page.runs.map(run => [run.id, run]));
        this._update({
          busy: false,
          status: { kind: 'ready' },
          runs: { ...this._state.runs, page, pageColumns: runs.columns },
          selection: this._state.selection.map(run => fresh.get(run.id) ?? run)
        });
      } else {
        // A refresh keeps every row "Show more" added (up to the largest
        // page the server gives), so the list does not shrink under the
        // reader's eyes.
        const shown = list.experiments?.length ?? 0;
        const page = await this._api.experiments({
          filter: list.filter,
          maxResults: Math.min(
            ExperimentsModel.MAX_EXPERIMENTS_PAGE,
            Math.max(ExperimentsModel.EXPERIMENTS_PAGE_SIZE, shown)
          )
        });
        if (stale()) {
          return;
        }
        this._listLoadedAt = Date.now();
        this._update({
          busy: false,
          status: { kind: 'ready' },
          list: {
            ...this._state.list,
            experiments: page.experiments,
            nextPageToken: page.next_page_token
          }
        });
      }
    } catch (error) {
      if (this._record(ticket, error)) {
        throw error;
      }
    }
  }

  /**
   * Show a failure, unless a newer request superseded it; true when it was
   * shown (and so should make the poll back off).
   */
  private _record(ticket: number, error: unknown): boolean {
    if (ticket !== this._ticket || this.isDisposed) {
      return false;
    }
    this._update({ busy: false, status: PlatformModel.stateFromError(error) });
    return true;
  }

  private _api: IMlflowAPI;
  private _listInterval: number;
  private _listLoadedAt = 0;
  private _columns = new Map<string, IRunColumn[]>();
  private _poll: Poll;
  private _search: Debouncer;
  private _ticket = 0;
}

export namespace ExperimentsModel {
  export interface IOptions {
    api: IMlflowAPI;
    /** Start the poll on construction (default true). */
    auto?: boolean;
    /** Overrides of `DEFAULT_FREQUENCY`, in milliseconds. */
    frequency?: Partial<IPoll.Frequency>;
    /** How long typing must pause before the list is searched (ms). */
    searchDelay?: number;
    /** How often the shown experiment list is asked for again (ms). */
    listInterval?: number;
  }

  /**
   * Every 5 s while something moves; after a failure the wait grows up to a
   * minute, and returns to 5 s on the first success.
   */
  export const DEFAULT_FREQUENCY: IPoll.Frequency = {
    interval: 5 * 1000,
    backoff: true,
    max: 60 * 1000
  };

  export const SEARCH_DELAY = 300;
  /**
   * The experiment list is asked for again every 10 s while it is shown:
   * soon enough for an experiment made from a notebook, seldom enough that
   * thirty open sidebars cost MLflow a few searches a second.
   */
  export const LIST_INTERVAL = 10 * 1000;
  export const EXPERIMENTS_PAGE_SIZE = 50;
  /** The largest page of experiments the server gives. */
  export const MAX_EXPERIMENTS_PAGE = 200;
  export const RUNS_PAGE_SIZE = 25;
  export const COMPARE_MIN = 2;
  export const COMPARE_MAX = 5;
  /** How many pages "Log notebook" looks through for the user's newest run. */
  export const LOG_TARGET_PAGES = 4;

  export const DEFAULT_SORT: IRunSort = {
    kind: 'attribute',
    key: 'start_time',
    direction: 'desc'
  };

  /** A run whose values may still change. */
  export function isActive(status: string): boolean {
    return status === 'RUNNING' || status === 'SCHEDULED';
  }

  export type Status =
    | PlatformModel.ILoading
    | { kind: 'ready' }
    /** The server has no MLflow configured. */
    | { kind: 'disabled' }
    | PlatformModel.IUnavailable
    | PlatformModel.IError;

  export interface IListState {
    filter: string;
    /** Null until the first answer. */
    experiments: IExperiment[] | null;
    nextPageToken: string | null;
  }

  export interface IRunsState {
    experiment: IExperiment;
    /** Zero-based page number. */
    pageIndex: number;
    /** The token of each page seen so far; page 0 has none. */
    pageTokens: (string | null)[];
    /** Null until the first answer for this experiment. */
    page: IRunPage | null;
    sort: IRunSort;
    /** The chosen param and metric columns. */
    columns: IRunColumn[];
    /**
     * The columns `page` was fetched with: the table draws these, so a
     * column just chosen appears with its values, never blank.
     */
    pageColumns: IRunColumn[];
  }

  export interface IState {
    status: Status;
    /** A request is under way. */
    busy: boolean;
    config: IMlflowConfig | null;
    view: 'list' | 'runs';
    list: IListState;
    runs: IRunsState | null;
    /** Runs picked in the table, in the order they were picked. */
    selection: readonly IRunRow[];
  }
}
