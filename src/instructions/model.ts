import { Debouncer } from '@lumino/polling';
import { Signal } from '@lumino/signaling';

import { IReasonRef, PlatformRequestError } from '../api/request';
import { PlatformModel } from '../shell/model';
import { IFailure } from '../shell/notes';
import { NotLoaded } from '../shell/status';
import { TabModel } from '../shell/tabModel';
import {
  emptyDraft,
  newTaskId,
  IArticleDraft,
  isBlank,
  Language,
  parseNames
} from './draft';
import {
  ArticleState,
  IArticleSource,
  IArticleSummary,
  IArticleView,
  IContentBody,
  IInstructionsAPI,
  IProgressBody,
  IRevisionSummary
} from './types';

/**
 * The Instructions tab: the articles a person may read, one article open
 * with their ticks, and — for instructors — one article being written.
 *
 * Every save names the revision the editor started from. When another
 * instructor saved first the platform refuses (409, naming who and when);
 * the editor keeps every word typed here and offers to load theirs or to
 * save this text over it (theirs stays in the revisions either way).
 */
export class InstructionsModel extends TabModel<InstructionsModel.IState> {
  constructor(options: InstructionsModel.IOptions) {
    super({
      me: null,
      canEdit: false,
      language: options.language ?? 'en',
      query: '',
      list: { kind: 'loading' },
      items: null,
      view: 'list',
      article: null,
      editor: null
    });
    this._api = options.api;
    this._search = new Debouncer(
      () => this._readList().catch(() => undefined),
      options.searchDelay ?? InstructionsModel.SEARCH_DELAY
    );
  }

  get api(): IInstructionsAPI {
    return this._api;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Who is signed in, and whether they write articles. */
  setIdentity(me: string, canEdit: boolean): void {
    this._update({ me, canEdit });
  }

  /** The reader's language (the lab's); texts fall back to the other one. */
  setLanguage(language: Language): void {
    this._update({ language });
  }

  /** Read the list again (with the search typed). */
  async refresh(): Promise<void> {
    await this._readList();
  }

  /** Search as one types: the list is read once typing pauses. */
  setQuery(query: string): Promise<void> {
    this._update({ query });
    return this._search.invoke();
  }

  /** Open an article to read it (from the list, a link, a command). */
  async open(slug: string): Promise<void> {
    this._articleTicket++;
    this._update({
      view: 'article',
      article: {
        slug,
        status: { kind: 'loading' },
        data: null,
        ticking: null,
        failure: null,
        copying: false,
        copied: null
      }
    });
    await this._readArticle(slug);
  }

  /** Back to the list (reading it again: progress may have changed). */
  back(): void {
    this._articleTicket++;
    this._update({ view: 'list', article: null });
    void this._readList();
  }

  /**
   * Tick or untick a task. The tick shows at once and is undone, with the
   * server's reason, when the platform refuses it.
   */
  async tick(key: string, done: boolean): Promise<boolean> {
    const article = this._state.article;
    const data = article?.data;
    if (!article || !data || article.ticking) {
      return false;
    }
    const before = data.progress;
    const ticket = this._articleTicket;
    this._patchArticle({
      ticking: key,
      failure: null,
      data: InstructionsModel.withTick(data, key, done)
    });
    try {
      const progress = await this._api.tick(article.slug, key, done);
      if (ticket === this._articleTicket) {
        this._patchProgress(progress);
        this._patchArticle({ ticking: null });
      }
      return true;
    } catch (error) {
      if (ticket === this._articleTicket) {
        this._patchProgress(before);
        this._patchArticle({
          ticking: null,
          failure: InstructionsModel.failureOf(error)
        });
      }
      return false;
    }
  }

  /**
   * Copy the article's example notebook into the person's home; resolves
   * to the path of the copy (to open it), or null when refused.
   */
  async copyNotebook(): Promise<string | null> {
    const article = this._state.article;
    if (!article?.data || article.copying) {
      return null;
    }
    const ticket = this._articleTicket;
    this._patchArticle({ copying: true, failure: null, copied: null });
    try {
      const copied = await this._api.openNotebook(article.slug);
      if (ticket === this._articleTicket) {
        this._patchArticle({ copying: false, copied: copied.path });
      }
      return copied.path;
    } catch (error) {
      if (ticket === this._articleTicket) {
        this._patchArticle({
          copying: false,
          failure: InstructionsModel.failureOf(error)
        });
      }
      return null;
    }
  }

  dismissFailure(): void {
    this._patchArticle({ failure: null });
  }

  // ---- the editor (instructors)

  /** Start a new article. */
  newArticle(): void {
    const draft = emptyDraft();
    const last = Math.max(
      0,
      ...(this._state.items ?? []).map(item => item.position)
    );
    draft.position = String(last + 10);
    this._openEditor(draft, null, null);
  }

  /** Edit the article that is open (its text as the platform has it now). */
  async edit(slug: string): Promise<void> {
    this._openEditor(emptyDraft(), null, null);
    const ticket = this._editorTicket;
    this._patchEditor({ busy: 'load' });
    try {
      const source = await this._api.source(slug);
      if (ticket === this._editorTicket) {
        // nothing typed yet: what is on screen is what is stored (Publish may go)
        this._patchEditor({
          busy: null,
          saved: true,
          ...InstructionsModel.editorOf(source)
        });
      }
    } catch (error) {
      if (ticket === this._editorTicket) {
        this._patchEditor({
          busy: null,
          failure: InstructionsModel.failureOf(error),
          failed: 'load'
        });
      }
    }
  }

  /**
   * Whether the editor holds words typed and not saved: the editor asks
   * before closing over them.
   */
  get unsavedEdits(): boolean {
    const editor = this._state.editor;
    return editor !== null && editor.edited && !editor.saved;
  }

  /** Leave the editor (what was not saved is dropped: ask first). */
  closeEditor(): void {
    const slug = this._state.editor?.draft.slug ?? null;
    this._editorTicket++;
    this._update({ editor: null });
    if (slug) {
      void this.open(slug);
    } else {
      this.back();
    }
  }

  /** Replace the draft (every keystroke of the editor). */
  setDraft(draft: IArticleDraft): void {
    this._patchEditor({ draft, saved: false, justSaved: false, edited: true });
  }

  /** Which language the editor shows. */
  setEditorLanguage(language: Language): void {
    this._patchEditor({ language });
  }

  /** Show the Markdown as readers will see it, or the inputs. */
  setPreview(preview: boolean): void {
    this._patchEditor({ preview });
  }

  /**
   * Save the draft as a new revision (creating the article the first
   * time). True when saved; otherwise the reason is in `editor.failure`
   * (and `editor.conflict` for another instructor's save), and the draft
   * is as it was.
   */
  async save(): Promise<boolean> {
    const editor = this._state.editor;
    if (!editor || editor.busy) {
      return false;
    }
    const { draft } = editor;
    const content = InstructionsModel.contentOf(draft);
    const { slug, revision } = { slug: draft.slug, revision: editor.revision };
    return this._editorCall('save', () =>
      slug === null || revision === null
        ? this._api.create(draft.newSlug.trim(), content)
        : this._api.save(slug, revision, content)
    );
  }

  /** Publish the saved article (or take it back to a draft). */
  async setPublished(published: boolean): Promise<boolean> {
    const editor = this._state.editor;
    const slug = editor?.draft.slug;
    if (!editor || !slug || editor.busy || editor.revision === null) {
      return false;
    }
    const revision = editor.revision;
    return this._editorCall(published ? 'publish' : 'unpublish', () =>
      this._api.setPublished(slug, published, revision)
    );
  }

  /**
   * After a conflict: load the article as the other instructor saved it,
   * dropping the text typed here.
   */
  async reloadTheirs(): Promise<void> {
    const theirs = await this._readTheirs();
    if (theirs) {
      this._patchEditor({
        ...InstructionsModel.editorOf(theirs),
        saved: true,
        conflict: null,
        failure: null
      });
    }
  }

  /**
   * After a conflict: save the text typed here over theirs, which stays
   * in the revisions. True when saved.
   */
  async keepMineAndRetry(): Promise<boolean> {
    const theirs = await this._readTheirs();
    if (!theirs) {
      return false;
    }
    this._patchEditor({
      revision: theirs.revision,
      state: theirs.state,
      conflict: null,
      failure: null
    });
    return this.save();
  }

  /**
   * Upload an image for the article being edited; resolves to the Markdown
   * that shows it (`![name](images/…)`), or null when refused (the reason
   * is in `editor.failure`).
   */
  async uploadImage(file: File): Promise<string | null> {
    const editor = this._state.editor;
    const slug = editor?.draft.slug;
    if (!editor || !slug || editor.busy) {
      return null;
    }
    const ticket = this._editorTicket;
    this._patchEditor({
      busy: 'upload',
      failure: null,
      upload: { name: file.name, loaded: 0, total: file.size }
    });
    try {
      const image = await this._api.uploadImage(slug, file, (loaded, total) => {
        if (ticket === this._editorTicket) {
          this._patchEditor({ upload: { name: file.name, loaded, total } });
        }
      });
      if (ticket === this._editorTicket) {
        this._patchEditor({ busy: null, upload: null });
      }
      const alt = file.name.replace(/\.[^.]*$/, '').replace(/[[\]]/g, '');
      return `![${alt}](${image.reference})`;
    } catch (error) {
      if (ticket === this._editorTicket) {
        this._patchEditor({
          busy: null,
          upload: null,
          failure: InstructionsModel.failureOf(error),
          failed: 'upload'
        });
      }
      return null;
    }
  }

  /** Read the article's revisions (who changed what, when). */
  async readRevisions(): Promise<void> {
    const slug = this._state.editor?.draft.slug;
    if (!slug) {
      return;
    }
    const ticket = this._editorTicket;
    this._patchEditor({
      revisions: { status: { kind: 'loading' }, items: [] }
    });
    try {
      const list = await this._api.revisions(slug);
      if (ticket === this._editorTicket) {
        this._patchEditor({
          revisions: { status: { kind: 'ready' }, items: list.revisions }
        });
      }
    } catch (error) {
      if (ticket === this._editorTicket) {
        this._patchEditor({
          revisions: {
            status: PlatformModel.stateFromError(error),
            items: []
          }
        });
      }
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._search.dispose();
    Signal.clearData(this);
  }

  protected _shown(): void {
    const { article, view } = this._state;
    void this._readList();
    if (view === 'article' && article && !article.ticking) {
      void this._readArticle(article.slug);
    }
  }

  private async _editorCall(
    busy: InstructionsModel.EditorBusy,
    call: () => Promise<IArticleSource>
  ): Promise<boolean> {
    const ticket = this._editorTicket;
    this._patchEditor({
      busy,
      failure: null,
      conflict: null,
      justSaved: false
    });
    try {
      const saved = await call();
      if (ticket !== this._editorTicket) {
        return true;
      }
      const editor = this._state.editor!;
      this._patchEditor({
        busy: null,
        saved: true,
        justSaved: true,
        revision: saved.revision,
        state: saved.state,
        // the slug is fixed once the article exists; the text stays as typed
        draft: { ...editor.draft, slug: saved.slug },
        revisions: null,
        problems: null
      });
      void this._readList();
      return true;
    } catch (error) {
      if (ticket === this._editorTicket) {
        this._patchEditor({
          busy: null,
          failure: InstructionsModel.failureOf(error),
          failed: busy,
          conflict: InstructionsModel.conflictOf(error),
          problems: InstructionsModel.problemsOf(error)
        });
      }
      return false;
    }
  }

  private async _readTheirs(): Promise<IArticleSource | null> {
    const editor = this._state.editor;
    const slug = editor?.draft.slug;
    if (!editor || !slug || editor.busy) {
      return null;
    }
    const ticket = this._editorTicket;
    this._patchEditor({ busy: 'load' });
    try {
      const source = await this._api.source(slug);
      if (ticket !== this._editorTicket) {
        return null;
      }
      this._patchEditor({ busy: null });
      return source;
    } catch (error) {
      if (ticket === this._editorTicket) {
        this._patchEditor({
          busy: null,
          failure: InstructionsModel.failureOf(error),
          failed: 'load'
        });
      }
      return null;
    }
  }

  private _openEditor(
    draft: IArticleDraft,
    revision: number | null,
    state: ArticleState | null
  ): void {
    this._editorTicket++;
    this._update({
      view: 'editor',
      editor: {
        draft,
        revision,
        state,
        language: this._state.language,
        preview: false,
        busy: null,
        failure: null,
        failed: null,
        conflict: null,
        saved: false,
        edited: false,
        justSaved: false,
        upload: null,
        revisions: null
      }
    });
  }

  private async _readList(): Promise<void> {
    const ticket = ++this._listTicket;
    try {
      const list = await this._api.list(
        this._state.query.trim(),
        this._state.language
      );
      if (ticket === this._listTicket) {
        this._update({ list: { kind: 'ready' }, items: list.articles });
      }
    } catch (error) {
      if (ticket === this._listTicket) {
        this._update({ list: PlatformModel.stateFromError(error) });
      }
    }
  }

  private async _readArticle(slug: string): Promise<void> {
    const ticket = ++this._readTicket;
    try {
      const data = await this._api.read(slug, this._state.language);
      if (ticket === this._readTicket && this._state.article?.slug === slug) {
        this._patchArticle({ status: { kind: 'ready' }, data });
      }
    } catch (error) {
      if (ticket === this._readTicket && this._state.article?.slug === slug) {
        this._patchArticle({ status: PlatformModel.stateFromError(error) });
      }
    }
  }

  private _patchProgress(progress: IProgressBody): void {
    const data = this._state.article?.data;
    if (data) {
      this._patchArticle({
        data: InstructionsModel.withProgress(data, progress)
      });
    }
  }

  private _patchArticle(patch: Partial<InstructionsModel.IArticlePage>): void {
    const article = this._state.article;
    if (article) {
      this._update({ article: { ...article, ...patch } });
    }
  }

  private _patchEditor(patch: Partial<InstructionsModel.IEditor>): void {
    const editor = this._state.editor;
    if (editor) {
      // the fields listed belong to the failure that named them: another
      // failure (a publish, an upload), or none, takes them away
      const problems = 'failure' in patch && !('problems' in patch);
      this._update({
        editor: { ...editor, ...patch, ...(problems ? { problems: null } : {}) }
      });
    }
  }

  private _api: IInstructionsAPI;
  private _isDisposed = false;
  private _search: Debouncer;
  /** Bumped when an article opens or closes: answers for another are dropped. */
  private _articleTicket = 0;
  /** Bumped when the editor opens or closes. */
  private _editorTicket = 0;
  private _listTicket = 0;
  private _readTicket = 0;
}

export namespace InstructionsModel {
  export interface IOptions {
    api: IInstructionsAPI;
    /** The reader's language; English when not given. */
    language?: Language;
    /** How long typing must pause before the list is searched (ms). */
    searchDelay?: number;
  }

  export const SEARCH_DELAY = 250;

  export type View = 'list' | 'article' | 'editor';

  export interface IArticlePage {
    slug: string;
    status: NotLoaded | { kind: 'ready' };
    data: IArticleView | null;
    /** The task whose tick is being saved. */
    ticking: string | null;
    failure: IFailure | null;
    /** "Open in my workspace" is copying the notebook. */
    copying: boolean;
    /** Where the notebook was copied to. */
    copied: string | null;
  }

  export type EditorBusy = 'load' | 'save' | 'publish' | 'unpublish' | 'upload';

  /** Another instructor's save the editor's revision did not know of. */
  export interface IConflict {
    by: string;
    at: string;
  }

  export interface IEditor {
    draft: IArticleDraft;
    /** The revision the draft started from; null for a new article. */
    revision: number | null;
    state: ArticleState | null;
    /** The language the inputs show. */
    language: Language;
    preview: boolean;
    busy: EditorBusy | null;
    failure: IFailure | null;
    /** What `failure` is the failure of. */
    failed: EditorBusy | null;
    conflict: IConflict | null;
    /** What is on screen is what the platform stores (nothing typed since). */
    saved: boolean;
    /** Something was typed since the editor opened (saved or not). */
    edited: boolean;
    /** The fields the last refused save named; null once another failure, or none, is shown. */
    problems?: IFieldProblems | null;
    /** A save (or publish) just went through: the note beside the buttons. */
    justSaved: boolean;
    upload: { name: string; loaded: number; total: number } | null;
    revisions: {
      status: NotLoaded | { kind: 'ready' };
      items: IRevisionSummary[];
    } | null;
  }

  export interface IState {
    me: string | null;
    /** Holds `custom:mlplat:instruct`: sees drafts, writes articles. */
    canEdit: boolean;
    language: Language;
    query: string;
    list: NotLoaded | { kind: 'ready' };
    /** In the articles' order; null before the first answer. */
    items: IArticleSummary[] | null;
    view: View;
    article: IArticlePage | null;
    editor: IEditor | null;
  }

  /**
   * "2 of 5 done": the ticks of the article's current tasks only (a tick
   * of a task since removed does not count).
   */
  export function progressOf(article: IArticleView): {
    done: number;
    total: number;
  } {
    return {
      done: article.tasks.filter(task => task.done).length,
      total: article.tasks.length
    };
  }

  /** The article with one task ticked or unticked (shown before the answer). */
  export function withTick(
    article: IArticleView,
    key: string,
    done: boolean
  ): IArticleView {
    const tasks = article.tasks.map(task =>
      task.key === key ? { ...task, done } : task
    );
    const keys = tasks.filter(task => task.done).map(task => task.key);
    return {
      ...article,
      tasks,
      progress: { done: keys, count: keys.length, total: tasks.length }
    };
  }

  /** The article with the ticks the platform answered. */
  export function withProgress(
    article: IArticleView,
    progress: IProgressBody
  ): IArticleView {
    const done = new Set(progress.done);
    return {
      ...article,
      tasks: article.tasks.map(task => ({ ...task, done: done.has(task.key) })),
      progress
    };
  }

  /** The editor's draft of a saved article. */
  export function draftOf(article: IArticleSource): IArticleDraft {
    const { content } = article;
    const names =
      content.audience === 'groups'
        ? content.groups
        : content.audience === 'profiles'
          ? content.profiles
          : [];
    return {
      slug: article.slug,
      newSlug: article.slug,
      title: { ...content.title },
      summary: { ...content.summary },
      introduction: { ...content.introduction },
      conclusion: { ...content.conclusion },
      tasks: content.tasks.map(task => ({
        id: newTaskId(),
        key: task.key,
        title: { ...task.title },
        body: { ...task.body },
        check: { ...task.check },
        help: { ...task.help }
      })),
      minutes: String(content.minutes),
      position: String(content.position),
      next: content.next_article ?? '',
      audience: content.audience,
      names: names.join(', ')
    };
  }

  export function editorOf(
    article: IArticleSource
  ): Pick<IEditor, 'draft' | 'revision' | 'state'> {
    return {
      draft: draftOf(article),
      revision: article.revision,
      state: article.state
    };
  }

  /**
   * What the editor sends. Numbers typed as something else are sent as
   * typed, so the platform names the field (a 400 beside the input)
   * rather than the editor guessing.
   */
  export function contentOf(draft: IArticleDraft): IContentBody {
    const names = parseNames(draft.names);
    return {
      title: { ...draft.title },
      summary: { ...draft.summary },
      introduction: { ...draft.introduction },
      conclusion: { ...draft.conclusion },
      tasks: draft.tasks.map(task => ({
        key: task.key,
        title: { ...task.title },
        body: { ...task.body },
        check: { ...task.check },
        help: { ...task.help }
      })),
      next_article: draft.next.trim() || null,
      minutes: numberOrText(draft.minutes),
      position: numberOrText(draft.position),
      audience: draft.audience,
      groups: draft.audience === 'groups' ? names : [],
      profiles: draft.audience === 'profiles' ? names : []
    };
  }

  /** Whether a task has any text yet (an empty new task is not worth a warning). */
  export function taskWritten(task: IArticleDraft['tasks'][number]): boolean {
    return !(
      isBlank(task.title) &&
      isBlank(task.body) &&
      isBlank(task.check) &&
      isBlank(task.help)
    );
  }

  /** A failed request as a note keeps it. */
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

  /**
   * Every field a refused save named (the platform tells them all at once),
   * or null: the editor lists them so that one Save shows every mistake.
   */
  export function problemsOf(error: unknown): IFieldProblems | null {
    if (
      !(error instanceof PlatformRequestError) ||
      (!error.fields && !error.fieldReasons)
    ) {
      return null;
    }
    return {
      fields: { ...(error.fields ?? {}) },
      fieldReasons: { ...(error.fieldReasons ?? {}) }
    };
  }

  /** The fields of a refusal: English messages, and reasons to translate. */
  export interface IFieldProblems {
    fields: { [path: string]: string };
    fieldReasons: { [path: string]: IReasonRef };
  }

  /** The reason code of a save refused because another save came first. */
  export const CHANGED_REASON = 'article_changed';

  /** Who saved first, when a save was refused for it; null otherwise. */
  export function conflictOf(error: unknown): IConflict | null {
    if (
      !(error instanceof PlatformRequestError) ||
      error.status !== 409 ||
      error.reason !== CHANGED_REASON
    ) {
      return null;
    }
    const params = error.params ?? {};
    return {
      by: String(params['by'] ?? ''),
      at: String(params['at'] ?? '')
    };
  }
}

/** A whole number typed, or the text itself (for the server to refuse). */
function numberOrText(text: string): number {
  const trimmed = text.trim();
  return (/^-?\d+$/.test(trimmed)
    ? Number(trimmed)
    : trimmed) as unknown as number;
}
