import { ISignal, Signal } from '@lumino/signaling';

import { PlatformModel } from '../shell/model';
import { NotLoaded } from '../shell/status';

/**
 * A read-only section of the Admin tab (people, every deployment): one read,
 * done again when the section is shown or the admin asks.
 */
export class ReadModel<T> {
  constructor(read: () => Promise<T>) {
    this._read = read;
  }

  get state(): ReadModel.IState<T> {
    return this._state;
  }

  get stateChanged(): ISignal<this, ReadModel.IState<T>> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async refresh(): Promise<void> {
    const ticket = ++this._ticket;
    try {
      const found = await this._read();
      if (ticket === this._ticket) {
        this._update({ status: { kind: 'ready' }, value: found });
      }
    } catch (error) {
      if (ticket === this._ticket) {
        this._update({ status: PlatformModel.stateFromError(error) });
      }
    }
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _update(patch: Partial<ReadModel.IState<T>>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _read: () => Promise<T>;
  private _isDisposed = false;
  private _ticket = 0;
  private _state: ReadModel.IState<T> = {
    status: { kind: 'loading' },
    value: null
  };
  private _stateChanged = new Signal<this, ReadModel.IState<T>>(this);
}

export namespace ReadModel {
  export interface IState<T> {
    status: NotLoaded | { kind: 'ready' };
    /** The last value read (kept while a new read fails). */
    value: T | null;
  }
}
