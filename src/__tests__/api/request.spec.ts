import * as http from 'http';
import { AddressInfo } from 'net';

import { ServerConnection } from '@jupyterlab/services';

import { MlflowClient, runsQuery } from '../../experiments/api';
import { PlatformClient } from '../../shell/api';
import { requestAPI } from '../../api/request';
import { failure, FakeServerExtension } from './fakeServer';
import { experiment, runDetail, runPage } from '../experiments/fixtures';
import { health, identity } from '../shell/fixtures';

describe('requestAPI', () => {
  const server = new FakeServerExtension();
  let settings: ServerConnection.ISettings;

  beforeAll(async () => {
    const baseUrl = await server.start();
    settings = ServerConnection.makeSettings({ baseUrl, token: 'tok3n' });
  });

  afterAll(() => server.stop());

  beforeEach(() => {
    server.requests = [];
    server.received = [];
    server.routes.clear();
  });

  it('GETs /me and /health below the base URL with the user token', async () => {
    server.routes.set('/user/alice/jupyterlab-mlplat/me', {
      status: 200,
      body: JSON.stringify(identity({ roles: ['admin'] }))
    });
    server.routes.set('/user/alice/jupyterlab-mlplat/health', {
      status: 200,
      body: JSON.stringify(health())
    });
    const client = new PlatformClient(settings);

    await expect(client.identity()).resolves.toEqual(
      identity({ roles: ['admin'] })
    );
    await expect(client.health()).resolves.toEqual(health());
    expect(server.requests).toEqual([
      {
        method: 'GET',
        url: '/user/alice/jupyterlab-mlplat/me',
        authorization: 'token tok3n'
      },
      {
        method: 'GET',
        url: '/user/alice/jupyterlab-mlplat/health',
        authorization: 'token tok3n'
      }
    ]);
  });

  it('turns a 503 JSON body into an unavailable error', async () => {
    server.routes.set('/user/alice/jupyterlab-mlplat/me', {
      status: 503,
      body: JSON.stringify({
        message: 'The platform is not reachable',
        reason: 'Service Unavailable',
        request_id: 'a1b2'
      })
    });

    const error = await failure(requestAPI('me', {}, settings));

    expect(error.status).toBe(503);
    expect(error.isUnavailable).toBe(true);
    expect(error.serverMessage).toBe('The platform is not reachable');
    expect(error.reason).toBe('Service Unavailable');
    expect(error.requestId).toBe('a1b2');
  });

  it('keeps the status of other errors and is not unavailable', async () => {
    server.routes.set('/user/alice/jupyterlab-mlplat/me', {
      status: 403,
      body: JSON.stringify({ message: 'Forbidden: alice' })
    });

    const error = await failure(requestAPI('me', {}, settings));

    expect(error.status).toBe(403);
    expect(error.isUnavailable).toBe(false);
    expect(error.serverMessage).toBe('Forbidden: alice');
    expect(error.requestId).toBeNull();
  });

  it('survives an error page that is not JSON', async () => {
    server.routes.set('/user/alice/jupyterlab-mlplat/me', {
      status: 502,
      body: '<html><body>Bad gateway</body></html>',
      type: 'text/html'
    });

    const error = await failure(requestAPI('me', {}, settings));

    expect(error.status).toBe(502);
    expect(error.serverMessage).toBeNull();
    expect(error.message).toContain('HTTP 502');
  });

  it('rejects a success answer that is not JSON', async () => {
    server.routes.set('/user/alice/jupyterlab-mlplat/me', {
      status: 200,
      body: 'hello',
      type: 'text/plain'
    });

    const error = await failure(requestAPI('me', {}, settings));

    expect(error.reason).toBe('invalid-json');
  });

  it('reports a server that is gone as status 0, unavailable', async () => {
    // Given a port nobody listens on
    const probe = http.createServer();
    await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise(resolve => probe.close(resolve));
    const gone = ServerConnection.makeSettings({
      baseUrl: `http://127.0.0.1:${port}/`
    });

    const error = await failure(requestAPI('health', {}, gone));

    expect(error.status).toBe(0);
    expect(error.isUnavailable).toBe(true);
  });
});

describe('MlflowClient', () => {
  const server = new FakeServerExtension();
  const base = '/user/alice/jupyterlab-mlplat/mlflow';
  let client: MlflowClient;
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await server.start();
    client = new MlflowClient(
      ServerConnection.makeSettings({ baseUrl, token: 'tok3n' })
    );
  });

  afterAll(() => server.stop());

  beforeEach(() => {
    server.requests = [];
    server.received = [];
    server.routes.clear();
  });

  const json = (value: unknown) => ({
    status: 200,
    body: JSON.stringify(value)
  });

  /** The query a request was sent with, without the cache-busting number. */
  const query = (index = 0) =>
    [...server.received[index].query.entries()].filter(
      ([key, value]) => !/^\d+$/.test(key) || value !== ''
    );

  it('searches experiments with filter, size and page token as parameters', async () => {
    const page = { experiments: [experiment()], next_page_token: 'n2' };
    server.routes.set(`${base}/experiments`, json(page));

    await expect(
      client.experiments({ filter: 'a&b=c/../x', pageToken: 'p 1' })
    ).resolves.toEqual(page);

    expect(server.requests[0].authorization).toBe('token tok3n');
    expect(query()).toEqual([
      ['filter', 'a&b=c/../x'],
      ['max_results', '50'],
      ['page_token', 'p 1']
    ]);
  });

  it('asks for runs with paging, sort and one column parameter each', async () => {
    server.routes.set(`${base}/experiments/7/runs`, json(runPage()));

    await client.runs({
      experimentId: '7',
      pageToken: 'tok',
      sort: { kind: 'metric', key: 'val auc', direction: 'desc' },
      columns: [
        { kind: 'metric', key: 'val auc' },
        { kind: 'param', key: 'lr' }
      ]
    });

    expect(query()).toEqual([
      ['max_results', '25'],
      ['page_token', 'tok'],
      ['sort', 'metric:val auc'],
      ['sort_dir', 'desc'],
      ['column', 'metric:val auc'],
      ['column', 'param:lr']
    ]);
  });

  it('keeps ids inside their path segment', async () => {
    server.routes.set(`${base}/runs/a%2F..%2Fb`, json({ run: runDetail() }));
    await expect(client.run('a/../b')).resolves.toEqual(runDetail());
  });

  it('reads run details, metric history, artifacts and comparisons', async () => {
    server.routes.set(
      `${base}/runs/r1/metric-history`,
      json({ key: 'loss', history: [] })
    );
    server.routes.set(
      `${base}/runs/r1/artifacts`,
      json({ path: 'a b', files: [] })
    );
    server.routes.set(
      `${base}/compare`,
      json({ runs: [], param_keys: [], metric_keys: [], histories: {} })
    );
    server.routes.set(
      `${base}/config`,
      json({ enabled: true, ui_url: null, user: 'alice' })
    );

    await client.metricHistory('r1', 'loss/val');
    await client.artifacts('r1', 'a b');
    await client.compare(['r1', 'r2', 'r3']);
    await expect(client.config()).resolves.toEqual({
      enabled: true,
      ui_url: null,
      user: 'alice'
    });

    expect(query(0)).toEqual([['key', 'loss/val']]);
    expect(query(1)).toEqual([['path', 'a b']]);
    expect(query(2)).toEqual([
      ['run_id', 'r1'],
      ['run_id', 'r2'],
      ['run_id', 'r3']
    ]);
  });

  it('POSTs the notebook path to log it', async () => {
    server.routes.set(
      `${base}/runs/r1/notebook`,
      json({ artifact_path: 'notebook/a.ipynb', git_commit: 'abc' })
    );

    await expect(client.logNotebook('r1', 'dir/a.ipynb')).resolves.toEqual({
      artifact_path: 'notebook/a.ipynb',
      git_commit: 'abc'
    });
    expect(server.requests[0].method).toBe('POST');
    expect(JSON.parse(server.received[0].body)).toEqual({
      path: 'dir/a.ipynb'
    });
  });

  it('POSTs the privacy of an experiment to its own path', async () => {
    server.routes.set(
      `${base}/experiments/7/private`,
      json({ id: '7', private: true })
    );

    await expect(client.setExperimentPrivate('7', true)).resolves.toEqual({
      id: '7',
      private: true
    });
    await client.setExperimentPrivate('7', false);

    expect(server.requests.map(r => [r.method, r.url])).toEqual([
      ['POST', `${base}/experiments/7/private`],
      ['POST', `${base}/experiments/7/private`]
    ]);
    expect(JSON.parse(server.received[0].body)).toEqual({ private: true });
    expect(JSON.parse(server.received[1].body)).toEqual({ private: false });
  });

  it('keeps the server message when privacy is refused', async () => {
    server.routes.set(`${base}/experiments/a%2Fb/private`, {
      status: 403,
      body: JSON.stringify({ message: 'only bob may change this experiment' })
    });

    const error = await failure(client.setExperimentPrivate('a/b', true));

    expect(server.requests[0].url).toBe(`${base}/experiments/a%2Fb/private`);
    expect(error.status).toBe(403);
    expect(error.serverMessage).toBe('only bob may change this experiment');
  });

  it('decodes text artifacts and keeps images as blobs', async () => {
    server.routes.set(`${base}/runs/r1/artifact`, {
      status: 200,
      body: 'héllo',
      type: 'text/plain; charset=utf-8'
    });
    const text = await client.artifact('r1', 'notes/a.txt');
    expect(text).toEqual({
      contentType: 'text/plain; charset=utf-8',
      text: 'héllo',
      blob: null
    });
    expect(query()).toEqual([['path', 'notes/a.txt']]);

    server.routes.set(`${base}/runs/r1/artifact`, {
      status: 200,
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      type: 'image/png'
    });
    const image = await client.artifact('r1', 'plot.png');
    expect(image.contentType).toBe('image/png');
    expect(image.text).toBeNull();
    expect(image.blob?.size).toBe(4);
  });

  it('turns an artifact error into a request error with the message', async () => {
    server.routes.set(`${base}/runs/r1/artifact`, {
      status: 404,
      body: JSON.stringify({ message: 'no such artifact: x' })
    });

    const error = await failure(client.artifact('r1', 'x'));

    expect(error.status).toBe(404);
    expect(error.serverMessage).toBe('no such artifact: x');
  });

  it('builds the download link with download=1', () => {
    const url = new URL(client.artifactDownloadUrl('r 1', 'dir/a b.txt'));
    expect(url.pathname).toBe(`${base}/runs/r%201/artifact`);
    expect([...url.searchParams.entries()]).toEqual([
      ['path', 'dir/a b.txt'],
      ['download', '1']
    ]);
  });
});

describe('runsQuery', () => {
  it('leaves out what was not asked for', () => {
    expect(runsQuery({ experimentId: '1' }).toString()).toBe('max_results=25');
  });
});
