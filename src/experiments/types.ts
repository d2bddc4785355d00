/* ------------------------------------------------------------------------
 * MLflow, through the server extension (`jupyterlab-mlplat/mlflow/...`).
 *
 * The server calls MLflow as the hub user and answers with these shapes, so
 * the browser never talks to MLflow itself and never holds its credentials.
 * The wire types are the sidebar API's schemas, generated from its OpenAPI
 * document (`jlpm build:types`); the rest describe what the UI asks for.
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** `GET mlflow/config`: `enabled` is false without a tracking URI. */
export type IMlflowConfig = Schemas['MlflowConfig'];

/**
 * One experiment of `GET mlflow/experiments`; times are milliseconds since
 * the epoch, `private` hides it (with its runs) from all but its owner.
 */
export type IExperiment = Schemas['ExperimentBody'];

/** `POST mlflow/experiments/{id}/private` answers with the stored value. */
export type IExperimentPrivacy = Schemas['ExperimentPrivacy'];

/** `GET mlflow/experiments` */
export type IExperimentPage = Schemas['ExperimentPage'];

/** One row of the runs table; params/metrics hold only requested columns. */
export type IRunRow = Schemas['RunRowBody'];

/** The params and metrics logged in an experiment, for the column chooser. */
export type IRunColumns = Schemas['RunColumns'];

/** `GET mlflow/experiments/{id}/runs`; `active`: a run still going. */
export type IRunPage = Schemas['RunsPageBody'];

/** A run with everything: all params and metrics, tags and links. */
export type IRunDetail = Schemas['RunDetailBody'];

/** `GET mlflow/runs/{run_id}` */
export type IRunResponse = Schemas['RunAnswer'];

/** One logged value; `timestamp` in milliseconds since the epoch. */
export type IMetricPoint = Schemas['MetricPointBody'];

/** `GET mlflow/runs/{run_id}/metric-history?key=` */
export type IMetricHistory = Schemas['MetricHistory'];
export type IMetricHistories = Schemas['MetricHistoriesBody'];

/** A file of a run; `path` is relative to the run's artifact root. */
export type IArtifactFile = Schemas['ArtifactFileBody'];

/** `GET mlflow/runs/{run_id}/artifacts?path=` */
export type IArtifactListing = Schemas['ArtifactListing'];

/** `POST mlflow/runs/{run_id}/notebook` */
export type ILoggedNotebook = Schemas['LoggedNotebook'];

/**
 * `GET mlflow/compare?run_id=...` (2 to 5 runs); `histories` maps metric
 * key → run id → history.
 */
export type IRunComparison = Schemas['RunComparison'];

/** What the runs table is sorted by; `attribute` keys are the four below. */
export type RunSortKind = 'attribute' | 'metric' | 'param';
export type RunAttribute = 'start_time' | 'run_name' | 'status' | 'user';
export type SortDirection = 'asc' | 'desc';

export interface IRunSort {
  kind: RunSortKind;
  key: RunAttribute | string;
  direction: SortDirection;
}

/** A param or metric shown as a column of the runs table. */
export interface IRunColumn {
  kind: 'param' | 'metric';
  key: string;
}

export interface IExperimentQuery {
  filter?: string;
  maxResults?: number;
  pageToken?: string | null;
}

export interface IRunQuery {
  experimentId: string;
  maxResults?: number;
  pageToken?: string | null;
  sort?: IRunSort;
  columns?: readonly IRunColumn[];
}

/**
 * An artifact fetched for preview. Text is decoded here so the page need
 * not know about encodings; anything else stays a blob.
 */
export interface IArtifactContent {
  contentType: string;
  /** The decoded body for `text/*` and JSON, otherwise null. */
  text: string | null;
  /** The body for every other type (images are shown from it). */
  blob: Blob | null;
}

/**
 * The MLflow calls the front-end makes; models and widgets depend on this,
 * so tests pass canned answers instead of a server.
 */
export interface IMlflowAPI {
  config(): Promise<IMlflowConfig>;
  experiments(query: IExperimentQuery): Promise<IExperimentPage>;
  runs(query: IRunQuery): Promise<IRunPage>;
  /** Make an experiment private or shared again; only its owner may. */
  setExperimentPrivate(
    experimentId: string,
    value: boolean
  ): Promise<IExperimentPrivacy>;
  run(runId: string): Promise<IRunDetail>;
  metricHistory(runId: string, key: string): Promise<IMetricHistory>;
  /** The histories a run page charts (its first metrics by name), at once. */
  metricHistories(runId: string): Promise<IMetricHistories>;
  artifacts(runId: string, path: string): Promise<IArtifactListing>;
  artifact(runId: string, path: string): Promise<IArtifactContent>;
  /** A plain link the browser can follow to save the file. */
  artifactDownloadUrl(runId: string, path: string): string;
  logNotebook(runId: string, notebookPath: string): Promise<ILoggedNotebook>;
  /**
   * Whether a file is still where a run says its notebook was: a notebook
   * renamed, moved or deleted since the run is not opened but named gone.
   */
  notebookExists(path: string): Promise<boolean>;
  compare(runIds: readonly string[]): Promise<IRunComparison>;
}
