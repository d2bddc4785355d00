/* ------------------------------------------------------------------------
 * The catalog, through the server extension (`jupyterlab-mlplat/catalog/...`).
 *
 * The server reads the platform's catalog for the person and answers with
 * these shapes. They follow the wire models of `api/catalog.py`; what the UI
 * asks for (a query, a sort) is described here.
 * ---------------------------------------------------------------------- */

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
export interface IFacetCount {
  value: string;
  count: number;
}

/** One entry of a search answer: what a row of the result list shows. */
export interface ICatalogHit {
  /** The catalog name (a DNS-1123 label). */
  name: string;
  /** The registered model in MLflow, `catalog.<name>`. */
  mlflow_name: string;
  description: string;
  tags: string[];
  task: string;
  framework: string;
  team: string;
  license: string;
  status: string;
  /** Where each alias points now (`{"champion": 3}`). */
  aliases: { [alias: string]: number };
  latest_version: number | null;
  /** ISO 8601. */
  updated_at: string;
}

/** `GET catalog/search`: one page of hits, the total and every facet's counts. */
export interface ICatalogSearchPage {
  hits: ICatalogHit[];
  /** How many entries match in all (every page). */
  total: number;
  /** Per facet, the count of each value with that facet's own filter lifted. */
  facets: { [facet: string]: IFacetCount[] };
  /** One-based. */
  page: number;
  page_size: number;
}

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
export interface ICatalogLineage {
  source_model: string;
  source_version: number;
  run_id: string;
  run_name: string;
  experiment_id: string;
  commit: string;
  repository_url: string;
  notebook: string;
  params: { [key: string]: string };
}

/** One version of a catalog model, as published. */
export interface ICatalogVersion {
  /** The version of `catalog.<name>`. */
  version: number;
  publication_id: number;
  published_at: string;
  published_by: string;
  lineage: ICatalogLineage;
  /** `published` or `deprecated`. */
  state: string;
  /** The key metrics the card picked from the run, with their values. */
  metrics: { [key: string]: number };
  deprecated_at: string | null;
}

/** One move of an alias: who, when, from which version to which, through what. */
export interface IAliasMove {
  alias: string;
  from_version: number | null;
  to_version: number;
  moved_by: string;
  moved_at: string;
  /** The publication that moved it; null when a reviewer moved it back by hand. */
  publication_id: number | null;
  comment: string;
}

/** One metric of a card: picked from the run, with a note of the author. */
export interface ICardMetric {
  key: string;
  value: number | null;
  note: string;
}

/** The model card's fields as published (`core/models/card.py`). */
export interface IModelCard {
  catalog_name: string;
  description: string;
  out_of_scope: string;
  training_data: string;
  evaluation_data: string;
  metrics: ICardMetric[];
  limitations: string;
  risks: string;
  owners: string[];
  contact: string;
  license: string;
  task: string;
  framework: string;
  tags: string[];
  language: string;
}

/** A deployment serving a version of the model (none yet). */
export interface ICatalogDeployment {
  name: string;
  version: number;
  stage: string;
  status: string;
}

/** `GET catalog/models/{name}`: everything the model page shows. */
export interface ICatalogModel {
  name: string;
  /** The registered model in MLflow, `catalog.<name>`. */
  mlflow_name: string;
  description: string;
  tags: string[];
  task: string;
  framework: string;
  team: string;
  license: string;
  status: string;
  card: IModelCard;
  aliases: { [alias: string]: number };
  /** The version the champion alias loads. */
  champion_version: number | null;
  created_at: string;
  updated_at: string;
  versions: ICatalogVersion[];
  alias_history: IAliasMove[];
  deployments: ICatalogDeployment[];
  /** Python that loads the champion in a notebook (through the gateway, as the person). */
  snippet: string;
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
