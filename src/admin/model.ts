import { JSONExt } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { Debouncer } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { PlatformModel } from '../shell/model';
import { IReasonRef, PlatformRequestError } from '../api/request';
import { IServerText } from '../shell/errors';
import { IFailure as INoteFailure } from '../shell/notes';
import {
  IPodPreview,
  IPodSpecPreview,
  IProfileRecord,
  IProfilesAPI,
  ProfileBody
} from './types';
import {
  DraftField,
  draftOf,
  IProfileDraft,
  newDraft,
  sectionOf,
  toBody
} from './draft';

/**
 * The Admin tab's workspace profiles: the list, and at most one profile
 * being edited.
 *
 * The platform is the one validator: as the admin types, a debounced
 * preview call both validates the draft and shows the pod it would give.
 * A save names the revision the edit started from, so a change somebody
 * made meanwhile is never overwritten silently; whatever fails, the draft
 * stays as the admin left it.
 */
export class ProfilesModel implements IDisposable {
  constructor(options: ProfilesModel.IOptions) {
    this._api = options.api;
    this._preview = new Debouncer(
      () => this._runPreview(),
      options.previewDelay ?? ProfilesModel.PREVIEW_DELAY
    );
  }

  /** The latest state; replaced on every change, never mutated. */
  get state(): ProfilesModel.IState {
    return this._state;
  }

  get stateChanged(): ISignal<this, ProfilesModel.IState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Read the list again; an editor open meanwhile is left alone. */
  async refresh(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const ticket = ++this._listTicket;
    this._update({ busy: true });
    try {
      const list = await this._api.profiles();
      if (ticket !== this._listTicket || this.isDisposed) {
        return;
      }
      this._update({
        busy: false,
        status: { kind: 'ready' },
        profiles: list.profiles,
        knownGroups: list.known_groups
      });
    } catch (error) {
      if (ticket === this._listTicket && !this.isDisposed) {
        this._update({
          busy: false,
          status: PlatformModel.stateFromError(error)
        });
      }
    }
  }

  /** Open a stored profile in the editor. */
  edit(record: IProfileRecord): void {
    this._open('edit', record, draftOf(record.profile));
  }

  /** Open an empty form with sensible defaults. */
  create(): void {
    this._open('create', null, newDraft(this._state.profiles ?? []));
  }

  /** Close the editor, dropping the draft (the view asks first when it is dirty). */
  close(): void {
    this._editorTicket++;
    this._preview.stop();
    this._update({ editor: null });
  }

  /**
   * Change one input of the draft. The input's own messages show from now
   * on, and the preview is asked again once typing pauses.
   */
  setField<K extends DraftField>(field: K, value: IProfileDraft[K]): void {
    const editor = this._state.editor;
    if (!editor || editor.saving || editor.deleting) {
      return;
    }
    const draft = { ...editor.draft, [field]: value };
    this._patchEditor({
      draft,
      dirty: !JSONExt.deepEqual(
        toBody(draft).body as never,
        this._initial as never
      ),
      touched: editor.touched.includes(field)
        ? editor.touched
        : [...editor.touched, field]
    });
    void this._preview.invoke();
  }

  /**
   * Save the draft: create it, or replace the revision the edit started
   * from. Resolves with the stored record, or null when the platform said
   * no (the reason is in `editor.failure` and `editor.fields`).
   */
  async save(): Promise<IProfileRecord | null> {
    const editor = this._state.editor;
    if (!editor || editor.saving || editor.deleting) {
      return null;
    }
    const { body, problems } = toBody(editor.draft);
    if (problems.length > 0) {
      this._patchEditor({ submitted: true, failure: null });
      return null;
    }
    const ticket = this._editorTicket;
    this._patchEditor({ saving: true, failure: null });
    try {
      const record =
        editor.mode === 'edit' && editor.base
          ? await this._api.updateProfile(
              editor.base.profile.slug,
              body,
              editor.base.revision
            )
          : await this._api.createProfile(body);
      if (ticket !== this._editorTicket || this.isDisposed) {
        return record;
      }
      this.close();
      // Saving a default un-defaults another profile: show them all afresh.
      await this.refresh();
      return record;
    } catch (error) {
      if (ticket === this._editorTicket && !this.isDisposed) {
        this._patchEditor({
          saving: false,
          submitted: true,
          ...ProfilesModel.failureOf(error)
        });
      }
      return null;
    }
  }

  /**
   * Delete the profile being edited, at the revision the edit started from.
   * True when it is gone; false with the reason in `editor.failure`.
   */
  async remove(): Promise<boolean> {
    const editor = this._state.editor;
    if (!editor?.base || editor.saving || editor.deleting) {
      return false;
    }
    const ticket = this._editorTicket;
    this._patchEditor({ deleting: true, failure: null });
    try {
      await this._api.deleteProfile(
        editor.base.profile.slug,
        editor.base.revision
      );
      if (ticket === this._editorTicket && !this.isDisposed) {
        this.close();
        await this.refresh();
      }
      return true;
    } catch (error) {
      if (ticket === this._editorTicket && !this.isDisposed) {
        const { failure } = ProfilesModel.failureOf(error);
        this._patchEditor({ deleting: false, failure });
      }
      return false;
    }
  }

  /**
   * Replace the draft with the profile as it is stored now (after a
   * conflict). Until this is called the admin's own edits stay on screen,
   * so they can copy what they need.
   */
  async reload(): Promise<void> {
    const editor = this._state.editor;
    if (!editor?.base) {
      return;
    }
    const slug = editor.base.profile.slug;
    const ticket = this._editorTicket;
    this._patchEditor({ reloading: true });
    await this.refresh();
    if (ticket !== this._editorTicket || this.isDisposed) {
      return;
    }
    const { status, profiles } = this._state;
    const current = profiles?.find(r => r.profile.slug === slug);
    if (current) {
      this.edit(current);
      return;
    }
    this._patchEditor({
      reloading: false,
      failure:
        status.kind === 'ready'
          ? { kind: 'gone', status: 404, message: null, requestId: null }
          : {
              kind: 'error',
              status: status.kind === 'error' ? status.status : 503,
              message: 'message' in status ? status.message : null,
              requestId: 'requestId' in status ? status.requestId : null
            }
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._preview.dispose();
    Signal.clearData(this);
  }

  private _open(
    mode: ProfilesModel.EditorMode,
    base: IProfileRecord | null,
    draft: IProfileDraft
  ): void {
    this._editorTicket++;
    this._preview.stop();
    this._initial = toBody(draft).body;
    this._update({
      editor: {
        mode,
        base,
        draft,
        dirty: false,
        touched: [],
        submitted: false,
        saving: false,
        deleting: false,
        reloading: false,
        fields: {},
        failure: null,
        preview: { kind: 'loading', pod: null }
      }
    });
    void this._runPreview();
  }

  /** Ask the platform what pod the draft gives, and what is wrong with it. */
  private async _runPreview(): Promise<void> {
    const editor = this._state.editor;
    if (!editor || this.isDisposed) {
      return;
    }
    const ticket = ++this._previewTicket;
    const editorTicket = this._editorTicket;
    const last = ProfilesModel.lastPod(editor.preview);
    this._patchEditor({ preview: { kind: 'loading', pod: last } });
    const { body } = toBody(editor.draft);
    const stale = () =>
      ticket !== this._previewTicket ||
      editorTicket !== this._editorTicket ||
      this.isDisposed;
    try {
      const answer = await this._api.previewProfile(body);
      if (!stale()) {
        // The inputs a failed save named are right now: drop its summary.
        const failure = this._state.editor?.failure ?? null;
        this._patchEditor({
          preview: { kind: 'ready', pod: ProfilesModel.podSpecOf(answer.pod) },
          fields: {},
          fieldReasons: undefined,
          failure: failure?.kind === 'invalid' ? null : failure
        });
      }
    } catch (error) {
      if (stale()) {
        return;
      }
      if (
        error instanceof PlatformRequestError &&
        error.status === 400 &&
        error.fields
      ) {
        const fieldReasons = error.fieldReasons ?? undefined;
        this._patchEditor({
          preview: { kind: 'invalid', fields: error.fields, fieldReasons },
          fields: error.fields,
          fieldReasons
        });
      } else {
        const state = PlatformModel.stateFromError(error);
        this._patchEditor({
          preview: {
            kind: 'error',
            status: state.kind === 'error' ? state.status : 503,
            message: state.message,
            reason: state.reason,
            params: state.params
          }
        });
      }
    }
  }

  private _patchEditor(patch: Partial<ProfilesModel.IEditor>): void {
    const editor = this._state.editor;
    if (editor) {
      this._update({ editor: { ...editor, ...patch } });
    }
  }

  private _update(patch: Partial<ProfilesModel.IState>): void {
    if (this.isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _api: IProfilesAPI;
  /** Bumped whenever the editor opens or closes; older answers are dropped. */
  private _editorTicket = 0;
  /** What the editor opened with, to tell whether the draft differs. */
  private _initial: ProfileBody | null = null;
  private _isDisposed = false;
  private _listTicket = 0;
  private _preview: Debouncer;
  private _previewTicket = 0;
  private _state: ProfilesModel.IState = {
    status: { kind: 'loading' },
    busy: false,
    profiles: null,
    knownGroups: [],
    editor: null
  };
  private _stateChanged = new Signal<this, ProfilesModel.IState>(this);
}

export namespace ProfilesModel {
  export interface IOptions {
    api: IProfilesAPI;
    /** How long typing must pause before the preview is asked (ms). */
    previewDelay?: number;
  }

  export const PREVIEW_DELAY = 400;

  export type Status =
    | PlatformModel.ILoading
    | { kind: 'ready' }
    | PlatformModel.IUnavailable
    | PlatformModel.IError;

  export type EditorMode = 'create' | 'edit';

  /** The pod the draft gives, or why the platform cannot say. */
  export type Preview =
    /** `pod` is the previous answer, shown dimmed while the new one comes. */
    | { kind: 'loading'; pod: IPodSpecPreview | null }
    | { kind: 'ready'; pod: IPodSpecPreview }
    | {
        kind: 'invalid';
        fields: { [path: string]: string };
        fieldReasons?: { [path: string]: IReasonRef };
      }
    | ({ kind: 'error'; status: number } & IServerText);

  /**
   * Why a save, a delete or a reload failed. `conflict`: somebody saved
   * since the edit started (offer a reload); `invalid`: the platform named
   * the wrong inputs; `gone`: the profile was deleted meanwhile.
   */
  export interface IFailure extends INoteFailure {
    kind: 'conflict' | 'invalid' | 'gone' | 'unavailable' | 'error';
  }

  export interface IEditor {
    mode: EditorMode;
    /** The stored record the edit started from; null for a new profile. */
    base: IProfileRecord | null;
    draft: IProfileDraft;
    /** The draft differs from what the editor opened with. */
    dirty: boolean;
    /** Inputs changed since opening; only their messages show before a save. */
    touched: DraftField[];
    /** A save was tried: every message shows, with a summary at the top. */
    submitted: boolean;
    saving: boolean;
    deleting: boolean;
    reloading: boolean;
    /** The platform's message per input path, from the latest validation. */
    fields: { [path: string]: string };
    /** The reason code of each of `fields`, when the platform sent them. */
    fieldReasons?: { [path: string]: IReasonRef };
    failure: IFailure | null;
    preview: Preview;
  }

  export interface IState {
    /** Of the list; an open editor keeps working whatever the list does. */
    status: Status;
    busy: boolean;
    /** Null until the first answer. */
    profiles: IProfileRecord[] | null;
    /** The groups a profile may be opened to. */
    knownGroups: string[];
    editor: IEditor | null;
  }

  /**
   * The message of an input, when the editor should show it now: after a
   * save, or once the admin changed that input, or another input the same
   * problem names (a guarantee above its limit is told at both, whichever
   * of the two was lowered or raised).
   */
  export function shownError(editor: IEditor, path: string): string | null {
    const message = editor.fields[path];
    if (message === undefined) {
      return null;
    }
    const named = editor.fieldReasons?.[path]?.params?.fields;
    const paths = typeof named === 'string' ? named.split(',') : [path];
    return editor.submitted ||
      [path, ...paths].some(p =>
        editor.touched.includes(sectionOf(p) as DraftField)
      )
      ? message
      : null;
  }

  /** What a failed save or delete tells the form. */
  export function failureOf(error: unknown): {
    failure: IFailure;
    fields?: { [path: string]: string };
    fieldReasons?: { [path: string]: IReasonRef };
  } {
    if (error instanceof PlatformRequestError) {
      const failure: IFailure = {
        kind: 'error',
        status: error.status,
        ...PlatformModel.said(error)
      };
      if (error.status === 400 && error.fields) {
        return {
          failure: { ...failure, kind: 'invalid' },
          fields: error.fields,
          fieldReasons: error.fieldReasons ?? undefined
        };
      }
      // Only a stale revision is cured by reloading: a taken slug or the last
      // profile are told as they are, with no Reload to offer.
      if (error.status === 409 && error.reason === 'profile_changed') {
        return { failure: { ...failure, kind: 'conflict' } };
      }
      if (error.status === 404) {
        return { failure: { ...failure, kind: 'gone' } };
      }
      if (error.isUnavailable) {
        return { failure: { ...failure, kind: 'unavailable' } };
      }
      return { failure };
    }
    return {
      failure: {
        kind: 'error',
        status: -1,
        message: error instanceof Error ? error.message : String(error),
        requestId: null
      }
    };
  }

  /** The pod a preview shows, if it has one to show. */
  export function lastPod(preview: Preview): IPodSpecPreview | null {
    return preview.kind === 'ready' || preview.kind === 'loading'
      ? preview.pod
      : null;
  }

  /**
   * The pod of a preview answer, which the document leaves an open object:
   * the Kubernetes fields the preview shows, each kept only when it has the
   * type Kubernetes gives it (missing ones read as empty).
   */
  export function podSpecOf(pod: IPodPreview['pod']): IPodSpecPreview {
    const resources = Private.objectOf(pod.resources);
    return {
      image: typeof pod.image === 'string' ? pod.image : '',
      resources: {
        requests: Private.textMap(resources.requests),
        limits: Private.textMap(resources.limits)
      },
      nodeSelector: Private.textMap(pod.nodeSelector),
      tolerations: Private.listOf(pod.tolerations).map(Private.textMap),
      env: Private.listOf(pod.env).flatMap(item => {
        const { name, value } = Private.textMap(item);
        return name === undefined ? [] : [{ name, value: value ?? '' }];
      })
    };
  }
}

/** Readers of the open objects of an answer. */
namespace Private {
  export function objectOf(value: unknown): { [key: string]: unknown } {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { [key: string]: unknown })
      : {};
  }

  export function listOf(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
  }

  /** The string entries of an object. */
  export function textMap(value: unknown): { [key: string]: string } {
    const picked: { [key: string]: string } = {};
    for (const [key, item] of Object.entries(objectOf(value))) {
      if (typeof item === 'string') {
        picked[key] = item;
      }
    }
    return picked;
  }
}
