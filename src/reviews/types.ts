/* ------------------------------------------------------------------------
 * Publications as the Reviews tab reads them, through the server extension
 * (`jupyterlab-mlplat/publications/...`), which asks the platform.
 *
 * The wire types are the sidebar API's schemas, generated from its OpenAPI
 * document (`jlpm build:types`): a field renamed on the server fails the
 * build where the tab reads it. A reviewer reads only what the submission
 * snapshotted (the version, its run, the code diff the author's workspace
 * computed), never the author's files or private runs.
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** Where a publication is in `core/reviews/rules.py`'s table. */
export type PublicationState = Schemas['State'];

/** A step of the table (what `allowed` lists and the history records). */
export type PublicationAction = Schemas['Action'];

/** What a reviewer decides; each but an approval says why. */
export type Decision = Schemas['DecisionBody']['action'];

/** One metric of the card: picked from the run, with the author's note. */
export type ICardMetric = Schemas['CardMetric'];

/** The model card (`core/models/card.py`); text fields are the author's Markdown. */
export type IModelCard = Schemas['ModelCard'];

/** The version and its run as the author could read them at submission. */
export type IVersionFacts = Schemas['FactsBody'];

/** The code changes from the champion's commit to the candidate's. */
export type ICodeDiff = Schemas['DiffBody'];

export type ISnapshot = Schemas['SnapshotBody'];

/** One action taken on a publication. */
export type IStep = Schemas['StepBody'];

/** A publication as lists show it. */
export type IPublicationSummary = Schemas['PublicationSummary'];

/**
 * A publication with its snapshot and history. The card comes as an object
 * the core validated as a `ModelCard` (the document cannot say so of an
 * answer); fields a card lacks are read as empty.
 */
export type IPublication = Omit<Schemas['PublicationBody'], 'card'> & {
  card: Partial<IModelCard>;
};

/** `GET publications/queue`: in review, and approved ones still to publish. */
export type IPublicationList = Schemas['PublicationList'];

/** One metric of the candidate beside the champion's, on the same key. */
export type IMetricRow = Schemas['MetricRow'];

/** `GET publications/{id}`: the page, and what the caller may do now. */
export type IPublicationPage = Omit<
  Schemas['PublicationPageBody'],
  'publication' | 'champion'
> & {
  publication: IPublication;
  /** The catalog model's champion this version would replace. */
  champion: IPublication | null;
};

/** `POST publications/{id}/decisions` */
export type IDecisionBody = Schemas['DecisionBody'];

/** The Reviews tab's calls; tests give it a scripted server, the lab the extension. */
export interface IReviewsAPI {
  queue(): Promise<IPublicationList>;
  page(id: number): Promise<IPublicationPage>;
  decide(id: number, body: IDecisionBody): Promise<IPublication>;
  /** Publish an approved one again after MLflow failed. */
  publish(id: number, revision: number): Promise<IPublication>;
}
