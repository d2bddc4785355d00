import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, segment } from '../api/request';
import {
  IDecisionBody,
  IPublication,
  IPublicationList,
  IPublicationPage,
  IReviewsAPI
} from './types';

/** The review queue and publication pages, through the server extension. */
export class ReviewsClient implements IReviewsAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  queue(): Promise<IPublicationList> {
    return requestAPI<IPublicationList>(
      'publications/queue',
      { method: 'GET' },
      this._serverSettings
    );
  }

  page(id: number): Promise<IPublicationPage> {
    return requestAPI<IPublicationPage>(
      `publications/${segment(String(id))}`,
      { method: 'GET' },
      this._serverSettings
    );
  }

  decide(id: number, body: IDecisionBody): Promise<IPublication> {
    return requestAPI<IPublication>(
      `publications/${segment(String(id))}/decisions`,
      { method: 'POST', body: JSON.stringify(body) },
      this._serverSettings
    );
  }

  publish(id: number, revision: number): Promise<IPublication> {
    return requestAPI<IPublication>(
      `publications/${segment(String(id))}/publish`,
      { method: 'POST', body: JSON.stringify({ revision }) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}
