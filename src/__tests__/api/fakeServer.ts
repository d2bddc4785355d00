import * as http from 'http';
import { AddressInfo } from 'net';

import { PlatformRequestError } from '../../api/request';

/**
 * A stand-in for the server extension that speaks its HTTP contract, so the
 * client is tested over a real connection with real fetch.
 */
export class FakeServerExtension {
  requests: { method: string; url: string; authorization?: string }[] = [];
  /** The query and body of each request, in the order they came. */
  received: { path: string; query: URLSearchParams; body: string }[] = [];
  routes = new Map<
    string,
    { status: number; body: string | Buffer; type?: string }
  >();

  async start(): Promise<string> {
    this._server = http.createServer((req, res) => {
      // JupyterLab adds a cache-busting query; routes match the path.
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      this.requests.push({
        method: req.method ?? '',
        url: path,
        authorization: req.headers['authorization']
      });
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({
          path,
          query: url.searchParams,
          body: Buffer.concat(chunks).toString('utf8')
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
export async function failure(
  request: Promise<unknown>
): Promise<PlatformRequestError> {
  try {
    await request;
  } catch (error) {
    return error as PlatformRequestError;
  }
  throw new Error('the request succeeded');
}
