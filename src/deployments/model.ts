import { IPoll, Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import { PlatformRequestError } from '../api/request';
import { PlatformModel } from '../shell/model';
import { IFailure } from '../shell/notes';
import { NotLoaded } from '../shell/status';
import { TabModel } from '../shell/tabModel';
import { ITryDraft } from './request';
import {
  IDeployment,
  IDeploymentsAPI,
  IDeploymentSpec,
  IRevision,
  ISize,
  IServedVersion,
  ITrafficBody
} from './types';

/**
 * The Deployments tab: the person's deployments (an admin's: everyone's,
 * when asked), and at most one of them open with its controls, history and
 * log tail.
 *
 * Status moves on its own (replicas start, fail, restart), so the list and
 * the open deployment are read every few seconds while someone sees the
 * tab, and not at all while nobody does. Every change names the revision
 * the page showed: when somebody changed the deployment meanwhile the
 * platform refuses (409, naming who did what), the refusal stays on screen
 * and the deployment is read again, so a stale page never overwrites.
 */
export class DeploymentsModel extends TabModel<DeploymentsModel.IState> {
  constructor(options: DeploymentsModel.IOptions) {
    super({
      me: options.me ?? null,
      admin: false,
      showAll: false,
      status: { kind: 'loading' },
      items: null,
      open: null,
      sizes: null
    });
    this._api = options.api;
    this._poll = new Poll({
      auto: options.auto ?? false,
      // status is asked for only while someone sees the tab
      factory: () => (this.visible ? this._tick() : Promise.resolve()),
      frequency: { ...DeploymentsModel.STATUS_FREQUENCY, ...options.frequency },
      name: 'jupyterlab-mlplat:deployments',
      standby: 'when-hidden'
    });
  }

  /**
   * What was typed in Try it and the answer it got, by deployment and version.
   * Kept here, not in the view, because the view is remade when
   * the tab moves to the main area and back, or a deployment is closed and
   * opened again; a request half typed is not to be lost to either.
   */
  readonly tryDrafts = new Map<string, ITryDraft>();

  /** The API the tab, the deploy dialog and Try it call. */
  get api(): IDeploymentsAPI {
    return this._api;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Who is signed in, and whether they may see everyone's deployments. */
  setIdentity(name: string, admin: boolean): void {
    this._update({ me: name, admin, showAll: admin && this._state.showAll });
  }

  /** An admin's toggle between their own deployments and everyone's. */
  setShowAll(showAll: boolean): void {
    if (showAll === this._state.showAll || (showAll && !this._state.admin)) {
      return;
    }
    this._update({ showAll, items: null, status: { kind: 'loading' } });
    void this.refresh();
  }

  /** Read the list (and the open deployment) now, seen or not. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    await this._tick().catch(() => undefined);
  }

  /** Open a deployment: its controls, history and logs. */
  async open(name: string): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    this._openTicket++;
    const known = this._state.items?.find(item => item.name === name) ?? null;
    this._update({
      open: {
        name,
        status: known ? { kind: 'ready' } : { kind: 'loading' },
        data: known,
        revisions: null,
        logs: null,
        busy: null,
        failure: null,
        done: null
      }
    });
    await Promise.all([this._readOpen(name), this._readRevisions(name)]);
  }

  /** Back to the list. */
  close(): void {
    this._openTicket++;
    this._update({ open: null });
  }

  /** The sizes the deploy dialog offers, read once and kept. */
  async loadSizes(): Promise<ISize[]> {
    if (this._state.sizes) {
      return this._state.sizes;
    }
    const list = await this._api.sizes();
    this._update({ sizes: list.sizes });
    return list.sizes;
  }

  /** Send a share of the traffic (1–99 %) to another version. */
  setCanary(version: string, percent: number): Promise<boolean> {
    return this._traffic('canary', spec => ({
      canary: { version, percent: Math.round(percent) },
      shadow: shadowOf(spec)
    }));
  }

  /** All traffic back to the primary. */
  clearCanary(): Promise<boolean> {
    return this._traffic('canary', spec => ({
      canary: null,
      shadow: shadowOf(spec)
    }));
  }

  /** Copy every request to another version, whose answers are only compared. */
  setShadow(version: string): Promise<boolean> {
    return this._traffic('shadow', spec => ({
      canary: canaryOf(spec),
      shadow: { version }
    }));
  }

  clearShadow(): Promise<boolean> {
    return this._traffic('shadow', spec => ({
      canary: canaryOf(spec),
      shadow: null
    }));
  }

  /** The canary becomes the primary, at 100 %. */
  promote(): Promise<boolean> {
    return this._act('promote', (name, revision) =>
      this._api.promote(name, revision)
    );
  }

  /** The previous revision's spec becomes current again (a new revision). */
  rollback(): Promise<boolean> {
    return this._act('rollback', (name, revision) =>
      this._api.rollback(name, revision)
    );
  }

  /** Give every replica another of the sizes admins manage. */
  resize(size: string): Promise<boolean> {
    return this._act('resize', (name, revision) =>
      this._api.resize(name, revision, size)
    );
  }

  /**
   * Stop the deployment and remove it. What was typed in its Try it goes
   * too: a deployment made later under the name is another one.
   */
  async remove(): Promise<boolean> {
    const removed = this._state.open?.name;
    const done = await this._act('delete', async (name, revision) => {
      await this._api.remove(name, revision);
      return null;
    });
    if (done) {
      for (const key of Array.from(this.tryDrafts.keys())) {
        if (key.startsWith(`${removed}\n`)) {
          this.tryDrafts.delete(key);
        }
      }
      this.close();
      await this.refresh();
    }
    return done;
  }

  /** Read the last lines a served version's replicas wrote. */
  async readLogs(
    version: string,
    tail = DeploymentsModel.LOG_TAIL
  ): Promise<void> {
    const open = this._state.open;
    if (!open) {
      return;
    }
    const ticket = this._openTicket;
    this._patchOpen({
      logs: {
        version,
        status: { kind: 'loading' },
        text: open.logs?.text ?? ''
      }
    });
    try {
      const tailed = await this._api.logs(open.name, version, tail);
      if (ticket === this._openTicket) {
        this._patchOpen({
          logs: { version, status: { kind: 'ready' }, text: tailed.text }
        });
      }
    } catch (error) {
      if (ticket === this._openTicket) {
        this._patchOpen({
          logs: {
            version,
            status: PlatformModel.stateFromError(error),
            text: ''
          }
        });
      }
    }
  }

  /** Put away the note of the last action. */
  dismiss(): void {
    this._patchOpen({ failure: null, done: null });
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.tryDrafts.clear();
    this._poll.dispose();
    Signal.clearData(this);
  }

  protected _shown(): void {
    // the poll's first tick reads at once; a running poll reads again now
    if (this._poll.state.phase === 'constructed') {
      void this._poll.start();
    } else {
      void this._poll.refresh();
    }
  }

  private _traffic(
    busy: DeploymentsModel.Busy,
    change: (spec: IDeploymentSpec) => Omit<ITrafficBody, 'revision'>
  ): Promise<boolean> {
    return this._act(busy, (name, revision, data) =>
      this._api.setTraffic(name, { revision, ...change(data.spec) })
    );
  }

  /**
   * One change, against the revision the page shows. On success the page
   * shows the answer; on a refusal the reason stays and the deployment is
   * read again, so the next try starts from what is there now.
   */
  private async _act(
    busy: DeploymentsModel.Busy,
    call: (
      name: string,
      revision: number,
      data: IDeployment
    ) => Promise<IDeployment | null>
  ): Promise<boolean> {
    const open = this._state.open;
    const data = open?.data;
    if (!open || !data || open.busy) {
      return false;
    }
    const ticket = this._openTicket;
    this._patchOpen({ busy, failure: null, done: null });
    try {
      const changed = await call(open.name, data.revision, data);
      if (ticket === this._openTicket) {
        this._patchOpen({
          busy: null,
          done: busy,
          ...(changed ? { data: changed, status: { kind: 'ready' } } : {})
        });
        if (changed) {
          this._replaceItem(changed);
          void this._readRevisions(open.name);
        }
      }
      return true;
    } catch (error) {
      if (ticket === this._openTicket) {
        this._patchOpen({
          busy: null,
          failure: DeploymentsModel.failureOf(error)
        });
        if (error instanceof PlatformRequestError && error.status === 409) {
          await Promise.all([
            this._readOpen(open.name),
            this._readRevisions(open.name)
          ]);
        }
      }
      return false;
    }
  }

  private async _tick(): Promise<void> {
    const open = this._state.open;
    await Promise.all([
      this._readList(),
      open && !open.busy ? this._readOpen(open.name, true) : Promise.resolve()
    ]);
  }

  private async _readList(): Promise<void> {
    const ticket = ++this._listTicket;
    try {
      const list = await this._api.list(this._state.showAll);
      if (ticket === this._listTicket && !this.isDisposed) {
        this._update({ status: { kind: 'ready' }, items: list.deployments });
      }
    } catch (error) {
      if (ticket === this._listTicket && !this.isDisposed) {
        this._update({ status: PlatformModel.stateFromError(error) });
      }
      throw error;
    }
  }

  /**
   * Read the open deployment; a poll asks only for what changed after the
   * sequence shown (the platform answers 204 when nothing did).
   */
  private async _readOpen(name: string, cheap = false): Promise<void> {
    const ticket = ++this._readTicket;
    const shown = this._state.open?.data;
    const since = cheap && shown?.name === name ? shown.sequence : undefined;
    try {
      const data = await this._api.get(name, since);
      if (ticket === this._readTicket && this._state.open?.name === name) {
        if (data) {
          this._patchOpen({ status: { kind: 'ready' }, data });
          this._replaceItem(data);
        } else {
          this._patchOpen({ status: { kind: 'ready' } });
        }
      }
    } catch (error) {
      if (ticket === this._readTicket && this._state.open?.name === name) {
        this._patchOpen({ status: PlatformModel.stateFromError(error) });
      }
    }
  }

  private async _readRevisions(name: string): Promise<void> {
    try {
      const list = await this._api.revisions(name);
      if (this._state.open?.name === name) {
        this._patchOpen({ revisions: list.revisions });
      }
    } catch {
      // the history is a help for the rollback's confirmation, not a must
    }
  }

  private _replaceItem(data: IDeployment): void {
    const items = this._state.items;
    if (items?.some(item => item.name === data.name)) {
      this._update({
        items: items.map(item => (item.name === data.name ? data : item))
      });
    }
  }

  private _patchOpen(patch: Partial<DeploymentsModel.IOpen>): void {
    const open = this._state.open;
    if (open) {
      this._update({ open: { ...open, ...patch } });
    }
  }

  private _api: IDeploymentsAPI;
  private _isDisposed = false;
  private _listTicket = 0;
  /** Bumped when a deployment opens or closes: answers for another are dropped. */
  private _openTicket = 0;
  private _readTicket = 0;
  private _poll: Poll;
}

/** The canary of a spec as a traffic change keeps it. */
function canaryOf(spec: IDeploymentSpec): ITrafficBody['canary'] {
  const canary = served(spec, 'canary');
  return canary ? { version: canary.version, percent: canary.percent } : null;
}

function shadowOf(spec: IDeploymentSpec): ITrafficBody['shadow'] {
  const shadow = served(spec, 'shadow');
  return shadow ? { version: shadow.version } : null;
}

/** The version serving this kind of traffic, if any. */
export function served(
  spec: IDeploymentSpec,
  traffic: IServedVersion['traffic']
): IServedVersion | null {
  return spec.versions.find(version => version.traffic === traffic) ?? null;
}

/**
 * The revision a rollback returns to, as the platform chooses it: the one
 * before the revision the current spec came from (a rollback's spec came
 * from the revision it restored, so rolling back a rollback steps further
 * back); null when there is none, or the history is unread.
 */
export function rollbackTarget(
  current: IDeployment,
  revisions: IRevision[] | null
): IRevision | null {
  if (!revisions) {
    return null;
  }
  const latest = revisions.find(entry => entry.revision === current.revision);
  const origin =
    latest?.change === 'rollback' && latest.restored
      ? latest.restored
      : current.revision;
  return revisions.find(entry => entry.revision === origin - 1) ?? null;
}

export namespace DeploymentsModel {
  export interface IOptions {
    api: IDeploymentsAPI;
    me?: string | null;
    /** Poll from the start (tests). */
    auto?: boolean;
    frequency?: Partial<IPoll.Frequency>;
  }

  /** What is being sent. */
  export type Busy =
    'canary' | 'shadow' | 'promote' | 'rollback' | 'resize' | 'delete';

  export interface ILogs {
    version: string;
    status: NotLoaded | { kind: 'ready' };
    text: string;
  }

  export interface IOpen {
    name: string;
    status: NotLoaded | { kind: 'ready' };
    data: IDeployment | null;
    /** Newest first; null until read. */
    revisions: IRevision[] | null;
    logs: ILogs | null;
    busy: Busy | null;
    failure: IFailure | null;
    /** The last change that went through, for the note beside the controls. */
    done: Busy | null;
  }

  export interface IState {
    me: string | null;
    admin: boolean;
    /** An admin sees everyone's deployments. */
    showAll: boolean;
    status: NotLoaded | { kind: 'ready' };
    items: IDeployment[] | null;
    open: IOpen | null;
    sizes: ISize[] | null;
  }

  /**
   * Every 3 s while the tab is seen: a replica that became ready shows
   * within a few seconds; after a failure the wait grows to half a minute.
   */
  export const STATUS_FREQUENCY: IPoll.Frequency = {
    interval: 3 * 1000,
    backoff: true,
    max: 30 * 1000
  };

  /** Lines of a log tail. */
  export const LOG_TAIL = 200;

  /** A failed request as a note keeps it. */
  export function failureOf(error: unknown): IFailure {
    if (error instanceof PlatformRequestError) {
      return { status: error.status, ...PlatformModel.said(error) };
    }
    return {
      status: -1,
      message: error instanceof Error ? error.message : String(error),
      requestId: null
    };
  }
}
