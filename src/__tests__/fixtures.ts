import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { PlatformRequestError } from '../request';
import {
  IArtifactContent,
  IArtifactListing,
  IExperiment,
  IExperimentPage,
  IExperimentPrivacy,
  IExperimentQuery,
  IGitAPI,
  IGitBranch,
  IGitBranchList,
  IGitCommitResult,
  IGitFile,
  IGitLabAccount,
  IGitLabNamespaceList,
  IGitLabTokenInfo,
  IGitPullResult,
  IGitStatus,
  IHealth,
  IIdentity,
  ILatestPipeline,
  ILoggedNotebook,
  IMergeRequest,
  IMergeRequestCreate,
  IMergeRequestList,
  IMetricHistory,
  IMetricPoint,
  IMlflowAPI,
  IMlflowConfig,
  IPlatformAPI,
  IPodPreview,
  IPodSpecPreview,
  IProfile,
  IProfileList,
  IProfileRecord,
  IProfilesAPI,
  IPublishRequest,
  IPublishResult,
  IRunComparison,
  IRunDetail,
  IRunPage,
  IRunQuery,
  IRunRow,
  ProfileBody
} from '../tokens';

export const english: TranslationBundle =
  nullTranslator.load('jupyterlab_mlplat');

export function identity(overrides: Partial<IIdentity> = {}): IIdentity {
  return {
    name: 'alice',
    groups: ['data-scientists'],
    roles: ['data_scientist'],
    mode: 'hub',
    ...overrides
  };
}

export function health(overrides: Partial<IHealth> = {}): IHealth {
  return {
    status: 'ok',
    version: '0.1.0',
    mode: 'hub',
    checks: { database: { status: 'ok' } },
    ...overrides
  };
}

/** One scripted answer: a value, or an error to throw. */
export type Answer<T> = T | PlatformRequestError | Error;

export function unavailable(message: string): PlatformRequestError {
  return new PlatformRequestError({
    status: 503,
    url: 'http://localhost/jupyterlab-mlplat/me',
    serverMessage: message,
    reason: 'Service Unavailable',
    requestId: 'req-503'
  });
}

/**
 * An API whose answers the test scripts call by call; the last answer
 * repeats, like a server that stays in the state it was left in.
 */
export class ScriptedAPI implements IPlatformAPI {
  constructor(
    public identities: Answer<IIdentity>[],
    public healths: Answer<IHealth>[] = [health()]
  ) {}

  calls = 0;

  identity(): Promise<IIdentity> {
    this.calls++;
    return ScriptedAPI.next(this.identities);
  }

  health(): Promise<IHealth> {
    return ScriptedAPI.next(this.healths);
  }

  private static next<T>(answers: Answer<T>[]): Promise<T> {
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer);
  }
}

/* ---------------------------------------------------------------- MLflow */

export function mlflowConfig(
  overrides: Partial<IMlflowConfig> = {}
): IMlflowConfig {
  return {
    enabled: true,
    ui_url: 'http://mlflow.example/',
    user: 'alice',
    ...overrides
  };
}

export function experiment(overrides: Partial<IExperiment> = {}): IExperiment {
  return {
    id: '1',
    name: 'alice/churn',
    owner: 'alice',
    lifecycle_stage: 'active',
    creation_time: 1_700_000_000_000,
    last_update_time: 1_700_000_100_000,
    can_write: true,
    private: false,
    ...overrides
  };
}

export function runRow(overrides: Partial<IRunRow> = {}): IRunRow {
  return {
    id: 'r1',
    name: 'brave-owl-1',
    experiment_id: '1',
    status: 'FINISHED',
    start_time: 1_700_000_000_000,
    end_time: 1_700_000_065_000,
    duration_ms: 65_000,
    user: 'alice',
    source_notebook: 'projects/churn/train.ipynb',
    git_commit: '0123456789abcdef0123',
    params: {},
    metrics: {},
    can_write: true,
    ...overrides
  };
}

export function runDetail(overrides: Partial<IRunDetail> = {}): IRunDetail {
  return {
    ...runRow(),
    tags: {},
    artifact_uri: 'mlflow-artifacts:/1/r1/artifacts',
    ui_url: 'http://mlflow.example/#/experiments/1/runs/r1',
    ...overrides
  };
}

export function runPage(overrides: Partial<IRunPage> = {}): IRunPage {
  return {
    runs: [runRow()],
    next_page_token: null,
    columns: { params: ['lr', 'depth'], metrics: ['auc', 'loss'] },
    active: false,
    ...overrides
  };
}

/**
 * An MLflow API whose answers the test scripts per method, recording every
 * call with its arguments; the last answer of a method repeats.
 */
export class ScriptedMlflow implements IMlflowAPI {
  configs: Answer<IMlflowConfig>[] = [mlflowConfig()];
  experimentPages: Answer<IExperimentPage>[] = [
    { experiments: [experiment()], next_page_token: null }
  ];
  runPages: Answer<IRunPage>[] = [runPage()];
  runs_: Answer<IRunDetail>[] = [runDetail()];
  histories: { [key: string]: IMetricPoint[] } = {};
  listings: { [path: string]: Answer<IArtifactListing> } = {};
  contents: { [path: string]: Answer<IArtifactContent> } = {};
  logged: Answer<ILoggedNotebook>[] = [
    { artifact_path: 'notebook/train.ipynb', git_commit: null }
  ];
  comparisons: Answer<IRunComparison>[] = [];
  /** Answers of setExperimentPrivate; by default the server agrees. */
  privacies: Answer<IExperimentPrivacy>[] = [];

  calls: { method: string; args: unknown[] }[] = [];

  callsOf(method: string): unknown[][] {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  config(): Promise<IMlflowConfig> {
    return this._answer('config', [], this.configs);
  }

  experiments(query: IExperimentQuery): Promise<IExperimentPage> {
    return this._answer('experiments', [query], this.experimentPages);
  }

  runs(query: IRunQuery): Promise<IRunPage> {
    return this._answer('runs', [query], this.runPages);
  }

  setExperimentPrivate(
    experimentId: string,
    value: boolean
  ): Promise<IExperimentPrivacy> {
    return this._answer(
      'setExperimentPrivate',
      [experimentId, value],
      this.privacies.length
        ? this.privacies
        : [{ id: experimentId, private: value }]
    );
  }

  run(runId: string): Promise<IRunDetail> {
    return this._answer('run', [runId], this.runs_);
  }

  metricHistory(runId: string, key: string): Promise<IMetricHistory> {
    this.calls.push({ method: 'metricHistory', args: [runId, key] });
    return Promise.resolve({ key, history: this.histories[key] ?? [] });
  }

  artifacts(runId: string, path: string): Promise<IArtifactListing> {
    return this._answer(
      'artifacts',
      [runId, path],
      [this.listings[path] ?? { path, files: [] }]
    );
  }

  artifact(runId: string, path: string): Promise<IArtifactContent> {
    return this._answer(
      'artifact',
      [runId, path],
      [
        this.contents[path] ??
          new PlatformRequestError({
            status: 404,
            url: path,
            serverMessage: 'gone'
          })
      ]
    );
  }

  artifactDownloadUrl(runId: string, path: string): string {
    return `http://localhost/download/${runId}?path=${encodeURIComponent(path)}`;
  }

  logNotebook(runId: string, notebookPath: string): Promise<ILoggedNotebook> {
    return this._answer('logNotebook', [runId, notebookPath], this.logged);
  }

  compare(runIds: readonly string[]): Promise<IRunComparison> {
    return this._answer('compare', [runIds], this.comparisons);
  }

  private _answer<T>(
    method: string,
    args: unknown[],
    answers: Answer<T>[]
  ): Promise<T> {
    this.calls.push({ method, args });
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer);
  }
}

/* -------------------------------------------------------------- profiles */

export function profile(overrides: Partial<IProfile> = {}): IProfile {
  return {
    slug: 'cpu-large',
    display_name: 'Large CPU',
    description: 'For training classical models on bigger data.',
    default: false,
    image: 'quay.io/jupyter/scipy-notebook:2026-11-16',
    cpu_guarantee: '4',
    cpu_limit: '8',
    mem_guarantee: '16Gi',
    mem_limit: '32Gi',
    gpu: 0,
    gpu_resource: 'nvidia.com/gpu',
    node_selector: {},
    tolerations: [],
    environment: {},
    allowed_groups: [],
    quota: {
      servers_per_user: null,
      gpus_per_user: null,
      servers_per_group: null,
      gpus_per_group: null
    },
    order: 2,
    ...overrides
  };
}

export function profileRecord(
  overrides: Partial<IProfile> = {},
  record: Partial<Omit<IProfileRecord, 'profile'>> = {}
): IProfileRecord {
  return {
    profile: profile(overrides),
    revision: 3,
    updated_at: '2026-11-20T10:00:00+00:00',
    updated_by: 'system',
    ...record
  };
}

/** The seeded profiles of the embedded workbench, as an admin lists them. */
export function profileList(): IProfileList {
  return {
    profiles: [
      profileRecord(
        {
          slug: 'cpu-small',
          display_name: 'Small CPU',
          description: 'For notebooks.',
          default: true,
          cpu_guarantee: '0.5',
          cpu_limit: '2',
          mem_guarantee: '1Gi',
          mem_limit: '4Gi',
          order: 1
        },
        { revision: 1 }
      ),
      profileRecord(),
      profileRecord(
        {
          slug: 'gpu-1',
          display_name: 'One GPU',
          gpu: 1,
          node_selector: { 'mlplat/accelerator': 'nvidia' },
          tolerations: [
            { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }
          ],
          allowed_groups: ['gpu-users'],
          order: 3
        },
        { revision: 1, updated_by: 'adam' }
      )
    ],
    known_groups: ['data-scientists', 'gpu-users', 'reviewers']
  };
}

export function podPreview(
  overrides: Partial<IPodSpecPreview> = {}
): IPodPreview {
  return {
    pod: {
      image: 'quay.io/jupyter/scipy-notebook:2026-11-16',
      resources: {
        requests: { cpu: '4', memory: '16Gi' },
        limits: { cpu: '8', memory: '32Gi' }
      },
      nodeSelector: {},
      tolerations: [],
      env: [],
      ...overrides
    }
  };
}

/** A 400 of the platform naming the wrong inputs. */
export function invalidProfile(fields: {
  [path: string]: string;
}): PlatformRequestError {
  const [first] = Object.keys(fields);
  return new PlatformRequestError({
    status: 400,
    url: 'http://localhost/jupyterlab-mlplat/profiles',
    serverMessage: `field ${first}: ${fields[first]}`,
    reason: 'invalid_input',
    fields
  });
}

export function conflict(message: string): PlatformRequestError {
  return new PlatformRequestError({
    status: 409,
    url: 'http://localhost/jupyterlab-mlplat/profiles/cpu-large',
    serverMessage: message,
    reason: 'conflict'
  });
}

/**
 * A profiles API whose answers the test scripts per method, recording every
 * call with its arguments; the last answer of a method repeats.
 */
export class ScriptedProfiles implements IProfilesAPI {
  lists: Answer<IProfileList>[] = [profileList()];
  created: Answer<IProfileRecord>[] = [];
  updated: Answer<IProfileRecord>[] = [];
  deleted: Answer<void>[] = [undefined];
  previews: Answer<IPodPreview>[] = [podPreview()];

  calls: { method: string; args: unknown[] }[] = [];

  callsOf(method: string): unknown[][] {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  profiles(): Promise<IProfileList> {
    return this._answer('profiles', [], this.lists);
  }

  createProfile(body: ProfileBody): Promise<IProfileRecord> {
    return this._answer('createProfile', [body], this.created);
  }

  updateProfile(
    slug: string,
    body: ProfileBody,
    revision: number
  ): Promise<IProfileRecord> {
    return this._answer('updateProfile', [slug, body, revision], this.updated);
  }

  deleteProfile(slug: string, revision: number): Promise<void> {
    return this._answer('deleteProfile', [slug, revision], this.deleted);
  }

  previewProfile(body: ProfileBody): Promise<IPodPreview> {
    return this._answer('previewProfile', [body], this.previews);
  }

  private _answer<T>(
    method: string,
    args: unknown[],
    answers: Answer<T>[]
  ): Promise<T> {
    this.calls.push({ method, args });
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer as T);
  }
}

/* ------------------------------------------------------------------- git */

export function gitFile(overrides: Partial<IGitFile> = {}): IGitFile {
  return {
    path: 'train.ipynb',
    index: '.',
    worktree: 'M',
    notebook: {
      added: 1,
      removed: 0,
      edited: 2,
      outputs_only: false,
      readable: true
    },
    ...overrides
  };
}

export function gitStatus(overrides: Partial<IGitStatus> = {}): IGitStatus {
  return {
    folder: 'churn',
    repository: 'churn',
    branch: 'main',
    upstream: 'origin/main',
    ahead: 0,
    behind: 0,
    remote_url: 'http://gitlab.example/alice/churn.git',
    files: [gitFile(), gitFile({ path: 'notes.txt', notebook: null })],
    ...overrides
  };
}

export function gitBranches(
  branches: Partial<IGitBranch>[] = [
    { name: 'main', current: true, upstream: 'origin/main' },
    { name: 'origin/main', remote: true }
  ]
): IGitBranchList {
  return {
    branches: branches.map(b => ({
      name: 'main',
      current: false,
      remote: false,
      upstream: null,
      ...b
    }))
  };
}

export function gitlabAccount(
  overrides: Partial<IGitLabAccount> = {}
): IGitLabAccount {
  return {
    configured: true,
    url: 'http://gitlab.example',
    token: {
      gitlab_username: 'alice',
      hint: 'x9Qz',
      saved_at: '2026-11-20T10:00:00+00:00'
    },
    ...overrides
  };
}

export function mergeRequest(
  overrides: Partial<IMergeRequest> = {}
): IMergeRequest {
  return {
    iid: 3,
    title: 'Deeper trees',
    state: 'opened',
    web_url: 'http://gitlab.example/alice/churn/-/merge_requests/3',
    source_branch: 'tune',
    target_branch: 'main',
    pipeline: null,
    ...overrides
  };
}

/** A failed request as the server extension answers it. */
export function gitError(
  status: number,
  message: string
): PlatformRequestError {
  return new PlatformRequestError({
    status,
    url: 'http://localhost/jupyterlab-mlplat/git/x',
    serverMessage: message,
    reason: null
  });
}

/** The message the server sends when GitLab has commits the branch lacks. */
export const NON_FAST_FORWARD =
  'GitLab has commits your branch does not have. Pull first; push with force only if you mean to overwrite them.';

/**
 * A git API whose answers the test scripts per method, recording every call
 * with its arguments; the last answer of a method repeats. An answer may be
 * a function, to hold a request open until the test lets it finish.
 */
export class ScriptedGit implements IGitAPI {
  statuses: GitAnswer<IGitStatus>[] = [gitStatus()];
  inits: GitAnswer<IGitStatus>[] = [gitStatus()];
  commits: GitAnswer<IGitCommitResult>[] = [
    { commit: '0123456789abcdef', linked_runs: [] }
  ];
  pulls: GitAnswer<IGitPullResult>[] = [{ updated: true, conflicts: [] }];
  pushes: GitAnswer<IGitStatus>[] = [gitStatus()];
  branchLists: GitAnswer<IGitBranchList>[] = [gitBranches()];
  createdBranches: GitAnswer<IGitStatus>[] = [gitStatus()];
  checkouts: GitAnswer<IGitStatus>[] = [gitStatus()];
  accounts: GitAnswer<IGitLabAccount>[] = [gitlabAccount()];
  savedTokens: GitAnswer<IGitLabTokenInfo>[] = [
    {
      gitlab_username: 'alice',
      hint: 'abcd',
      saved_at: '2026-11-21T10:00:00+00:00'
    }
  ];
  deletedTokens: GitAnswer<void>[] = [undefined];
  namespaceLists: GitAnswer<IGitLabNamespaceList>[] = [
    {
      namespaces: [
        { id: 1001, path: 'alice', kind: 'user' },
        { id: 1002, path: 'analytics', kind: 'group' }
      ]
    }
  ];
  publishes: GitAnswer<IPublishResult>[] = [];
  mergeRequestLists: GitAnswer<IMergeRequestList>[] = [{ merge_requests: [] }];
  createdMergeRequests: GitAnswer<IMergeRequest>[] = [mergeRequest()];
  pipelines: GitAnswer<ILatestPipeline>[] = [{ pipeline: null }];

  calls: { method: string; args: unknown[] }[] = [];

  callsOf(method: string): unknown[][] {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  status(path: string): Promise<IGitStatus> {
    return this._answer('status', [path], this.statuses);
  }
  init(path: string): Promise<IGitStatus> {
    return this._answer('init', [path], this.inits);
  }
  commit(
    path: string,
    files: readonly string[],
    message: string,
    clearOutputs: boolean
  ): Promise<IGitCommitResult> {
    return this._answer(
      'commit',
      [path, [...files], message, clearOutputs],
      this.commits
    );
  }
  pull(path: string): Promise<IGitPullResult> {
    return this._answer('pull', [path], this.pulls);
  }
  push(path: string, force?: boolean): Promise<IGitStatus> {
    return this._answer('push', [path, force ?? false], this.pushes);
  }
  branches(path: string): Promise<IGitBranchList> {
    return this._answer('branches', [path], this.branchLists);
  }
  createBranch(path: string, name: string): Promise<IGitStatus> {
    return this._answer('createBranch', [path, name], this.createdBranches);
  }
  checkout(path: string, name: string): Promise<IGitStatus> {
    return this._answer('checkout', [path, name], this.checkouts);
  }
  account(): Promise<IGitLabAccount> {
    return this._answer('account', [], this.accounts);
  }
  saveToken(token: string): Promise<IGitLabTokenInfo> {
    return this._answer('saveToken', [token], this.savedTokens);
  }
  deleteToken(): Promise<void> {
    return this._answer('deleteToken', [], this.deletedTokens);
  }
  namespaces(): Promise<IGitLabNamespaceList> {
    return this._answer('namespaces', [], this.namespaceLists);
  }
  publish(path: string, request: IPublishRequest): Promise<IPublishResult> {
    return this._answer('publish', [path, request], this.publishes);
  }
  mergeRequests(path: string): Promise<IMergeRequestList> {
    return this._answer('mergeRequests', [path], this.mergeRequestLists);
  }
  createMergeRequest(
    path: string,
    request: IMergeRequestCreate
  ): Promise<IMergeRequest> {
    return this._answer(
      'createMergeRequest',
      [path, request],
      this.createdMergeRequests
    );
  }
  pipeline(path: string): Promise<ILatestPipeline> {
    return this._answer('pipeline', [path], this.pipelines);
  }

  private _answer<T>(
    method: string,
    args: unknown[],
    answers: GitAnswer<T>[]
  ): Promise<T> {
    this.calls.push({ method, args });
    if (answers.length === 0) {
      return Promise.reject(new Error(`no answer scripted for ${method}`));
    }
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    if (typeof answer === 'function') {
      return (answer as () => Promise<T>)();
    }
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer as T);
  }
}

export type GitAnswer<T> = Answer<T> | (() => Promise<T>);

/** A request the test finishes when it wants (to see progress meanwhile). */
export function held<T>(): {
  answer: () => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { answer: () => promise, resolve, reject };
}
