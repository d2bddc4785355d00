import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../api/request';
import { IHealth, IIdentity, IPlatformAPI } from './types';

/** Who is signed in and the platform's health, through the user's Jupyter server. */
export class PlatformClient implements IPlatformAPI {
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

  private _serverSettings: ServerConnection.ISettings;
}
