/* ------------------------------------------------------------------------
 * Git and GitLab, through the server extension (`jupyterlab-mlplat/git/...`).
 *
 * git runs in the user's own server on their files; GitLab is reached
 * through the platform, which keeps the user's token. The token goes to
 * the server once, when it is saved, and never comes back.
 *
 * The wire types are the sidebar API's schemas, generated from its OpenAPI
 * document (`jlpm build:types`): a field renamed on the server fails the
 * build where the tab reads it.
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** What changed in a notebook, counted in cells rather than JSON lines. */
export type INotebookChanges = Schemas['NotebookChangesBody'];

/**
 * One changed file; paths are relative to the repository's top folder.
 * `index` and `worktree` are the staged and unstaged state letters as
 * `git status` shows them: `M`, `A`, `D`, `R`, `?` (untracked), `U`
 * (conflict), `.` (unchanged). `notebook` is set for `.ipynb` files.
 */
export type IGitFile = Schemas['ChangedFileBody'];

/**
 * `GET git/status?path=`, and the answer (or part of it) of every git
 * action: `repository` is null outside one, `branch` null when HEAD is
 * detached, `upstream` null before the first push.
 */
export type IGitStatus = Schemas['RepoStatusBody'];

/** `POST git/commit`: the commit, the MLflow runs tagged with it, the new status. */
export type IGitCommitResult = Schemas['CommitResultBody'];

/** `POST git/pull`: the files left in conflict, the new status. */
export type IGitPullResult = Schemas['PullResultBody'];

/** `main` for a local branch, `origin/main` for a remote one. */
export type IGitBranch = Schemas['BranchEntry'];

/** `GET git/branches?path=` */
export type IGitBranchList = Schemas['BranchList'];

/** The saved token as the platform describes it: never the token itself. */
export type IGitLabTokenInfo = Schemas['GitLabTokenInfo'];

/** `GET git/account`: whether there is a GitLab, and the saved token. */
export type IGitLabAccount = Schemas['GitLabAccount'];

/** `alice` for the personal namespace, `team/sub` for a group. */
export type IGitLabNamespace = Schemas['NamespaceBody'];

/** `GET git/namespaces` */
export type IGitLabNamespaceList = Schemas['NamespaceList'];

export type ProjectVisibility = Schemas['PublishBody']['visibility'];

/**
 * `POST git/publish` body, without the folder; without `namespace_id` the
 * project goes to the user's personal namespace.
 */
export type IPublishRequest = Pick<
  Schemas['PublishBody'],
  'name' | 'visibility'
> &
  Partial<Pick<Schemas['PublishBody'], 'namespace_id'>>;

export type IGitLabProject = Schemas['ProjectBody'];

/** `POST git/publish`: the project, and the status once pushed to it. */
export type IPublishResult = Schemas['PublishedBody'];

/** GitLab's words for `status`: `pending`, `running`, `success`, `failed`, ... */
export type IGitLabPipeline = Schemas['PipelineBody'];

/** `GET git/pipeline?path=`: the newest pipeline of the current branch. */
export type ILatestPipeline = Schemas['LatestPipeline'];

export type IMergeRequest = Schemas['MergeRequestBody'];

/** `GET git/merge-requests?path=`: those of the current branch. */
export type IMergeRequestList = Schemas['MergeRequestList'];

/** `POST git/merge-requests` body, without the folder. */
export type IMergeRequestCreate = Omit<Schemas['NewMergeRequestBody'], 'path'>;

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
