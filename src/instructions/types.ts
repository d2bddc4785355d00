/* ------------------------------------------------------------------------
 * Instruction articles as the Instructions tab reads and writes them,
 * through the server extension (`jupyterlab-mlplat/instructions/...`),
 * which asks the platform (`docs/instructions.md`).
 *
 * The wire types are the sidebar API's schemas, generated from its OpenAPI
 * document (`jlpm build:types`): a field renamed on the server fails the
 * build where the tab reads it. A reader reads an article in their
 * language (the platform falls back to the other one text by text); an
 * instructor edits its source, both languages at once, and every save
 * names the revision it started from.
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

export type ArticleState = Schemas['ArticleState'];
export type AudienceKind = Schemas['Audience'];
export type RevisionAction = Schemas['RevisionAction'];

/** A reader's ticks: `count` of `total` done. */
export type IProgressBody = Schemas['ProgressBody'];

/** The example notebook an article offers ("Open in my workspace"). */
export type INotebookBody = Schemas['ArticleNotebookBody'];

/** One entry of the list, in the reader's language. */
export type IArticleSummary = Schemas['ArticleSummary'];

/** `GET instructions/articles`: by position; with `q`, best match first. */
export type IArticleList = Schemas['ArticleList'];

export type ITaskView = Schemas['TaskView'];

/** `GET instructions/articles/{slug}`: the article in the reader's language. */
export type IArticleView = Schemas['ArticleView'];

/** A task as an instructor writes it; an empty key asks for a new one. */
export type ITaskBody = Schemas['TaskBody'];

/** What an instructor writes and saves as one revision. */
export type IContentBody = Schemas['ArticleContentBody'];

export type IImageBody = Schemas['ImageBody'];

/** An article as its editor opens it: both languages, its state and revision. */
export type IArticleSource = Schemas['ArticleSource'];

/**
 * One saved state of an article: who, when, which fields changed. Written
 * out here: the documents give the list's name (`RevisionList`) to the
 * deployments' schema too, so theirs is what the generated type says.
 */
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
export type IOpenedNotebook = Schemas['OpenedNotebook'];

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
