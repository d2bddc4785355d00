import { PlatformRequestError } from '../../api/request';
import { GitModel } from '../../git/model';
import { IGitCommitResult } from '../../git/types';
import {
  commitResult,
  gitBranches,
  gitError,
  gitlabAccount,
  gitStatus,
  held,
  mergeRequest,
  NON_FAST_FORWARD,
  pullResult,
  ScriptedGit
} from './fixtures';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Resolve once `condition` holds, checking every millisecond or so. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await sleep(1);
  }
}

/** Resolve when the model's state satisfies a predicate. */
function until(
  model: GitModel,
  predicate: (state: GitModel.IState) => boolean
): Promise<GitModel.IState> {
  if (predicate(model.state)) {
    return Promise.resolve(model.state);
  }
  return new Promise(resolve => {
    const onChange = (_: GitModel, state: GitModel.IState) => {
      if (predicate(state)) {
        model.stateChanged.disconnect(onChange);
        resolve(state);
      }
    };
    model.stateChanged.connect(onChange);
  });
}

describe('GitModel', () => {
  let api: ScriptedGit;
  let model: GitModel;

  beforeEach(() => {
    api = new ScriptedGit();
    model = new GitModel({ api, auto: false, fileChangeDelay: 5 });
  });

  afterEach(() => model.dispose());

  /** Show the tab on the folder "churn" and wait for everything to load. */
  async function shown(): Promise<GitModel.IState> {
    model.setDocumentFolder('churn');
    model.panelVisible = true;
    model.tabVisible = true;
    await model.refresh();
    return model.state;
  }

  describe('reading', () => {
    it('asks nothing while the tab is hidden', async () => {
      model.setDocumentFolder('churn');
      model.panelVisible = true;
      await sleep(10);

      expect(api.calls).toEqual([]);
    });

    it('loads the status, branches, account and GitLab side when shown', async () => {
      api.pipelines = [
        {
          pipeline: {
            id: 4001,
            status: 'running',
            ref: 'main',
            sha: 'abc',
            web_url: 'http://gitlab.example/p/1'
          }
        }
      ];
      const state = await shown();

      expect(state.status).toEqual({ kind: 'ready' });
      expect(state.folder).toBe('churn');
      expect(state.repo?.branch).toBe('main');
      expect(state.repo?.files.map(f => f.path)).toEqual([
        'train.ipynb',
        'notes.txt'
      ]);
      expect(state.branches?.map(b => b.name)).toEqual(['main', 'origin/main']);
      expect(state.account).toEqual({ kind: 'ready', value: gitlabAccount() });
      expect(state.remote.pipeline?.status).toBe('running');
      expect(state.remote.mergeRequests).toEqual([]);
      expect(api.callsOf('status')).toContainEqual(['churn']);
      expect(api.callsOf('pipeline')).toContainEqual(['churn']);
    });

    it('does not ask GitLab without a token or without a remote', async () => {
      api.accounts = [gitlabAccount({ token: null })];
      await shown();
      expect(api.callsOf('mergeRequests')).toEqual([]);
      expect(api.callsOf('pipeline')).toEqual([]);

      api.accounts = [gitlabAccount()];
      api.statuses = [gitStatus({ remote_url: null, upstream: null })];
      await model.refresh();
      expect(api.callsOf('mergeRequests')).toEqual([]);
    });

    it('does not read branches of a folder outside any repository', async () => {
      api.statuses = [gitStatus({ repository: null, branch: null, files: [] })];
      const state = await shown();

      expect(state.repo?.repository).toBeNull();
      expect(api.callsOf('branches')).toEqual([]);
    });

    it('shows why a folder cannot be read, in the server’s words', async () => {
      api.statuses = [
        gitError(
          403,
          "'../..' is outside your home folder; git works only inside it."
        )
      ];
      const state = await shown();

      expect(state.status).toEqual({
        kind: 'error',
        status: 403,
        message:
          "'../..' is outside your home folder; git works only inside it.",
        requestId: null
      });
    });

    it('reads the status again once file changes pause', async () => {
      await shown();
      const before = api.callsOf('status').length;

      model.filesChanged();
      model.filesChanged();
      model.filesChanged();
      await sleep(30);

      expect(api.callsOf('status').length).toBe(before + 1);
    });
  });

  describe('folder', () => {
    it('follows the current document until the user picks a folder', async () => {
      await shown();

      model.setDocumentFolder('other/place');
      await until(model, s => s.repo !== null && s.folder === 'other/place');
      expect(api.callsOf('status').pop()).toEqual(['other/place']);

      await model.setFolder('/typed/folder/');
      expect(model.state.folder).toBe('typed/folder');
      expect(model.state.following).toBe(false);

      model.setDocumentFolder('third');
      await sleep(5);
      expect(model.state.folder).toBe('typed/folder');

      await model.followDocument();
      expect(model.state.folder).toBe('third');
      expect(model.state.following).toBe(true);
    });

    it('drops the answer for a folder no longer shown', async () => {
      await shown();
      const slow = held<ReturnType<typeof gitStatus>>();
      api.statuses = [slow.answer, gitStatus({ folder: 'b', repository: 'b' })];

      model.setDocumentFolder('a');
      model.setDocumentFolder('b');
      await until(model, s => s.repo?.repository === 'b');
      slow.resolve(gitStatus({ folder: 'a', repository: 'a' }));
      await sleep(5);

      expect(model.state.folder).toBe('b');
      expect(model.state.repo?.repository).toBe('b');
    });
  });

  describe('commit', () => {
    it('commits the picked files with outputs cleared by default', async () => {
      api.commits = [
        commitResult({ commit: 'feedbeef00112233', linked_runs: ['run-1'] })
      ];
      await shown();
      model.toggleFile('train.ipynb');
      model.setMessage('First model');

      expect(model.state.clearOutputs).toBe(true);
      await expect(model.commit()).resolves.toBe(true);

      expect(api.callsOf('commit')).toEqual([
        ['churn', ['train.ipynb'], 'First model', true]
      ]);
      expect(model.state.outcomes.commit).toEqual({
        kind: 'committed',
        commit: 'feedbeef00112233',
        linkedRuns: ['run-1']
      });
      expect(model.state.draft).toEqual({ message: '', selection: [] });
    });

    it('commits in a repository at the home folder’s root (named "")', async () => {
      api.statuses = [gitStatus({ folder: '', repository: '' })];
      model.setDocumentFolder('');
      model.panelVisible = true;
      model.tabVisible = true;
      await model.refresh();
      model.toggleFile('train.ipynb');
      model.setMessage('First model');

      expect(model.canCommit).toBe(true);
      await expect(model.commit()).resolves.toBe(true);
      expect(api.callsOf('commit')).toEqual([
        ['', ['train.ipynb'], 'First model', true]
      ]);
    });

    it('sends outputs along when the user turns clearing off', async () => {
      await shown();
      model.setSelection(['train.ipynb', 'notes.txt']);
      model.setMessage('With outputs');
      model.setClearOutputs(false);

      await model.commit();

      expect(api.callsOf('commit')).toEqual([
        ['churn', ['train.ipynb', 'notes.txt'], 'With outputs', false]
      ]);
    });

    it('keeps the message and the picked files when the commit fails', async () => {
      api.commits = [
        gitError(409, 'Nothing to commit: the selected files have no changes.')
      ];
      await shown();
      model.toggleFile('notes.txt');
      model.setMessage('Explain the notes');

      await expect(model.commit()).resolves.toBe(false);

      expect(model.state.draft).toEqual({
        message: 'Explain the notes',
        selection: ['notes.txt']
      });
      expect(model.state.outcomes.commit).toMatchObject({
        kind: 'failed',
        status: 409,
        message: 'Nothing to commit: the selected files have no changes.',
        operation: 'commit'
      });
      // The status is read again: the failure may have changed something.
      expect(model.state.operation).toBeNull();
    });

    it('sends nothing without files or without a message', async () => {
      await shown();
      model.setMessage('A message');
      await expect(model.commit()).resolves.toBe(false);

      model.setMessage('   ');
      model.toggleFile('notes.txt');
      await expect(model.commit()).resolves.toBe(false);

      expect(api.callsOf('commit')).toEqual([]);
    });

    it('forgets picked files that no longer have changes', async () => {
      await shown();
      model.setSelection(['train.ipynb', 'notes.txt']);
      api.statuses = [gitStatus({ files: [gitStatusFile('notes.txt')] })];

      await model.refresh();

      expect(model.state.draft.selection).toEqual(['notes.txt']);
    });

    it('keeps each repository’s draft when the folder changes', async () => {
      await shown();
      model.setMessage('half-written');
      model.toggleFile('notes.txt');

      api.statuses = [gitStatus({ folder: 'other', repository: 'other' })];
      await model.setFolder('other');
      expect(model.state.draft).toEqual({ message: '', selection: [] });

      api.statuses = [gitStatus()];
      await model.setFolder('churn');
      expect(model.state.draft).toEqual({
        message: 'half-written',
        selection: ['notes.txt']
      });
    });

    it('runs one action at a time', async () => {
      const slow = held<IGitCommitResult>();
      api.commits = [slow.answer];
      await shown();
      model.toggleFile('notes.txt');
      model.setMessage('m');

      const committing = model.commit();
      expect(model.state.operation).toBe('commit');
      await expect(model.push()).resolves.toBe(false);
      expect(api.callsOf('push')).toEqual([]);

      slow.resolve(commitResult({ commit: 'c0ffee' }));
      await committing;
      expect(model.state.operation).toBeNull();
    });
  });

  describe('pull and push', () => {
    it('turns a rejected push into an offer to pull', async () => {
      api.pushes = [gitError(409, NON_FAST_FORWARD)];
      await shown();

      await expect(model.push()).resolves.toBe(false);

      expect(model.state.outcomes.sync).toEqual({
        kind: 'push-rejected',
        message: NON_FAST_FORWARD,
        requestId: null
      });
      expect(api.callsOf('push')).toEqual([['churn', false]]);

      await model.pull();
      expect(api.callsOf('pull')).toEqual([['churn']]);
      expect(model.state.outcomes.sync).toEqual({
        kind: 'pulled',
        updated: true,
        conflicts: []
      });
    });

    it('pushes with force only after a rejection and a yes', async () => {
      api.pushes = [gitError(409, NON_FAST_FORWARD), gitStatus()];
      await shown();
      const asked: string[] = [];

      // Nothing was rejected yet: force is not even offered.
      await expect(
        model.forcePush(async () => {
          asked.push('before');
          return true;
        })
      ).resolves.toBe(false);
      expect(asked).toEqual([]);

      await model.push();
      await expect(
        model.forcePush(async () => {
          asked.push('no');
          return false;
        })
      ).resolves.toBe(false);
      expect(api.callsOf('push')).toEqual([['churn', false]]);

      await expect(
        model.forcePush(async () => {
          asked.push('yes');
          return true;
        })
      ).resolves.toBe(true);
      expect(asked).toEqual(['no', 'yes']);
      expect(api.callsOf('push')).toEqual([
        ['churn', false],
        ['churn', true]
      ]);
      expect(model.state.outcomes.sync).toEqual({
        kind: 'pushed',
        forced: true
      });
    });

    it('lists the files a pull left in conflict', async () => {
      api.pulls = [pullResult({ conflicts: ['notes.txt', 'train.ipynb'] })];
      await shown();

      await model.pull();

      expect(model.state.outcomes.sync).toEqual({
        kind: 'pulled',
        updated: true,
        conflicts: ['notes.txt', 'train.ipynb']
      });
    });

    it('says GitLab is unreachable in the server’s words', async () => {
      api.pushes = [
        gitError(503, 'GitLab is not reachable right now (Connection refused).')
      ];
      await shown();

      await model.push();

      expect(model.state.outcomes.sync).toMatchObject({
        kind: 'failed',
        status: 503,
        message: 'GitLab is not reachable right now (Connection refused).',
        operation: 'push'
      });
    });

    it('asks GitLab at the next poll tick after a push (a pipeline starts)', async () => {
      model.dispose();
      api.pipelines = [
        {
          pipeline: {
            id: 4001,
            status: 'success',
            ref: 'main',
            sha: 'abc',
            web_url: 'http://gitlab.example/p/1'
          }
        }
      ];
      model = new GitModel({
        api,
        fileChangeDelay: 5,
        frequency: { interval: 40, backoff: false }
      });
      await shown();
      const before = api.callsOf('pipeline').length;
      // The pipeline is finished: a tick reads the status, not GitLab.
      const reads = api.callsOf('status').length;
      await waitUntil(() => api.callsOf('status').length > reads);
      expect(api.callsOf('pipeline').length).toBe(before);

      await model.push();
      expect(api.callsOf('pipeline').length).toBe(before);

      await waitUntil(() => api.callsOf('pipeline').length > before);
      expect(api.callsOf('pipeline').length).toBe(before + 1);
    });
    it('asks GitLab a moment after a push, with no poll running at all', async () => {
      model.dispose();
      // no poll: only the push's own follow-up can ask GitLab
      model = new GitModel({ api, fileChangeDelay: 5, auto: false });
      await shown();
      const before = api.callsOf('pipeline').length;
      const started = Date.now();

      await model.push();
      expect(api.callsOf('pipeline').length).toBe(before);
      await waitUntil(() => api.callsOf('pipeline').length > before);

      expect(Date.now() - started).toBeGreaterThanOrEqual(
        GitModel.GITLAB_SOON - 50
      );
      expect(api.callsOf('pipeline').length).toBe(before + 1);
      expect(model.state.remote.loading).toBe(false);
    });
  });

  describe('one request per action', () => {
    /** The API calls made while `action` ran. */
    async function callsDuring(action: () => Promise<boolean>) {
      await shown();
      api.calls = [];
      await expect(action()).resolves.toBe(true);
      return api.calls.map(call => call.method);
    }

    it('commits with one request and shows the status it answered', async () => {
      api.commits = [
        commitResult({
          status: gitStatus({ ahead: 1, files: [gitStatusFile('notes.txt')] })
        })
      ];
      await shown();
      model.toggleFile('train.ipynb');
      model.setMessage('First model');
      api.calls = [];

      await model.commit();

      expect(api.calls.map(call => call.method)).toEqual(['commit']);
      expect(model.state.repo?.ahead).toBe(1);
      expect(model.state.repo?.files.map(f => f.path)).toEqual(['notes.txt']);
      expect(model.state.status).toEqual({ kind: 'ready' });
    });

    it('pushes with one request and shows the status it answered', async () => {
      api.statuses = [gitStatus({ ahead: 2 })];
      api.pushes = [gitStatus({ ahead: 0 })];

      expect(await callsDuring(() => model.push())).toEqual(['push']);
      expect(model.state.repo?.ahead).toBe(0);
      expect(model.state.outcomes.sync).toEqual({
        kind: 'pushed',
        forced: false
      });
    });

    it('pulls and inits with one request each', async () => {
      expect(await callsDuring(() => model.pull())).toEqual(['pull']);

      api.statuses = [gitStatus({ repository: null, branch: null })];
      api.inits = [gitStatus({ upstream: null, remote_url: null })];
      expect(await callsDuring(() => model.init())).toEqual(['init']);
      expect(model.state.repo?.repository).toBe('churn');
      // A new repository has no branch until its first commit.
      expect(model.state.branches).toEqual([]);
    });

    it('asks GitLab, not git, after switching branches', async () => {
      api.checkouts = [
        gitStatus({ branch: 'feature', upstream: 'origin/feature' })
      ];
      api.branchLists = [
        gitBranches([
          { name: 'main', current: true, upstream: 'origin/main' },
          { name: 'origin/feature', remote: true },
          { name: 'origin/main', remote: true }
        ])
      ];

      expect(await callsDuring(() => model.checkout('origin/feature'))).toEqual(
        ['checkout', 'mergeRequests', 'pipeline']
      );
      expect(model.state.repo?.branch).toBe('feature');
      expect(model.state.remote.branch).toBe('feature');
      expect(model.state.branches).toEqual([
        {
          name: 'feature',
          current: true,
          remote: false,
          upstream: 'origin/feature'
        },
        {
          name: 'main',
          current: false,
          remote: false,
          upstream: 'origin/main'
        },
        {
          name: 'origin/feature',
          current: false,
          remote: true,
          upstream: null
        },
        { name: 'origin/main', current: false, remote: true, upstream: null }
      ]);
    });

    it('reads the status again after a failed action', async () => {
      api.pushes = [gitError(503, 'GitLab is not reachable right now.')];

      await shown();
      api.calls = [];
      await model.push();

      expect(api.calls.map(call => call.method)).toEqual([
        'push',
        'status',
        'branches'
      ]);
    });

    it('drops a status read that began before the action', async () => {
      await shown();
      const slow = held<ReturnType<typeof gitStatus>>();
      api.statuses = [slow.answer];
      api.pushes = [gitStatus({ ahead: 0 })];
      const reads = api.callsOf('status').length;
      model.filesChanged();
      await waitUntil(() => api.callsOf('status').length > reads);

      await model.push();
      slow.resolve(gitStatus({ ahead: 5 }));
      await sleep(5);

      expect(model.state.repo?.ahead).toBe(0);
    });

    it('reads a folder chosen during an action once the action is done', async () => {
      const slow = held<ReturnType<typeof gitStatus>>();
      api.pushes = [slow.answer];
      await shown();

      const pushing = model.push();
      api.statuses = [gitStatus({ folder: 'other', repository: 'other' })];
      const switching = model.setFolder('other');
      slow.resolve(gitStatus());
      await pushing;
      await switching;

      expect(model.state.folder).toBe('other');
      expect(model.state.repo?.repository).toBe('other');
      expect(model.state.status).toEqual({ kind: 'ready' });
    });
  });

  describe('refusals', () => {
    it('reads the folder again when publishing finds no repository (404)', async () => {
      api.statuses = [gitStatus({ remote_url: null, upstream: null })];
      api.publishes = [
        new PlatformRequestError({
          status: 404,
          url: 'http://localhost/jupyterlab-mlplat/git/publish',
          serverMessage: 'churn is not in a git repository; initialise one.',
          reason: 'git_not_a_repository',
          params: { folder: 'churn' }
        })
      ];
      await shown();
      api.statuses = [gitStatus({ repository: null, branch: null, files: [] })];

      await expect(
        model.publish({ name: 'churn', visibility: 'private' })
      ).resolves.toBe(false);

      expect(model.state.outcomes.publish).toMatchObject({
        kind: 'failed',
        status: 404,
        reason: 'git_not_a_repository',
        operation: 'publish'
      });
      expect(model.state.repo?.repository).toBeNull();
    });

    it('shows a merge request refused for want of a remote (400)', async () => {
      api.createdMergeRequests = [
        new PlatformRequestError({
          status: 400,
          url: 'http://localhost/jupyterlab-mlplat/git/merge-requests',
          serverMessage:
            'This repository has no remote. Publish it to GitLab first.',
          reason: 'git_no_remote'
        })
      ];
      await shown();

      await expect(
        model.createMergeRequest({
          title: 'Deeper trees',
          description: '',
          target_branch: 'main'
        })
      ).resolves.toBe(false);

      expect(model.state.outcomes.mergeRequest).toMatchObject({
        kind: 'failed',
        status: 400,
        reason: 'git_no_remote',
        operation: 'merge-request'
      });
    });
  });

  describe('branchesAfter', () => {
    const local = (
      name: string,
      current = false,
      upstream: string | null = null
    ) => ({
      name,
      current,
      remote: false,
      upstream
    });
    const remote = (name: string) => ({
      name,
      current: false,
      remote: true,
      upstream: null
    });

    it('lists the branch a first commit made', () => {
      expect(GitModel.branchesAfter([], gitStatus({ upstream: null }))).toEqual(
        [local('main', true)]
      );
    });

    it('lists a first push’s remote branch and upstream', () => {
      expect(
        GitModel.branchesAfter(
          [local('main'), local('tune', true), remote('origin/main')],
          gitStatus({ branch: 'tune', upstream: 'origin/tune' })
        )
      ).toEqual([
        local('main'),
        local('tune', true, 'origin/tune'),
        remote('origin/main'),
        remote('origin/tune')
      ]);
    });

    it('knows no branches outside a repository', () => {
      expect(
        GitModel.branchesAfter(
          [local('main', true)],
          gitStatus({ repository: null, branch: null })
        )
      ).toBeNull();
    });
  });

  describe('branches, GitLab and the token', () => {
    it('creates a branch and switches to a remote one by its local name', async () => {
      await shown();

      await model.createBranch(' tune ');
      await model.checkout('origin/feature');

      expect(api.callsOf('createBranch')).toEqual([['churn', 'tune']]);
      expect(api.callsOf('checkout')).toEqual([['churn', 'feature']]);
      expect(model.state.outcomes.branch).toEqual({
        kind: 'switched',
        name: 'feature'
      });
    });

    it('keeps the token out of its state', async () => {
      await shown();

      await expect(model.saveToken('glpat-secret-value')).resolves.toBe(true);

      expect(api.callsOf('saveToken')).toEqual([['glpat-secret-value']]);
      expect(JSON.stringify(model.state)).not.toContain('glpat-secret-value');
      expect(model.state.account).toMatchObject({
        kind: 'ready',
        value: { token: { gitlab_username: 'alice', hint: 'abcd' } }
      });
    });

    it('shows GitLab’s refusal of a token', async () => {
      api.savedTokens = [
        gitError(
          403,
          'GitLab refused your token: it is wrong, expired or revoked.'
        )
      ];
      await shown();

      await expect(model.saveToken('glpat-wrong')).resolves.toBe(false);

      expect(model.state.outcomes.account).toMatchObject({
        kind: 'failed',
        status: 403,
        message: 'GitLab refused your token: it is wrong, expired or revoked.'
      });
      expect(JSON.stringify(model.state)).not.toContain('glpat-wrong');
    });

    it('publishes with the chosen group and visibility', async () => {
      api.statuses = [gitStatus({ remote_url: null, upstream: null })];
      api.publishes = [
        {
          project: {
            id: 2001,
            path_with_namespace: 'analytics/churn',
            web_url: 'http://gitlab.example/analytics/churn',
            http_url_to_repo: 'http://gitlab.example/analytics/churn.git',
            default_branch: 'main'
          },
          status: gitStatus({
            remote_url: 'http://gitlab.example/analytics/churn.git'
          })
        }
      ];
      await shown();
      api.statuses = [
        gitStatus({ remote_url: 'http://gitlab.example/analytics/churn.git' })
      ];

      await model.publish({
        name: 'churn',
        namespace_id: 1002,
        visibility: 'internal'
      });

      expect(api.callsOf('publish')).toEqual([
        ['churn', { name: 'churn', namespace_id: 1002, visibility: 'internal' }]
      ]);
      expect(model.state.outcomes.publish).toMatchObject({
        kind: 'published',
        project: { path_with_namespace: 'analytics/churn' }
      });
      expect(model.state.repo?.remote_url).toBe(
        'http://gitlab.example/analytics/churn.git'
      );
    });

    it('adds an opened merge request to the branch’s list', async () => {
      api.mergeRequestLists = [
        { merge_requests: [] },
        { merge_requests: [mergeRequest()] }
      ];
      await shown();

      await model.createMergeRequest({
        title: 'Deeper trees',
        description: 'depth 4 beats 3',
        target_branch: 'main'
      });

      expect(api.callsOf('createMergeRequest')).toEqual([
        [
          'churn',
          {
            title: 'Deeper trees',
            description: 'depth 4 beats 3',
            target_branch: 'main'
          }
        ]
      ]);
      expect(model.state.remote.mergeRequests).toEqual([mergeRequest()]);
    });
  });
});

function gitStatusFile(path: string) {
  return { path, index: '.', worktree: 'M', notebook: null };
}
