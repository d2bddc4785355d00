import { TranslationBundle } from '@jupyterlab/translation';
import { Token } from '@lumino/coreutils';
import { IDisposable, IObservableDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import type { ReasonLabels } from './shell/errors';
import type { IStateful } from './shell/hooks';
import type { PlatformModel } from './shell/model';
import type { IPageTracker } from './shell/pages';
import type { PageVisibility } from './shell/tabModel';
import type { IIdentity, IPlatformNotification } from './shell/types';

export type { ReasonLabel, ReasonLabels } from './shell/errors';
export type {
  INotificationList,
  INotificationsAPI,
  IPlatformNotification
} from './shell/types';
export type { IStateful } from './shell/hooks';
export type { IPageTracker } from './shell/pages';
export type { PageVisibility } from './shell/tabModel';
export type {
  IHealth,
  IHealthCheck,
  IIdentity,
  IPlatformAPI,
  PlatformMode,
  Role
} from './shell/types';

/**
 * The ML Platform sidebar, as the plugins of its tabs see it.
 *
 * The shell draws the frame (who is signed in, the platform's health, the
 * tab strip) and knows no tab: each feature's plugin requires this token
 * and calls `addTab`.
 */
export interface IMLPlatformSidebar {
  /**
   * Add a tab. Tabs are ordered by rank, smallest first; disposing the
   * returned object removes the tab and disposes its model. The sidebar
   * disposes every tab when it is itself disposed.
   */
  addTab(tab: IMLPlatformSidebar.ITab): IObservableDisposable;

  /**
   * Add the labels of a feature's reason codes, so `describeError` shows
   * the feature's server messages in the user's language.
   */
  addReasonLabels(labels: ReasonLabels): IDisposable;

  /**
   * Show the sidebar with this tab selected (a notification's "Open", say).
   * A tab the user may not see, or not added, leaves the selection as it is.
   */
  showTab(id: string): void;

  /**
   * The signed-in person's notifications (submissions, decisions,
   * publishes), read while the lab is open and announced once each with
   * JupyterLab's Notification API; tabs list them and refresh it after an
   * action that may have sent one.
   */
  readonly notifications: INotificationFeed;

  /** Who is signed in and the platform's health, as the sidebar polls them. */
  readonly platform: IStateful<PlatformModel.State>;

  /**
   * The signed-in user: the sidebar's answer when it has one, otherwise
   * asked now.
   */
  whoAmI(): Promise<IIdentity>;

  /** The translation domain of every string of the sidebar. */
  readonly translationDomain: string;

  /**
   * Follow a feature's main-area pages of one kind, so they are open again
   * after a reload: `command` reopens one from the arguments it is tracked
   * with. Call it once per kind, while the plugin activates.
   */
  pages(namespace: string, command: string): IPageTracker;
}

export namespace IMLPlatformSidebar {
  /** What a tab's `render` receives. */
  export interface ITabProps {
    /** The sidebar's translation bundle. */
    trans: TranslationBundle;
    /** The signed-in user; tabs are shown only once it is known. */
    identity: IIdentity;
  }

  /**
   * A tab's model. When it has `panelVisible`, the sidebar sets it whenever
   * the panel is shown or hidden, so the model can poll only while seen.
   */
  export interface ITabModel extends IDisposable {
    panelVisible?: boolean;
    /**
     * When it has `pageVisibility`, the shell sets it while the tab is open
     * in the main area: `'shown'` or `'hidden'` there, `'none'` when it is
     * in the sidebar only.
     */
    pageVisibility?: PageVisibility;
  }

  /** A tab's count, as a stateful number with the words it stands for. */
  export interface IBadge extends IStateful<number> {
    /**
     * What the count means, in the user's language ("3 waiting for
     * review"): the tooltip, and what a screen reader hears with the label.
     */
    describe(trans: TranslationBundle, count: number): string;
  }

  export interface ITab {
    /** Unique among the tabs; also names the tab's ids in the DOM. */
    id: string;
    /** Position in the strip, smallest first. */
    rank: number;
    /** The tab's name: already translated, or translated when drawn. */
    label: string | ((trans: TranslationBundle) => string);
    /** Only users holding this role (e.g. `admin`) see the tab. */
    role?: string;
    /**
     * Reads better wider than the sidebar (tables, charts, a console): the
     * sidebar offers to open it in the main area.
     */
    wide?: boolean;
    /**
     * A count drawn beside the label (the publications waiting for a
     * review, say), hidden while it is 0. Read whenever it changes, so a
     * tab whose model is not shown can still tell there is work.
     */
    badge?: IBadge;
    /** Disposed with the tab. */
    model?: ITabModel;
    /** The tab's content, drawn while it is the selected tab. */
    render: (props: ITabProps) => JSX.Element | null;
  }
}

/** The notification feed as tabs see it (`shell/notifications.ts`). */
export interface INotificationFeed extends IStateful<INotificationFeed.IState> {
  /** The notifications not announced before, oldest first, once each. */
  readonly arrived: ISignal<unknown, IPlatformNotification[]>;
  /** Read now; resolves once read (or failed). */
  refresh(): Promise<void>;
}

export namespace INotificationFeed {
  export interface IState {
    /** Newest first. */
    items: IPlatformNotification[];
    status: { kind: string };
  }
}

/** The sidebar's service: add tabs, read who is signed in. */
export const IMLPlatformSidebar = new Token<IMLPlatformSidebar>(
  'jupyterlab-mlplat:IMLPlatformSidebar',
  'The ML Platform sidebar: lets a plugin add a tab and read who is signed in.'
);

/**
 * A person's API keys as a panel other tabs embed (the Deployments tab
 * shows it beside the deployments the keys call). Its plugin provides it;
 * a tab that finds none shows no keys.
 */
export interface IMLPlatformApiKeys {
  render(props: IMLPlatformApiKeys.IProps): JSX.Element;
}

export namespace IMLPlatformApiKeys {
  export interface IProps {
    trans: TranslationBundle;
    /** The person's own deployments: the names a new key may call. */
    deployments: string[];
    /** Admins may list everybody's keys. */
    admin: boolean;
  }
}

export const IMLPlatformApiKeys = new Token<IMLPlatformApiKeys>(
  'jupyterlab-mlplat:IMLPlatformApiKeys',
  'The API keys panel: a person lists, creates, rotates and revokes the keys external systems call with.'
);
