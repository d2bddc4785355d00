import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, segment } from '../api/request';
import {
  FACETS,
  ICatalogAction,
  ICatalogAPI,
  ICatalogModel,
  ICatalogQuery,
  ICatalogSearchPage
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

  deprecate(name: string, action: ICatalogAction): Promise<ICatalogModel> {
    return this._post(
      `catalog/models/${segment(name)}/versions/${segment(
        String(action.version)
      )}/deprecate`,
      { comment: action.comment }
    );
  }

  moveChampion(name: string, action: ICatalogAction): Promise<ICatalogModel> {
    return this._post(`catalog/models/${segment(name)}/champion`, {
      version: action.version,
      comment: action.comment
    });
  }

  private _post(endPoint: string, body: object): Promise<ICatalogModel> {
    return requestAPI<ICatalogModel>(
      endPoint,
      { method: 'POST', body: JSON.stringify(body) },
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
