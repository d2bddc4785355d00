import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import type { components } from '../api/generated/sidebar';
import { PlatformRequestError, requestAPI, segment } from '../api/request';
import { PlatformModel } from '../shell/model';
import { IFailure } from '../shell/notes';
import { NotLoaded } from '../shell/status';
import { SizesModel } from './sizes';

/* ------------------------------------------------------------------------
 * Live settings (`core/settings/`): values admins change without a restart
 * (approvals needed, drift thresholds). The platform's configuration is the
 * default; a stored value overrides it until reset. Each change names the
 * revision the page showed, so a colleague's change is never overwritten.
 * ---------------------------------------------------------------------- */

type Schemas = components['schemas'];

export type ISetting = Schemas['SettingBody'];
export type ISettingsList = Schemas['SettingsList'];

export interface ISettingsAPI {
  settings(): Promise<ISettingsList>;
  /** `value` null resets to the default; a number as typed when it is not one. */
  change(
    key: string,
    value: number | string | null,
    revision: number
  ): Promise<ISetting>;
}

export class SettingsClient implements ISettingsAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  settings(): Promise<ISettingsList> {
    return requestAPI('settings', { method: 'GET' }, this._serverSettings);
  }

  change(
    key: string,
    value: number | string | null,
    revision: number
  ): Promise<ISetting> {
    return requestAPI(
      `settings/${segment(key)}`,
      { method: 'PUT', body: JSON.stringify({ value, revision }) },
      this._serverSettings
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

/** What an input holds as the value to send: a number when it reads as one. */
export function typedValue(text: string): number | string {
  const trimmed = text.trim().replace(',', '.');
  return trimmed !== '' && Number.isFinite(Number(trimmed))
    ? Number(trimmed)
    : trimmed;
}

/** The settings section: the list, a draft per setting, one change at a time. */
export class SettingsModel {
  constructor(options: { api: ISettingsAPI }) {
    this._api = options.api;
  }

  get state(): SettingsModel.IState {
    return this._state;
  }

  get stateChanged(): ISignal<this, SettingsModel.IState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async refresh(): Promise<void> {
    const ticket = ++this._ticket;
    try {
      const found = await this._api.settings();
      if (ticket === this._ticket) {
        this._update({
          status: { kind: 'ready' },
          list: found,
          drafts: Object.fromEntries(
            found.settings.map(s => [s.key, String(s.value)])
          )
        });
      }
    } catch (error) {
      if (ticket === this._ticket) {
        this._update({ status: PlatformModel.stateFromError(error) });
      }
    }
  }

  setDraft(key: string, text: string): void {
    const failures = { ...this._state.failures };
    delete failures[key];
    this._update({ drafts: { ...this._state.drafts, [key]: text }, failures });
  }

  /** Save the draft of one setting (or, with `reset`, go back to its default). */
  async save(key: string, reset = false): Promise<boolean> {
    const setting = this._state.list?.settings.find(s => s.key === key);
    if (!setting || this._state.busy) {
      return false;
    }
    const value = reset ? null : typedValue(this._state.drafts[key] ?? '');
    if (typeof value === 'string') {
      // empty, or no number: said as the platform says a number out of bounds
      // (it would refuse the request's shape, naming its field, not the setting)
      this._update({
        failures: {
          ...this._state.failures,
          [key]: {
            status: 400,
            message: `Enter a number from ${setting.minimum} to ${setting.maximum}.`,
            reason: 'setting_out_of_range',
            params: {
              field: key,
              kind: setting.kind,
              minimum: setting.minimum,
              maximum: setting.maximum
            },
            requestId: null
          }
        }
      });
      return false;
    }
    this._update({ busy: key, saved: null });
    try {
      const changed = await this._api.change(key, value, setting.revision);
      const list = this._state.list;
      this._update({
        busy: null,
        saved: key,
        list: list && {
          ...list,
          settings: list.settings.map(s => (s.key === key ? changed : s))
        },
        drafts: { ...this._state.drafts, [key]: String(changed.value) }
      });
      return true;
    } catch (error) {
      this._update({
        busy: null,
        failures: {
          ...this._state.failures,
          [key]: SizesModel.failureOf(error)
        }
      });
      if (error instanceof PlatformRequestError && error.status === 409) {
        void this._rereadKeepingDrafts();
      }
      return false;
    }
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** After a conflict: the colleague's value and revision, the admin's drafts kept. */
  private async _rereadKeepingDrafts(): Promise<void> {
    try {
      const found = await this._api.settings();
      this._update({ list: found });
    } catch {
      // the note already says what happened
    }
  }

  private _update(patch: Partial<SettingsModel.IState>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _api: ISettingsAPI;
  private _isDisposed = false;
  private _ticket = 0;
  private _state: SettingsModel.IState = {
    status: { kind: 'loading' },
    list: null,
    drafts: {},
    failures: {},
    busy: null,
    saved: null
  };
  private _stateChanged = new Signal<this, SettingsModel.IState>(this);
}

export namespace SettingsModel {
  export interface IState {
    status: NotLoaded | { kind: 'ready' };
    list: ISettingsList | null;
    /** The text of each setting's input. */
    drafts: { [key: string]: string };
    /** Why the last change of a setting was refused. */
    failures: { [key: string]: IFailure };
    /** The setting being saved. */
    busy: string | null;
    /** The setting saved last (its note says so). */
    saved: string | null;
  }
}
