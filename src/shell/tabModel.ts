import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/** Where a tab opened in the main area stands: shown, hidden, or not there. */
export type PageVisibility = 'none' | 'hidden' | 'shown';

/**
 * The model of a sidebar tab: a state replaced on every change, the signal
 * that says so, and whether someone can see the tab (the sidebar panel is
 * shown and the tab is the selected one, or the tab is open in the main area
 * and that page is shown).
 *
 * Subclasses own their poll and their disposal; they are told when the tab
 * comes into view, so they can show fresh data rather than what was there
 * an hour ago.
 */
export abstract class TabModel<S extends object> implements IDisposable {
  constructor(state: S) {
    this._state = state;
  }

  /** The latest state; replaced on every change, never mutated. */
  get state(): S {
    return this._state;
  }

  get stateChanged(): ISignal<this, S> {
    return this._stateChanged;
  }

  /** Whether the sidebar panel is shown (set by the panel widget). */
  get panelVisible(): boolean {
    return this._panelVisible;
  }
  set panelVisible(value: boolean) {
    const wasVisible = this.visible;
    this._panelVisible = value;
    this._changedVisibility(wasVisible);
  }

  /**
   * Whether the tab is drawn: set true by each view of it as it mounts and
   * false as it unmounts. Views are counted, so a tab moving between the
   * sidebar and the main area, where one view mounts before the other
   * unmounts, stays drawn.
   */
  get tabVisible(): boolean {
    return this._views > 0;
  }
  set tabVisible(value: boolean) {
    const wasVisible = this.visible;
    this._views = Math.max(0, this._views + (value ? 1 : -1));
    this._changedVisibility(wasVisible);
  }

  /**
   * Whether the tab is open in the main area (set by the shell): its page is
   * then the one place it is drawn, and the panel's visibility says nothing.
   */
  get pageVisibility(): PageVisibility {
    return this._page;
  }
  set pageVisibility(value: PageVisibility) {
    const wasVisible = this.visible;
    this._page = value;
    this._changedVisibility(wasVisible);
  }

  /** Someone can see the tab: drawn, where it is drawn is shown. */
  get visible(): boolean {
    const where =
      this._page === 'none' ? this._panelVisible : this._page === 'shown';
    return where && this.tabVisible;
  }

  abstract get isDisposed(): boolean;

  abstract dispose(): void;

  /** The tab came into view (and the model is not disposed). */
  protected abstract _shown(): void;

  /** Merge a patch into a new state and emit it; nothing once disposed. */
  protected _update(patch: Partial<S>): void {
    if (this.isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _changedVisibility(wasVisible: boolean): void {
    if (this.visible && !wasVisible && !this.isDisposed) {
      this._shown();
    }
  }

  protected _state: S;
  private _page: PageVisibility = 'none';
  private _panelVisible = false;
  private _stateChanged = new Signal<this, S>(this);
  private _views = 0;
}
