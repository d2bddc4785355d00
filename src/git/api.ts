import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { components } from '../api/generated/sidebar';
import { requestAPI, requestRaw } from '../api/request';
import {
  IGitAPI,
  IGitBranchList,
  IGitCommitResult,
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
} from './types';

/** Request bodies as the sidebar API's document declares them. */
type Body = components['schemas'];

/**
 * git and GitLab through the server extension. The folder always travels
 * as data (a query parameter or a JSON field), never in the URL's path, so
 * no folder name can reach another endpoint. Every git action answers with
 * the repository's new status, so none needs a `status` request after it.
 */
export class GitClient implements IGitAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  status(path: string): Promise<IGitStatus> {
    return this._get<IGitStatus>('status', path);
  }

  init(path: string): Promise<IGitStatus> {
    return this._send<IGitStatus>('POST', 'init', {
      path
    } satisfies Body['FolderBody']);
  }

  commit(
    path: string,
    files: readonly string[],
    message: string,
    clearOutputs: boolean
  ): Promise<IGitCommitResult> {
    return this._send<IGitCommitResult>('POST', 'commit', {
      path,
      files: [...files],
      message,
      clear_outputs: clearOutputs
    } satisfies Body['CommitBody']);
  }

  pull(path: string): Promise<IGitPullResult> {
    return this._send<IGitPullResult>('POST', 'pull', {
      path
    } satisfies Body['FolderBody']);
  }

  push(path: string, force = false): Promise<IGitStatus> {
    // `force` is sent only when true, so a plain push can never carry it.
    const body: Partial<Body['PushBody']> = force
      ? { path, force: true }
      : { path };
    return this._send<IGitStatus>('POST', 'push', body);
  }

  branches(path: string): Promise<IGitBranchList> {
    return this._get<IGitBranchList>('branches', path);
  }

  createBranch(path: string, name: string): Promise<IGitStatus> {
    return this._send<IGitStatus>('POST', 'branches', {
      path,
      name
    } satisfies Body['BranchBody']);
  }

  checkout(path: string, name: string): Promise<IGitStatus> {
    return this._send<IGitStatus>('POST', 'checkout', {
      path,
      name
    } satisfies Body['BranchBody']);
  }

  account(): Promise<IGitLabAccount> {
    return this._get<IGitLabAccount>('account');
  }

  saveToken(token: string): Promise<IGitLabTokenInfo> {
    return this._send<IGitLabTokenInfo>('PUT', 'account', {
      token
    } satisfies Body['TokenBody']);
  }

  async deleteToken(): Promise<void> {
    // 204 has no body to decode.
    await requestRaw('git/account', { method: 'DELETE' }, this._serverSettings);
  }

  namespaces(): Promise<IGitLabNamespaceList> {
    return this._get<IGitLabNamespaceList>('namespaces');
  }

  publish(path: string, request: IPublishRequest): Promise<IPublishResult> {
    const body: Partial<Body['PublishBody']> = {
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
    } satisfies Body['NewMergeRequestBody']);
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
