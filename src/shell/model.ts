import { JSONExt } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ErrorParams, PlatformRequestError } from '../api/request';
import { IHealth, IIdentity, IPlatformAPI } from './types';

/**
 * What the sidebar knows about the platform, refreshed by a poll.
 *
 * The poll backs off while the platform fails and stands by while the panel
 * is hidden, so thirty open workbenches do not hammer a platform that is
 * restarting.
 */
export class PlatformModel implements IDisposable {
  constructor(options: PlatformModel.IOptions) {
    this._api = options.api;
    this._poll = new Poll({
      auto: options.auto ?? true,
      factory: () => this._refresh(),
      frequency: { ...PlatformModel.DEFAULT_FREQUENCY, ...options.frequency },
      name: 'jupyterlab-mlplat:platform',
      standby: () => (this.seen ? 'when-hidden' : true)
    });
  }

  /** The latest known state; replaced, never mutated. */
  get state(): PlatformModel.State {
    return this._state;
  }

  /** Emitted only when the state really differs from the previous one. */
  get stateChanged(): ISignal<this, PlatformModel.State> {
    return this._stateChanged;
  }

  /**
   * Whether someone can see the state. While false the poll stands by;
   * becoming visible refreshes at once so the user never reads stale data.
   */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    const was = this.seen;
    this._visible = value;
    this._seenChanged(was);
  }

  /**
   * How many pages of sidebar tabs are shown in the main area: each needs
   * to know who is signed in (set by the shell), sidebar open or not.
   */
  get pagesShown(): number {
    return this._pagesShown;
  }
  set pagesShown(value: number) {
    const was = this.seen;
    this._pagesShown = Math.max(0, value);
    this._seenChanged(was);
  }

  /** The sidebar or a page of one of its tabs is seen: the poll runs. */
  get seen(): boolean {
    return this._visible || this._pagesShown > 0;
  }

  private _seenChanged(was: boolean): void {
    if (this.seen && !was && !this.isDisposed) {
      void this._poll.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Ask the platform now; resolves once the new state is known. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    await this._poll.refresh();
    await this._poll.tick.catch(() => undefined);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  /**
   * One poll tick. Rejecting makes the poll back off; a response that
   * arrives after a newer request was sent is dropped.
   */
  private async _refresh(): Promise<void> {
    const ticket = ++this._ticket;
    const [identity, health] = await Promise.allSettled([
      this._api.identity(),
      this._api.health()
    ]);
    if (ticket !== this._ticket || this.isDisposed) {
      return;
    }
    if (identity.status === 'fulfilled' && health.status === 'fulfilled') {
      this._setState({
        kind: 'ready',
        identity: identity.value,
        health: health.value
      });
      return;
    }
    const failures = [identity, health]
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map(r => r.reason);
    // An outage explains the other failures, so it wins.
    const failure =
      failures.find(
        r => r instanceof PlatformRequestError && r.isUnavailable
      ) ?? failures[0];
    this._setState(PlatformModel.stateFromError(failure));
    throw failure;
  }

  private _setState(state: PlatformModel.State): void {
    if (
      JSONExt.deepEqual(
        state as unknown as Record<string, never>,
        this._state as unknown as Record<string, never>
      )
    ) {
      return;
    }
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _api: IPlatformAPI;
  private _poll: Poll;
  private _state: PlatformModel.State = { kind: 'loading' };
  private _stateChanged = new Signal<this, PlatformModel.State>(this);
  private _ticket = 0;
  private _pagesShown = 0;
  private _visible = true;
}

export namespace PlatformModel {
  export interface IOptions {
    /** Where answers come from; tests pass canned ones. */
    api: IPlatformAPI;
    /** Start polling on construction (default true). */
    auto?: boolean;
    /** Overrides of `DEFAULT_FREQUENCY`, in milliseconds. */
    frequency?: Partial<IPoll.Frequency>;
  }

  /**
   * Every 15 s while healthy; after a failure the wait grows threefold per
   * failure up to 30 s, and returns to 15 s on the first success. The cap is
   * what a person waits after the platform is back: the hub restarts a dead
   * platform within its own 30 s poll, and a 2 min cap tripled that. One
   * request per open sidebar every 30 s costs a down platform nothing.
   */
  export const DEFAULT_FREQUENCY: IPoll.Frequency = {
    interval: 15 * 1000,
    backoff: true,
    max: 30 * 1000
  };

  export interface ILoading {
    kind: 'loading';
  }

  export interface IReady {
    kind: 'ready';
    identity: IIdentity;
    health: IHealth;
  }

  /** The platform is down or unreachable; the poll keeps retrying. */
  export interface IUnavailable extends IServerSaid {
    kind: 'unavailable';
  }

  /** What the server said; `describeError` turns it into the user's words. */
  export interface IServerSaid {
    /** The server's English message, shown as text; null when it said nothing. */
    message: string | null;
    /** The stable code of the failure, looked up in the reason labels. */
    reason?: string | null;
    params?: ErrorParams | null;
    requestId: string | null;
  }

  /** The server refused or failed for a reason waiting will not fix alone. */
  export interface IError extends IServerSaid {
    kind: 'error';
    /** HTTP status, or -1 when the failure did not come from a request. */
    status: number;
  }

  export type State = ILoading | IReady | IUnavailable | IError;

  /**
   * What a failed request's server said, to keep in a state; reason and
   * params are left out when the server sent none.
   */
  export function said(error: PlatformRequestError): IServerSaid {
    return {
      message: error.serverMessage,
      reason: error.reason ?? undefined,
      params: error.params ?? undefined,
      requestId: error.requestId
    };
  }

  /** Turn whatever a request threw into a state the UI can explain. */
  export function stateFromError(error: unknown): IUnavailable | IError {
    if (error instanceof PlatformRequestError) {
      if (error.isUnavailable) {
        return { kind: 'unavailable', ...said(error) };
      }
      return { kind: 'error', status: error.status, ...said(error) };
    }
    const message = error instanceof Error ? error.message : null;
    return { kind: 'error', status: -1, message, requestId: null };
  }
}
