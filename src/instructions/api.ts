import { ServerConnection } from '@jupyterlab/services';

import {
  apiURL,
  PlatformRequestError,
  requestAPI,
  segment
} from '../api/request';
import {
  IArticleList,
  IArticleSource,
  IArticleView,
  IContentBody,
  IImageBody,
  IInstructionsAPI,
  IOpenedNotebook,
  IProgressBody,
  IRevisionList,
  UploadProgress
} from './types';

/** Where the articles are, below the extension's namespace. */
const ARTICLES = 'instructions/articles';

/** Articles, progress, images and the example notebook, through the server extension. */
export class InstructionsClient implements IInstructionsAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  list(query: string, language: 'en' | 'ru'): Promise<IArticleList> {
    const params = new URLSearchParams({ lang: language });
    if (query) {
      params.set('q', query);
    }
    return this._get<IArticleList>(ARTICLES, params);
  }

  read(slug: string, language: 'en' | 'ru'): Promise<IArticleView> {
    return this._get<IArticleView>(
      this._article(slug),
      new URLSearchParams({ lang: language })
    );
  }

  source(slug: string): Promise<IArticleSource> {
    return this._get<IArticleSource>(`${this._article(slug)}/source`);
  }

  create(slug: string, content: IContentBody): Promise<IArticleSource> {
    return this._send<IArticleSource>('POST', ARTICLES, { slug, content });
  }

  save(
    slug: string,
    revision: number,
    content: IContentBody
  ): Promise<IArticleSource> {
    return this._send<IArticleSource>('PUT', this._article(slug), {
      revision,
      content
    });
  }

  setPublished(
    slug: string,
    published: boolean,
    revision: number
  ): Promise<IArticleSource> {
    const verb = published ? 'publish' : 'unpublish';
    return this._send<IArticleSource>(
      'POST',
      `${this._article(slug)}/${verb}`,
      { revision }
    );
  }

  revisions(slug: string): Promise<IRevisionList> {
    return this._get<IRevisionList>(`${this._article(slug)}/revisions`);
  }

  tick(slug: string, task: string, done: boolean): Promise<IProgressBody> {
    return this._send<IProgressBody>('PUT', `${this._article(slug)}/progress`, {
      task,
      done
    });
  }

  openNotebook(slug: string): Promise<IOpenedNotebook> {
    return this._send<IOpenedNotebook>(
      'POST',
      `${this._article(slug)}/notebook/open`,
      {}
    );
  }

  imageURL(slug: string, reference: string): string | null {
    const id = /^images\/([0-9a-f]{32}\.(?:png|jpg|gif|webp))$/.exec(reference);
    return id
      ? apiURL(
          `${this._article(slug)}/images/${segment(id[1])}`,
          null,
          this._serverSettings
        )
      : null;
  }

  /**
   * Send an image's bytes with upload progress. `fetch` reports none, so
   * this one request goes through XMLHttpRequest, with the headers
   * ServerConnection would add (the token, the XSRF cookie's value); its
   * answer and its errors are read as `requestAPI` reads them.
   */
  uploadImage(
    slug: string,
    file: File,
    onProgress: UploadProgress
  ): Promise<IImageBody> {
    const url = apiURL(
      `${this._article(slug)}/images`,
      null,
      this._serverSettings
    );
    const settings = this._serverSettings;
    return new Promise<IImageBody>((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', url);
      request.withCredentials = true;
      if (settings.token) {
        request.setRequestHeader('Authorization', `token ${settings.token}`);
      }
      const xsrf = Private.cookie('_xsrf');
      if (xsrf) {
        request.setRequestHeader('X-XSRFToken', xsrf);
      }
      request.setRequestHeader(
        'Content-Type',
        file.type || 'application/octet-stream'
      );
      request.upload.onprogress = event => {
        onProgress(
          event.loaded,
          event.lengthComputable ? event.total : file.size
        );
      };
      request.onerror = () =>
        reject(new PlatformRequestError({ status: 0, url }));
      request.onload = () => {
        const body = Private.parseJSON(request.responseText);
        if (request.status >= 200 && request.status < 300 && body) {
          onProgress(file.size, file.size);
          resolve(body as IImageBody);
          return;
        }
        reject(Private.failure(request.status, url, body));
      };
      request.send(file);
    });
  }

  private _article(slug: string): string {
    return `${ARTICLES}/${segment(slug)}`;
  }

  private _get<T>(endPoint: string, query: URLSearchParams | null = null) {
    return requestAPI<T>(
      endPoint,
      { method: 'GET' },
      this._serverSettings,
      query
    );
  }

  private _send<T>(method: string, endPoint: string, body: unknown) {
    return requestAPI<T>(
      endPoint,
      { method, body: JSON.stringify(body) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

namespace Private {
  /** A cookie's value (the XSRF token Jupyter Server checks), or ''. */
  export function cookie(name: string): string {
    const match = document.cookie.match(`(?:^|; )${name}=([^;]*)`);
    return match ? decodeURIComponent(match[1]) : '';
  }

  export function parseJSON(text: string): unknown {
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return undefined;
    }
  }

  /** A refused upload as every other refused request: status, reason, params. */
  export function failure(
    status: number,
    url: string,
    body: unknown
  ): PlatformRequestError {
    const record =
      typeof body === 'object' && body !== null
        ? (body as Record<string, unknown>)
        : {};
    const text = (key: string): string | null =>
      typeof record[key] === 'string' ? (record[key] as string) : null;
    const params = record['params'];
    return new PlatformRequestError({
      status,
      url,
      serverMessage: text('message'),
      reason: text('reason'),
      requestId: text('request_id'),
      params:
        typeof params === 'object' && params !== null && !Array.isArray(params)
          ? (params as { [name: string]: string | number })
          : null
    });
  }
}
