/* ------------------------------------------------------------------------
 * Registered models and their publications, through the server extension
 * (`jupyterlab-mlplat/models/...`, `jupyterlab-mlplat/publications/...`).
 *
 * The server reads MLflow's registry as the person and the platform's
 * publications with the person's token; the browser holds neither's
 * credentials. The models' wire types are the sidebar API's schemas,
 * generated from its OpenAPI document (`jlpm build:types`).
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** One metric of a model card: picked from the run, its value filled in. */
export type ICardMetric = Schemas['CardMetric'];

/**
 * A model card as its author writes it (`core/models/card.py`): every field
 * may be empty while it is a draft.
 */
export type IModelCard = Schemas['ModelCard'];

/** The languages a card may be written in. */
export type CardLanguage = IModelCard['language'];

/** `GET models/card-draft`: a new card filled in from MLflow. */
export type ICardDraftAnswer = Schemas['CardDraft'];

/** One MLflow model version. */
export type IModelVersionBody = Schemas['ModelVersionBody'];

/** A version as the list shows it, with its run's key metrics. */
export type IVersionRow = Schemas['VersionRowBody'];

/** One of the person's registered models, latest versions first. */
export type IModelRow = Schemas['ModelRowBody'];

/** `GET models`: the person's own registered models, a page of them. */
export type IModelsPage = Schemas['ModelsPage'];

/** A model a run logged (`mlflow.<flavour>.log_model`): what a version is registered from. */
export type ILoggedModel = Schemas['LoggedModelBody'];

/** `GET models/run-models?run_id=` */
export type IRunModels = Schemas['RunModels'];

/** `POST models/versions` */
export type IRegisterBody = Schemas['RegisterBody'];

/** The run a version was made from, as its lineage shows it. */
export type IRunSnapshot = Schemas['RunSnapshotBody'];

/** A publication of a version, as its lineage names it. */
export type IPublicationLink = Schemas['PublicationLinkBody'];

/**
 * `GET models/version?name=&version=`: the version and its lineage chain on
 * one screen — commit, notebook, run, version, publications, deployments. A
 * link the version does not have is empty.
 */
export type ILineage = Schemas['LineageBody'];

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

/*
 * Publications (the platform's `api/reviews.py`, through the server
 * extension). The platform keeps a card as the core validated it, so the
 * card of an answer is a `ModelCard`.
 */

/** A publication's state (`core/reviews/records.py`). */
export type PublicationState = Schemas['State'];

/** One step taken on a publication: a save, a submission, a decision. */
export type IPublicationStep = Schemas['StepBody'];

/** A publication of a version: the card under review and its state. */
export type IPublication = Omit<Schemas['PublicationBody'], 'card'> & {
  card: IModelCard;
};

/** One of the person's publications, as a list shows it. */
export type IPublicationSummary = Schemas['PublicationSummary'];

/** `GET publications?model_name=`: the person's own, newest change first. */
export type IPublicationList = Schemas['PublicationList'];

/** `GET publications/{id}`: the publication and what the caller may do now. */
export type IPublicationPage = Omit<
  Schemas['PublicationPageBody'],
  'publication' | 'champion'
> & { publication: IPublication };

/** What the author may do to a publication. */
export type AuthorAction = 'submit' | 'withdraw' | 'resubmit';

/**
 * The calls of the Models tab; the model, the pages and the dialog depend
 * on this, so tests pass canned answers instead of a server.
 */
export interface IModelsAPI {
  /**
   * A page of the person's own registered models: the first, or the one a
   * previous page's `next_page_token` names.
   */
  models(pageToken?: string | null): Promise<IModelsPage>;
  lineage(name: string, version: string): Promise<ILineage>;
  /** A new card for a version, filled in from MLflow. */
  cardDraft(name: string, version: string): Promise<ICardDraftAnswer>;
  runModels(runId: string): Promise<IRunModels>;
  register(body: IRegisterBody): Promise<IModelVersionBody>;
  /** The person's publications of one registered model. */
  publicationsOf(name: string): Promise<IPublicationList>;
  publication(id: number): Promise<IPublicationPage>;
  /** Start the publication of a version with its first card. */
  createPublication(
    name: string,
    version: string,
    card: IModelCard
  ): Promise<IPublication>;
  /** Save the card, naming the revision it was edited from. */
  saveCard(
    id: number,
    card: IModelCard,
    revision: number
  ): Promise<IPublication>;
  /** A step of the publication's state machine, by its author. */
  act(
    id: number,
    action: AuthorAction,
    revision: number
  ): Promise<IPublication>;
}
