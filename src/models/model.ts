import { PlatformModel } from '../shell/model';
import { TabModel } from '../shell/tabModel';
import { IModelRow, IModelsAPI } from './types';

/**
 * What the Models tab shows: the person's own registered models with their
 * versions. It reads them when the tab comes into view and when asked (a
 * version registered from a run page asks), never in the background: a
 * registry changes only when the person changes it.
 */
export class ModelsModel extends TabModel<ModelsModel.IState> {
  constructor(options: ModelsModel.IOptions) {
    super({ status: { kind: 'loading' }, busy: false, models: null });
    this._api = options.api;
  }

  /** The API the tab, its pages and the register dialog call. */
  get api(): IModelsAPI {
    return this._api;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Read the list again; resolves once the answer is in the state. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const ticket = ++this._ticket;
    this._update({ busy: true });
    try {
      const list = await this._api.models();
      if (ticket === this._ticket) {
        this._update({
          busy: false,
          status: { kind: 'ready' },
          models: list.models
        });
      }
    } catch (error) {
      if (ticket === this._ticket) {
        this._update({
          busy: false,
          status: PlatformModel.stateFromError(error)
        });
      }
    }
  }

  /** The names of the person's models, for the register dialog to offer. */
  get modelNames(): string[] {
    return (this.state.models ?? []).map(model => model.name);
  }

  dispose(): void {
    this._isDisposed = true;
  }

  protected _shown(): void {
    void this.refresh();
  }

  private _api: IModelsAPI;
  private _isDisposed = false;
  private _ticket = 0;
}

export namespace ModelsModel {
  export interface IOptions {
    api: IModelsAPI;
  }

  export interface IState {
    status:
      | { kind: 'loading' }
      | { kind: 'ready' }
      | PlatformModel.IUnavailable
      | PlatformModel.IError;
    busy: boolean;
    /** Null until the first answer. */
    models: IModelRow[] | null;
  }
}
