import { ServerConnection } from '@jupyterlab/services';

import { GitClient, gitlabProjectPage, gitlabTokenPage } from '../../git/api';
import { failure, FakeServerExtension } from '../api/fakeServer';
import {
  gitBranches,
  gitlabAccount,
  gitStatus,
  mergeRequest,
  NON_FAST_FORWARD
} from './fixtures';

describe('GitClient', () => {
  const server = new FakeServerExtension();
  const base = '/user/alice/jupyterlab-mlplat/git';
  let client: GitClient;

  beforeAll(async () => {
    const baseUrl = await server.start();
    client = new GitClient(
      ServerConnection.makeSettings({ baseUrl, token: 'tok3n' })
    );
  });

  afterAll(() => server.stop());

  beforeEach(() => {
    server.requests = [];
    server.received = [];
    server.routes.clear();
  });

  const answer = (route: string, status: number, body: unknown) =>
    server.routes.set(`${base}/${route}`, {
      status,
      body: body === undefined ? '' : JSON.stringify(body)
    });

  /** What the server got: method, path, the folder asked about, JSON body. */
  const sent = (index = 0) => ({
    method: server.requests[index].method,
    url: server.requests[index].url,
    path: server.received[index].query.get('path'),
    body: server.received[index].body
      ? JSON.parse(server.received[index].body)
      : null
  });

  it('reads the status of a folder, passed as a query parameter', async () => {
    answer('status', 200, gitStatus());

    await expect(client.status('projects/churn')).resolves.toEqual(gitStatus());

    expect(sent()).toEqual({
      method: 'GET',
      url: `${base}/status`,
      path: 'projects/churn',
      body: null
    });
    expect(server.requests[0].authorization).toBe('token tok3n');
  });

  it('keeps any folder name inside the query (the root is "")', async () => {
    answer('status', 200, gitStatus());

    await client.status('');
    await client.status('../a b/?x=1#y');

    expect(server.received[0].query.get('path')).toBe('');
    expect(server.requests[1].url).toBe(`${base}/status`);
    expect(server.received[1].query.get('path')).toBe('../a b/?x=1#y');
  });

  it('initialises a repository', async () => {
    answer('init', 201, gitStatus());

    await client.init('churn');

    expect(sent()).toMatchObject({
      method: 'POST',
      url: `${base}/init`,
      body: { path: 'churn' }
    });
  });

  it('commits the files with the message and the outputs choice', async () => {
    answer('commit', 201, { commit: 'abc123', linked_runs: ['r1'] });

    const result = await client.commit(
      'churn',
      ['train.ipynb', 'data/notes.txt'],
      'First model',
      true
    );

    await client.commit('churn', ['notes.txt'], 'Keep outputs', false);

    expect(result).toEqual({ commit: 'abc123', linked_runs: ['r1'] });
    expect(sent(1).body).toEqual({
      path: 'churn',
      files: ['notes.txt'],
      message: 'Keep outputs',
      clear_outputs: false
    });
    expect(sent()).toMatchObject({
      method: 'POST',
      url: `${base}/commit`,
      body: {
        path: 'churn',
        files: ['train.ipynb', 'data/notes.txt'],
        message: 'First model',
        clear_outputs: true
      }
    });
  });

  it('pulls, and lists the conflicts git left', async () => {
    answer('pull', 200, { updated: true, conflicts: ['notes.txt'] });

    await expect(client.pull('churn')).resolves.toEqual({
      updated: true,
      conflicts: ['notes.txt']
    });
    expect(sent()).toMatchObject({
      method: 'POST',
      url: `${base}/pull`,
      body: { path: 'churn' }
    });
  });

  it('sends force only when asked to', async () => {
    answer('push', 200, gitStatus());

    await client.push('churn');
    await client.push('churn', true);

    expect(sent(0).body).toEqual({ path: 'churn' });
    expect(sent(1).body).toEqual({ path: 'churn', force: true });
  });

  it('carries GitLab’s refusal of a push as a 409 with its message', async () => {
    answer('push', 409, { message: NON_FAST_FORWARD, reason: 'Conflict' });

    const error = await failure(client.push('churn'));

    expect(error.status).toBe(409);
    expect(error.serverMessage).toBe(NON_FAST_FORWARD);
  });

  it('lists, creates and switches branches', async () => {
    answer('branches', 200, gitBranches());
    answer('checkout', 200, gitStatus({ branch: 'tune' }));

    await expect(client.branches('churn')).resolves.toEqual(gitBranches());
    answer('branches', 201, gitStatus({ branch: 'tune' }));
    await client.createBranch('churn', 'tune');
    await client.checkout('churn', 'main');

    expect(sent(0)).toMatchObject({
      method: 'GET',
      url: `${base}/branches`,
      path: 'churn'
    });
    expect(sent(1)).toMatchObject({
      method: 'POST',
      url: `${base}/branches`,
      body: { path: 'churn', name: 'tune' }
    });
    expect(sent(2)).toMatchObject({
      method: 'POST',
      url: `${base}/checkout`,
      body: { path: 'churn', name: 'main' }
    });
  });

  it('reads, saves and deletes the GitLab token', async () => {
    answer('account', 200, gitlabAccount());
    await expect(client.account()).resolves.toEqual(gitlabAccount());

    answer('account', 200, {
      gitlab_username: 'alice',
      hint: 'Wxyz',
      saved_at: '2026-11-21T10:00:00+00:00'
    });
    await expect(client.saveToken('glpat-Wxyz')).resolves.toMatchObject({
      hint: 'Wxyz'
    });

    answer('account', 204, undefined);
    await expect(client.deleteToken()).resolves.toBeUndefined();

    expect(server.requests.map(r => [r.method, r.url])).toEqual([
      ['GET', `${base}/account`],
      ['PUT', `${base}/account`],
      ['DELETE', `${base}/account`]
    ]);
    expect(sent(1).body).toEqual({ token: 'glpat-Wxyz' });
    // The token travels in the body only, never in a URL.
    expect(server.requests.some(r => r.url.includes('glpat'))).toBe(false);
    expect(server.received[1].query.toString()).not.toContain('glpat');
  });

  it('carries GitLab’s refusal of a token', async () => {
    answer('account', 403, {
      message: 'GitLab refused your token: it is wrong, expired or revoked.'
    });

    const error = await failure(client.saveToken('glpat-wrong'));

    expect(error.status).toBe(403);
    expect(error.serverMessage).toContain('GitLab refused your token');
  });

  it('publishes to the personal namespace unless a group is chosen', async () => {
    const published = {
      project: {
        id: 2001,
        path_with_namespace: 'alice/churn',
        web_url: 'http://gitlab.example/alice/churn',
        http_url_to_repo: 'http://gitlab.example/alice/churn.git',
        default_branch: 'main'
      },
      status: gitStatus()
    };
    answer('publish', 201, published);
    answer('namespaces', 200, {
      namespaces: [{ id: 1002, path: 'analytics', kind: 'group' }]
    });

    await expect(
      client.publish('churn', { name: 'churn', visibility: 'private' })
    ).resolves.toEqual(published);
    await client.publish('churn', {
      name: 'churn',
      namespace_id: 1002,
      visibility: 'internal'
    });
    await client.namespaces();

    expect(sent(0)).toMatchObject({
      method: 'POST',
      url: `${base}/publish`,
      body: { path: 'churn', name: 'churn', visibility: 'private' }
    });
    expect(sent(0).body).not.toHaveProperty('namespace_id');
    expect(sent(1).body).toEqual({
      path: 'churn',
      name: 'churn',
      namespace_id: 1002,
      visibility: 'internal'
    });
    expect(sent(2)).toMatchObject({
      method: 'GET',
      url: `${base}/namespaces`
    });
  });

  it('lists and opens merge requests and reads the pipeline', async () => {
    answer('merge-requests', 200, { merge_requests: [mergeRequest()] });
    answer('pipeline', 200, { pipeline: null });

    await expect(client.mergeRequests('churn')).resolves.toEqual({
      merge_requests: [mergeRequest()]
    });
    await client.pipeline('churn');
    answer('merge-requests', 201, mergeRequest());
    await client.createMergeRequest('churn', {
      title: 'Deeper trees',
      description: 'depth 4 beats 3',
      target_branch: 'main'
    });

    expect(sent(0)).toMatchObject({
      method: 'GET',
      url: `${base}/merge-requests`,
      path: 'churn'
    });
    expect(sent(1)).toMatchObject({
      method: 'GET',
      url: `${base}/pipeline`,
      path: 'churn'
    });
    expect(sent(2)).toMatchObject({
      method: 'POST',
      url: `${base}/merge-requests`,
      body: {
        path: 'churn',
        title: 'Deeper trees',
        description: 'depth 4 beats 3',
        target_branch: 'main'
      }
    });
  });
});

describe('GitLab pages', () => {
  it('turns a clone URL into the project’s page, without credentials', () => {
    expect(
      gitlabProjectPage('https://oauth2:secret@gitlab.example/team/churn.git')
    ).toEqual({
      path: 'team/churn',
      webUrl: 'https://gitlab.example/team/churn'
    });
    expect(gitlabProjectPage('git@gitlab.example:team/churn.git')).toBeNull();
    expect(gitlabProjectPage('javascript:alert(1)')).toBeNull();
    expect(gitlabProjectPage(null)).toBeNull();
  });

  it('links to GitLab’s token page with the scopes filled in', () => {
    expect(gitlabTokenPage('http://gitlab.example/')).toBe(
      'http://gitlab.example/-/user_settings/personal_access_tokens?name=ML+workbench&scopes=api%2Cwrite_repository'
    );
    expect(gitlabTokenPage('javascript:alert(1)')).toBeNull();
    expect(gitlabTokenPage(null)).toBeNull();
  });
});
