import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IArtifactContent,
  IArtifactListing,
  IErrorBody,
  IExperimentPage,
  IExperimentPrivacy,
  IExperimentQuery,
  IGitAPI,
  IGitBranchList,
  IGitCommitResult,
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
  IMlflowAPI,
  IMlflowConfig,
  IPlatformAPI,
  IPodPreview,
  IProfileList,
  IProfileRecord,
  IProfilesAPI,
  IPublishRequest,
  IPublishResult,
  IRunComparison,
  IRunDetail,
  IRunPage,
  IRunQuery,
  IRunResponse,
  ProfileBody
} from './tokens';

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
  }

  /** HTTP status; 0 when no response arrived (network down, server gone). */
  readonly status: number;
  readonly serverMessage: string | null;
  readonly reason: string | null;
  /** Lets a user quote the failing request to an administrator. */
  readonly requestId: string | null;
  /** Per-input messages of a rejected form (400), for showing next to each input. */
  readonly fields: { [path: string]: string } | null;

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

/** The platform API over HTTP through the user's Jupyter server. */
export class PlatformClient implements IPlatformAPI, IProfilesAPI {
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

  profiles(): Promise<IProfileList> {
    return requestAPI<IProfileList>(
      'profiles',
      { method: 'GET' },
      this._serverSettings
    );
  }

  createProfile(profile: ProfileBody): Promise<IProfileRecord> {
    return requestAPI<IProfileRecord>(
      'profiles',
      { method: 'POST', body: JSON.stringify(profile) },
      this._serverSettings
    );
  }

  updateProfile(
    slug: string,
    profile: ProfileBody,
    revision: number
  ): Promise<IProfileRecord> {
    return requestAPI<IProfileRecord>(
      `profiles/${segment(slug)}`,
      { method: 'PUT', body: JSON.stringify({ profile, revision }) },
      this._serverSettings
    );
  }

  async deleteProfile(slug: string, revision: number): Promise<void> {
    // 204 has no body to decode, so this one goes through requestRaw.
    await requestRaw(
      `profiles/${segment(slug)}`,
      { method: 'DELETE' },
      this._serverSettings,
      new URLSearchParams({ revision: String(revision) })
    );
  }

  previewProfile(profile: ProfileBody): Promise<IPodPreview> {
    return requestAPI<IPodPreview>(
      'profile-preview',
      { method: 'POST', body: JSON.stringify(profile) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

/** A path segment from an id (MLflow's run ids, profile slugs), never trusted. */
function segment(id: string): string {
  return encodeURIComponent(id);
}

/**
 * MLflow through the server extension, which calls MLflow as the hub user.
 * Every URL of the MLflow views is built here.
 */
export class MlflowClient implements IMlflowAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  config(): Promise<IMlflowConfig> {
    return this._get<IMlflowConfig>('mlflow/config');
  }

  experiments(query: IExperimentQuery): Promise<IExperimentPage> {
    const params = new URLSearchParams();
    if (query.filter) {
      params.set('filter', query.filter);
    }
    params.set('max_results', String(query.maxResults ?? 50));
    if (query.pageToken) {
      params.set('page_token', query.pageToken);
    }
    return this._get<IExperimentPage>('mlflow/experiments', params);
  }

  runs(query: IRunQuery): Promise<IRunPage> {
    return this._get<IRunPage>(
      `mlflow/experiments/${segment(query.experimentId)}/runs`,
      runsQuery(query)
    );
  }

  setExperimentPrivate(
    experimentId: string,
    value: boolean
  ): Promise<IExperimentPrivacy> {
    return requestAPI<IExperimentPrivacy>(
      `mlflow/experiments/${segment(experimentId)}/private`,
      { method: 'POST', body: JSON.stringify({ private: value }) },
      this._serverSettings
    );
  }

  async run(runId: string): Promise<IRunDetail> {
    const answer = await this._get<IRunResponse>(
      `mlflow/runs/${segment(runId)}`
    );
    return answer.run;
  }

  metricHistory(runId: string, key: string): Promise<IMetricHistory> {
    return this._get<IMetricHistory>(
      `mlflow/runs/${segment(runId)}/metric-history`,
      new URLSearchParams({ key })
    );
  }

  artifacts(runId: string, path: string): Promise<IArtifactListing> {
    return this._get<IArtifactListing>(
      `mlflow/runs/${segment(runId)}/artifacts`,
      new URLSearchParams({ path })
    );
  }

  async artifact(runId: string, path: string): Promise<IArtifactContent> {
    const response = await requestRaw(
      `mlflow/runs/${segment(runId)}/artifact`,
      { method: 'GET' },
      this._serverSettings,
      new URLSearchParams({ path })
    );
    const contentType = (
      response.headers.get('Content-Type') ?? 'application/octet-stream'
    ).toLowerCase();
    if (isTextType(contentType)) {
      return { contentType, text: await response.text(), blob: null };
    }
    return { contentType, text: null, blob: await response.blob() };
  }

  artifactDownloadUrl(runId: string, path: string): string {
    return apiURL(
      `mlflow/runs/${segment(runId)}/artifact`,
      new URLSearchParams({ path, download: '1' }),
      this._serverSettings
    );
  }

  logNotebook(runId: string, notebookPath: string): Promise<ILoggedNotebook> {
    return requestAPI<ILoggedNotebook>(
      `mlflow/runs/${segment(runId)}/notebook`,
      { method: 'POST', body: JSON.stringify({ path: notebookPath }) },
      this._serverSettings
    );
  }

  compare(runIds: readonly string[]): Promise<IRunComparison> {
    const params = new URLSearchParams();
    for (const id of runIds) {
      params.append('run_id', id);
    }
    return this._get<IRunComparison>('mlflow/compare', params);
  }

  private _get<T>(
    endPoint: string,
    query: URLSearchParams | null = null
  ): Promise<T> {
    return requestAPI<T>(
      endPoint,
      { method: 'GET' },
      this._serverSettings,
      query
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

/**
 * git and GitLab through the server extension. The folder always travels
 * as data (a query parameter or a JSON field), never in the URL's path, so
 * no folder name can reach another endpoint.
 */
export class GitClient implements IGitAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  status(path: string): Promise<IGitStatus> {
    return this._get<IGitStatus>('status', path);
  }

  init(path: string): Promise<IGitStatus> {
    return this._send<IGitStatus>('POST', 'init', { path });
  }

  commit(
    path: string,
    files: readonly string[],
    message: string,
    clearOutputs: boolean
  ): Promise<IGitCommitResult> {
    return this._send<IGitCommitResult>('POST', 'commit', {
      path,
      files,
      message,
      clear_outputs: clearOutputs
    });
  }

  pull(path: string): Promise<IGitPullResult> {
    return this._send<IGitPullResult>('POST', 'pull', { path });
  }

  push(path: string, force = false): Promise<IGitStatus> {
    // `force` is sent only when true, so a plain push can never carry it.
    return this._send<IGitStatus>(
      'POST',
      'push',
      force ? { path, force: true } : { path }
    );
  }

  branches(path: string): Promise<IGitBranchList> {
    return this._get<IGitBranchList>('branches', path);
  }

  createBranch(path: string, name: string): Promise<IGitStatus> {
    return this._send<IGitStatus>('POST', 'branches', { path, name });
  }

  checkout(path: string, name: string): Promise<IGitStatus> {
    return this._send<IGitStatus>('POST', 'checkout', { path, name });
  }

  account(): Promise<IGitLabAccount> {
    return this._get<IGitLabAccount>('account');
  }

  saveToken(token: string): Promise<IGitLabTokenInfo> {
    return this._send<IGitLabTokenInfo>('PUT', 'account', { token });
  }

  async deleteToken(): Promise<void> {
    // 204 has no body to decode.
    await requestRaw('git/account', { method: 'DELETE' }, this._serverSettings);
  }

  namespaces(): Promise<IGitLabNamespaceList> {
    return this._get<IGitLabNamespaceList>('namespaces');
  }

  publish(path: string, request: IPublishRequest): Promise<IPublishResult> {
    const body: { [key: string]: unknown } = {
      path,
      name: request.name,
      visibility: request.visibility
    };
    if (request.namespace_id !== null && request.namespace_id !== undefined) {
      body.namespace_id = request.namespace_id;
    }
    return this._send<IPublishResult>('POST', 'publish', body);
  }

  mergeRequests(path: string): Promise<IMergeRequestList> {
    return this._get<IMergeRequestList>('merge-requests', path);
  }

  createMergeRequest(
    path: string,
    request: IMergeRequestCreate
  ): Promise<IMergeRequest> {
    return this._send<IMergeRequest>('POST', 'merge-requests', {
      path,
      title: request.title,
      description: request.description,
      target_branch: request.target_branch
    });
  }

  pipeline(path: string): Promise<ILatestPipeline> {
    return this._get<ILatestPipeline>('pipeline', path);
  }

  private _get<T>(endPoint: string, path?: string): Promise<T> {
    return requestAPI<T>(
      `git/${endPoint}`,
      { method: 'GET' },
      this._serverSettings,
      path === undefined ? null : new URLSearchParams({ path })
    );
  }

  private _send<T>(
    method: 'POST' | 'PUT',
    endPoint: string,
    body: unknown
  ): Promise<T> {
    return requestAPI<T>(
      `git/${endPoint}`,
      { method, body: JSON.stringify(body) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

/**
 * A remote's clone URL as the project's path (`alice/churn`) and web page:
 * GitLab's clone URL is the page's URL with `.git`. Credentials a URL may
 * carry are dropped; null when it is not http(s).
 */
export function gitlabProjectPage(
  cloneUrl: string | null
): { path: string; webUrl: string } | null {
  if (!cloneUrl) {
    return null;
  }
  try {
    const parsed = new URL(cloneUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return null;
    }
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    parsed.pathname = parsed.pathname.replace(/\.git\/?$/, '');
    const path = decodeURIComponent(parsed.pathname.replace(/^\/+/, ''));
    return { path: path || parsed.host, webUrl: parsed.href };
  } catch {
    return null;
  }
}

/**
 * GitLab's page for creating a personal access token, with the name and
 * the scopes the workbench needs filled in; null without an http(s) GitLab.
 */
export function gitlabTokenPage(gitlabUrl: string | null): string | null {
  if (!gitlabUrl) {
    return null;
  }
  try {
    const base = new URL(gitlabUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      return null;
    }
    const page = new URL(
      URLExt.join(base.href, '-/user_settings/personal_access_tokens')
    );
    page.search = new URLSearchParams({
      name: 'ML workbench',
      scopes: 'api,write_repository'
    }).toString();
    return page.href;
  } catch {
    return null;
  }
}

/**
 * The query of the runs endpoint: paging, sort and the chosen columns (one
 * `column` parameter each, as `metric:<key>` or `param:<key>`).
 */
export function runsQuery(query: IRunQuery): URLSearchParams {
  const params = new URLSearchParams();
  params.set('max_results', String(query.maxResults ?? 25));
  if (query.pageToken) {
    params.set('page_token', query.pageToken);
  }
  if (query.sort) {
    params.set('sort_kind', query.sort.kind);
    params.set('sort_key', query.sort.key);
    params.set('sort_dir', query.sort.direction);
  }
  for (const column of query.columns ?? []) {
    params.append('column', `${column.kind}:${column.key}`);
  }
  return params;
}

/** Whether a Content-Type is shown as text in a preview. */
export function isTextType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/x-yaml' ||
    type === 'application/yaml' ||
    type === 'application/xml'
  );
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
      fields: error.fields
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
      fields: fieldMessages(record['fields'])
    };
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
