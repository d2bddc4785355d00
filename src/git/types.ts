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
