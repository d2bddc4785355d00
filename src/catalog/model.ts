import { Debouncer } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import { PlatformModel } from '../shell/model';
import { TabModel } from '../shell/tabModel';
import {
  CatalogSort,
  FacetName,
  ICatalogAPI,
  ICatalogModel,
  ICatalogQuery,
  ICatalogSearchPage
} from './types';

/**
 * What the Catalog tab shows: the search (text, facets, sort, page) and its
 * answer, or one model's page.
 *
 * The catalog changes only when a review publishes, so nothing polls: the
 * tab reads again when it comes into view and when asked. Typing searches
 * once it pauses; an answer that arrives after a newer question is dropped,
 * so fast typing never shows the hits of an older text.
 */
export class CatalogModel extends TabModel<CatalogModel.IState> {
  constructor(options: CatalogModel.IOptions) {
    super({
      status: { kind: 'loading' },
      busy: false,
      view: 'search',
      query: {
        text: '',
        facets: {},
        sort: 'relevance',
        page: 1,
        pageSize: options.pageSize ?? CatalogModel.PAGE_SIZE
      },
      results: null,
      page: null
    });
    this._api = options.api;
    this._search = new Debouncer(
      () => this._load().catch(() => undefined),
      options.searchDelay ?? CatalogModel.SEARCH_DELAY
    );
  }

  get api(): ICatalogAPI {
    return this._api;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._search.dispose();
    Signal.clearData(this);
  }

  /**
   * Read again what is shown, the search (the tab's) and the open model's
   * page (the main area's); resolves once both answers are in the state. The
   * two are shown side by side, so a page open (restored by a reload, say)
   * never keeps the tab from reading the search.
   */
  async refresh(): Promise<void> {
    const page = this._state.view === 'model' ? this._state.page : null;
    await Promise.all([
      this._searchNow(),
      page ? this._loadModel(page.name) : Promise.resolve()
    ]);
  }

  /** Search as the person types: the text shows at once, the request waits for a pause. */
  setText(text: string): Promise<void> {
    this._setQuery({ text, page: 1 });
    return this._search.invoke();
  }

  /** Pick or drop one value of a facet; the list starts again at its first page. */
  toggleFacet(facet: FacetName, value: string): Promise<void> {
    const chosen = this._state.query.facets[facet] ?? [];
    const next = chosen.includes(value)
      ? chosen.filter(item => item !== value)
      : [...chosen, value];
    this._setQuery({
      facets: { ...this._state.query.facets, [facet]: next },
      page: 1
    });
    return this._searchNow();
  }

  /** Forget every chosen facet value. */
  clearFacets(): Promise<void> {
    this._setQuery({ facets: {}, page: 1 });
    return this._searchNow();
  }

  setSort(sort: CatalogSort): Promise<void> {
    this._setQuery({ sort, page: 1 });
    return this._searchNow();
  }

  /** Go to a (one-based) page of the hits. */
  setPage(page: number): Promise<void> {
    const pages = CatalogModel.pageCount(this._state);
    const next = Math.max(1, Math.min(page, pages));
    this._setQuery({ page: next });
    return this._searchNow();
  }

  /** Show one model's page. */
  openModel(name: string): Promise<void> {
    this._update({
      view: 'model',
      page: {
        name,
        model: null,
        status: { kind: 'loading' },
        acting: false,
        actionError: null
      }
    });
    return this._loadModel(name);
  }

  /** Back to the search as it was left. */
  backToSearch(): Promise<void> {
    this._update({ view: 'search', page: null });
    return this._searchNow();
  }

  /** Deprecate a published version, with the reviewer's comment. */
  deprecate(publicationId: number, comment: string): Promise<boolean> {
    return this._act(() => this._api.deprecate({ publicationId, comment }));
  }

  /** Move the champion back to an earlier published version, with a comment. */
  moveChampion(publicationId: number, comment: string): Promise<boolean> {
    return this._act(() => this._api.moveChampion({ publicationId, comment }));
  }

  protected _shown(): void {
    void this.refresh();
  }

  /** Search with the query as it is; a failure is in the state, not thrown. */
  private _searchNow(): Promise<void> {
    return this._load().catch(() => undefined);
  }

  private _setQuery(patch: Partial<ICatalogQuery>): void {
    this._update({ query: { ...this._state.query, ...patch } });
  }

  /** Ask for the hits of the current query; a stale answer is dropped. */
  private async _load(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const ticket = ++this._ticket;
    const query = this._state.query;
    this._update({ busy: true });
    try {
      const results = await this._api.search(query);
      if (ticket !== this._ticket || this.isDisposed) {
        return;
      }
      this._update({ busy: false, status: { kind: 'ready' }, results });
    } catch (error) {
      if (ticket !== this._ticket || this.isDisposed) {
        return;
      }
      this._update({
        busy: false,
        status: PlatformModel.stateFromError(error)
      });
      throw error;
    }
  }

  private async _loadModel(name: string): Promise<void> {
    const ticket = ++this._modelTicket;
    try {
      const model = await this._api.model(name);
      this._setPage(ticket, name, { model, status: { kind: 'ready' } });
    } catch (error) {
      this._setPage(ticket, name, {
        status: PlatformModel.stateFromError(error)
      });
    }
  }

  /** Change the model page, unless the person has left it meanwhile. */
  private _setPage(
    ticket: number,
    name: string,
    patch: Partial<CatalogModel.IModelPage>
  ): void {
    const page = this._state.page;
    if (
      this.isDisposed ||
      ticket !== this._modelTicket ||
      !page ||
      page.name !== name
    ) {
      return;
    }
    this._update({ page: { ...page, ...patch } });
  }

  /**
   * Run one reviewer's action on the page's model, then read the model as
   * it is now. False when it was refused: the page keeps the reason to show.
   */
  private async _act(call: () => Promise<void>): Promise<boolean> {
    const page = this._state.page;
    if (!page || page.acting) {
      return false;
    }
    const ticket = ++this._modelTicket;
    this._setPage(ticket, page.name, { acting: true, actionError: null });
    try {
      await call();
      const model = await this._api.model(page.name);
      this._setPage(ticket, page.name, {
        model,
        acting: false,
        status: { kind: 'ready' }
      });
      return true;
    } catch (error) {
      const state = PlatformModel.stateFromError(error);
      this._setPage(ticket, page.name, {
        acting: false,
        actionError: state
      });
      return false;
    }
  }

  private _api: ICatalogAPI;
  private _isDisposed = false;
  private _modelTicket = 0;
  private _search: Debouncer;
  private _ticket = 0;
}

export namespace CatalogModel {
  export interface IOptions {
    api: ICatalogAPI;
    /** How long typing must pause before the catalog is searched (ms). */
    searchDelay?: number;
    pageSize?: number;
  }

  export const SEARCH_DELAY = 250;
  export const PAGE_SIZE = 20;

  export type Status =
    | PlatformModel.ILoading
    | { kind: 'ready' }
    | PlatformModel.IUnavailable
    | PlatformModel.IError;

  /** Why an action was refused, as the status line shows it. */
  export type Failure = PlatformModel.IUnavailable | PlatformModel.IError;

  export interface IModelPage {
    name: string;
    /** Null until the first answer. */
    model: ICatalogModel | null;
    status: Status;
    /** An action is under way. */
    acting: boolean;
    actionError: Failure | null;
  }

  export interface IState {
    status: Status;
    /** A search is under way. */
    busy: boolean;
    view: 'search' | 'model';
    query: ICatalogQuery;
    /** Null until the first answer. */
    results: ICatalogSearchPage | null;
    page: IModelPage | null;
  }

  /** How many pages the last answer has (at least one). */
  export function pageCount(state: IState): number {
    const total = state.results?.total ?? 0;
    return Math.max(1, Math.ceil(total / state.query.pageSize));
  }
}
