import * as http from 'http';
import { AddressInfo } from 'net';

import { ServerConnection } from '@jupyterlab/services';

import { PlatformClient, PlatformRequestError, requestAPI } from '../request';
import { health, identity } from './fixtures';

/**
 * A stand-in for the server extension that speaks its HTTP contract, so the
 * client is tested over a real connection with real fetch.
 */
class FakeServerExtension {
  requests: { method: string; url: string; authorization?: string }[] = [];
  routes = new Map<string, { status: number; body: string; type?: string }>();

  async start(): Promise<string> {
    this._server = http.createServer((req, res) => {
      // JupyterLab adds a cache-busting query; routes match the path.
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      this.requests.push({
        method: req.method ?? '',
        url: path,
        authorization: req.headers['authorization']
      });
      const route = this.routes.get(path) ?? {
        status: 404,
        body: JSON.stringify({ message: 'Not Found', reason: 'Not Found' })
      };
      res.writeHead(route.status, {
        'Content-Type': route.type ?? 'application/json'
      });
      res.end(route.body);
    });
    await new Promise<void>(resolve =>
      this._server!.listen(0, '127.0.0.1', resolve)
    );
    const { port } = this._server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/user/alice/`;
  }

  async stop(): Promise<void> {
    await new Promise(resolve => this._server?.close(resolve));
  }

  private _server: http.Server | null = null;
}

/** The error a request failed with; fails the test if it succeeded. */
async function failure(
  request: Promise<unknown>
): Promise<PlatformRequestError> {
  try {
    await request;
  } catch (error) {
    return error as PlatformRequestError;
  }
  throw new Error('the request succeeded');
}

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
