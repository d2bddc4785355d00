import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, segment } from '../api/request';
import {
  IApiKey,
  IApiKeyCreate,
  IApiKeyList,
  IApiKeysAPI,
  IIssuedKey
} from './types';

/**
 * A person's API keys through the server extension, which asks the platform
 * with the person's token. Every URL of the panel is built here.
 */
export class ApiKeysClient implements IApiKeysAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  list(all: boolean): Promise<IApiKeyList> {
    return requestAPI<IApiKeyList>(
      'apikeys',
      { method: 'GET' },
      this._serverSettings,
      all ? new URLSearchParams({ all: 'true' }) : null
    );
  }

  create(body: IApiKeyCreate): Promise<IIssuedKey> {
    return requestAPI<IIssuedKey>(
      'apikeys',
      { method: 'POST', body: JSON.stringify(body) },
      this._serverSettings
    );
  }

  revoke(id: number): Promise<IApiKey> {
    return requestAPI<IApiKey>(
      `apikeys/${segment(String(id))}`,
      { method: 'DELETE' },
      this._serverSettings
    );
  }

  rotate(id: number, overlapSeconds: number): Promise<IIssuedKey> {
    return requestAPI<IIssuedKey>(
      `apikeys/${segment(String(id))}/rotate`,
      {
        method: 'POST',
        body: JSON.stringify({ overlap_seconds: overlapSeconds })
      },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}
