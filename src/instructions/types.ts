/* ------------------------------------------------------------------------
 * Instruction articles as the Instructions tab reads and writes them,
 * through the server extension (`jupyterlab-mlplat/instructions/...`),
 * which asks the platform (`docs/instructions.md`).
 *
 * A reader reads an article in their language (the platform falls back to
 * the other one text by text); an instructor edits its source, both
 * languages at once, and every save names the revision it started from.
 * ---------------------------------------------------------------------- */

import { IText } from './draft';

export type ArticleState = 'draft' | 'published';
export type AudienceKind = 'everyone' | 'groups' | 'profiles';
export type RevisionAction = 'create' | 'save' | 'publish' | 'unpublish';

/** A reader's ticks: `count` of `total` done. */
export interface IProgressBody {
  done: string[];
  count: number;
  total: number;
}

export interface INotebookBody {
  name: string;
  size: number;
  uploaded_by: string;
  uploaded_at: string;
}

/** One entry of the list, in the reader's language. */
export interface IArticleSummary {
  slug: string;
  state: ArticleState;
  language: 'en' | 'ru';
  title: string;
  summary: string;
  minutes: number;
  position: number;
  audience: AudienceKind;
  progress: IProgressBody;
  has_notebook: boolean;
  starter: boolean;
  updated_at: string;
}

/** `GET instructions/articles`: by position; with `q`, best match first. */
export interface IArticleList {
  articles: IArticleSummary[];
  count: number;
}

export interface ITaskView {
  key: string;
  title: string;
  body: string;
  check: string;
  help: string;
  done: boolean;
}

/** `GET instructions/articles/{slug}`: the article in the reader's language. */
export interface IArticleView {
  slug: string;
  state: ArticleState;
  language: 'en' | 'ru';
  title: string;
  summary: string;
  introduction: string;
  tasks: ITaskView[];
  conclusion: string;
  next_article: { slug: string; title: string } | null;
  minutes: number;
  position: number;
  progress: IProgressBody;
  notebook: INotebookBody | null;
  starter: boolean;
  editable: boolean;
  updated_at: string;
}

/** A task as an instructor writes it; an empty key asks for a new one. */
export interface ITaskBody {
  key: string;
  title: IText;
  body: IText;
  check: IText;
  help: IText;
}

/** What an instructor writes and saves as one revision. */
export interface IContentBody {
  title: IText;
  summary: IText;
  introduction: IText;
  tasks: ITaskBody[];
  conclusion: IText;
  next_article: string | null;
  minutes: number;
  position: number;
  audience: AudienceKind;
  groups: string[];
  profiles: string[];
}

export interface IImageBody {
  id: string;
  kind: string;
  content_type: string;
  width: number;
  height: number;
  size: number;
  /** What Markdown writes: `![text](images/<id>)`. */
  reference: string;
  uploaded_by: string;
  uploaded_at: string;
}

/** An article as its editor opens it: both languages, its state and revision. */
export interface IArticleSource {
  slug: string;
  state: ArticleState;
  revision: number;
  content: IContentBody;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  published_at: string | null;
  notebook: INotebookBody | null;
  starter: boolean;
  images: IImageBody[];
}

export interface IRevisionSummary {
  number: number;
  action: RevisionAction;
  by: string;
  at: string;
  changed: string[];
  state: ArticleState;
}

/** Newest first. */
export interface IRevisionList {
  revisions: IRevisionSummary[];
}

/** Where the sidebar copied the example notebook, relative to the home. */
export interface IOpenedNotebook {
  path: string;
}

/** Upload progress: bytes sent of the whole. */
export type UploadProgress = (loaded: number, total: number) => void;

/** The tab's calls; tests give it a scripted server, the lab the extension. */
export interface IInstructionsAPI {
  list(query: string, language: 'en' | 'ru'): Promise<IArticleList>;
  read(slug: string, language: 'en' | 'ru'): Promise<IArticleView>;
  source(slug: string): Promise<IArticleSource>;
  create(slug: string, content: IContentBody): Promise<IArticleSource>;
  save(
    slug: string,
    revision: number,
    content: IContentBody
  ): Promise<IArticleSource>;
  setPublished(
    slug: string,
    published: boolean,
    revision: number
  ): Promise<IArticleSource>;
  revisions(slug: string): Promise<IRevisionList>;
  tick(slug: string, task: string, done: boolean): Promise<IProgressBody>;
  uploadImage(
    slug: string,
    file: File,
    onProgress: UploadProgress
  ): Promise<IImageBody>;
  openNotebook(slug: string): Promise<IOpenedNotebook>;
  /** The URL an image reference of an article's Markdown is read from. */
  imageURL(slug: string, reference: string): string | null;
}
