import { ServerConnection } from '@jupyterlab/services';

import type { components } from '../api/generated/sidebar';
import { requestAPI, requestRaw, segment } from '../api/request';
import {
  IPodPreview,
  IProfileList,
  IProfileRecord,
  IProfilesAPI,
  ProfileBody
} from './types';

/** Request bodies as the sidebar API's document declares them. */
type Body = components['schemas'];

/** The workspace profiles of the platform, edited by admins. */
export class ProfilesClient implements IProfilesAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  profiles(): Promise<IProfileList> {
    return requestAPI<IProfileList>(
      'profiles',
      { method: 'GET' },
      this._serverSettings
    );
  }

  createProfile(profile: ProfileBody): Promise<IProfileRecord> {
    return requestAPI<IProfileRecord>(
      'profiles',
      { method: 'POST', body: JSON.stringify(profile) },
      this._serverSettings
    );
  }

  updateProfile(
    slug: string,
    profile: ProfileBody,
    revision: number
  ): Promise<IProfileRecord> {
    return requestAPI<IProfileRecord>(
      `profiles/${segment(slug)}`,
      {
        method: 'PUT',
        // the profile as typed (numbers may still be text): the platform validates it
        body: JSON.stringify({
          profile,
          revision
        } satisfies Omit<Body['ProfileUpdate'], 'profile'> & {
          profile: ProfileBody;
        })
      },
      this._serverSettings
    );
  }

  async deleteProfile(slug: string, revision: number): Promise<void> {
    // 204 has no body to decode, so this one goes through requestRaw.
    await requestRaw(
      `profiles/${segment(slug)}`,
      { method: 'DELETE' },
      this._serverSettings,
      new URLSearchParams({ revision: String(revision) })
    );
  }

  previewProfile(profile: ProfileBody): Promise<IPodPreview> {
    return requestAPI<IPodPreview>(
      'profile-preview',
      { method: 'POST', body: JSON.stringify(profile) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}
