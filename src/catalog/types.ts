/* ------------------------------------------------------------------------
 * The catalog, through the server extension (`jupyterlab-mlplat/catalog/...`).
 *
 * The server reads the platform's catalog for the person and answers with
 * these shapes: the sidebar API's schemas, generated from its OpenAPI
 * document (`jlpm build:types`); what the UI asks for is described here.
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** The facets the catalog counts and filters by. */
export const FACETS = [
  'task',
  'framework',
  'team',
  'license',
  'status'
] as const;
export type FacetName = (typeof FACETS)[number];

/** One value of a facet with the number of entries that have it. */
export type IFacetCount = Schemas['CatalogFacetCount'];

/** One entry of a search answer: what a row of the result list shows. */
export type ICatalogHit = Schemas['CatalogHit'];

/** `GET catalog/search`: one page of hits, the total and every facet's counts. */
export type ICatalogSearchPage = Schemas['CatalogSearchPage'];

/** How the result list is ordered; `relevance` is newest first without text. */
export type CatalogSort = 'relevance' | 'updated' | 'name';

export interface ICatalogQuery {
  text: string;
  /** The chosen values of each facet; an entry matches any value of a facet. */
  facets: { [facet in FacetName]?: string[] };
  sort: CatalogSort;
  /** One-based, as the server counts. */
  page: number;
  pageSize: number;
}

/** Where a version came from, as recorded when it was published. */
export type ICatalogLineage = Schemas['CatalogLineage'];

/** One version of a catalog model, as published. */
export type ICatalogVersion = Schemas['CatalogVersionBody'];

/** One move of an alias: who, when, from which version to which, through what. */
export type IAliasMove = Schemas['AliasMoveBody'];

/** The model card's fields as published (`core/models/card.py`). */
export type IModelCard = Schemas['ModelCard'];

/** `GET catalog/models/{name}`: everything the model page shows. */
export type ICatalogModel = Schemas['CatalogModel'];

/** What a publication step on a published version sends. */
export interface ICommentBody {
  revision: number;
  comment: string;
}

/** What a step reads of `GET publications/{id}`: the publication's revision. */
export interface IPublicationPage {
  publication: { revision: number };
}

/**
 * What a reviewer's action on a published version carries: the publication
 * that published it (the actions are the publication's steps) and why.
 */
export interface ICatalogAction {
  publicationId: number;
  comment: string;
}

/**
 * The catalog calls the front-end makes; the model and the views depend on
 * this, so tests pass canned answers instead of a server.
 */
export interface ICatalogAPI {
  search(query: ICatalogQuery): Promise<ICatalogSearchPage>;
  model(name: string): Promise<ICatalogModel>;
  /** Deprecate a published version (reviewers, admins). */
  deprecate(action: ICatalogAction): Promise<void>;
  /** Move the champion back to an earlier published version (reviewers, admins). */
  moveChampion(action: ICatalogAction): Promise<void>;
}
