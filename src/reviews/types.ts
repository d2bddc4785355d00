/* ------------------------------------------------------------------------
 * Publications as the Reviews tab reads them, through the server extension
 * (`jupyterlab-mlplat/publications/...`), which asks the platform.
 *
 * The shapes are `api/reviews.py`'s wire models; a reviewer reads only what
 * the submission snapshotted (the version, its run, the code diff the
 * author's workspace computed), never the author's files or private runs.
 * ---------------------------------------------------------------------- */

/** Where a publication is in `core/reviews/rules.py`'s table. */
export type PublicationState =
  | 'draft'
  | 'in_review'
  | 'changes_requested'
  | 'approved'
  | 'published'
  | 'rejected'
  | 'deprecated';

/** A step of the table (what `allowed` lists and the history records). */
export type PublicationAction =
  | 'create'
  | 'save_card'
  | 'submit'
  | 'withdraw'
  | 'resubmit'
  | 'approve'
  | 'request_changes'
  | 'reject'
  | 'publish'
  | 'deprecate'
  | 'make_champion';

/** What a reviewer decides; each but an approval says why. */
export type Decision = 'approve' | 'request_changes' | 'reject';

export const DECISIONS: readonly Decision[] = [
  'approve',
  'request_changes',
  'reject'
];

/** One metric of the card: picked from the run, with the author's note. */
export interface ICardMetric {
  key: string;
  value: number | null;
  note: string;
}

/** The model card (`core/models/card.py`); text fields are the author's Markdown. */
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

/** The version and its run as the author could read them at submission. */
export interface IVersionFacts {
  model_name: string;
  version: string;
  source: string;
  owner: string | null;
  run_id: string | null;
  run_name: string | null;
  experiment_id: string | null;
  /** MLflow's signature: `inputs` and `outputs` as JSON texts of column specs. */
  signature: { [key: string]: unknown } | null;
  input_example: string | null;
  flavors: string[];
  framework: string | null;
  task: string | null;
  params: { [key: string]: string };
  metrics: { [key: string]: number };
  notebook: string | null;
  commit: string | null;
  repository: string | null;
}

/** The code changes from the champion's commit to the candidate's. */
export interface ICodeDiff {
  base_commit: string | null;
  head_commit: string | null;
  /** A unified diff, notebooks compared cell by cell. */
  text: string;
  computed_by: string;
}

export interface ISnapshot {
  facts: IVersionFacts;
  diff: ICodeDiff | null;
  taken_at: string;
}

/** One action taken on a publication. */
export interface IStep {
  id: number;
  round: number;
  actor: string;
  action: PublicationAction;
  state: PublicationState;
  comment: string;
  at: string;
}

/** A publication as lists show it. */
export interface IPublicationSummary {
  id: number;
  model_name: string;
  version: string;
  author: string;
  team: string;
  state: PublicationState;
  revision: number;
  catalog_name: string | null;
  round: number;
  created_at: string;
  updated_at: string;
  updated_by: string;
  last_action: PublicationAction;
  publish_error: string | null;
  catalog_version: string | null;
  champion: boolean;
}

/** A publication with its card, snapshot and history. */
export interface IPublication extends IPublicationSummary {
  card: Partial<IModelCard>;
  snapshot: ISnapshot | null;
  approvals: string[];
  steps: IStep[];
}

/** `GET publications/queue`: in review, and approved ones still to publish. */
export interface IPublicationList {
  publications: IPublicationSummary[];
  count: number;
}

/** One metric of the candidate beside the champion's, on the same key. */
export interface IMetricRow {
  key: string;
  candidate: number | null;
  champion: number | null;
  /** Candidate minus champion, when both exist. */
  difference: number | null;
}

/** `GET publications/{id}`: the page, and what the caller may do now. */
export interface IPublicationPage {
  publication: IPublication;
  /** The catalog model's champion this version would replace. */
  champion: IPublication | null;
  metrics: IMetricRow[];
  allowed: PublicationAction[];
  approvals_required: number;
}

/** `POST publications/{id}/decisions` */
export interface IDecisionBody {
  revision: number;
  action: Decision;
  comment: string;
}

/** The Reviews tab's calls; tests give it a real server, the lab the extension. */
export interface IReviewsAPI {
  queue(): Promise<IPublicationList>;
  page(id: number): Promise<IPublicationPage>;
  decide(id: number, body: IDecisionBody): Promise<IPublication>;
  /** Publish an approved one again after MLflow failed. */
  publish(id: number, revision: number): Promise<IPublication>;
}
