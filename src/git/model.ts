import { Debouncer, IPoll, Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import { PlatformModel } from '../shell/model';
import { PlatformRequestError } from '../api/request';
import { IFailure as INoteFailure } from '../shell/notes';
import {
  IGitAPI,
  IGitBranch,
  IGitLabAccount,
  IGitLabNamespace,
  IGitLabPipeline,
  IGitLabProject,
  IGitStatus,
  IMergeRequest,
  IMergeRequestCreate,
  IPublishRequest
} from './types';
import { TabModel } from '../shell/tabModel';

/**
 * What the Git tab shows: one folder's repository, the commit being
 * written, the GitLab side of the branch and the user's GitLab token.
 *
 * The folder follows the document the user works on until they pick one
 * themselves. Status is read when the tab comes into view, when files
 * change on the server, and by a slow poll while the tab is seen; every git
 * action answers with the new status itself, so a commit or a push is one
 * request. GitLab (merge requests, pipeline) is asked only when that can
 * have changed, or every poll tick while a pipeline is still going.
 *
 * One action runs at a time: git takes a lock on the repository, and two
 * buttons pressed together would make the second fail with a lock error.
 */
export class GitModel extends TabModel<GitModel.IState> {
  constructor(options: GitModel.IOptions) {
    super({
      folder: '',
      following: true,
      documentFolder: null,
      status: { kind: 'loading' },
      repo: null,
      branches: null,
      draft: { message: '', selection: [] },
      clearOutputs: true,
      operation: null,
      outcomes: {},
      account: { kind: 'loading' },
      namespaces: { kind: 'loading' },
      remote: GitModel.EMPTY_REMOTE
    });
    this._api = options.api;
    this._poll = new Poll({
      auto: options.auto ?? true,
      factory: () => this._tick(),
      frequency: { ...GitModel.DEFAULT_FREQUENCY, ...options.frequency },
      name: 'jupyterlab-mlplat:git',
      standby: () => (this.visible ? 'when-hidden' : true)
    });
    this._filesChanged = new Debouncer(
      () => this._load({ branches: true }),
      options.fileChangeDelay ?? GitModel.FILE_CHANGE_DELAY
    );
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /* ---------------------------------------------------------------- folder */

  /**
   * The folder of the document the user is looking at (null when the
   * current widget is not a file). Shown at once while following.
   */
  setDocumentFolder(folder: string | null): void {
    if (folder === null || folder === this._state.documentFolder) {
      return;
    }
    this._update({ documentFolder: folder });
    if (this._state.following && folder !== this._state.folder) {
      this._switchFolder(folder, true);
    }
  }

  /** Show a folder the user typed or picked; stop following documents. */
  setFolder(folder: string): Promise<void> {
    const clean = GitModel.normalizeFolder(folder);
    if (clean === this._state.folder && !this._state.following) {
      return this.refresh();
    }
    this._switchFolder(clean, false);
    return this._settle();
  }

  /** Follow the current document's folder again. */
  followDocument(): Promise<void> {
    const folder = this._state.documentFolder ?? this._state.folder;
    if (folder === this._state.folder) {
      this._update({ following: true });
      return Promise.resolve();
    }
    this._switchFolder(folder, true);
    return this._settle();
  }

  /* ---------------------------------------------------------------- reading */

  /**
   * Read everything again: status, branches, the GitLab account and the
   * branch's merge requests and pipeline. Resolves once the answers are in.
   */
  async refresh(): Promise<void> {
    // GitLab is asked only once the account says there is a token to ask with.
    await Promise.all([this._load({ branches: true }), this._loadAccount()]);
    if (!this._state.operation && this._state.status.kind === 'ready') {
      await this._loadRemote();
    }
  }

  /** A file changed on the server: read the status once the changes pause. */
  filesChanged(): void {
    // A hidden tab reads everything when it comes into view anyway.
    if (this.visible && !this.isDisposed) {
      void this._filesChanged.invoke();
    }
  }

  /**
   * Ask GitLab where a project may go (for the publish form): once, unless
   * the last answer was a failure or `again` is set.
   */
  async loadNamespaces(again = false): Promise<void> {
    const { kind } = this._state.namespaces;
    if (
      this._namespacesAsked &&
      !again &&
      (kind === 'loading' || kind === 'ready')
    ) {
      return;
    }
    this._namespacesAsked = true;
    this._update({ namespaces: { kind: 'loading' } });
    try {
      const answer = await this._api.namespaces();
      this._update({ namespaces: { kind: 'ready', value: answer.namespaces } });
    } catch (error) {
      this._update({ namespaces: PlatformModel.stateFromError(error) });
    }
  }

  /* ----------------------------------------------------------------- draft */

  setMessage(message: string): void {
    this._updateDraft({ message });
  }

  setClearOutputs(clearOutputs: boolean): void {
    this._update({ clearOutputs });
  }

  /** Pick or unpick a changed file for the next commit. */
  toggleFile(path: string): void {
    const { selection } = this._state.draft;
    this._updateDraft({
      selection: selection.includes(path)
        ? selection.filter(p => p !== path)
        : [...selection, path]
    });
  }

  /** Pick exactly these files (all or none, from the list's header). */
  setSelection(paths: readonly string[]): void {
    this._updateDraft({ selection: [...paths] });
  }

  /**
   * Whether the draft can be committed: files picked and a message written.
   * A repository at the home folder's root is `""`, and a repository all the
   * same: only `null` means none.
   */
  get canCommit(): boolean {
    const { draft, operation, repo } = this._state;
    return (
      !operation &&
      (repo?.repository ?? null) !== null &&
      draft.selection.length > 0 &&
      draft.message.trim() !== ''
    );
  }

  /* --------------------------------------------------------------- actions */

  /** Make the folder a repository (`git init`). */
  init(): Promise<boolean> {
    return this._act('repository', 'init', async folder => {
      const status = await this._api.init(folder);
      // A new repository has no branch until its first commit.
      this._took(folder, status, []);
      return { kind: 'initialised' };
    });
  }

  /**
   * Commit the picked files with the message. A failure keeps both, so the
   * user can fix the cause and press Commit again.
   */
  commit(): Promise<boolean> {
    if (!this.canCommit) {
      return Promise.resolve(false);
    }
    const { draft, clearOutputs } = this._state;
    const files = [...draft.selection];
    const message = draft.message;
    return this._act('commit', 'commit', async folder => {
      const result = await this._api.commit(
        folder,
        files,
        message,
        clearOutputs
      );
      this._took(folder, result.status);
      const now = this._state.draft;
      // "Repository created, now commit" has been followed.
      this.dismiss('repository');
      this._updateDraft({
        // Whatever the user typed meanwhile is theirs, not the old message.
        message: now.message === message ? '' : now.message,
        selection: now.selection.filter(p => !files.includes(p))
      });
      return {
        kind: 'committed',
        commit: result.commit,
        linkedRuns: result.linked_runs
      };
    });
  }

  /** Bring GitLab's commits in; conflicts are left in the files, listed. */
  pull(): Promise<boolean> {
    return this._act('sync', 'pull', async folder => {
      const result = await this._api.pull(folder);
      this._took(folder, result.status);
      return {
        kind: 'pulled',
        updated: result.updated,
        conflicts: result.conflicts
      };
    });
  }

  /**
   * Send the branch to GitLab. When GitLab has commits the branch lacks
   * the outcome is `push-rejected`, which offers a pull, and a forced push
   * only through `forcePush`.
   */
  push(): Promise<boolean> {
    return this._act('sync', 'push', async folder => {
      try {
        const status = await this._api.push(folder);
        this._took(folder, status);
        return { kind: 'pushed', forced: false };
      } catch (error) {
        if (error instanceof PlatformRequestError && error.status === 409) {
          return { kind: 'push-rejected', ...PlatformModel.said(error) };
        }
        throw error;
      }
    });
  }

  /**
   * Overwrite the branch on GitLab. Only after a rejected push, and only
   * when `confirm` (a dialog naming what will be lost) says yes.
   */
  async forcePush(confirm: () => Promise<boolean>): Promise<boolean> {
    if (this._state.outcomes.sync?.kind !== 'push-rejected') {
      return false;
    }
    if (!(await confirm()) || this.isDisposed) {
      return false;
    }
    return this._act('sync', 'force-push', async folder => {
      const status = await this._api.push(folder, true);
      this._took(folder, status);
      return { kind: 'pushed', forced: true };
    });
  }

  /** Create a branch from the current commit and switch to it. */
  createBranch(name: string): Promise<boolean> {
    const clean = name.trim();
    if (!clean) {
      return Promise.resolve(false);
    }
    return this._act('branch', 'branch', async folder => {
      const status = await this._api.createBranch(folder, clean);
      this._took(folder, status);
      return { kind: 'branch-created', name: clean };
    });
  }

  /**
   * Switch to a branch. A remote-only one (`origin/x`) is checked out as
   * the local `x` that tracks it, as `git switch x` does.
   */
  checkout(name: string): Promise<boolean> {
    const local = name.replace(/^origin\//, '');
    if (local === this._state.repo?.branch) {
      return Promise.resolve(false);
    }
    return this._act('branch', 'checkout', async folder => {
      const status = await this._api.checkout(folder, local);
      this._took(folder, status);
      return { kind: 'switched', name: local };
    });
  }

  /**
   * Save a GitLab token; GitLab checks it first. The token is handed to the
   * API and kept nowhere here, not even in the state.
   */
  saveToken(token: string): Promise<boolean> {
    if (!token.trim()) {
      return Promise.resolve(false);
    }
    return this._act('account', 'save-token', async () => {
      const info = await this._api.saveToken(token.trim());
      const account = this._accountValue();
      this._update({
        account: {
          kind: 'ready',
          value: {
            configured: account?.configured ?? true,
            url: account?.url ?? null,
            token: info
          }
        },
        namespaces: { kind: 'loading' }
      });
      this._namespacesAsked = false;
      return { kind: 'token-saved', username: info.gitlab_username };
    });
  }

  /** Forget the saved token; pushes and GitLab calls stop working. */
  deleteToken(): Promise<boolean> {
    return this._act('account', 'delete-token', async () => {
      await this._api.deleteToken();
      const account = this._accountValue();
      this._update({
        account: {
          kind: 'ready',
          value: {
            configured: account?.configured ?? true,
            url: account?.url ?? null,
            token: null
          }
        },
        remote: GitModel.EMPTY_REMOTE
      });
      return { kind: 'token-deleted' };
    });
  }

  /** Create the GitLab project of this repository, add it as origin, push. */
  publish(request: IPublishRequest): Promise<boolean> {
    return this._act('publish', 'publish', async folder => {
      const result = await this._api.publish(folder, request);
      this._took(folder, result.status);
      return { kind: 'published', project: result.project };
    });
  }

  /** Open a merge request from the current branch (pushed first). */
  createMergeRequest(request: IMergeRequestCreate): Promise<boolean> {
    return this._act('mergeRequest', 'merge-request', async folder => {
      const created = await this._api.createMergeRequest(folder, request);
      const listed = this._state.remote.mergeRequests ?? [];
      this._update({
        remote: {
          ...this._state.remote,
          mergeRequests: [...listed.filter(m => m.iid !== created.iid), created]
        }
      });
      return { kind: 'merge-request-opened', mergeRequest: created };
    });
  }

  /** Forget the outcome shown in a section (its close button). */
  dismiss(section: GitModel.Section): void {
    const outcomes = { ...this._state.outcomes };
    delete outcomes[section];
    this._update({ outcomes });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    window.clearTimeout(this._gitlabTimer);
    this._filesChanged.dispose();
    Signal.clearData(this);
  }

  /* --------------------------------------------------------------- private */

  /** Coming into view: show the repository as it is now. */
  protected _shown(): void {
    void this.refresh();
  }

  private _switchFolder(folder: string, following: boolean): void {
    this._ticket++;
    this._remoteTicket++;
    this._update({
      folder,
      following,
      status: { kind: 'loading' },
      repo: null,
      branches: null,
      remote: GitModel.EMPTY_REMOTE,
      outcomes: this._state.outcomes.account
        ? { account: this._state.outcomes.account }
        : {}
    });
    if (this.visible) {
      this._pending = this._load({ branches: true, remote: true });
    }
  }

  /** Wait for the load a folder switch started. */
  private async _settle(): Promise<void> {
    await this._pending;
  }

  /**
   * One poll tick: the status, and GitLab while a pipeline moves or when an
   * action left it to ask (a push starts a pipeline in GitLab's own time).
   */
  private async _tick(): Promise<void> {
    if (this._state.operation || !this.visible) {
      return;
    }
    const pipeline = this._state.remote.pipeline;
    const moving =
      !!pipeline && !GitModel.FINISHED_PIPELINE.includes(pipeline.status);
    await this._load({
      branches: true,
      remote: moving || this._remoteDue,
      strict: true
    });
  }

  /**
   * Read the folder's status (and branches, and GitLab's side when asked).
   * Put off while an action runs: it is read once the action is done. An
   * answer for a folder no longer shown is dropped. With `strict` a failure
   * rejects, so the poll backs off.
   */
  private async _load(options: {
    branches?: boolean;
    remote?: boolean;
    strict?: boolean;
  }): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    if (this._state.operation) {
      this._putOff = {
        remote: !!options.remote || !!this._putOff?.remote
      };
      return;
    }
    const ticket = ++this._ticket;
    const folder = this._state.folder;
    const stale = () => ticket !== this._ticket || this.isDisposed;
    try {
      const status = await this._api.status(folder);
      if (stale()) {
        return;
      }
      this._setRepo(folder, status);
      if (options.branches && status.repository !== null) {
        const answer = await this._api.branches(folder);
        if (!stale()) {
          this._update({ branches: answer.branches });
        }
      }
    } catch (error) {
      if (stale()) {
        return;
      }
      this._update({ status: PlatformModel.stateFromError(error) });
      if (options.strict) {
        throw error;
      }
      return;
    }
    if (options.remote) {
      await this._loadRemote();
    }
  }

  /**
   * Take the status an action answered with, and the branch list it
   * implies (`branches`, when the action says what it is). A read that
   * started before the action is older: its answer is dropped.
   */
  private _took(
    folder: string,
    status: IGitStatus,
    branches?: IGitBranch[]
  ): void {
    if (folder !== this._state.folder || this.isDisposed) {
      return;
    }
    this._ticket++;
    this._setRepo(folder, status);
    this._update({
      branches: branches ?? GitModel.branchesAfter(this._state.branches, status)
    });
  }

  /** Take a status answer for `folder` as the one shown. */
  private _setRepo(folder: string, repo: IGitStatus): void {
    if (folder !== this._state.folder) {
      return;
    }
    const key = repo.repository;
    if (key !== this._repoKey) {
      // Another repository: keep this one's draft for when the user comes back.
      if (this._repoKey !== null) {
        this._drafts.set(this._repoKey, this._state.draft);
      }
      this._repoKey = key;
      const draft = (key !== null && this._drafts.get(key)) || {
        message: '',
        selection: []
      };
      this._update({ draft });
    }
    // Picked files that have no change any more cannot be committed.
    const changed = new Set(repo.files.map(f => f.path));
    const selection = this._state.draft.selection.filter(p => changed.has(p));
    if (selection.length !== this._state.draft.selection.length) {
      this._updateDraft({ selection });
    }
    this._update({ status: { kind: 'ready' }, repo });
  }

  /** The account, read when the tab comes into view; failures are shown. */
  private async _loadAccount(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const ticket = ++this._accountTicket;
    try {
      const account = await this._api.account();
      if (ticket === this._accountTicket && !this.isDisposed) {
        this._update({ account: { kind: 'ready', value: account } });
      }
    } catch (error) {
      if (ticket === this._accountTicket && !this.isDisposed) {
        this._update({ account: PlatformModel.stateFromError(error) });
      }
    }
  }

  /** GitLab's side of the branch, read once a moment after an action. */
  private _gitlabSoon(): void {
    window.clearTimeout(this._gitlabTimer);
    this._gitlabTimer = window.setTimeout(() => {
      if (this.isDisposed || !this._remoteDue || this._state.operation) {
        return;
      }
      void this._loadRemote().catch(() => undefined);
    }, GitModel.GITLAB_SOON);
  }

  /**
   * The branch's merge requests and latest pipeline, when there is a
   * GitLab to ask: a remote, and a token (GitLab answers as the user).
   */
  private async _loadRemote(): Promise<void> {
    const { repo } = this._state;
    const account = this._accountValue();
    if (!repo?.remote_url || !repo.branch || (account && !account.token)) {
      if (this._state.remote !== GitModel.EMPTY_REMOTE) {
        this._update({ remote: GitModel.EMPTY_REMOTE });
      }
      return;
    }
    const ticket = ++this._remoteTicket;
    const folder = this._state.folder;
    this._remoteDue = false;
    this._update({ remote: { ...this._state.remote, loading: true } });
    const [requests, latest] = await Promise.allSettled([
      this._api.mergeRequests(folder),
      this._api.pipeline(folder)
    ]);
    if (ticket !== this._remoteTicket || this.isDisposed) {
      return;
    }
    const failed = [requests, latest].find(
      (r): r is PromiseRejectedResult => r.status === 'rejected'
    );
    this._update({
      remote: {
        loading: false,
        branch: repo.branch,
        mergeRequests:
          requests.status === 'fulfilled'
            ? requests.value.merge_requests
            : this._state.remote.mergeRequests,
        pipeline:
          latest.status === 'fulfilled'
            ? latest.value.pipeline
            : this._state.remote.pipeline,
        failure: failed ? GitModel.failureOf(failed.reason) : null
      }
    });
  }

  /**
   * Run one action on the folder shown: only one at a time, its outcome
   * shown in its section. A git action answers with the new status, which
   * `run` takes (`_took`), so nothing is read again after a success; after
   * a failure the status is read, as it may have changed all the same.
   */
  private async _act(
    section: GitModel.Section,
    operation: GitModel.Operation,
    run: (folder: string) => Promise<GitModel.Outcome>
  ): Promise<boolean> {
    if (this._state.operation || this.isDisposed) {
      return false;
    }
    const folder = this._state.folder;
    this._update({
      operation,
      outcomes: { ...this._state.outcomes, [section]: undefined }
    });
    let outcome: GitModel.Outcome;
    try {
      outcome = await run(folder);
    } catch (error) {
      outcome = { ...GitModel.failureOf(error), operation };
    }
    if (this.isDisposed) {
      return false;
    }
    this._update({
      operation: null,
      outcomes:
        folder === this._state.folder || section === 'account'
          ? { ...this._state.outcomes, [section]: outcome }
          : this._state.outcomes
    });
    const ok = outcome.kind !== 'failed' && outcome.kind !== 'push-rejected';
    const gitlab = ok ? GitModel.gitlabAfter(operation) : 'no';
    if (gitlab === 'later') {
      // GitLab starts a pipeline (or lists a new merge request) in its own
      // time: ask it shortly after the action, not a whole poll period later.
      this._remoteDue = true;
      this._gitlabSoon();
    }
    const putOff = this._putOff;
    this._putOff = null;
    if (!ok || putOff || folder !== this._state.folder) {
      // Even a failure may have changed something (a pull that stopped
      // halfway); a read asked for meanwhile (another folder, files saved)
      // was put off until now.
      await this._load({
        branches: true,
        remote: gitlab === 'now' || !!putOff?.remote
      });
    } else if (gitlab === 'now') {
      await this._loadRemote();
    }
    return ok;
  }

  private _accountValue(): IGitLabAccount | null {
    const { account } = this._state;
    return account.kind === 'ready' ? account.value : null;
  }

  private _updateDraft(patch: Partial<GitModel.IDraft>): void {
    this._update({ draft: { ...this._state.draft, ...patch } });
  }

  private _accountTicket = 0;
  private _api: IGitAPI;
  private _drafts = new Map<string, GitModel.IDraft>();
  private _filesChanged: Debouncer;
  private _namespacesAsked = false;
  private _pending: Promise<void> = Promise.resolve();
  private _poll: Poll;
  /** A read asked for while an action ran, done once it is over. */
  private _putOff: { remote: boolean } | null = null;
  private _remoteDue = false;
  private _gitlabTimer = 0;
  private _remoteTicket = 0;
  private _repoKey: string | null = null;
  private _ticket = 0;
}

export namespace GitModel {
  export interface IOptions {
    api: IGitAPI;
    /** Start the poll on construction (default true). */
    auto?: boolean;
    /** Overrides of `DEFAULT_FREQUENCY`, in milliseconds. */
    frequency?: Partial<IPoll.Frequency>;
    /** How long file changes must pause before the status is read (ms). */
    fileChangeDelay?: number;
  }

  /**
   * Every 15 s while the tab is seen (saving a file reads it sooner); after
   * a failure the wait grows up to 2 min.
   */
  export const DEFAULT_FREQUENCY: IPoll.Frequency = {
    interval: 15 * 1000,
    backoff: true,
    max: 120 * 1000
  };

  /** Notebook autosave and "save all" come in bursts; read once after. */
  export const FILE_CHANGE_DELAY = 1000;

  /** Pipelines in these states will not change by themselves. */
  /** How long after a push or a new merge request GitLab is asked, in ms. */
  export const GITLAB_SOON = 1500;

  export const FINISHED_PIPELINE = [
    'success',
    'failed',
    'canceled',
    'skipped',
    'manual'
  ];

  /** Where an action's outcome is shown: next to the button that did it. */
  export type Section =
    | 'repository'
    | 'commit'
    | 'sync'
    | 'branch'
    | 'account'
    | 'publish'
    | 'mergeRequest';

  export type Operation =
    | 'init'
    | 'commit'
    | 'pull'
    | 'push'
    | 'force-push'
    | 'branch'
    | 'checkout'
    | 'save-token'
    | 'delete-token'
    | 'publish'
    | 'merge-request';

  /** The server refused or could not be reached; its words, as text. */
  export interface IFailure extends INoteFailure {
    kind: 'failed';
    /** The action that failed, when it was one. */
    operation?: Operation;
  }

  export type Outcome =
    | IFailure
    | { kind: 'initialised' }
    | {
        kind: 'committed';
        commit: string;
        /** MLflow runs now tagged with the commit. */
        linkedRuns: string[];
      }
    | { kind: 'pulled'; updated: boolean; conflicts: string[] }
    | { kind: 'pushed'; forced: boolean }
    /** GitLab has commits the branch lacks: offer a pull, force on request. */
    | ({ kind: 'push-rejected' } & PlatformModel.IServerSaid)
    | { kind: 'branch-created'; name: string }
    | { kind: 'switched'; name: string }
    | { kind: 'token-saved'; username: string }
    | { kind: 'token-deleted' }
    | { kind: 'published'; project: IGitLabProject }
    | { kind: 'merge-request-opened'; mergeRequest: IMergeRequest };

  /** The commit being written, kept per repository. */
  export interface IDraft {
    message: string;
    /** Picked paths, relative to the repository's top folder. */
    selection: string[];
  }

  export type Loadable<T> =
    | PlatformModel.ILoading
    | { kind: 'ready'; value: T }
    | PlatformModel.IUnavailable
    | PlatformModel.IError;

  /** GitLab's side of the current branch. */
  export interface IRemote {
    loading: boolean;
    /** The branch the answers are about. */
    branch: string | null;
    /** Null until asked. */
    mergeRequests: IMergeRequest[] | null;
    pipeline: IGitLabPipeline | null;
    failure: IFailure | null;
  }

  export const EMPTY_REMOTE: IRemote = {
    loading: false,
    branch: null,
    mergeRequests: null,
    pipeline: null,
    failure: null
  };

  export interface IState {
    /** The folder shown, relative to the server root ("" is the root). */
    folder: string;
    /** The folder changes with the current document. */
    following: boolean;
    /** The current document's folder; null before any was opened. */
    documentFolder: string | null;
    /** Of reading the folder's status. */
    status:
      | PlatformModel.ILoading
      | { kind: 'ready' }
      | PlatformModel.IUnavailable
      | PlatformModel.IError;
    /** The latest status of the folder; null until read. */
    repo: IGitStatus | null;
    /** Local and remote branches; null until read. */
    branches: IGitBranch[] | null;
    draft: IDraft;
    /** Commit notebooks without outputs (the files keep theirs). */
    clearOutputs: boolean;
    /** The action under way; buttons wait for it. */
    operation: Operation | null;
    /** The last outcome of each section's action. */
    outcomes: { [S in Section]?: Outcome };
    account: Loadable<IGitLabAccount>;
    namespaces: Loadable<IGitLabNamespace[]>;
    remote: IRemote;
  }

  /** A folder as the server wants it: relative, no leading or trailing "/". */
  export function normalizeFolder(folder: string): string {
    return folder
      .trim()
      .replace(/^[^/:]+:/, '')
      .replace(/\/+/g, '/')
      .replace(/^\/|\/$/g, '')
      .replace(/^\.$/, '');
  }

  /**
   * When to ask GitLab about the branch after an action succeeded: `now`
   * when the branch shown or what may be asked changed (another branch, a
   * new project, a token), `later` (the next poll tick) when GitLab's answer
   * follows in its own time (a push starts a pipeline), `no` when the
   * action cannot change it.
   */
  export function gitlabAfter(operation: Operation): 'now' | 'later' | 'no' {
    switch (operation) {
      case 'branch':
      case 'checkout':
      case 'publish':
      case 'save-token':
        return 'now';
      case 'pull':
      case 'push':
      case 'force-push':
      case 'merge-request':
        return 'later';
      default:
        return 'no';
    }
  }

  /**
   * The branch list as an action's answer leaves it, without asking git
   * again: the current branch marked (and listed, once it exists), its
   * upstream, and the remote branch a first push created. What only a full
   * read shows (branches a pull fetched) comes with the next poll tick.
   */
  export function branchesAfter(
    branches: readonly IGitBranch[] | null,
    status: IGitStatus
  ): IGitBranch[] | null {
    if (status.repository === null) {
      return null;
    }
    const current = status.branch;
    const next = (branches ?? []).map(branch =>
      branch.remote
        ? branch
        : {
            ...branch,
            current: branch.name === current,
            upstream:
              branch.name === current ? status.upstream : branch.upstream
          }
    );
    if (current !== null && !next.some(b => !b.remote && b.name === current)) {
      next.push({
        name: current,
        current: true,
        remote: false,
        upstream: status.upstream
      });
    }
    const upstream = status.upstream;
    if (upstream !== null && !next.some(b => b.remote && b.name === upstream)) {
      next.push({
        name: upstream,
        current: false,
        remote: true,
        upstream: null
      });
    }
    // As git lists them: local branches, then remote ones, each by name.
    return next.sort(
      (a, b) =>
        Number(a.remote) - Number(b.remote) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    );
  }

  /** Whatever a request threw, as the failure a section shows. */
  export function failureOf(error: unknown): IFailure {
    if (error instanceof PlatformRequestError) {
      return {
        kind: 'failed',
        status: error.status,
        ...PlatformModel.said(error)
      };
    }
    return {
      kind: 'failed',
      status: -1,
      message: error instanceof Error ? error.message : String(error),
      requestId: null
    };
  }
}
