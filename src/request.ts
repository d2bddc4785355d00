import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IErrorBody, IHealth, IIdentity, IPlatformAPI } from './tokens';

/** URL namespace of the server extension below the Jupyter server base URL. */
export const API_NAMESPACE = 'jupyterlab-mlplat';

/**
 * A failed call to the server extension.
 *
 * `serverMessage` is what the server said, kept apart from `message` (which
 * is for logs) so the UI can show it as text or fall back to a translated
 * sentence when the server said nothing useful.
 */
export class PlatformRequestError extends Error {
  constructor(options: PlatformRequestError.IOptions) {
    super(
      options.serverMessage ??
        (options.status === 0
          ? `No answer from ${options.url}`
          : `HTTP ${options.status} from ${options.url}`)
    );
    this.name = 'PlatformRequestError';
    this.status = options.status;
    this.serverMessage = options.serverMessage ?? null;
    this.reason = options.reason ?? null;
    this.requestId = options.requestId ?? null;
  }

  /** HTTP status; 0 when no response arrived (network down, server gone). */
  readonly status: number;
  readonly serverMessage: string | null;
  readonly reason: string | null;
  /** Lets a user quote the failing request to an administrator. */
  readonly requestId: string | null;

  /**
   * Whether waiting may help: the server extension answers 503 while the
   * platform is down, and no answer at all means the user server is away.
   */
  get isUnavailable(): boolean {
    return this.status === 503 || this.status === 0;
  }
}

export namespace PlatformRequestError {
  export interface IOptions {
    status: number;
    url: string;
    serverMessage?: string | null;
    reason?: string | null;
    requestId?: string | null;
  }
}

/**
 * Call the server extension and decode its JSON answer.
 *
 * Every error becomes a `PlatformRequestError`, so callers branch on a status
 * and a message instead of on the many shapes `fetch` failures take.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(serverSettings.baseUrl, API_NAMESPACE, endPoint);

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, serverSettings);
  } catch (error) {
    throw new PlatformRequestError({ status: 0, url });
  }

  const text = await response.text();
  let body: unknown = undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      // A proxy's HTML error page, for instance; handled below.
    }
  }

  if (!response.ok) {
    const error = Private.errorBody(body);
    throw new PlatformRequestError({
      status: response.status,
      url,
      serverMessage: error.message,
      reason: error.reason,
      requestId: error.request_id
    });
  }
  if (body === undefined) {
    throw new PlatformRequestError({
      status: response.status,
      url,
      reason: 'invalid-json'
    });
  }
  return body as T;
}

/** The platform API over HTTP through the user's Jupyter server. */
export class PlatformClient implements IPlatformAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  identity(): Promise<IIdentity> {
    return requestAPI<IIdentity>('me', { method: 'GET' }, this._serverSettings);
  }

  health(): Promise<IHealth> {
    return requestAPI<IHealth>(
      'health',
      { method: 'GET' },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

namespace Private {
  /** Pick the documented fields, ignoring anything that is not a string. */
  export function errorBody(body: unknown): Partial<IErrorBody> {
    if (typeof body !== 'object' || body === null) {
      return {};
    }
    const record = body as Record<string, unknown>;
    const pick = (key: string): string | undefined =>
      typeof record[key] === 'string' && record[key] !== ''
        ? (record[key] as string)
        : undefined;
    return {
      message: pick('message'),
      reason: pick('reason'),
      request_id: pick('request_id')
    };
  }
}
