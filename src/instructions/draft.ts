/*
 * The article an instructor is writing, as the editor holds it: every text
 * in both languages (`{en, ru}`, as the wire carries it), tasks in order,
 * numbers as typed. Pure functions only: the model keeps one draft per open
 * editor and replaces it on every keystroke, so a refused save (a 409, a
 * 400) never loses a word.
 */

/** The two languages every article is written in. */
export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

/** One text in both languages; either may be empty. */
export interface IText {
  en: string;
  ru: string;
}

/** The other language: a reader's fallback, the editor's switch. */
export function otherLanguage(language: Language): Language {
  return language === 'en' ? 'ru' : 'en';
}

/**
 * The article language of a UI locale (`ru`, `ru-RU`, `ru_RU` → `ru`);
 * every other locale reads English first.
 */
export function languageOf(locale: string): Language {
  return /^ru(?:$|[-_])/i.test(locale) ? 'ru' : 'en';
}

/**
 * A text in the reader's language, or in the other one when theirs is empty
 * (an article written in one language is still read by everyone).
 */
export function pickText(
  text: Partial<IText> | null | undefined,
  language: Language
): string {
  const own = text?.[language] ?? '';
  return own.trim() ? own : (text?.[otherLanguage(language)] ?? '');
}

/** Whether a text is written in neither language. */
export function isBlank(text: Partial<IText> | null | undefined): boolean {
  return !(text?.en ?? '').trim() && !(text?.ru ?? '').trim();
}

export function emptyText(): IText {
  return { en: '', ru: '' };
}

/** The fields of a task that hold text. */
export type TaskField = 'title' | 'body' | 'check' | 'help';

/** One step of the quick start: what to do, how to check it, help when it failed. */
export interface ITaskDraft {
  /** The editor's own name of the task (React keys, moves); never sent. */
  id: string;
  /**
   * The platform's key, kept across edits: readers' ticks are kept by it,
   * so rewording or moving a task keeps them. Empty for a new task: the
   * platform gives it a key no task of the article ever had, so a tick of
   * a deleted task never lands on a new one.
   */
  key: string;
  title: IText;
  body: IText;
  check: IText;
  help: IText;
}

/** The fields of an article that hold text. */
export type ArticleField = 'title' | 'summary' | 'introduction' | 'conclusion';

/** Who sees a published article. */
export type AudienceKind = 'everyone' | 'groups' | 'profiles';

export interface IArticleDraft {
  /** Null until the article is first saved (then the slug is fixed). */
  slug: string | null;
  /** The slug typed for a new article. */
  newSlug: string;
  title: IText;
  summary: IText;
  introduction: IText;
  conclusion: IText;
  tasks: ITaskDraft[];
  /** As typed: a whole number of minutes. */
  minutes: string;
  /** As typed: the article's place in the list, a whole number. */
  position: string;
  /** The next article's slug, or '' for none. */
  next: string;
  audience: AudienceKind;
  /** Groups or profiles as typed ("data-science, ml-team"). */
  names: string;
}

export function emptyDraft(): IArticleDraft {
  return {
    slug: null,
    newSlug: '',
    title: emptyText(),
    summary: emptyText(),
    introduction: emptyText(),
    conclusion: emptyText(),
    tasks: [],
    minutes: '10',
    position: '',
    next: '',
    audience: 'everyone',
    names: ''
  };
}

/** The draft with one language of one of its texts changed. */
export function setText(
  draft: IArticleDraft,
  field: ArticleField,
  language: Language,
  value: string
): IArticleDraft {
  return { ...draft, [field]: { ...draft[field], [language]: value } };
}

/** The draft with one language of one text of one task changed. */
export function setTaskText(
  draft: IArticleDraft,
  id: string,
  field: TaskField,
  language: Language,
  value: string
): IArticleDraft {
  return {
    ...draft,
    tasks: draft.tasks.map(task =>
      task.id === id
        ? { ...task, [field]: { ...task[field], [language]: value } }
        : task
    )
  };
}

let ids = 0;

/** A name for a task of the editor that no other task of this page has. */
export function newTaskId(): string {
  ids += 1;
  return `task-${ids}`;
}

export function addTask(draft: IArticleDraft): IArticleDraft {
  const task: ITaskDraft = {
    id: newTaskId(),
    key: '',
    title: emptyText(),
    body: emptyText(),
    check: emptyText(),
    help: emptyText()
  };
  return { ...draft, tasks: [...draft.tasks, task] };
}

export function removeTask(draft: IArticleDraft, id: string): IArticleDraft {
  return { ...draft, tasks: draft.tasks.filter(task => task.id !== id) };
}

/**
 * The draft with a task moved by `by` places (-1 up, +1 down); moving past
 * either end leaves it where it is.
 */
export function moveTask(
  draft: IArticleDraft,
  id: string,
  by: number
): IArticleDraft {
  const from = draft.tasks.findIndex(task => task.id === id);
  const to = from + by;
  if (from < 0 || to < 0 || to >= draft.tasks.length) {
    return draft;
  }
  const tasks = [...draft.tasks];
  const [task] = tasks.splice(from, 1);
  tasks.splice(to, 0, task);
  return { ...draft, tasks };
}

/**
 * Names typed as a list ("data-science, ml-team"): split on commas and
 * white space, empty ones dropped, each once.
 */
export function parseNames(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map(name => name.trim())
        .filter(Boolean)
    )
  ];
}
