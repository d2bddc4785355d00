import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';
import { useModelState } from './hooks';
import { mlplatIcon } from './icons';
import { PlatformModel } from './model';
import { IPageTracker } from './pages';
import { TabRegistry } from './registry';
import { SeenWidget } from './seenWidget';
import { PlatformStatus } from './status';
import { PageVisibility } from './tabModel';
import { IIdentity } from './types';

/** Where the main area adds a page. */
export interface IMainArea {
  add(widget: MainAreaWidget, area: 'main'): void;
  activateById(id: string): void;
}

/**
 * Sidebar tabs opened in the main area. The admin console, the analytics
 * and the deployments hold tables and charts that the sidebar's width
 * clipped while the main area beside it stood empty; a tab that says it is
 * `wide` can be opened there. It is drawn anew with the same model, so what
 * the model holds comes along (a profile's draft, the filters, the open
 * deployment, a request typed into Try it), so what a person is typing
 * belongs in the tab's model, not in its view's state. While a tab is open
 * there the sidebar shows a word that it is, not a second copy of it.
 */
export class TabPages implements IDisposable {
  constructor(options: TabPages.IOptions) {
    this._options = options;
    options.tabs.changed.connect(this._onTabsChanged, this);
  }

  /** Emitted when a page opens or closes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Whether the tab is open in the main area. */
  isOpen(id: string): boolean {
    return this._pages.has(id);
  }

  /**
   * Open the tab in the main area, or bring its page forward; null for a
   * tab the sidebar does not have (a plugin that is not loaded).
   */
  open(id: string): MainAreaWidget | null {
    const { shell, tabs, trans } = this._options;
    const open = this._pages.get(id);
    if (open) {
      shell.activateById(open.id);
      return open;
    }
    const tab = tabs.tabs.find(one => one.id === id);
    if (!tab || this._isDisposed) {
      return null;
    }
    const content = new TabPageContent(tab, this._options.platform, trans);
    const widget = new MainAreaWidget({ content });
    widget.id = `jp-mlplat-tab-page-${id}`;
    widget.title.label =
      typeof tab.label === 'string' ? tab.label : tab.label(trans);
    widget.title.icon = mlplatIcon;
    widget.title.closable = true;
    widget.addClass('jp-mlplat-tab-page');
    this._pages.set(id, widget);
    widget.disposed.connect(() => {
      this._pages.delete(id);
      this._changed.emit();
    });
    this._options.pages?.track(widget, { id }); // named before the layout has it
    shell.add(widget, 'main');
    shell.activateById(widget.id);
    this._changed.emit();
    return widget;
  }

  /** Close the tab's page: it is drawn in the sidebar again. */
  close(id: string): void {
    this._pages.get(id)?.dispose();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._options.tabs.changed.disconnect(this._onTabsChanged, this);
    for (const widget of Array.from(this._pages.values())) {
      widget.dispose();
    }
    Signal.clearData(this);
  }

  /** A tab taken out of the sidebar (its plugin disposed) takes its page along. */
  private _onTabsChanged(): void {
    for (const [id, widget] of Array.from(this._pages)) {
      if (!this._options.tabs.tabs.some(tab => tab.id === id)) {
        widget.dispose();
      }
    }
  }

  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _options: TabPages.IOptions;
  private _pages = new Map<string, MainAreaWidget>();
}

export namespace TabPages {
  export interface IOptions {
    tabs: TabRegistry;
    platform: PlatformModel;
    shell: IMainArea;
    trans: TranslationBundle;
    /** Follows the pages, so a reload opens them again. */
    pages: IPageTracker | null;
  }
}

/**
 * A tab's content in the main area. It tells the tab's model whether its
 * page is shown, so a model that polls while seen polls while this is, and
 * the platform's model too: the page needs to know who is signed in even
 * with the sidebar closed.
 */
class TabPageContent extends SeenWidget {
  constructor(
    private _tab: IMLPlatformSidebar.ITab,
    private _platform: PlatformModel,
    private _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-mlplat-page');
  }

  render(): JSX.Element {
    return (
      <TabPageView
        tab={this._tab}
        platform={this._platform}
        trans={this._trans}
      />
    );
  }

  protected onSeen(seen: boolean): void {
    this._setShown(seen);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose(); // the tab's view unmounts first: no view of it is drawn here now
    this._setPage(false, 'none');
  }

  private _setShown(shown: boolean): void {
    // a closing page is detached after it says it is gone: `dispose` tells it
    if (!this.isDisposed && !this.parent?.isDisposed) {
      this._setPage(shown, shown ? 'shown' : 'hidden');
    }
  }

  private _setPage(shown: boolean, page: PageVisibility): void {
    if (shown !== this._shown) {
      this._shown = shown;
      this._platform.pagesShown += shown ? 1 : -1;
    }
    const model = this._tab.model;
    if (model && 'pageVisibility' in model) {
      model.pageVisibility = page;
    }
  }

  private _shown = false;
}

/** The tab as the sidebar would draw it, once the platform says who is signed in. */
export function TabPageView(props: {
  tab: IMLPlatformSidebar.ITab;
  platform: PlatformModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { tab, platform, trans } = props;
  const state = useModelState(platform);
  // Once known, who is signed in is kept through an outage, as the sidebar
  // keeps its tabs: the tab stays drawn (and keeps what it holds) below the
  // platform's state.
  const known = React.useRef<IIdentity | null>(null);
  if (state.kind === 'ready') {
    known.current = state.identity;
  }
  const identity = known.current;
  const status =
    state.kind === 'ready' ? null : (
      <PlatformStatus model={platform} state={state} trans={trans} />
    );
  if (!identity) {
    return <div className="jp-mlplat-view">{status}</div>;
  }
  if (tab.role && !(identity.roles as readonly string[]).includes(tab.role)) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__('This section is not open to you.')}
      </p>
    );
  }
  return (
    <div className="jp-mlplat-view jp-mlplat-tab-page-body">
      {status}
      {tab.render({ trans, identity })}
    </div>
  );
}
