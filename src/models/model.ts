import { PlatformModel } from '../shell/model';
import { TabModel } from '../shell/tabModel';
import { IModelRow, IModelsAPI } from './types';

/**
 * What the Models tab shows: the person's own registered models with their
 * versions, a page at a time. It reads them when the tab comes into view and
 * when asked (a version registered from a run page asks), never in the
 * background: a registry changes only when the person changes it.
 *
 * MLflow pages with tokens and counts nothing: a page knows only the token
 * of the next one, so the model keeps the token of every page it has shown
 * to go back.
 */
export class ModelsModel extends TabModel<ModelsModel.IState> {
  constructor(options: ModelsModel.IOptions) {
    super({
      status: { kind: 'loading' },
      busy: false,
      models: null,
      page: 1,
      nextPageToken: null
    });
    this._api = options.api;
  }

  /** The API the tab, its pages and the register dialog call. */
  get api(): IModelsAPI {
    return this._api;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Read the page shown again; resolves once the answer is in the state. */
  refresh(): Promise<void> {
    return this._read(this._state.page);
  }

  /** Go to the page after, or before, the one shown (one-based). */
  async setPage(page: number): Promise<void> {
    const current = this._state.page;
    if (page === current + 1 && this._state.nextPageToken) {
      this._tokens[current] = this._state.nextPageToken;
    } else if (page < 1 || page > current) {
      return;
    }
    await this._read(page);
  }

  /** Read one page; an answer to an older request is dropped. */
  private async _read(page: number): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const ticket = ++this._ticket;
    this._update({ busy: true });
    try {
      const list = await this._api.models(this._tokens[page - 1] ?? null);
      if (ticket !== this._ticket) {
        return;
      }
      if (list.models.length === 0 && page > 1) {
        // the page's models were deleted since: start again from the first
        this._tokens.length = 1;
        return this._read(1);
      }
      this._tokens.length = page;
      this._update({
        busy: false,
        status: { kind: 'ready' },
        models: list.models,
        page,
        nextPageToken: list.next_page_token ?? null
      });
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
  /** The token that reads each page shown so far (the first needs none). */
  private _tokens: (string | null)[] = [null];
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
    /** The page shown, null until the first answer. */
    models: IModelRow[] | null;
    /** One-based. */
    page: number;
    /** What reads the next page; null on the last. */
    nextPageToken: string | null;
  }
}
