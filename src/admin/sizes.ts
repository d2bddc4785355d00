import { ServerConnection } from '@jupyterlab/services';
import type { components } from '../api/generated/sidebar';
import { ISignal, Signal } from '@lumino/signaling';

import {
  PlatformRequestError,
  requestAPI,
  requestRaw,
  segment
} from '../api/request';
import { PlatformModel } from '../shell/model';
import { IFailure } from '../shell/notes';
import { NotLoaded } from '../shell/status';

/* ------------------------------------------------------------------------
 * Deployment sizes: the named choices of resources a deployment is given
 * (`core/deployments/records.py`'s `Size`), which admins add, change and
 * remove here; people pick one when they deploy.
 * ---------------------------------------------------------------------- */

type Schemas = components['schemas'];

/** `GET deployment-sizes`: one size. */
export type IDeploymentSize = Schemas['SizeBody'];

/**
 * What the form sends: `name` only when adding one. Numbers the admin typed
 * travel as typed when they are not numbers, so the platform (the one
 * validator) says what is wrong with them.
 */
export interface ISizeDraft {
  name: string;
  title: string;
  cpu: string;
  memory: string;
  replicas: string;
  max_replicas: string;
}

/** The Admin tab's calls on sizes; tests pass a scripted server. */
export interface ISizesAPI {
  sizes(): Promise<{ sizes: IDeploymentSize[] }>;
  createSize(draft: ISizeDraft): Promise<IDeploymentSize>;
  updateSize(draft: ISizeDraft, revision: number): Promise<IDeploymentSize>;
  deleteSize(name: string, revision: number): Promise<void>;
}

/** A number as typed: the number when it is one, the text otherwise. */
function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The body of a draft, without the name (it is the path of a change). */
export function sizeFields(draft: ISizeDraft): {
  title: string;
  cpu: string;
  memory: string;
  replicas: number | string;
  max_replicas: number | string;
} {
  return {
    title: draft.title.trim(),
    cpu: draft.cpu.trim(),
    memory: draft.memory.trim(),
    replicas: numberOrText(draft.replicas),
    max_replicas: numberOrText(draft.max_replicas)
  };
}

/** Sizes through the server extension, which asks the platform as the admin. */
export class SizesClient implements ISizesAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  sizes(): Promise<{ sizes: IDeploymentSize[] }> {
    return requestAPI(
      'deployment-sizes',
      { method: 'GET' },
      this._serverSettings
    );
  }

  createSize(draft: ISizeDraft): Promise<IDeploymentSize> {
    return requestAPI(
      'deployment-sizes',
      {
        method: 'POST',
        body: JSON.stringify({ name: draft.name.trim(), ...sizeFields(draft) })
      },
      this._serverSettings
    );
  }

  updateSize(draft: ISizeDraft, revision: number): Promise<IDeploymentSize> {
    return requestAPI(
      `deployment-sizes/${segment(draft.name)}`,
      {
        method: 'PUT',
        body: JSON.stringify({ revision, ...sizeFields(draft) })
      },
      this._serverSettings
    );
  }

  async deleteSize(name: string, revision: number): Promise<void> {
    // 204 has no body to decode
    await requestRaw(
      `deployment-sizes/${segment(name)}`,
      { method: 'DELETE' },
      this._serverSettings,
      new URLSearchParams({ revision: String(revision) })
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

/**
 * The sizes section of the Admin tab: the list and at most one size being
 * added or changed. A change names the revision the editor started from,
 * so somebody's change meanwhile is refused (409) rather than overwritten;
 * whatever fails, the draft stays as the admin left it.
 */
export class SizesModel {
  constructor(options: { api: ISizesAPI }) {
    this._api = options.api;
  }

  get state(): SizesModel.IState {
    return this._state;
  }

  get stateChanged(): ISignal<this, SizesModel.IState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async refresh(): Promise<void> {
    const ticket = ++this._ticket;
    try {
      const list = await this._api.sizes();
      if (ticket === this._ticket) {
        this._update({ status: { kind: 'ready' }, sizes: list.sizes });
      }
    } catch (error) {
      if (ticket === this._ticket) {
        this._update({ status: PlatformModel.stateFromError(error) });
      }
    }
  }

  /** Open an empty form, with the smallest size's values as a start. */
  create(): void {
    this._update({
      editor: {
        mode: 'create',
        revision: 0,
        draft: {
          name: '',
          title: '',
          cpu: '500m',
          memory: '512Mi',
          replicas: '1',
          max_replicas: '1'
        },
        busy: false,
        failure: null,
        fields: {}
      }
    });
  }

  edit(size: IDeploymentSize): void {
    this._update({
      editor: {
        mode: 'edit',
        revision: size.revision,
        draft: {
          name: size.name,
          title: size.title,
          cpu: size.resources.cpu,
          memory: size.resources.memory,
          replicas: String(size.resources.replicas),
          max_replicas: String(size.resources.max_replicas)
        },
        busy: false,
        failure: null,
        fields: {}
      }
    });
  }

  close(): void {
    this._update({ editor: null });
  }

  setField(field: keyof ISizeDraft, value: string): void {
    const editor = this._state.editor;
    if (editor && !editor.busy) {
      const fields = { ...editor.fields };
      delete fields[field];
      this._update({
        editor: {
          ...editor,
          draft: { ...editor.draft, [field]: value },
          fields
        }
      });
    }
  }

  /** Save the draft; true when saved (the editor closes). */
  async save(): Promise<boolean> {
    const editor = this._state.editor;
    if (!editor || editor.busy) {
      return false;
    }
    return this._run(editor, () =>
      editor.mode === 'create'
        ? this._api.createSize(editor.draft)
        : this._api.updateSize(editor.draft, editor.revision)
    );
  }

  /** Delete the size open in the editor; true when deleted. */
  async remove(): Promise<boolean> {
    const editor = this._state.editor;
    if (!editor || editor.busy || editor.mode !== 'edit') {
      return false;
    }
    return this._run(editor, () =>
      this._api.deleteSize(editor.draft.name, editor.revision)
    );
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _run(
    editor: SizesModel.IEditor,
    call: () => Promise<unknown>
  ): Promise<boolean> {
    this._update({
      editor: { ...editor, busy: true, failure: null, fields: {} }
    });
    try {
      await call();
    } catch (error) {
      const current = this._state.editor;
      if (current) {
        this._update({
          editor: {
            ...current,
            busy: false,
            failure: SizesModel.failureOf(error),
            fields: fieldsOf(error)
          }
        });
      }
      return false;
    }
    this._update({ editor: null });
    await this.refresh();
    return true;
  }

  private _update(patch: Partial<SizesModel.IState>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _api: ISizesAPI;
  private _isDisposed = false;
  private _state: SizesModel.IState = {
    status: { kind: 'loading' },
    sizes: null,
    editor: null
  };
  private _stateChanged = new Signal<this, SizesModel.IState>(this);
  private _ticket = 0;
}

/** Where a refusal points: the input of `params.field`, or the platform's `fields`. */
function fieldsOf(error: unknown): { [field: string]: IFailure } {
  if (!(error instanceof PlatformRequestError)) {
    return {};
  }
  const found: { [field: string]: IFailure } = {};
  const field = error.params?.['field'];
  if (error.reason === 'size_invalid' && typeof field === 'string') {
    found[field] = SizesModel.failureOf(error);
  }
  for (const [path, message] of Object.entries(error.fields ?? {})) {
    const ref = error.fieldReasons?.[path];
    found[path.split('.')[0]] = {
      status: error.status,
      message,
      reason: ref?.reason ?? null,
      params: ref?.params ?? undefined,
      requestId: null
    };
  }
  return found;
}

export namespace SizesModel {
  export interface IEditor {
    mode: 'create' | 'edit';
    /** The revision the edit started from (0 for a new size). */
    revision: number;
    draft: ISizeDraft;
    busy: boolean;
    failure: IFailure | null;
    /** A message per input, from the last refusal. */
    fields: { [field: string]: IFailure };
  }

  export interface IState {
    status: NotLoaded | { kind: 'ready' };
    sizes: IDeploymentSize[] | null;
    editor: IEditor | null;
  }

  export function failureOf(error: unknown): IFailure {
    if (error instanceof PlatformRequestError) {
      return { status: error.status, ...PlatformModel.said(error) };
    }
    return {
      status: -1,
      message: error instanceof Error ? error.message : String(error),
      requestId: null
    };
  }
}
