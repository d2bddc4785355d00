import { PlatformRequestError } from '../../api/request';
import {
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
  ILatestPipeline,
  IMergeRequest,
  IMergeRequestCreate,
  IMergeRequestList,
  IPublishRequest,
  IPublishResult
} from '../../git/types';
import { Answer } from '../shell/fixtures';

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

/** `POST git/commit`'s answer: the commit, the runs tagged, the new status. */
export function commitResult(
  overrides: Partial<IGitCommitResult> = {}
): IGitCommitResult {
  return {
    commit: '0123456789abcdef',
    linked_runs: [],
    status: gitStatus({ ahead: 1, files: [] }),
    ...overrides
  };
}

/** `POST git/pull`'s answer: whether it changed anything, conflicts, status. */
export function pullResult(
  overrides: Partial<IGitPullResult> = {}
): IGitPullResult {
  return {
    updated: true,
    conflicts: [],
    status: gitStatus(),
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
  commits: GitAnswer<IGitCommitResult>[] = [commitResult()];
  pulls: GitAnswer<IGitPullResult>[] = [pullResult()];
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
