import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, segment } from '../api/request';
import {
  FACETS,
  ICatalogAction,
  ICatalogAPI,
  ICatalogModel,
  ICatalogQuery,
  ICatalogSearchPage,
  ICommentBody,
  IPublicationPage
} from './types';

/**
 * The catalog through the server extension, which asks the platform for the
 * person. Every URL of the Catalog tab is built here.
 */
export class CatalogClient implements ICatalogAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  search(query: ICatalogQuery): Promise<ICatalogSearchPage> {
    return requestAPI<ICatalogSearchPage>(
      'catalog/search',
      { method: 'GET' },
      this._serverSettings,
      searchQuery(query)
    );
  }

  model(name: string): Promise<ICatalogModel> {
    return requestAPI<ICatalogModel>(
      `catalog/models/${segment(name)}`,
      { method: 'GET' },
      this._serverSettings
    );
  }

  deprecate(action: ICatalogAction): Promise<void> {
    return this._step(action, 'deprecate');
  }

  moveChampion(action: ICatalogAction): Promise<void> {
    return this._step(action, 'champion');
  }

  /**
   * One step of the publication that published a version. The step carries
   * the publication's revision, read just before: the catalog page does not
   * show the publication, and a step taken meanwhile by someone else still
   * makes this one a 409 that names it.
   */
  private async _step(
    action: ICatalogAction,
    step: 'deprecate' | 'champion'
  ): Promise<void> {
    const path = `publications/${segment(String(action.publicationId))}`;
    const page = await requestAPI<IPublicationPage>(
      path,
      { method: 'GET' },
      this._serverSettings
    );
    await requestAPI<unknown>(
      `${path}/${step}`,
      {
        method: 'POST',
        body: JSON.stringify({
          revision: page.publication.revision,
          comment: action.comment
        } satisfies ICommentBody)
      },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

/**
 * The query of the search endpoint: the text as `q`, one parameter per chosen
 * value of a facet, the sort and the page.
 */
export function searchQuery(query: ICatalogQuery): URLSearchParams {
  const params = new URLSearchParams();
  const text = query.text.trim();
  if (text) {
    params.set('q', text);
  }
  for (const facet of FACETS) {
    for (const value of query.facets[facet] ?? []) {
      params.append(facet, value);
    }
  }
  params.set('sort', query.sort);
  params.set('page', String(query.page));
  params.set('page_size', String(query.pageSize));
  return params;
}
