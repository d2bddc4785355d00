import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../api/request';
import {
  IHealth,
  IIdentity,
  INotificationList,
  INotificationsAPI,
  IPlatformAPI
} from './types';

/** Who is signed in and the platform's health, through the user's Jupyter server. */
export class PlatformClient implements IPlatformAPI, INotificationsAPI {
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

  /** The person's notifications newer than `after` (all kept ones when null). */
  notifications(after: number | null): Promise<INotificationList> {
    const query = new URLSearchParams();
    if (after !== null) {
      query.set('after', String(after));
    }
    return requestAPI<INotificationList>(
      'notifications',
      { method: 'GET' },
      this._serverSettings,
      query
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}
