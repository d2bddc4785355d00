import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, segment } from '../api/request';
import {
  AuthorAction,
  ILoggedModels,
  IModelCard,
  IModelList,
  IModelsAPI,
  IModelVersion,
  IModelVersionSummary,
  IPublication,
  IRegisterBody
} from './types';

/**
 * The person's registered models (MLflow's registry, called as the person)
 * and the publications of their versions (the platform), through the
 * server extension. Every URL of the Models tab is built here.
 */
export class ModelsClient implements IModelsAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  models(): Promise<IModelList> {
    return this._call<IModelList>('models');
  }

  version(name: string, version: string): Promise<IModelVersion> {
    return this._call<IModelVersion>(
      `models/${segment(name)}/versions/${segment(version)}`
    );
  }

  loggedModels(runId: string): Promise<ILoggedModels> {
    return this._call<ILoggedModels>(
      `models/runs/${segment(runId)}/logged-models`
    );
  }

  register(body: IRegisterBody): Promise<IModelVersionSummary> {
    return this._call<IModelVersionSummary>('models/versions', 'POST', body);
  }

  publication(id: IPublication['id']): Promise<IPublication> {
    return this._call<IPublication>(`publications/${segment(String(id))}`);
  }

  createPublication(
    name: string,
    version: string,
    card: IModelCard
  ): Promise<IPublication> {
    return this._call<IPublication>('publications', 'POST', {
      name,
      version,
      card
    });
  }

  saveCard(
    id: IPublication['id'],
    card: IModelCard,
    revision: number
  ): Promise<IPublication> {
    return this._call<IPublication>(
      `publications/${segment(String(id))}/card`,
      'PUT',
      { card, revision }
    );
  }

  act(
    id: IPublication['id'],
    action: AuthorAction,
    revision: number
  ): Promise<IPublication> {
    return this._call<IPublication>(
      `publications/${segment(String(id))}/${segment(action)}`,
      'POST',
      { revision, comment: '' }
    );
  }

  private _call<T>(
    endPoint: string,
    method: 'GET' | 'POST' | 'PUT' = 'GET',
    body?: unknown
  ): Promise<T> {
    return requestAPI<T>(
      endPoint,
      body === undefined ? { method } : { method, body: JSON.stringify(body) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}
