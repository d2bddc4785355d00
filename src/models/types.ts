/* ------------------------------------------------------------------------
 * Registered models and their publications, through the server extension
 * (`jupyterlab-mlplat/models/...`, `jupyterlab-mlplat/publications/...`).
 *
 * The server reads MLflow's registry as the person and the platform's
 * publications with the person's token; the browser holds neither's
 * credentials. These describe the answers the Models tab reads.
 * ---------------------------------------------------------------------- */

/** One metric of a model card: picked from the run, its value filled in. */
export interface ICardMetric {
  key: string;
  value: number | null;
  note: string;
}

/** The languages a card may be written in. */
export type CardLanguage = 'en' | 'ru';

/**
 * A model card as its author writes it (`core/models/card.py`): every field
 * may be empty while it is a draft.
 */
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
  language: CardLanguage;
}

/** The text fields of a card, in the order the editor shows them. */
export type CardTextField =
  | 'catalog_name'
  | 'description'
  | 'out_of_scope'
  | 'training_data'
  | 'evaluation_data'
  | 'limitations'
  | 'risks'
  | 'contact'
  | 'license'
  | 'task'
  | 'framework';

/** A publication's state (`core/reviews/rules.py`). */
export type PublicationState =
  | 'draft'
  | 'in_review'
  | 'changes_requested'
  | 'approved'
  | 'published'
  | 'rejected'
  | 'deprecated'
  | 'withdrawn';

/** One version of a registered model as a list shows it. */
export interface IModelVersionSummary {
  name: string;
  version: string;
  run_id: string | null;
  created_at: number | string | null;
  /** The run's metrics the list shows (a few, by name). */
  metrics: { [key: string]: number };
  /** The state of the version's latest publication; null when never submitted. */
  publication_state: PublicationState | null;
}

/** One of the person's registered models, newest versions first. */
export interface IRegisteredModel {
  name: string;
  description: string;
  updated_at: number | string | null;
  versions: IModelVersionSummary[];
}

/** `GET models`: the person's own registered models. */
export interface IModelList {
  models: IRegisteredModel[];
}

/** A model a run logged (`mlflow.<flavour>.log_model`): what a version is registered from. */
export interface ILoggedModel {
  /** MLflow 3's logged-model id (`m-…`). */
  model_id: string;
  /** The name it was logged under (`model`). */
  name: string;
  run_id: string;
  created_at: number | string | null;
}

/** `GET models/runs/{run_id}/logged-models` */
export interface ILoggedModels {
  models: ILoggedModel[];
}

/** `POST models/versions`: register a run's logged model as a version. */
export interface IRegisterBody {
  run_id: string;
  model_id: string;
  name: string;
}

/** What a run contributes to a version's lineage. */
export interface ILineageRun {
  run_id: string;
  experiment_id: string;
  name: string;
  user: string;
  params: { [key: string]: string };
  metrics: { [key: string]: number };
}

/** A deployment serving the version (none exist yet). */
export interface IVersionDeployment {
  name: string;
  stage: string;
  status: string;
}

/** A review decision of a publication. */
export interface IReview {
  reviewer: string;
  decision: string;
  comment: string;
  created_at: number | string | null;
}

/** The publication of a version: the card under review and its state. */
export interface IPublication {
  id: number | string;
  name: string;
  version: string;
  author: string;
  state: PublicationState;
  /** Raised by every change; every action names the one its page showed. */
  revision: number;
  card: IModelCard;
  reviews: IReview[];
  updated_at: number | string | null;
  updated_by: string | null;
  /** Why the last publish failed, while the publication waits for a retry. */
  error: string | null;
}

/** A publication of a version, as its lineage names it. */
export interface IPublicationLink {
  id: string;
  state: PublicationState;
  catalog_name: string;
  updated_at: string;
}

/**
 * `GET models/{name}/versions/{version}`: the version and its lineage chain
 * on one screen — commit, notebook, run, version, publications, deployments.
 * A link the version does not have is empty.
 */
export interface IModelVersion {
  name: string;
  version: string;
  status: string;
  created_at: number | string | null;
  /** Where MLflow keeps its files (`models:/m-…`). */
  source: string;
  /** The flavours it was logged with (`sklearn`, `python_function`, ...). */
  flavours: string[];
  /** Detected from the flavour, for the card's first draft. */
  task: string;
  framework: string;
  commit: string;
  /** The commit on GitLab, when the run recorded its repository. */
  commit_url: string | null;
  repository: string;
  /** The notebook the run came from, relative to the person's home. */
  notebook: string;
  run: ILineageRun | null;
  /** Newest first. */
  publications: IPublicationLink[];
  deployments: IVersionDeployment[];
}

/**
 * The calls of the Models tab; the model, the pages and the dialog depend
 * on this, so tests pass canned answers instead of a server.
 */
export interface IModelsAPI {
  /** The person's own registered models. */
  models(): Promise<IModelList>;
  version(name: string, version: string): Promise<IModelVersion>;
  loggedModels(runId: string): Promise<ILoggedModels>;
  register(body: IRegisterBody): Promise<IModelVersionSummary>;
  publication(id: IPublication['id']): Promise<IPublication>;
  /** Start the publication of a version: a draft card, prefilled. */
  createPublication(
    name: string,
    version: string,
    card: IModelCard
  ): Promise<IPublication>;
  /** Save the card of a draft, naming the revision it was edited from. */
  saveCard(
    id: IPublication['id'],
    card: IModelCard,
    revision: number
  ): Promise<IPublication>;
  /** A step of the publication's state machine, by its author. */
  act(
    id: IPublication['id'],
    action: AuthorAction,
    revision: number
  ): Promise<IPublication>;
}

/** What the author may do to a publication. */
export type AuthorAction = 'submit' | 'withdraw' | 'resubmit';
