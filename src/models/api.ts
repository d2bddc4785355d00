import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, segment } from '../api/request';
import {
  AuthorAction,
  ICardDraftAnswer,
  ILineage,
  IModelCard,
  IModelsAPI,
  IModelsPage,
  IModelVersionBody,
  IPublication,
  IPublicationList,
  IPublicationPage,
  IRegisterBody,
  IRunModels
} from './types';

/**
 * The person's registered models (MLflow's registry, called as the person)
 * and the publications of their versions (the platform), through the
 * server extension. Every URL of the Models tab is built here; a model's
 * name travels in the query, since it may hold any character but `/`.
 */
export class ModelsClient implements IModelsAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  models(pageToken: string | null = null): Promise<IModelsPage> {
    const query = new URLSearchParams({
      max_results: String(ModelsClient.PAGE_SIZE)
    });
    if (pageToken) {
      query.set('page_token', pageToken);
    }
    return this._get<IModelsPage>('models', query);
  }

  lineage(name: string, version: string): Promise<ILineage> {
    return this._get<ILineage>(
      'models/version',
      new URLSearchParams({ name, version })
    );
  }

  cardDraft(name: string, version: string): Promise<ICardDraftAnswer> {
    return this._get<ICardDraftAnswer>(
      'models/card-draft',
      new URLSearchParams({ name, version })
    );
  }

  runModels(runId: string): Promise<IRunModels> {
    return this._get<IRunModels>(
      'models/run-models',
      new URLSearchParams({ run_id: runId })
    );
  }

  register(body: IRegisterBody): Promise<IModelVersionBody> {
    return this._send<IModelVersionBody>('models/versions', 'POST', body);
  }

  publicationsOf(name: string): Promise<IPublicationList> {
    return this._get<IPublicationList>(
      'publications',
      new URLSearchParams({ model_name: name })
    );
  }

  publication(id: number): Promise<IPublicationPage> {
    return this._get<IPublicationPage>(`publications/${segment(String(id))}`);
  }

  createPublication(
    name: string,
    version: string,
    card: IModelCard
  ): Promise<IPublication> {
    return this._send<IPublication>('publications', 'POST', {
      model_name: name,
      version,
      card
    });
  }

  saveCard(
    id: number,
    card: IModelCard,
    revision: number
  ): Promise<IPublication> {
    return this._send<IPublication>(
      `publications/${segment(String(id))}/card`,
      'PUT',
      { revision, card }
    );
  }

  act(
    id: number,
    action: AuthorAction,
    revision: number
  ): Promise<IPublication> {
    // a resubmission is a submission after changes were requested
    const verb = action === 'withdraw' ? 'withdraw' : 'submit';
    return this._send<IPublication>(
      `publications/${segment(String(id))}/${verb}`,
      'POST',
      { revision }
    );
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

  private _send<T>(
    endPoint: string,
    method: 'POST' | 'PUT',
    body: unknown
  ): Promise<T> {
    return requestAPI<T>(
      endPoint,
      { method, body: JSON.stringify(body) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

export namespace ModelsClient {
  /** Models on one page of the tab, as many as the catalog's hits. */
  export const PAGE_SIZE = 20;
}
