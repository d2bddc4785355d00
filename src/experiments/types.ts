/* ------------------------------------------------------------------------
 * MLflow, through the server extension (`jupyterlab-mlplat/mlflow/...`).
 *
 * The server calls MLflow as the hub user and answers with these shapes, so
 * the browser never talks to MLflow itself and never holds its credentials.
 * ---------------------------------------------------------------------- */

/** `GET mlflow/config` */
export interface IMlflowConfig {
  /** False when the server has no MLflow tracking URI configured. */
  enabled: boolean;
  /** MLflow's own web UI, for "Open in MLflow" links; null when unknown. */
  ui_url: string | null;
  /** The user MLflow records runs under (the hub user). */
  user: string;
}

/** One experiment of `GET mlflow/experiments`. */
export interface IExperiment {
  id: string;
  name: string;
  owner: string | null;
  lifecycle_stage: 'active' | 'deleted' | string;
  /** Milliseconds since the epoch. */
  creation_time: number | null;
  last_update_time: number | null;
  /** Whether MLflow lets the user change it (log runs, rename). */
  can_write: boolean;
  /**
   * Hidden, with its runs and artifacts, from everybody but the owner
   * (including people who arrive later).
   */
  private: boolean;
}

/** `POST mlflow/experiments/{id}/private` answers with the stored value. */
export interface IExperimentPrivacy {
  id: string;
  private: boolean;
}

/** `GET mlflow/experiments` */
export interface IExperimentPage {
  experiments: IExperiment[];
  next_page_token: string | null;
}

export type RunStatus =
  'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** One row of the runs table; params/metrics hold only requested columns. */
export interface IRunRow {
  id: string;
  name: string;
  experiment_id: string;
  status: RunStatus | string;
  start_time: number | null;
  end_time: number | null;
  duration_ms: number | null;
  user: string;
  /** The notebook the run was logged from, relative to the server root. */
  source_notebook: string | null;
  git_commit: string | null;
  params: { [key: string]: string };
  metrics: { [key: string]: number };
  can_write: boolean;
}

/** The params and metrics logged in an experiment, for the column chooser. */
export interface IRunColumns {
  params: string[];
  metrics: string[];
}

/** `GET mlflow/experiments/{id}/runs` */
export interface IRunPage {
  runs: IRunRow[];
  next_page_token: string | null;
  columns: IRunColumns;
  /** Whether a run of the page is still going, so the table should refresh. */
  active: boolean;
}

/** A run with everything: all params and metrics, tags and links. */
export interface IRunDetail extends IRunRow {
  tags: { [key: string]: string };
  artifact_uri: string;
  ui_url: string | null;
}

/** `GET mlflow/runs/{run_id}` */
export interface IRunResponse {
  run: IRunDetail;
}

export interface IMetricPoint {
  step: number;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** `GET mlflow/runs/{run_id}/metric-history?key=` */
export interface IMetricHistory {
  key: string;
  history: IMetricPoint[];
}

export interface IArtifactFile {
  /** Relative to the run's artifact root, e.g. `notes/a.txt`. */
  path: string;
  is_dir: boolean;
  file_size: number | null;
}

/** `GET mlflow/runs/{run_id}/artifacts?path=` */
export interface IArtifactListing {
  path: string;
  files: IArtifactFile[];
}

/** `POST mlflow/runs/{run_id}/notebook` */
export interface ILoggedNotebook {
  artifact_path: string;
  git_commit: string | null;
}

/** `GET mlflow/compare?run_id=...` (2 to 5 runs) */
export interface IRunComparison {
  runs: IRunDetail[];
  param_keys: string[];
  metric_keys: string[];
  /** metric key → run id → history. */
  histories: { [metric: string]: { [runId: string]: IMetricPoint[] } };
}

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
  artifacts(runId: string, path: string): Promise<IArtifactListing>;
  artifact(runId: string, path: string): Promise<IArtifactContent>;
  /** A plain link the browser can follow to save the file. */
  artifactDownloadUrl(runId: string, path: string): string;
  logNotebook(runId: string, notebookPath: string): Promise<ILoggedNotebook>;
  compare(runIds: readonly string[]): Promise<IRunComparison>;
}
