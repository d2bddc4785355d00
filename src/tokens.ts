/**
 * Wire types of the jupyterlab_mlplat server extension.
 *
 * They mirror the JSON the server extension writes, so a change of the
 * contract shows up here first and the compiler finds every reader.
 */

/** How the platform runs: behind JupyterHub, or in-process for one user. */
export type PlatformMode = 'hub' | 'standalone';

/**
 * Roles the platform grants. The server may add roles before the
 * front-end knows them, so readers must accept any string.
 */
export type Role = 'data_scientist' | 'reviewer' | 'admin' | 'instructor';

/** `GET jupyterlab-mlplat/me` */
export interface IIdentity {
  name: string;
  groups: string[];
  roles: (Role | string)[];
  mode: PlatformMode;
}

/** One dependency of the platform as `/health` reports it. */
export interface IHealthCheck {
  status: 'ok' | 'failing';
  message?: string | null;
}

/** `GET jupyterlab-mlplat/health` */
export interface IHealth {
  status: 'ok' | string;
  version: string;
  mode: PlatformMode;
  checks: { [name: string]: IHealthCheck };
}

/** Body of every 4xx/5xx answer of the server extension. */
export interface IErrorBody {
  message: string;
  reason?: string | null;
  request_id?: string | null;
  /**
   * One message per wrong input of a 400, keyed by its path in the body
   * (`cpu_limit`, `tolerations.0.key`, `profile` for the whole object).
   */
  fields?: { [path: string]: string } | null;
}

/**
 * The calls the front-end makes. The model depends on this interface, not on
 * `fetch`, so tests hand it canned answers without patching globals.
 */
export interface IPlatformAPI {
  identity(): Promise<IIdentity>;
  health(): Promise<IHealth>;
}

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

/* ------------------------------------------------------------------------
 * Workspace profiles, edited by admins in the Admin tab.
 *
 * The platform validates every profile (`jupyterlab_mlplat/core/profiles.py`)
 * and the hub reads them at each spawn, so a saved change reaches the spawn
 * page without a restart.
 * ---------------------------------------------------------------------- */

export type TolerationOperator = 'Equal' | 'Exists';
export type TolerationEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A Kubernetes toleration: lets the pod run on nodes with a matching taint. */
export interface IToleration {
  key: string;
  operator: TolerationOperator;
  value?: string | null;
  /** Absent or null: tolerates every effect of the taint. */
  effect?: TolerationEffect | null;
}

/** Limits checked when a server starts; null means no limit. */
export interface IProfileQuota {
  servers_per_user: number | null;
  gpus_per_user: number | null;
  servers_per_group: number | null;
  gpus_per_group: number | null;
}

/** One workspace profile as the platform stores and validates it. */
export interface IProfile {
  /** A DNS label; it names the profile for good and cannot change. */
  slug: string;
  display_name: string;
  description: string;
  /** Preselected on the spawn page; saving one as default un-defaults the others. */
  default: boolean;
  image: string;
  /** Kubernetes CPU quantities: "0.5", "2", "500m". */
  cpu_guarantee: string;
  cpu_limit: string;
  /** Kubernetes memory quantities: "512Mi", "4Gi". */
  mem_guarantee: string;
  mem_limit: string;
  gpu: number;
  /** The extended resource that counts GPUs, e.g. `nvidia.com/gpu`. */
  gpu_resource: string;
  node_selector: { [label: string]: string };
  tolerations: IToleration[];
  environment: { [name: string]: string };
  /** Groups that may start it; empty means everyone. */
  allowed_groups: string[];
  quota: IProfileQuota;
  /** Position on the spawn page, smallest first. */
  order: number;
}

/** A stored profile with the revision a later save must name. */
export interface IProfileRecord {
  profile: IProfile;
  revision: number;
  /** ISO 8601. */
  updated_at: string;
  updated_by: string;
}

/** `GET profiles`: every profile for an admin, in display order. */
export interface IProfileList {
  profiles: IProfileRecord[];
  /** The groups a profile may be opened to. */
  known_groups: string[];
}

/** The part of the pod a server of a profile gets, in Kubernetes' own words. */
export interface IPodSpecPreview {
  image: string;
  resources: {
    requests: { [resource: string]: string };
    limits: { [resource: string]: string };
  };
  nodeSelector: { [label: string]: string };
  tolerations: IToleration[];
  env: { name: string; value: string }[];
}

/** `POST profile-preview` */
export interface IPodPreview {
  pod: IPodSpecPreview;
}

/**
 * What a profile form sends. Numbers the user typed that are not numbers
 * travel as the text typed, so the platform (the one validator) says what
 * is wrong with them instead of the browser dropping them.
 */
export type ProfileBody = Omit<IProfile, 'gpu' | 'order' | 'quota'> & {
  gpu: number | string;
  order: number | string;
  quota: { [K in keyof IProfileQuota]: number | string | null };
};

/** The profile calls of the Admin tab; tests pass canned answers. */
export interface IProfilesAPI {
  profiles(): Promise<IProfileList>;
  createProfile(profile: ProfileBody): Promise<IProfileRecord>;
  /** `revision` is the one the editor started from; a stale one fails with 409. */
  updateProfile(
    slug: string,
    profile: ProfileBody,
    revision: number
  ): Promise<IProfileRecord>;
  deleteProfile(slug: string, revision: number): Promise<void>;
  previewProfile(profile: ProfileBody): Promise<IPodPreview>;
}

/* ------------------------------------------------------------------------
 * Git and GitLab, through the server extension (`jupyterlab-mlplat/git/...`).
 *
 * git runs in the user's own server on their files; GitLab is reached
 * through the platform, which keeps the user's token. The token goes to
 * the server once, when it is saved, and never comes back.
 * ---------------------------------------------------------------------- */

/** What changed in a notebook, counted in cells rather than JSON lines. */
export interface INotebookChanges {
  added: number;
  removed: number;
  edited: number;
  /** Only outputs, execution counts or metadata changed. */
  outputs_only: boolean;
  /** False when one side is not a notebook the server could read. */
  readable: boolean;
}

/** One changed file; paths are relative to the repository's top folder. */
export interface IGitFile {
  path: string;
  /**
   * Staged and unstaged state letters as `git status` shows them: `M`, `A`,
   * `D`, `R`, `?` (untracked), `U` (conflict), `.` (unchanged).
   */
  index: string;
  worktree: string;
  /** Set for `.ipynb` files. */
  notebook: INotebookChanges | null;
}

/** `GET git/status?path=`, and the answer of most git actions. */
export interface IGitStatus {
  /** The folder asked about, relative to the server root ("" is the root). */
  folder: string;
  /** The repository's top folder, relative to the root; null outside one. */
  repository: string | null;
  /** Null when HEAD is detached. */
  branch: string | null;
  /** `origin/main`; null when the branch is not on the remote yet. */
  upstream: string | null;
  ahead: number;
  behind: number;
  /** Without credentials; null when the repository has no remote. */
  remote_url: string | null;
  files: IGitFile[];
}

/** `POST git/commit` */
export interface IGitCommitResult {
  commit: string;
  /** The user's running MLflow runs now tagged with the commit. */
  linked_runs: string[];
}

/** `POST git/pull` */
export interface IGitPullResult {
  updated: boolean;
  /** Files git left with conflict markers, to resolve and commit. */
  conflicts: string[];
}

export interface IGitBranch {
  /** `main` for a local branch, `origin/main` for a remote one. */
  name: string;
  current: boolean;
  remote: boolean;
  upstream: string | null;
}

/** `GET git/branches?path=` */
export interface IGitBranchList {
  branches: IGitBranch[];
}

/** The saved token as the platform describes it: never the token itself. */
export interface IGitLabTokenInfo {
  gitlab_username: string;
  /** The token's last 4 characters, to recognise it. */
  hint: string;
  /** ISO 8601. */
  saved_at: string;
}

/** `GET git/account` */
export interface IGitLabAccount {
  /** Whether this workbench has a GitLab at all. */
  configured: boolean;
  url: string | null;
  token: IGitLabTokenInfo | null;
}

export interface IGitLabNamespace {
  id: number;
  /** `alice` for the personal namespace, `team/sub` for a group. */
  path: string;
  kind: 'user' | 'group' | string;
}

/** `GET git/namespaces` */
export interface IGitLabNamespaceList {
  namespaces: IGitLabNamespace[];
}

export type ProjectVisibility = 'private' | 'internal' | 'public';

/** `POST git/publish` body, without the folder. */
export interface IPublishRequest {
  name: string;
  /** Absent: the user's personal namespace. */
  namespace_id?: number | null;
  visibility: ProjectVisibility;
}

export interface IGitLabProject {
  id: number;
  path_with_namespace: string;
  web_url: string;
  http_url_to_repo: string;
  default_branch: string | null;
}

/** `POST git/publish` */
export interface IPublishResult {
  project: IGitLabProject;
  status: IGitStatus;
}

export interface IGitLabPipeline {
  id: number;
  /** GitLab's words: `pending`, `running`, `success`, `failed`, ... */
  status: string;
  ref: string;
  sha: string;
  web_url: string;
}

/** `GET git/pipeline?path=`: the newest pipeline of the current branch. */
export interface ILatestPipeline {
  pipeline: IGitLabPipeline | null;
}

export interface IMergeRequest {
  iid: number;
  title: string;
  state: 'opened' | 'merged' | 'closed' | string;
  web_url: string;
  source_branch: string;
  target_branch: string;
  pipeline: IGitLabPipeline | null;
}

/** `GET git/merge-requests?path=`: those of the current branch. */
export interface IMergeRequestList {
  merge_requests: IMergeRequest[];
}

/** `POST git/merge-requests` body, without the folder. */
export interface IMergeRequestCreate {
  title: string;
  description: string;
  target_branch: string;
}

/**
 * The Git tab's calls. `path` is always the folder shown, relative to the
 * server root; the server finds its repository.
 */
export interface IGitAPI {
  status(path: string): Promise<IGitStatus>;
  init(path: string): Promise<IGitStatus>;
  commit(
    path: string,
    files: readonly string[],
    message: string,
    clearOutputs: boolean
  ): Promise<IGitCommitResult>;
  pull(path: string): Promise<IGitPullResult>;
  /** `force` only after the user confirmed overwriting GitLab's commits. */
  push(path: string, force?: boolean): Promise<IGitStatus>;
  branches(path: string): Promise<IGitBranchList>;
  createBranch(path: string, name: string): Promise<IGitStatus>;
  checkout(path: string, name: string): Promise<IGitStatus>;
  account(): Promise<IGitLabAccount>;
  /** GitLab checks the token first; a wrong one fails with 403. */
  saveToken(token: string): Promise<IGitLabTokenInfo>;
  deleteToken(): Promise<void>;
  namespaces(): Promise<IGitLabNamespaceList>;
  publish(path: string, request: IPublishRequest): Promise<IPublishResult>;
  mergeRequests(path: string): Promise<IMergeRequestList>;
  createMergeRequest(
    path: string,
    request: IMergeRequestCreate
  ): Promise<IMergeRequest>;
  pipeline(path: string): Promise<ILatestPipeline>;
}
