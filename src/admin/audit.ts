import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import type { components } from '../api/generated/sidebar';
import { requestAPI, requestRaw } from '../api/request';
import { UnreadableDays } from '../shell/dayField';
import { PlatformModel } from '../shell/model';
import { IFailure } from '../shell/notes';
import { NotLoaded } from '../shell/status';
import { SizesModel } from './sizes';

/* ------------------------------------------------------------------------
 * The audit log in the Admin tab: filters (person, action, object, dates),
 * a page of the filtered log newest first, paging, and the CSV export of
 * what is filtered (`core/audit/`). Dates are the admin's calendar days:
 * "from" is the first moment of its day, "until" the last moment of its
 * day, both in the browser's time zone, sent as UTC instants.
 * ---------------------------------------------------------------------- */

type Schemas = components['schemas'];

export type IAuditEntry = Schemas['AuditEntryBody'];
export type IAuditPage = Schemas['AuditPageBody'];

/** The filters as the form holds them; empty means "any". */
export interface IAuditFilters {
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  /** A calendar day, `YYYY-MM-DD` (what the `DayField` gives), or empty. */
  from: string;
  until: string;
}

export const NO_FILTERS: IAuditFilters = {
  actor: '',
  action: '',
  objectType: '',
  objectId: '',
  from: '',
  until: ''
};

/** The calls of the audit section; tests pass a scripted server. */
export interface IAuditAPI {
  page(query: URLSearchParams): Promise<IAuditPage>;
  actions(): Promise<{ actions: string[] }>;
  /** The CSV of the filtered log (the export is recorded in the log). */
  exportCsv(query: URLSearchParams): Promise<Blob>;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant a day starts (or, with `end`, its last millisecond) in this browser's zone. */
export function dayBound(day: string, end: boolean): string | null {
  const found = DAY.exec(day.trim());
  if (!found) {
    return null;
  }
  const [year, month, date] = found.slice(1).map(Number);
  const at = end
    ? new Date(year, month - 1, date, 23, 59, 59, 999)
    : new Date(year, month - 1, date, 0, 0, 0, 0);
  return Number.isNaN(at.getTime()) || at.getDate() !== date
    ? null
    : at.toISOString();
}

/** Whether "from" is a later day than "until" (both given). */
export function rangeReversed(filters: IAuditFilters): boolean {
  return (
    DAY.test(filters.from) &&
    DAY.test(filters.until) &&
    filters.from > filters.until
  );
}

/** The query of the filters (and a page): only what is given. */
export function auditQuery(
  filters: IAuditFilters,
  page: number | null = null
): URLSearchParams {
  const query = new URLSearchParams();
  const text: [string, string][] = [
    ['actor', filters.actor],
    ['action', filters.action],
    ['object_type', filters.objectType],
    ['object_id', filters.objectId]
  ];
  for (const [name, value] of text) {
    if (value.trim()) {
      query.set(name, value.trim());
    }
  }
  const from = dayBound(filters.from, false);
  const until = dayBound(filters.until, true);
  if (from) {
    query.set('from', from);
  } else if (filters.from.trim()) {
    query.set('from', filters.from.trim()); // the platform says what is wrong with it
  }
  if (until) {
    query.set('until', until);
  } else if (filters.until.trim()) {
    query.set('until', filters.until.trim());
  }
  if (page !== null && page > 1) {
    query.set('page', String(page));
  }
  return query;
}

/** The audit log through the server extension, which asks as the admin. */
export class AuditClient implements IAuditAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  page(query: URLSearchParams): Promise<IAuditPage> {
    return requestAPI('audit', { method: 'GET' }, this._serverSettings, query);
  }

  actions(): Promise<{ actions: string[] }> {
    return requestAPI('audit/actions', { method: 'GET' }, this._serverSettings);
  }

  async exportCsv(query: URLSearchParams): Promise<Blob> {
    const response = await requestRaw(
      'audit/export',
      { method: 'GET' },
      this._serverSettings,
      query
    );
    return response.blob();
  }

  private _serverSettings: ServerConnection.ISettings;
}

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

/**
 * The audit section's state. The form's filters are applied only when the
 * admin asks (Filter), so the table always shows what `applied` says; the
 * export takes the applied filters too, so the file is the table's log.
 */
export class AuditModel {
  constructor(options: AuditModel.IOptions) {
    this._api = options.api;
    this._save = options.save ?? saveFile;
    this._today = options.today ?? (() => new Date());
  }

  get state(): AuditModel.IState {
    return this._state;
  }

  get stateChanged(): ISignal<this, AuditModel.IState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Read the actions and the page shown again. */
  async refresh(): Promise<void> {
    void this._readActions();
    await this._read(this._state.applied, this._state.page?.page ?? 1);
  }

  setFilter(name: keyof IAuditFilters, value: string): void {
    const filters = { ...this._state.filters, [name]: value };
    this._update({ filters, rangeReversed: rangeReversed(filters) });
  }

  /**
   * Whether the text typed in a day field reads as a day: until it does the
   * form holds the last good day, and Filter would apply that one unseen.
   */
  setReadable(name: 'from' | 'until', readable: boolean): void {
    this._update({ unreadable: this._unreadable.note(name, readable) });
  }

  /** Show the first page of the log as the form now filters it. */
  async apply(): Promise<boolean> {
    const filters = this._state.filters;
    if (this._state.unreadable) {
      return false;
    }
    if (rangeReversed(filters)) {
      this._update({ rangeReversed: true });
      return false;
    }
    return this._read(filters, 1);
  }

  /** Forget every filter and show the newest records. */
  async clear(): Promise<void> {
    // the day fields start again: text that never read as a day is in no filter
    this._update({
      filters: NO_FILTERS,
      rangeReversed: false,
      clears: this._state.clears + 1
    });
    await this._read(NO_FILTERS, 1);
  }

  async goTo(page: number): Promise<void> {
    const pages = this._state.page?.pages ?? 1;
    await this._read(this._state.applied, Math.min(Math.max(1, page), pages));
  }

  /** Download the applied filters' log as CSV; true when the file was offered. */
  async exportCsv(): Promise<boolean> {
    if (this._state.exporting) {
      return false;
    }
    this._update({ exporting: true, failure: null });
    try {
      const blob = await this._api.exportCsv(auditQuery(this._state.applied));
      this._save(blob, `audit-${this._stamp()}.csv`);
    } catch (error) {
      this._update({ exporting: false, failure: SizesModel.failureOf(error) });
      return false;
    }
    this._update({ exporting: false });
    void this._readActions(); // the export is in the log now
    return true;
  }

  dismissFailure(): void {
    this._update({ failure: null });
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _read(filters: IAuditFilters, page: number): Promise<boolean> {
    const ticket = ++this._ticket;
    this._update({ busy: true });
    try {
      const found = await this._api.page(auditQuery(filters, page));
      if (ticket === this._ticket) {
        this._update({
          status: { kind: 'ready' },
          page: found,
          applied: filters,
          busy: false,
          failure: null
        });
      }
      return true;
    } catch (error) {
      if (ticket === this._ticket) {
        const failure = SizesModel.failureOf(error);
        this._update(
          this._state.page === null
            ? { status: PlatformModel.stateFromError(error), busy: false }
            : { failure, busy: false }
        );
      }
      return false;
    }
  }

  private async _readActions(): Promise<void> {
    try {
      const found = await this._api.actions();
      this._update({ actions: found.actions });
    } catch {
      // the filter keeps the actions it had; the table says what is wrong
    }
  }

  private _stamp(): string {
    const now = this._today();
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  private _update(patch: Partial<AuditModel.IState>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _api: IAuditAPI;
  private _save: (blob: Blob, name: string) => void;
  private _today: () => Date;
  private _isDisposed = false;
  private _ticket = 0;
  private _unreadable = new UnreadableDays<'from' | 'until'>();
  private _state: AuditModel.IState = {
    status: { kind: 'loading' },
    filters: NO_FILTERS,
    applied: NO_FILTERS,
    rangeReversed: false,
    unreadable: false,
    clears: 0,
    page: null,
    actions: [],
    busy: false,
    exporting: false,
    failure: null
  };
  private _stateChanged = new Signal<this, AuditModel.IState>(this);
}

export namespace AuditModel {
  export interface IOptions {
    api: IAuditAPI;
    /** Where a downloaded file goes (tests keep it). */
    save?: (blob: Blob, name: string) => void;
    today?: () => Date;
  }

  export interface IState {
    status: NotLoaded | { kind: 'ready' };
    /** What the form holds. */
    filters: IAuditFilters;
    /** What the table shows (and the export takes). */
    applied: IAuditFilters;
    /** "From" is a later day than "until": nothing is asked. */
    rangeReversed: boolean;
    /** A day field holds text that is no day: Filter waits for a day. */
    unreadable: boolean;
    /**
     * How often the filters were cleared: the day fields are drawn anew each
     * time, since text that is no day never reached the filters to be cleared.
     */
    clears: number;
    page: IAuditPage | null;
    actions: string[];
    busy: boolean;
    exporting: boolean;
    failure: IFailure | null;
  }
}
