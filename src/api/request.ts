import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/*
 * The one place URLs of the server extension are built. Each feature's
 * client (`src/<feature>/api.ts`) calls `requestAPI` or `requestRaw` with
 * an endpoint relative to the extension's namespace.
 */

/**
 * Body of every 4xx/5xx answer of both APIs.
 *
 * `reason` is a stable code the UI translates (see `shell/errors.ts`);
 * `message` is the English fallback, shown when no label knows the reason.
 */
export interface IErrorBody {
  message: string;
  reason?: string | null;
  /** Values the translated text of `reason` interpolates. */
  params?: ErrorParams | null;
  request_id?: string | null;
  /**
   * One message per wrong input of a 400, keyed by its path in the body
   * (`cpu_limit`, `tolerations.0.key`, `profile` for the whole object).
   */
  fields?: { [path: string]: string } | null;
  /** The reason code (and its values) of each message of `fields`. */
  field_reasons?: { [path: string]: IReasonRef } | null;
}

/** Values a reason's text interpolates: strings and numbers only. */
export type ErrorParams = { [name: string]: string | number };

/** A reason code with the values its text needs. */
export interface IReasonRef {
  reason: string;
  params?: ErrorParams | null;
}

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
    this.fields = options.fields ?? null;
    this.params = options.params ?? null;
    this.fieldReasons = options.fieldReasons ?? null;
  }

  /** HTTP status; 0 when no response arrived (network down, server gone). */
  readonly status: number;
  readonly serverMessage: string | null;
  readonly reason: string | null;
  /** Lets a user quote the failing request to an administrator. */
  readonly requestId: string | null;
  /** Per-input messages of a rejected form (400), for showing next to each input. */
  readonly fields: { [path: string]: string } | null;
  /** The values `reason`'s translated text interpolates. */
  readonly params: ErrorParams | null;
  /** The reason of each message of `fields`, when the server sent them. */
  readonly fieldReasons: { [path: string]: IReasonRef } | null;

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
    fields?: { [path: string]: string } | null;
    params?: ErrorParams | null;
    fieldReasons?: { [path: string]: IReasonRef } | null;
  }
}

/**
 * The absolute URL of an endpoint of the server extension.
 *
 * Query parameters go through URLSearchParams rather than into the path, so
 * user text (a search filter, an artifact path) can never change which
 * endpoint is called.
 */
export function apiURL(
  endPoint: string,
  query: URLSearchParams | null = null,
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  const url = URLExt.join(serverSettings.baseUrl, API_NAMESPACE, endPoint);
  const search = query ? query.toString() : '';
  return search ? `${url}?${search}` : url;
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
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  query: URLSearchParams | null = null
): Promise<T> {
  const url = apiURL(endPoint, query, serverSettings);
  const response = await Private.send(url, init, serverSettings);
  const body = Private.parseJSON(await response.text());

  if (!response.ok) {
    throw Private.failure(response, url, body);
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

/**
 * Call the server extension for raw bytes (an artifact). Errors still come
 * as JSON and are decoded like those of `requestAPI`.
 */
export async function requestRaw(
  endPoint: string,
  init: RequestInit = {},
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  query: URLSearchParams | null = null
): Promise<Response> {
  const url = apiURL(endPoint, query, serverSettings);
  const response = await Private.send(url, init, serverSettings);
  if (!response.ok) {
    throw Private.failure(
      response,
      url,
      Private.parseJSON(await response.text())
    );
  }
  return response;
}

/** A path segment from an id (MLflow's run ids, profile slugs), never trusted. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

namespace Private {
  /** Send through ServerConnection (it adds the token and XSRF header). */
  export async function send(
    url: string,
    init: RequestInit,
    serverSettings: ServerConnection.ISettings
  ): Promise<Response> {
    try {
      return await ServerConnection.makeRequest(url, init, serverSettings);
    } catch (error) {
      throw new PlatformRequestError({ status: 0, url });
    }
  }

  /** The JSON value of a body, or undefined (a proxy's HTML page, say). */
  export function parseJSON(text: string): unknown {
    if (text.length === 0) {
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  export function failure(
    response: Response,
    url: string,
    body: unknown
  ): PlatformRequestError {
    const error = errorBody(body);
    return new PlatformRequestError({
      status: response.status,
      url,
      serverMessage: error.message,
      reason: error.reason,
      requestId: error.request_id,
      fields: error.fields,
      params: error.params,
      fieldReasons: error.field_reasons
    });
  }

  /** Pick the documented keys, ignoring values of the wrong type. */
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
      request_id: pick('request_id'),
      fields: fieldMessages(record['fields']),
      params: params(record['params']),
      field_reasons: fieldReasons(record['field_reasons'])
    };
  }

  /** The string and number values of a `params` object; null when none. */
  export function params(value: unknown): ErrorParams | null {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return null;
    }
    const picked: ErrorParams = {};
    for (const [name, item] of Object.entries(value)) {
      if (
        typeof item === 'string' ||
        (typeof item === 'number' && Number.isFinite(item))
      ) {
        picked[name] = item;
      }
    }
    return Object.keys(picked).length > 0 ? picked : null;
  }

  /** The well-formed entries of a `field_reasons` object; null when none. */
  export function fieldReasons(
    value: unknown
  ): { [path: string]: IReasonRef } | null {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return null;
    }
    const picked: { [path: string]: IReasonRef } = {};
    for (const [path, item] of Object.entries(value)) {
      const reason =
        typeof item === 'object' && item !== null
          ? (item as Record<string, unknown>)['reason']
          : undefined;
      if (typeof reason === 'string' && reason !== '') {
        picked[path] = {
          reason,
          params: params((item as Record<string, unknown>)['params'])
        };
      }
    }
    return Object.keys(picked).length > 0 ? picked : null;
  }

  /** The string messages of a `fields` object; null when there are none. */
  export function fieldMessages(
    value: unknown
  ): { [path: string]: string } | null {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return null;
    }
    const fields: { [path: string]: string } = {};
    for (const [path, message] of Object.entries(value)) {
      if (typeof message === 'string' && message !== '') {
        fields[path] = message;
      }
    }
    return Object.keys(fields).length > 0 ? fields : null;
  }
}
