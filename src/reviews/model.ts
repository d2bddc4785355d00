import { TranslationBundle } from '@jupyterlab/translation';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { PlatformRequestError } from '../api/request';
import { PlatformModel } from '../shell/model';
import { IFailure } from '../shell/notes';
import { NotLoaded } from '../shell/status';
import { TabModel } from '../shell/tabModel';
import { IMLPlatformSidebar } from '../tokens';
import {
  Decision,
  IPublicationPage,
  IPublicationSummary,
  IReviewsAPI
} from './types';

/**
 * The Reviews tab: the queue, and at most one publication page with the
 * reviewer's decision being written.
 *
 * Every action names the revision its page showed; when another reviewer
 * acted first the platform refuses (409, naming who did what) and the
 * comment typed here stays on screen until the reviewer reloads. The
 * queue is read again whenever the tab is shown, a submission is
 * announced, an action is taken, and slowly in between, so the badge on
 * the strip tells the truth while the tab is closed.
 */
export class ReviewsModel extends TabModel<ReviewsModel.IState> {
  constructor(options: ReviewsModel.IOptions) {
    super({
      me: options.me ?? null,
      queue: { kind: 'loading' },
      items: null,
      page: null
    });
    this._api = options.api;
    this._poll = new Poll({
      auto: options.auto ?? false,
      factory: () => this._readQueue(),
      frequency: { ...ReviewsModel.QUEUE_FREQUENCY, ...options.frequency },
      name: 'jupyterlab-mlplat:reviews-queue',
      standby: 'when-hidden'
    });
  }

  /** The queue's length on the strip: what waits for someone else's review. */
  get badge(): IMLPlatformSidebar.IBadge {
    return this._badge;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Who is signed in: their own submissions are listed but not counted. */
  setMe(name: string): void {
    this._update({ me: name });
    this._badge.set(this._countOf(this._state.items));
  }

  /** Start the slow poll that keeps the badge right while the tab is closed. */
  start(): void {
    if (!this.isDisposed) {
      void this._poll.start();
    }
  }

  /** Read the queue now. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    await this._poll.refresh();
    await this._poll.tick.catch(() => undefined);
  }

  /** Open a publication's page (from the queue or a notification). */
  async open(id: number): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    this._openTicket++;
    this._update({
      page: {
        id,
        status: { kind: 'loading' },
        data: null,
        comment: '',
        busy: null,
        failure: null,
        done: null
      }
    });
    await this._readPage(id);
  }

  /** Back to the queue. */
  close(): void {
    this._openTicket++;
    this._update({ page: null });
  }

  /**
   * Read the open page again (after a conflict): the decision and comment
   * typed stay, the failure goes.
   */
  async reload(): Promise<void> {
    const page = this._state.page;
    if (page) {
      this._patchPage({ failure: null, done: null });
      await this._readPage(page.id);
    }
  }

  setComment(comment: string): void {
    this._patchPage({ comment });
  }

  /**
   * Send a decision with the comment typed and the revision the page
   * showed. True when it was taken; otherwise the reason is in
   * `page.failure` and the comment stays.
   */
  async decide(decision: Decision): Promise<boolean> {
    const page = this._state.page;
    const data = page?.data;
    if (!page || !data || page.busy) {
      return false;
    }
    return this._act(decision, () =>
      this._api.decide(page.id, {
        revision: data.publication.revision,
        action: decision,
        comment: page.comment.trim()
      })
    );
  }

  /** Publish an approved publication again (MLflow failed the first time). */
  async publish(): Promise<boolean> {
    const page = this._state.page;
    const data = page?.data;
    if (!page || !data || page.busy) {
      return false;
    }
    return this._act('publish', () =>
      this._api.publish(page.id, data.publication.revision)
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    this._badge.dispose();
    Signal.clearData(this);
  }

  protected _shown(): void {
    void this.refresh();
    const page = this._state.page;
    // A page left open shows what happened meanwhile, unless a decision is being written.
    if (page && !page.busy && !page.comment) {
      void this._readPage(page.id);
    }
  }

  private async _act(
    action: ReviewsModel.Busy,
    call: () => Promise<unknown>
  ): Promise<boolean> {
    const page = this._state.page!;
    const ticket = this._openTicket;
    this._patchPage({ busy: action, failure: null, done: null });
    try {
      await call();
    } catch (error) {
      if (ticket === this._openTicket) {
        this._patchPage({ busy: null, failure: ReviewsModel.failureOf(error) });
      }
      return false;
    }
    if (ticket !== this._openTicket || this.isDisposed) {
      return true;
    }
    this._patchPage({ busy: null, comment: '', done: action });
    await Promise.all([this._readPage(page.id), this.refresh()]);
    return true;
  }

  private async _readPage(id: number): Promise<void> {
    const ticket = ++this._readTicket;
    try {
      const data = await this._api.page(id);
      if (ticket === this._readTicket && this._state.page?.id === id) {
        this._patchPage({ status: { kind: 'ready' }, data });
      }
    } catch (error) {
      if (ticket === this._readTicket && this._state.page?.id === id) {
        this._patchPage({ status: PlatformModel.stateFromError(error) });
      }
    }
  }

  private async _readQueue(): Promise<void> {
    try {
      const list = await this._api.queue();
      if (!this.isDisposed) {
        this._update({ queue: { kind: 'ready' }, items: list.publications });
        this._badge.set(this._countOf(list.publications));
      }
    } catch (error) {
      if (!this.isDisposed) {
        this._update({ queue: PlatformModel.stateFromError(error) });
      }
      throw error;
    }
  }

  private _countOf(items: IPublicationSummary[] | null): number {
    const me = this._state.me;
    return (items ?? []).filter(item => item.author !== me).length;
  }

  private _patchPage(patch: Partial<ReviewsModel.IPage>): void {
    const page = this._state.page;
    if (page) {
      this._update({ page: { ...page, ...patch } });
    }
  }

  private _api: IReviewsAPI;
  private _badge = new QueueBadge();
  private _isDisposed = false;
  /** Bumped when a page opens or closes: answers for another page are dropped. */
  private _openTicket = 0;
  /** Bumped by every read of a page: only the newest answer is shown. */
  private _readTicket = 0;
  private _poll: Poll;
}

export namespace ReviewsModel {
  export interface IOptions {
    api: IReviewsAPI;
    /** The signed-in user, when known already. */
    me?: string | null;
    /** Poll the queue from the start (the plugin starts it for reviewers). */
    auto?: boolean;
    frequency?: Partial<IPoll.Frequency>;
  }

  /** What is being sent: a decision, or a publish retried. */
  export type Busy = Decision | 'publish';

  export interface IPage {
    id: number;
    status: NotLoaded | { kind: 'ready' };
    data: IPublicationPage | null;
    comment: string;
    busy: Busy | null;
    failure: IFailure | null;
    /** The last action that went through, for the note beside the form. */
    done: Busy | null;
  }

  export interface IState {
    me: string | null;
    queue: NotLoaded | { kind: 'ready' };
    /** Oldest first; null before the first answer. */
    items: IPublicationSummary[] | null;
    page: IPage | null;
  }

  /** The badge is right within a minute while the tab is closed. */
  export const QUEUE_FREQUENCY: IPoll.Frequency = {
    interval: 60 * 1000,
    backoff: true,
    max: 10 * 60 * 1000
  };

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

/** The queue's count as the tab strip reads it. */
class QueueBadge implements IMLPlatformSidebar.IBadge {
  get state(): number {
    return this._count;
  }

  get stateChanged(): ISignal<this, number> {
    return this._changed;
  }

  set(count: number): void {
    if (count !== this._count) {
      this._count = count;
      this._changed.emit(count);
    }
  }

  describe(trans: TranslationBundle, count: number): string {
    return trans.__('%1 waiting for a review', count);
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _changed = new Signal<this, number>(this);
  private _count = 0;
}
