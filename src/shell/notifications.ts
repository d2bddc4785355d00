import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { CommandIDs } from './commands';
import { PlatformModel } from './model';
import {
  INotificationList,
  INotificationsAPI,
  IPlatformNotification
} from './types';

/**
 * The platform's notifications of the signed-in person (a submission for a
 * reviewer, a decision or a publish for an author), read while the lab is
 * open — whichever tab is shown, and with the sidebar closed — so nobody
 * has to look for news.
 *
 * One feed for the whole lab: the Reviews and Models tabs list what it
 * holds, and only it announces, so a notification pops up once. What was
 * announced is remembered (`seen`), so a reload does not announce it again.
 */
export class NotificationFeed implements IDisposable {
  constructor(options: NotificationFeed.IOptions) {
    this._api = options.api;
    this._seen = options.seen ?? null;
    this._poll = new Poll({
      auto: options.auto ?? true,
      factory: () => this._refresh(),
      frequency: {
        ...NotificationFeed.DEFAULT_FREQUENCY,
        ...options.frequency
      },
      name: 'jupyterlab-mlplat:notifications',
      // A lab in a hidden browser tab reads nothing; it catches up when shown.
      standby: 'when-hidden'
    });
  }

  /** The latest state; replaced on every change, never mutated. */
  get state(): NotificationFeed.IState {
    return this._state;
  }

  get stateChanged(): ISignal<this, NotificationFeed.IState> {
    return this._stateChanged;
  }

  /**
   * The notifications newer than the last one announced, oldest first: each
   * is emitted once, then `seen` moves past it.
   */
  get arrived(): ISignal<this, IPlatformNotification[]> {
    return this._arrived;
  }

  /** The id of the newest notification announced; null before the first. */
  get seen(): number | null {
    return this._seen;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /**
   * Start reading, announcing only what is newer than `seen` (the newest id
   * announced before a reload), or everything kept when null.
   */
  start(seen: number | null): void {
    if (this.isDisposed) {
      return;
    }
    this._seen = seen;
    void this._poll.start();
  }

  /** Read now (after an action that may have sent one); resolves when read. */
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

  /** One tick: what came since the newest one held. Rejects to back off. */
  private async _refresh(): Promise<void> {
    const items = this._state.items;
    let after = items.length > 0 ? items[0].id : null;
    const fetched: IPlatformNotification[] = [];
    try {
      // Pages come oldest first: a person back after a week reads up to now
      // in one tick, so what is announced is the newest, not the oldest.
      for (let page = 0; page < NotificationFeed.PAGES; page++) {
        const answer: INotificationList = await this._api.notifications(after);
        fetched.push(...answer.notifications);
        const last = Math.max(
          answer.last_id ?? -1,
          ...answer.notifications.map(item => item.id)
        );
        if (answer.notifications.length === 0 || last <= (after ?? -1)) {
          break;
        }
        after = last;
      }
    } catch (error) {
      if (!this.isDisposed) {
        this._setState({
          ...this._state,
          status: PlatformModel.stateFromError(error)
        });
      }
      throw error;
    }
    if (this.isDisposed) {
      return;
    }
    const known = new Set(items.map(item => item.id));
    const fresh = fetched.filter(item => !known.has(item.id));
    const merged = [...fresh, ...items]
      .sort((a, b) => b.id - a.id)
      .slice(0, NotificationFeed.KEPT);
    this._setState({ items: merged, status: { kind: 'ready' } });
    const seen = this._seen;
    const unseen = fresh
      .filter(item => seen === null || item.id > seen)
      .sort((a, b) => a.id - b.id);
    if (unseen.length > 0) {
      this._seen = unseen[unseen.length - 1].id;
      this._arrived.emit(unseen);
    }
  }

  private _setState(state: NotificationFeed.IState): void {
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _api: INotificationsAPI;
  private _arrived = new Signal<this, IPlatformNotification[]>(this);
  private _poll: Poll;
  private _seen: number | null;
  private _state: NotificationFeed.IState = {
    items: [],
    status: { kind: 'loading' }
  };
  private _stateChanged = new Signal<this, NotificationFeed.IState>(this);
}

export namespace NotificationFeed {
  export interface IOptions {
    api: INotificationsAPI;
    /** The newest id already announced (kept across reloads by the plugin). */
    seen?: number | null;
    /** Start polling at once (false in tests, which call `refresh`). */
    auto?: boolean;
    frequency?: Partial<IPoll.Frequency>;
  }

  export interface IState {
    /** Newest first, at most `KEPT`. */
    items: IPlatformNotification[];
    /** Whether the last read worked; the items stay across failures. */
    status:
      | { kind: 'loading' }
      | { kind: 'ready' }
      | Exclude<PlatformModel.State, { kind: 'ready' } | { kind: 'loading' }>;
  }

  /** A notification takes half a minute at most to show; slower while failing. */
  export const DEFAULT_FREQUENCY: IPoll.Frequency = {
    interval: 30 * 1000,
    backoff: true,
    max: 5 * 60 * 1000
  };

  /** The notifications a list shows; older ones are in the tabs' histories. */
  export const KEPT = 50;

  /** Pages read in one tick at most (the platform's page is 50). */
  export const PAGES = 10;

  /** At most this many pop up at once (after a weekend away); the rest are counted. */
  export const ANNOUNCED = 3;
}

/**
 * What a notification says, in the user's language. Names and comments
 * are the server's text and are interpolated as text, never as markup.
 */
export function notificationText(
  item: IPlatformNotification,
  trans: TranslationBundle
): string {
  const model = item.model_name;
  const version = item.version;
  switch (item.kind) {
    case 'submitted':
      return trans.__(
        '%1 sent %2 version %3 for review.',
        item.actor,
        model,
        version
      );
    case 'decided':
      switch (item.action) {
        case 'approve':
          return trans.__(
            '%1 approved %2 version %3.',
            item.actor,
            model,
            version
          );
        case 'request_changes':
          return trans.__(
            '%1 asked for changes to %2 version %3.',
            item.actor,
            model,
            version
          );
        case 'reject':
          return trans.__(
            '%1 rejected %2 version %3.',
            item.actor,
            model,
            version
          );
        case 'deprecate':
          return trans.__(
            '%1 deprecated %2 version %3 in the catalog.',
            item.actor,
            model,
            version
          );
        case 'make_champion':
          return trans.__(
            '%1 made %2 version %3 the champion again.',
            item.actor,
            model,
            version
          );
        default:
          return trans.__(
            '%1 reviewed %2 version %3.',
            item.actor,
            model,
            version
          );
      }
    case 'published':
      return trans.__(
        '%1 version %2 is published in the catalog.',
        model,
        version
      );
    case 'publish_failed':
      return trans.__(
        'Publishing %1 version %2 failed; a reviewer or an administrator can retry it.',
        model,
        version
      );
    case 'serving_deprecated':
      return trans.__(
        '%1 deprecated %2 version %3, which your deployment %4 serves.',
        item.actor,
        model,
        version,
        item.deployment ?? ''
      );
    case 'drifted':
      return trans.__(
        'Requests to deployment %1 (%2 version %3) drifted from its reference data.',
        item.deployment ?? '',
        model,
        version
      );
    case 'gpu_idle':
      return item.workspace
        ? trans.__(
            'Your workspace “%1” has held its GPU idle for %2 minutes: stop it from the hub’s home page if you no longer need the GPU.',
            item.workspace,
            item.comment
          )
        : trans.__(
            'Your workspace has held its GPU idle for %1 minutes: stop it from the hub’s home page if you no longer need the GPU.',
            item.comment
          );
    default:
      return trans.__('News about %1 version %2.', model, version);
  }
}

/** The Deployments tab's command that opens one (its plugin may be absent). */
export const OPEN_DEPLOYMENT = 'mlplat:open-deployment';

/** The Analytics tab (its plugin may be absent): where an idle GPU's server is listed. */
export const ANALYTICS_TAB = 'analytics';

/** Kinds that are news of one of the person's deployments (`deployment` names it). */
const DEPLOYMENT_NEWS: readonly string[] = ['drifted', 'serving_deprecated'];

/**
 * Whether a notification is news of a publication, as the Reviews tab lists
 * them: a deprecation of a version one's deployment serves names a
 * publication too, but opens the deployment, as a drift does.
 */
export function isPublicationNews(item: IPlatformNotification): boolean {
  return item.publication_id !== null && !DEPLOYMENT_NEWS.includes(item.kind);
}

/** Where a notification's Open leads: a command, a tab of the sidebar, or the sidebar. */
export type NotificationTarget =
  | { kind: 'command'; id: string; args: ReadonlyPartialJSONObject }
  | { kind: 'tab'; tab: string }
  | { kind: 'sidebar' };

/**
 * Where Open takes a person from a notification. News of an idle GPU shows
 * the Analytics tab, whose most idle servers list it; news of a deployment
 * (drift, a version it serves deprecated) opens it in the Deployments tab;
 * news of a publication opens its page. A tab whose plugin is absent leaves
 * the sidebar shown.
 */
export function notificationTarget(
  item: IPlatformNotification,
  hasCommand: (id: string) => boolean
): NotificationTarget {
  if (item.kind === 'gpu_idle') {
    return { kind: 'tab', tab: ANALYTICS_TAB };
  }
  if (DEPLOYMENT_NEWS.includes(item.kind)) {
    return item.deployment && hasCommand(OPEN_DEPLOYMENT)
      ? {
          kind: 'command',
          id: OPEN_DEPLOYMENT,
          args: { name: item.deployment }
        }
      : { kind: 'sidebar' };
  }
  if (hasCommand(CommandIDs.openPublication)) {
    return {
      kind: 'command',
      id: CommandIDs.openPublication,
      args: {
        id: item.publication_id,
        kind: item.kind,
        modelName: item.model_name,
        version: item.version
      }
    };
  }
  return { kind: 'sidebar' };
}

/** How long a notification that asks for nothing stays on screen. */
export const NEWS_SECONDS = 15;

/** Kinds whose comment is a figure the text already says, not words to quote. */
const UNQUOTED: readonly string[] = ['gpu_idle'];

/**
 * Announce new notifications with JupyterLab's Notification API, each with
 * an action that opens its publication. A burst (a weekend's worth) shows
 * the newest few and one line counting the rest, rather than a wall.
 */
export function announce(
  items: readonly IPlatformNotification[],
  trans: TranslationBundle,
  open: (item: IPlatformNotification) => void
): string[] {
  const shown = items.slice(-NotificationFeed.ANNOUNCED);
  const ids = shown.map(item => {
    const comment = UNQUOTED.includes(item.kind) ? '' : item.comment.trim();
    const text = quoted(notificationText(item, trans), comment, trans);
    const type =
      item.kind === 'publish_failed' ||
      DEPLOYMENT_NEWS.includes(item.kind) ||
      item.kind === 'gpu_idle'
        ? 'warning'
        : item.kind === 'decided' &&
            item.action !== 'approve' &&
            item.action !== 'make_champion'
          ? 'warning'
          : item.kind === 'published' ||
              (item.kind === 'decided' && item.action === 'approve')
            ? 'success'
            : 'info';
    return Notification.emit(text, type, {
      // a warning stays until dismissed; the rest leave by themselves, so a
      // morning's news does not cover the notebook (the bell, the tabs' lists
      // and the Reviews badge keep every one)
      autoClose: type === 'warning' ? false : NEWS_SECONDS * 1000,
      actions: [
        {
          label: trans.__('Open'),
          caption:
            item.kind === 'gpu_idle'
              ? trans.__('Show the most idle servers in the Analytics tab')
              : DEPLOYMENT_NEWS.includes(item.kind)
                ? trans.__('Open the deployment')
                : trans.__('Open the publication'),
          callback: () => open(item)
        }
      ]
    });
  });
  const rest = items.length - shown.length;
  if (rest > 0) {
    ids.push(
      Notification.info(
        trans.__(
          'More notifications: %1. See the Reviews or Models tab.',
          rest
        ),
        { autoClose: 10000 }
      )
    );
  }
  return ids;
}

/** JupyterLab's toast shows at most 140 characters of a message. */
export const TOAST_LENGTH = 140;

/** The shortest piece of a comment worth quoting; less says nothing. */
const SHORTEST_QUOTE = 12;

/**
 * A notification's sentence with the comment quoted after it, the comment
 * clipped (one line, with an ellipsis) so that the whole fits a toast: with
 * long model and deployment names a comment of 80 characters was cut mid-word
 * by the toast, its closing quote lost. The sentence itself is never clipped;
 * when it leaves too little room, the comment is left to the lists.
 */
function quoted(
  sentence: string,
  comment: string,
  trans: TranslationBundle
): string {
  if (!comment) {
    return sentence;
  }
  const line = comment.split(/\s+/).join(' ');
  const whole = (quote: string) => trans.__('%1 “%2”', sentence, quote);
  const room = Math.min(80, line.length - (whole(line).length - TOAST_LENGTH));
  if (line.length <= room) {
    return whole(line);
  }
  if (room - 1 < SHORTEST_QUOTE) {
    return sentence;
  }
  return whole(`${line.slice(0, room - 1).trimEnd()}…`);
}
