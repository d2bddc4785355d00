import { PlatformRequestError } from '../api/request';
import { UnreadableDays } from '../shell/dayField';
import { PlatformModel } from '../shell/model';
import { IFailure } from '../shell/notes';
import { NotLoaded } from '../shell/status';
import { TabModel } from '../shell/tabModel';
import {
  Grain,
  IAnalyticsAPI,
  IIdleReport,
  ITeamsReport,
  IUsageReport,
  ReportName,
  TeamsBy,
  UsageBy,
  UsageKind
} from './types';

/** The range asked when the tab opens: the last 30 days, today included. */
export const DEFAULT_DAYS = 30;

/** How many of the most idle workspaces the table lists. */
export const IDLE_LIMIT = 10;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a calendar day written `YYYY-MM-DD` (what a date input gives). */
export function isDay(text: string): boolean {
  const found = DAY.exec(text);
  if (!found) {
    return false;
  }
  const [year, month, day] = found.slice(1).map(Number);
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCMonth() === month - 1 && at.getUTCDate() === day;
}

/** The UTC day of an instant, `YYYY-MM-DD`: the figures are kept per UTC day. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The default range ending on `today`'s UTC day. */
export function defaultRange(today: Date): { from: string; to: string } {
  const from = new Date(today.getTime() - (DEFAULT_DAYS - 1) * 86_400_000);
  return { from: utcDay(from), to: utcDay(today) };
}

/**
 * What is wrong with a range before anything is asked: a missing or
 * unreadable day, or an end before the start. Longer than the platform
 * allows is the platform's to say (`period_invalid`).
 */
export type RangeProblem = 'incomplete' | 'reversed' | null;

export function rangeProblem(from: string, to: string): RangeProblem {
  if (!isDay(from) || !isDay(to)) {
    return 'incomplete';
  }
  return to < from ? 'reversed' : null;
}

/** The choices a report's query is made of. */
export interface IChoices {
  from: string;
  to: string;
  usageBy: UsageBy;
  kind: UsageKind;
  teamsBy: TeamsBy;
  grain: Grain;
}

/** The query of one report, as the tab asks it and its CSV downloads it. */
export function reportQuery(
  report: ReportName,
  choices: IChoices
): URLSearchParams {
  const query = new URLSearchParams({ from: choices.from, to: choices.to });
  switch (report) {
    case 'usage':
      query.set('by', choices.usageBy);
      query.set('kind', choices.kind);
      break;
    case 'idle':
      // the Servers choice is the section's: the idlest of those servers
      query.set('kind', choices.kind);
      query.set('limit', String(IDLE_LIMIT));
      break;
    case 'teams':
      query.set('by', choices.teamsBy);
      query.set('grain', choices.grain);
      break;
  }
  return query;
}

/** A report as read: not yet, failed, refused for its range, or here. */
export type Loaded<T> =
  | NotLoaded
  /** The platform refused the range (`period_invalid`): said beside the dates. */
  | { kind: 'refused' }
  | { kind: 'ready'; body: T };

/** Offer a file to the browser's downloads, as a link the user clicked would. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What a failed request said, kept for a note. */
export function failureOf(error: unknown): IFailure {
  if (error instanceof PlatformRequestError) {
    return { status: error.status, ...PlatformModel.said(error) };
  }
  return {
    status: 0,
    message: error instanceof Error ? error.message : null,
    requestId: null
  };
}

/**
 * The Analytics tab: a range, the groupings, and the three reports read
 * for them (usage, the most idle servers, team figures).
 *
 * Figures change slowly (usage is sampled every minute, the team figures
 * with each action), so nothing polls: the reports are read when the tab
 * comes into view, when a choice changes, and on Refresh. A range the
 * page can tell is wrong (an end before its start) is refused here,
 * beside the dates, and nothing is asked; one the platform refuses (longer
 * than a year) is said there too, in the platform's reason. Each report
 * has its own ticket, so an answer to an older question never replaces a
 * newer one.
 */
export class AnalyticsModel extends TabModel<AnalyticsModel.IState> {
  constructor(options: AnalyticsModel.IOptions) {
    const range = defaultRange((options.today ?? (() => new Date()))());
    super({
      ...range,
      usageBy: 'team',
      kind: 'all',
      teamsBy: 'team',
      grain: 'week',
      problem: null,
      unreadable: false,
      refused: null,
      usage: { kind: 'loading' },
      idle: { kind: 'loading' },
      teams: { kind: 'loading' },
      exporting: null,
      exportFailure: null
    });
    this._api = options.api;
    this._save = options.save ?? saveFile;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Change a day of the range; a readable range is read at once. */
  setDay(name: 'from' | 'to', value: string): void {
    this._update({ [name]: value } as Partial<AnalyticsModel.IState>);
    const problem = rangeProblem(this._state.from, this._state.to);
    this._update({ problem, refused: problem ? null : this._state.refused });
    if (!problem) {
      void this.refresh();
    }
  }

  setUsageBy(usageBy: UsageBy): void {
    this._choose({ usageBy }, 'usage');
  }

  /** Which servers: the usage table's and the idle list's. */
  setKind(kind: UsageKind): void {
    this._choose({ kind }, 'usage', 'idle');
  }

  setTeamsBy(teamsBy: TeamsBy): void {
    this._choose({ teamsBy }, 'teams');
  }

  setGrain(grain: Grain): void {
    this._choose({ grain }, 'teams');
  }

  /**
   * Whether the text typed in a day field reads as a day: until it does the
   * range is the last good one, and no CSV is offered for it.
   */
  setReadable(name: 'from' | 'to', readable: boolean): void {
    this._update({ unreadable: this._unreadable.note(name, readable) });
  }

  /** Read every report for the choices shown; nothing while the range is wrong. */
  async refresh(): Promise<void> {
    const problem = rangeProblem(this._state.from, this._state.to);
    if (problem) {
      this._update({ problem });
      return;
    }
    this._update({ refused: null });
    await Promise.all([
      this._read('usage'),
      this._read('idle'),
      this._read('teams')
    ]);
  }

  /** Download a report's rows for the choices shown as CSV; true when offered. */
  async exportCsv(report: ReportName): Promise<boolean> {
    if (
      this._state.exporting ||
      this._state.problem ||
      this._state.unreadable
    ) {
      return false;
    }
    const choices = this._choices();
    this._update({ exporting: report, exportFailure: null });
    try {
      const blob = await this._api.csv(report, reportQuery(report, choices));
      this._save(blob, `analytics-${report}-${choices.from}-${choices.to}.csv`);
    } catch (error) {
      this._update({ exporting: null, exportFailure: failureOf(error) });
      return false;
    }
    this._update({ exporting: null });
    return true;
  }

  dismissExportFailure(): void {
    this._update({ exportFailure: null });
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
  }

  protected _shown(): void {
    void this.refresh();
  }

  private _choose(patch: Partial<IChoices>, ...reports: ReportName[]): void {
    this._update(patch);
    if (!this._state.problem) {
      reports.forEach(report => void this._read(report));
    }
  }

  private _choices(): IChoices {
    const { from, to, usageBy, kind, teamsBy, grain } = this._state;
    return { from, to, usageBy, kind, teamsBy, grain };
  }

  private async _read(report: ReportName): Promise<void> {
    const ticket = ++this._tickets[report];
    const query = reportQuery(report, this._choices());
    this._update({ [report]: { kind: 'loading' } });
    try {
      const body = await this._ask(report, query);
      if (ticket === this._tickets[report]) {
        this._update({ [report]: { kind: 'ready', body } });
      }
    } catch (error) {
      if (ticket !== this._tickets[report]) {
        return;
      }
      if (
        error instanceof PlatformRequestError &&
        error.reason === 'period_invalid'
      ) {
        this._update({
          [report]: { kind: 'refused' },
          refused: failureOf(error)
        });
      } else {
        this._update({ [report]: PlatformModel.stateFromError(error) });
      }
    }
  }

  private _ask(
    report: ReportName,
    query: URLSearchParams
  ): Promise<IUsageReport | IIdleReport | ITeamsReport> {
    switch (report) {
      case 'usage':
        return this._api.usage(query);
      case 'idle':
        return this._api.idle(query);
      case 'teams':
        return this._api.teams(query);
    }
  }

  private _api: IAnalyticsAPI;
  private _save: (blob: Blob, name: string) => void;
  private _isDisposed = false;
  private _unreadable = new UnreadableDays<'from' | 'to'>();
  private _tickets: Record<ReportName, number> = {
    usage: 0,
    idle: 0,
    teams: 0
  };
}

export namespace AnalyticsModel {
  export interface IOptions {
    api: IAnalyticsAPI;
    /** Where a downloaded file goes (tests keep it). */
    save?: (blob: Blob, name: string) => void;
    /** Now, for the default range (tests fix it). */
    today?: () => Date;
  }

  export interface IState extends IChoices {
    /** What is wrong with the range typed: nothing is asked meanwhile. */
    problem: RangeProblem;
    /** A day field holds text that is no day (the range is the last good one). */
    unreadable: boolean;
    /** Why the platform refused the range (`period_invalid`), if it did. */
    refused: IFailure | null;
    usage: Loaded<IUsageReport>;
    idle: Loaded<IIdleReport>;
    teams: Loaded<ITeamsReport>;
    /** The report whose CSV is being downloaded. */
    exporting: ReportName | null;
    exportFailure: IFailure | null;
  }
}
