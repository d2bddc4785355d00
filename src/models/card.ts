import { ILabStatus } from '@jupyterlab/application';
import { IStateDB } from '@jupyterlab/statedb';
import { JSONExt, ReadonlyPartialJSONValue } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { Debouncer } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IReasonRef, PlatformRequestError } from '../api/request';
import { IServerText } from '../shell/errors';
import {
  AuthorAction,
  CardLanguage,
  ICardMetric,
  IModelCard,
  IModelsAPI,
  IPublication,
  PublicationState
} from './types';

/** An empty card, as a new draft starts. */
export function emptyCard(language: CardLanguage = 'en'): IModelCard {
  return {
    catalog_name: '',
    description: '',
    out_of_scope: '',
    training_data: '',
    evaluation_data: '',
    metrics: [],
    limitations: '',
    risks: '',
    owners: [],
    contact: '',
    license: '',
    task: '',
    framework: '',
    tags: [],
    language
  };
}

/**
 * The first draft of a version's card: what the platform filled in from
 * MLflow (task and framework from the flavour, the run's metrics, the
 * author as owner), in the language the author's workbench speaks.
 */
export function startingCard(
  drafted: IModelCard,
  language: CardLanguage
): IModelCard {
  return { ...drafted, language };
}

/** The card's language that fits a UI locale: Russian for `ru*`. */
export function cardLanguageOf(locale: string): CardLanguage {
  return locale.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

/**
 * The card with a run metric picked (its value as the run logged it) or
 * dropped; picked metrics keep the run's order of names.
 */
export function pickMetric(
  card: IModelCard,
  key: string,
  picked: boolean,
  runMetrics: { readonly [key: string]: number }
): IModelCard {
  const others = card.metrics.filter(metric => metric.key !== key);
  if (!picked) {
    return { ...card, metrics: others };
  }
  const existing = card.metrics.find(metric => metric.key === key);
  const metric: ICardMetric = existing ?? {
    key,
    value: key in runMetrics ? runMetrics[key] : null,
    note: ''
  };
  return {
    ...card,
    metrics: [...others, metric].sort((a, b) => a.key.localeCompare(b.key))
  };
}

/** A list typed as text, one entry per comma; blanks dropped. */
export function listOf(text: string): string[] {
  return text
    .split(',')
    .map(item => item.trim())
    .filter(item => item !== '');
}

/** The states in which the author edits the card. */
export function isEditable(state: PublicationState): boolean {
  return state === 'draft' || state === 'changes_requested';
}

/** What the author may do in a state, in the order the buttons show. */
export function authorActions(state: PublicationState): AuthorAction[] {
  switch (state) {
    case 'draft':
      return ['submit'];
    case 'in_review':
      return ['withdraw'];
    case 'changes_requested':
      return ['resubmit'];
    default:
      return [];
  }
}

/**
 * The path of a card field in a refused save: the card's own (`metrics.0.key`)
 * whether the server names it inside the body (`card.metrics.0.key`) or not.
 */
export function cardPath(path: string): string {
  return path.startsWith('card.') ? path.slice('card.'.length) : path;
}

/** Text a Markdown table cell holds: one line, `|` escaped. */
function cell(text: string): string {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .join(' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|');
}

/**
 * A fact of the card (task, license, owners, tags…) as plain text in
 * Markdown: the marks that make HTML, links, emphasis or code escaped, as
 * `model_card.md` writes them. Reviewers and the catalog show these fields
 * as text, so the author's preview must not make `<b>` bold or a
 * `[link](…)` a link out of them.
 */
function plain(text: string): string {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .join(' ')
    .replace(/[\\`*_[\]<>&|!~]/g, '\\$&');
}

/** The headings of the preview, in the UI's language. */
export interface ICardHeadings {
  description: string;
  outOfScope: string;
  trainingData: string;
  evaluationData: string;
  metrics: string;
  metric: string;
  value: string;
  note: string;
  limitations: string;
  risks: string;
  details: string;
  task: string;
  framework: string;
  license: string;
  owners: string;
  contact: string;
  tags: string;
  /** A task as the catalog and the review page name it ("Classification"). */
  taskName?: (task: string) => string;
}

/**
 * The card as one Markdown document for the preview, laid out like the
 * `model_card.md` a publication writes. The author's text is Markdown as
 * written; the document is only ever rendered through the sanitizer.
 */
export function cardMarkdown(
  card: IModelCard,
  title: string,
  headings: ICardHeadings
): string {
  const out: string[] = [`# ${cell(title)}`];
  const section = (head: string, body: string) => {
    if (body.trim()) {
      out.push('', `## ${head}`, '', body.trim());
    }
  };
  section(headings.description, card.description);
  const details: [string, string][] = [
    [headings.task, card.task && (headings.taskName?.(card.task) ?? card.task)],
    [headings.framework, card.framework],
    [headings.license, card.license],
    [headings.owners, card.owners.join(', ')],
    [headings.contact, card.contact],
    [headings.tags, card.tags.join(', ')]
  ];
  const listed = details.filter(([, value]) => value.trim());
  if (listed.length > 0) {
    out.push('', `## ${headings.details}`, '');
    out.push(...listed.map(([key, value]) => `- **${key}:** ${plain(value)}`));
  }
  section(headings.outOfScope, card.out_of_scope);
  section(headings.trainingData, card.training_data);
  section(headings.evaluationData, card.evaluation_data);
  if (card.metrics.length > 0) {
    out.push('', `## ${headings.metrics}`, '');
    out.push(
      `| ${headings.metric} | ${headings.value} | ${headings.note} |`,
      '|---|---|---|'
    );
    for (const metric of card.metrics) {
      const value =
        metric.value === null
          ? ''
          : String(Number(metric.value.toPrecision(6)));
      out.push(`| ${cell(metric.key)} | ${value} | ${cell(metric.note)} |`);
    }
  }
  section(headings.limitations, card.limitations);
  section(headings.risks, card.risks);
  return out.join('\n') + '\n';
}

/**
 * Cards typed but not on the platform yet, one per publication, kept where a
 * reload of the page or a closed page does not lose them. A card the
 * platform refuses (one field too long) is not saved at all, and JupyterLab
 * asks before a reload; this keeps what was typed if the author goes anyway.
 */
export interface IKeptCards {
  /** The kept card, once every save held for the publication has settled. */
  fetch(publication: number): Promise<CardDraft.IKept | null>;
  save(publication: number, kept: CardDraft.IKept): Promise<void>;
  remove(publication: number): Promise<void>;
  /**
   * Make fetches of the publication wait for ``until``: a page closing saves
   * what was typed while the page opened after it looks for a kept card.
   */
  hold(publication: number, until: Promise<unknown>): void;
}

/**
 * Kept cards in the lab's state database: saved with the workspace, on the
 * person's own server, so they come back after a reload in that workspace.
 * One per lab: the saves it holds fetches for are its own.
 */
export function keptCards(db: IStateDB): IKeptCards {
  const key = (publication: number) =>
    `jupyterlab-mlplat:card-draft:${publication}`;
  const holds = new Map<number, Promise<unknown>>();
  return {
    fetch: async publication => {
      await holds.get(publication);
      const found = (await db.fetch(key(publication))) as
        CardDraft.IKept | undefined;
      return found?.card ? found : null;
    },
    save: async (publication, kept) => {
      await db.save(
        key(publication),
        kept as never as ReadonlyPartialJSONValue
      );
    },
    remove: async publication => {
      await db.remove(key(publication));
    },
    hold: (publication, until) => {
      const held = Promise.allSettled([holds.get(publication), until]);
      holds.set(publication, held);
      void held.then(() => {
        if (holds.get(publication) === held) {
          holds.delete(publication);
        }
      });
    }
  };
}

/**
 * The card of one publication being edited, saved as the author types.
 *
 * Every save names the revision the card was read at, so a change made
 * meanwhile (in another tab, by a reviewer's decision) is never overwritten:
 * the platform answers 409, editing stops until the author reloads, and
 * what they typed stays on the screen. A refused field keeps its message
 * beside its input until that input changes. What is typed is also kept
 * (``IKeptCards``) until the platform holds it: a draft opened over a kept
 * card that differs from the saved one offers it back.
 */
export class CardDraft implements IDisposable {
  constructor(options: CardDraft.IOptions) {
    this._api = options.api;
    this._load = options.load;
    this._status = options.status ?? null;
    this._kept = options.kept ?? null;
    this._state = {
      publication: options.publication,
      card: options.publication.card,
      dirty: false,
      saving: false,
      acting: null,
      fields: {},
      fieldReasons: {},
      failure: null,
      conflict: null,
      kept: null
    };
    this._autosave = new Debouncer(
      () => this.save(),
      options.autosaveDelay ?? CardDraft.AUTOSAVE_DELAY
    );
    // typing waits for the kept card to be looked for: typed first, it would
    // replace a kept card never offered
    this._looked = this._kept === null;
    this.ready = this._offerKept().finally(() => {
      this._looked = true;
      this._update({});
    });
  }

  /** Resolves once a kept card has been looked for (and offered). */
  readonly ready: Promise<void>;

  get state(): CardDraft.IState {
    return this._state;
  }

  get stateChanged(): ISignal<this, CardDraft.IState> {
    return this._stateChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Whether what is typed is kept until saved (offered back after a reload). */
  get keeps(): boolean {
    return this._kept !== null;
  }

  /** Whether the author may change the card now. */
  get editable(): boolean {
    const { publication, conflict, acting } = this._state;
    return (
      this._looked && isEditable(publication.state) && !conflict && !acting
    );
  }

  /** Change the card; it is saved once typing pauses. */
  setCard(card: IModelCard): void {
    if (
      !this.editable ||
      JSONExt.deepEqual(card as never, this._state.card as never)
    ) {
      return;
    }
    // the messages of the fields that changed are about text no longer there
    const fields = { ...this._state.fields };
    const fieldReasons = { ...this._state.fieldReasons };
    for (const path of Object.keys({ ...fields, ...fieldReasons })) {
      if (changedAt(this._state.card, card, path)) {
        delete fields[path];
        delete fieldReasons[path];
      }
    }
    // the kept card now is what is typed here: an offer of an older one goes
    this._keptCard = null;
    this._update({
      card,
      dirty: true,
      fields,
      fieldReasons,
      failure: null,
      kept: null
    });
    this._keep(card);
    void this._autosave.invoke();
  }

  /** Put the kept card on the screen; it is saved as if typed again. */
  restoreKept(): void {
    const card = this._keptCard;
    if (!card || !this.editable) {
      return;
    }
    this.setCard(card);
  }

  /** Forget the kept card: the saved one stays. */
  discardKept(): void {
    this._keptCard = null;
    this._update({ kept: null });
    void this._kept?.remove(this._state.publication.id).catch(() => undefined);
  }

  /**
   * Save now what is typed. Resolves true when the card on the platform is
   * the one on the screen (nothing to save counts), false when it was refused.
   */
  async save(): Promise<boolean> {
    let settled = () => {};
    this._kept?.hold(
      this._state.publication.id,
      new Promise<void>(resolve => (settled = resolve))
    );
    try {
      return await this._save();
    } finally {
      settled();
    }
  }

  private async _save(): Promise<boolean> {
    if (this._saving) {
      // one save at a time: the next starts from the revision this one gets
      await this._saving;
    }
    if (!this._state.dirty || this._state.conflict || this.isDisposed) {
      return !this._state.dirty;
    }
    const card = this._state.card;
    const { publication } = this._state;
    this._update({ saving: true });
    const request = this._api.saveCard(
      publication.id,
      card,
      publication.revision
    );
    this._saving = request.then(
      () => undefined,
      () => undefined
    );
    try {
      const saved = await request;
      if (this.isDisposed) {
        return false;
      }
      // typed on while it was saved: the newer text is still to save
      const dirty = !JSONExt.deepEqual(
        card as never,
        this._state.card as never
      );
      this._update({
        publication: saved,
        saving: false,
        dirty,
        fields: dirty ? this._state.fields : {},
        fieldReasons: dirty ? this._state.fieldReasons : {}
      });
      if (dirty) {
        void this._autosave.invoke();
      } else {
        await this._forget();
      }
      return !dirty;
    } catch (error) {
      this._refused(error);
      return false;
    } finally {
      this._saving = null;
    }
  }

  /**
   * Submit, withdraw or resubmit: what is typed is saved first, then the
   * step is asked for with the revision the save answered.
   */
  async act(action: AuthorAction): Promise<boolean> {
    if (this._state.acting || this._state.conflict) {
      return false;
    }
    this._autosave.stop();
    if (isEditable(this._state.publication.state) && !(await this.save())) {
      return false;
    }
    const { publication } = this._state;
    this._update({ acting: action, failure: null });
    try {
      const next = await this._api.act(
        publication.id,
        action,
        publication.revision
      );
      this._update({
        acting: null,
        publication: next,
        card: next.card,
        dirty: false
      });
      await this._forget();
      // a card kept from before (not typed here) waits for the card to be
      // editable again, and is offered then (a withdrawal)
      await this._offerKept();
      return true;
    } catch (error) {
      this._update({ acting: null });
      this._refused(error);
      return false;
    }
  }

  /**
   * Read the publication again. What was not saved leaves the screen but is
   * still kept, and offered back over the card as it is now.
   */
  async reload(): Promise<void> {
    this._autosave.stop();
    try {
      const publication = await this._load();
      this._update({
        publication,
        card: publication.card,
        dirty: false,
        saving: false,
        fields: {},
        fieldReasons: {},
        failure: null,
        conflict: null
      });
      await this._offerKept();
    } catch (error) {
      this._update({ failure: serverText(error) });
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._autosave.dispose();
    // what was not saved by now is gone with the page: the lab is no longer dirty for it
    this._dirtyMark?.dispose();
    this._dirtyMark = null;
    Signal.clearData(this);
  }

  /**
   * Offer the kept card of this publication if the card can be edited and it
   * differs from the saved one; keep it while the card is in review (a
   * withdrawal or a request for changes makes it editable again); forget it
   * once nothing can change the card any more.
   */
  private async _offerKept(): Promise<void> {
    let kept: CardDraft.IKept | null = null;
    try {
      kept = (await this._kept?.fetch(this._state.publication.id)) ?? null;
    } catch {
      return; // nothing can be offered; the saved card is on the screen
    }
    if (this.isDisposed || this._state.dirty) {
      return;
    }
    const { publication } = this._state;
    const offer = (
      card: IModelCard | null,
      shown: CardDraft.IState['kept']
    ) => {
      this._keptCard = card;
      if (shown !== this._state.kept) {
        this._update({ kept: shown });
      }
    };
    if (!kept) {
      offer(null, null);
      return;
    }
    const card = { ...emptyCard(), ...kept.card }; // kept by an older card's fields
    const same = JSONExt.deepEqual(card as never, publication.card as never);
    const inReview = publication.state === 'in_review';
    if (same || !(isEditable(publication.state) || inReview)) {
      offer(null, null);
      void this._kept?.remove(publication.id).catch(() => undefined);
      return;
    }
    if (inReview) {
      offer(null, null); // kept until the card can be changed again
      return;
    }
    offer(card, {
      at: kept.at,
      replaces: !JSONExt.deepEqual(
        (kept.base ?? null) as never,
        publication.card as never
      )
    });
  }

  private _keep(card: IModelCard): void {
    const { publication } = this._state;
    this._keptByMe = true;
    void this._kept
      ?.save(publication.id, {
        card,
        base: publication.card,
        at: new Date().toISOString()
      })
      .catch(() => undefined);
  }

  /**
   * The platform holds what was typed here: nothing of it is left to keep. A
   * kept card this draft did not write (offered, not restored) stays.
   */
  private async _forget(): Promise<void> {
    if (!this._keptByMe) {
      return;
    }
    this._keptByMe = false;
    await this._kept?.remove(this._state.publication.id).catch(() => undefined);
  }

  private _refused(error: unknown): void {
    if (error instanceof PlatformRequestError && error.status === 409) {
      this._autosave.stop();
      this._update({ saving: false, conflict: serverText(error) });
      return;
    }
    if (
      error instanceof PlatformRequestError &&
      error.status === 400 &&
      (error.fields || error.fieldReasons)
    ) {
      const fields: { [path: string]: string } = {};
      const fieldReasons: { [path: string]: IReasonRef } = {};
      for (const [path, message] of Object.entries(error.fields ?? {})) {
        fields[cardPath(path)] = message;
      }
      for (const [path, ref] of Object.entries(error.fieldReasons ?? {})) {
        fieldReasons[cardPath(path)] = ref;
      }
      if (error.reason === 'card_incomplete') {
        // what a submission needs: each field says so, in the user's language
        for (const path of Object.keys(fields)) {
          fieldReasons[path] ??= { reason: 'field_required' };
        }
      }
      this._update({
        saving: false,
        fields,
        fieldReasons,
        failure: serverText(error)
      });
      return;
    }
    this._update({ saving: false, failure: serverText(error) });
  }

  private _update(patch: Partial<CardDraft.IState>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    // the lab is dirty while changes are not saved: leaving it asks first
    if (this._state.dirty && this._status) {
      this._dirtyMark ??= this._status.setDirty();
    } else {
      this._dirtyMark?.dispose();
      this._dirtyMark = null;
    }
    this._stateChanged.emit(this._state);
  }

  private _api: IModelsAPI;
  private _kept: IKeptCards | null;
  private _keptCard: IModelCard | null = null;
  private _keptByMe = false;
  private _looked: boolean;
  private _status: ILabStatus | null;
  private _dirtyMark: IDisposable | null = null;
  private _autosave: Debouncer;
  private _isDisposed = false;
  private _load: () => Promise<IPublication>;
  private _saving: Promise<void> | null = null;
  private _state: CardDraft.IState;
  private _stateChanged = new Signal<this, CardDraft.IState>(this);
}

export namespace CardDraft {
  export interface IOptions {
    api: IModelsAPI;
    publication: IPublication;
    /** Reads the publication again (after a conflict). */
    load: () => Promise<IPublication>;
    autosaveDelay?: number;
    /** The lab's status, marked dirty while changes are not saved. */
    status?: ILabStatus | null;
    /** Where what is typed is kept until the platform holds it. */
    kept?: IKeptCards | null;
  }

  /** A card typed but not saved, and the saved card it was typed over. */
  export interface IKept {
    card: IModelCard;
    base: IModelCard;
    /** When it was typed (ISO 8601). */
    at: string;
  }

  /** A pause in typing this long saves the card. */
  export const AUTOSAVE_DELAY = 1000;

  export interface IState {
    /** The publication as the platform last answered. */
    publication: IPublication;
    /** The card on the screen. */
    card: IModelCard;
    /** Typed but not saved yet. */
    dirty: boolean;
    saving: boolean;
    acting: AuthorAction | null;
    /** The messages of refused fields, by the card's paths. */
    fields: { [path: string]: string };
    fieldReasons: { [path: string]: IReasonRef };
    /** The last refusal that is not about one field. */
    failure: IServerText | null;
    /** Somebody changed the publication since it was read (409). */
    conflict: IServerText | null;
    /**
     * A card typed earlier and never saved, offered back: when it was typed,
     * and whether the saved card changed since (restoring replaces that).
     */
    kept: { at: string; replaces: boolean } | null;
  }
}

/** Whether the value at a field path differs between two cards. */
function changedAt(a: IModelCard, b: IModelCard, path: string): boolean {
  const at = (card: IModelCard) =>
    path
      .split('.')
      .reduce<unknown>(
        (value, key) =>
          value !== null && typeof value === 'object'
            ? (value as Record<string, unknown>)[key]
            : undefined,
        card
      );
  return !JSONExt.deepEqual((at(a) ?? null) as never, (at(b) ?? null) as never);
}

/** The message, reason and values of a failure, as the views show them. */
function serverText(error: unknown): IServerText {
  if (error instanceof PlatformRequestError) {
    return {
      message: error.serverMessage,
      reason: error.reason,
      params: error.params
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}
