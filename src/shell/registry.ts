import { TranslationBundle } from '@jupyterlab/translation';
import {
  IDisposable,
  IObservableDisposable,
  ObservableDisposableDelegate
} from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IMLPlatformSidebar } from '../tokens';

/** A tab as the strip draws it: labelled in the user's language. */
export interface ITabSpec {
  id: string;
  label: string;
  role?: string;
  wide?: boolean;
  badge?: IMLPlatformSidebar.IBadge;
  render: IMLPlatformSidebar.ITab['render'];
}

/**
 * The tabs plugins added, in rank order (ties keep the order of adding).
 * The shell draws whatever is here; it knows no tab by name.
 */
export class TabRegistry implements IDisposable {
  /** Emitted when a tab is added or removed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Emitted with a tab's id when something asks for that tab to be shown. */
  get selectRequested(): ISignal<this, string> {
    return this._selectRequested;
  }

  /** Ask the strip to select a tab (the view decides whether the user may see it). */
  select(id: string): void {
    this._requested = id;
    this._selectRequested.emit(id);
  }

  /** The tab last asked for: a strip drawn after the asking starts on it. */
  get requested(): string | null {
    return this._requested;
  }

  /** The tab the person chose last (by a click or a request the strip honoured). */
  get selected(): string | null {
    return this._selected;
  }

  /** Emitted with a tab's id when the strip selects another tab. */
  get selectedChanged(): ISignal<this, string> {
    return this._selectedChanged;
  }

  /** The strip reports the tab it selected (the view calls this). */
  shown(id: string): void {
    if (id !== this._selected) {
      this._selected = id;
      this._selectedChanged.emit(id);
    }
  }

  /** Every tab, in rank order. */
  get tabs(): readonly IMLPlatformSidebar.ITab[] {
    return this._tabs;
  }

  /** The tab models that want to know whether the panel is shown. */
  get models(): IMLPlatformSidebar.ITabModel[] {
    return this._tabs
      .map(tab => tab.model)
      .filter((model): model is IMLPlatformSidebar.ITabModel => !!model);
  }

  add(tab: IMLPlatformSidebar.ITab): IObservableDisposable {
    if (this._isDisposed) {
      throw new Error('The sidebar is disposed.');
    }
    if (this._tabs.some(other => other.id === tab.id)) {
      throw new Error(`A tab "${tab.id}" is already in the sidebar.`);
    }
    const index = this._tabs.findIndex(other => other.rank > tab.rank);
    this._tabs.splice(index < 0 ? this._tabs.length : index, 0, tab);
    const handle = new ObservableDisposableDelegate(() => {
      this._handles.delete(handle);
      const at = this._tabs.indexOf(tab);
      if (at >= 0) {
        this._tabs.splice(at, 1);
        this._changed.emit();
      }
      tab.model?.dispose();
    });
    this._handles.add(handle);
    this._changed.emit();
    return handle;
  }

  /** The tabs a user with these roles may open, labelled for them. */
  visible(roles: readonly string[], trans: TranslationBundle): ITabSpec[] {
    return this._tabs
      .filter(tab => !tab.role || roles.includes(tab.role))
      .map(tab => ({
        id: tab.id,
        label: typeof tab.label === 'string' ? tab.label : tab.label(trans),
        role: tab.role,
        wide: tab.wide,
        badge: tab.badge,
        render: tab.render
      }));
  }

  /** Remove (and dispose) every tab. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const handle of Array.from(this._handles)) {
      handle.dispose();
    }
    Signal.clearData(this);
  }

  private _changed = new Signal<this, void>(this);
  private _selectRequested = new Signal<this, string>(this);
  private _selectedChanged = new Signal<this, string>(this);
  private _requested: string | null = null;
  private _selected: string | null = null;
  private _handles = new Set<ObservableDisposableDelegate>();
  private _isDisposed = false;
  private _tabs: IMLPlatformSidebar.ITab[] = [];
}
