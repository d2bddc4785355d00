import { PlatformRequestError } from '../../api/request';
import { IText } from '../../instructions/draft';
import {
  IArticleList,
  IArticleSource,
  IArticleView,
  IContentBody,
  IImageBody,
  IInstructionsAPI,
  IOpenedNotebook,
  IProgressBody,
  IRevisionList,
  UploadProgress
} from '../../instructions/types';

export function text(en: string, ru = ''): IText {
  return { en, ru };
}

export function content(patch: Partial<IContentBody> = {}): IContentBody {
  return {
    title: text('Track a notebook', 'Отслеживание блокнота'),
    summary: text('Log runs to MLflow', ''),
    introduction: text('Start [here](mlplat:open-tab/experiments).', ''),
    tasks: [
      {
        key: 't1',
        title: text('Open a notebook', 'Откройте блокнот'),
        body: text('Open one.', 'Откройте.'),
        check: text('It is open.', ''),
        help: text('Ask.', '')
      },
      {
        key: 't2',
        title: text('Track it', ''),
        body: text('Press the button.', ''),
        check: text('', ''),
        help: text('', '')
      }
    ],
    conclusion: text('Done.', 'Готово.'),
    next_article: null,
    minutes: 10,
    position: 10,
    audience: 'everyone',
    groups: [],
    profiles: [],
    ...patch
  };
}

/**
 * Tasks as the platform saves them: a task sent without a key gets the
 * first `tN` no task of the article ever had.
 */
function withKeys(body: IContentBody, before: string[]): IContentBody {
  const used = new Set([...before, ...body.tasks.map(task => task.key)]);
  let n = 1;
  const tasks = body.tasks.map(task => {
    if (task.key) {
      return task;
    }
    while (used.has(`t${n}`)) {
      n += 1;
    }
    used.add(`t${n}`);
    return { ...task, key: `t${n}` };
  });
  return { ...body, tasks };
}

function read(value: IText, language: 'en' | 'ru'): string {
  const other = language === 'en' ? 'ru' : 'en';
  return value[language].trim() ? value[language] : value[other];
}

interface IStored {
  source: IArticleSource;
  /** Per reader: the task keys ticked. */
  done: Set<string>;
}

/**
 * The platform as the Instructions tab sees it, in memory: revisions with
 * compare-and-set (a stale save is the real 409 with who and when), ticks
 * kept by task key, and every text read in the reader's language with
 * the same fallback as the platform. `calls` records what was asked.
 */
export class FakeInstructions implements IInstructionsAPI {
  calls: string[] = [];
  /** The next call of this name fails with this error (once). */
  failNext: { [name: string]: PlatformRequestError } = {};

  add(
    slug: string,
    body: IContentBody,
    state: 'draft' | 'published' = 'published'
  ): void {
    this._articles.set(slug, {
      source: this._source(slug, withKeys(body, []), state, 1, 'ivan'),
      done: new Set()
    });
  }

  /** Another instructor saves meanwhile. */
  saveAs(by: string, slug: string, body: IContentBody): IArticleSource {
    const stored = this._articles.get(slug)!;
    stored.source = this._source(
      slug,
      withKeys(
        body,
        stored.source.content.tasks.map(task => task.key)
      ),
      stored.source.state,
      stored.source.revision + 1,
      by
    );
    return stored.source;
  }

  sourceOf(slug: string): IArticleSource {
    return this._articles.get(slug)!.source;
  }

  async list(query: string, language: 'en' | 'ru'): Promise<IArticleList> {
    this._call('list', `${query}|${language}`);
    const articles = [...this._articles.values()]
      .filter(({ source }) =>
        !query
          ? true
          : JSON.stringify(source.content)
              .toLowerCase()
              .includes(query.toLowerCase())
      )
      .sort((a, b) => a.source.content.position - b.source.content.position)
      .map(({ source, done }) => ({
        slug: source.slug,
        state: source.state,
        language,
        title: read(source.content.title, language),
        summary: read(source.content.summary, language),
        minutes: source.content.minutes,
        position: source.content.position,
        audience: source.content.audience,
        progress: this._progress(source, done),
        has_notebook: source.notebook !== null,
        starter: false,
        updated_at: source.updated_at
      }));
    return { articles, count: articles.length };
  }

  async read(slug: string, language: 'en' | 'ru'): Promise<IArticleView> {
    this._call('read', `${slug}|${language}`);
    const { source, done } = this._get(slug);
    const c = source.content;
    const next = c.next_article
      ? this._articles.get(c.next_article)
      : undefined;
    return {
      slug,
      state: source.state,
      language: c.title[language].trim()
        ? language
        : language === 'en'
          ? 'ru'
          : 'en',
      title: read(c.title, language),
      summary: read(c.summary, language),
      introduction: read(c.introduction, language),
      tasks: c.tasks.map(task => ({
        key: task.key,
        title: read(task.title, language),
        body: read(task.body, language),
        check: read(task.check, language),
        help: read(task.help, language),
        done: done.has(task.key)
      })),
      conclusion: read(c.conclusion, language),
      next_article: next
        ? {
            slug: next.source.slug,
            title: read(next.source.content.title, language)
          }
        : null,
      minutes: c.minutes,
      position: c.position,
      progress: this._progress(source, done),
      notebook: source.notebook,
      starter: false,
      editable: true,
      updated_at: source.updated_at
    };
  }

  async source(slug: string): Promise<IArticleSource> {
    this._call('source', slug);
    return this._get(slug).source;
  }

  async create(slug: string, body: IContentBody): Promise<IArticleSource> {
    this._call('create', slug);
    this.add(slug, body, 'draft');
    return this._get(slug).source;
  }

  async save(
    slug: string,
    revision: number,
    body: IContentBody
  ): Promise<IArticleSource> {
    this._call('save', `${slug}@${revision}`);
    const stored = this._get(slug);
    this._compare(stored, revision);
    return this.saveAs('me', slug, body);
  }

  async setPublished(
    slug: string,
    published: boolean,
    revision: number
  ): Promise<IArticleSource> {
    this._call(published ? 'publish' : 'unpublish', `${slug}@${revision}`);
    const stored = this._get(slug);
    this._compare(stored, revision);
    stored.source = {
      ...stored.source,
      state: published ? 'published' : 'draft',
      revision: stored.source.revision + 1
    };
    return stored.source;
  }

  async revisions(slug: string): Promise<IRevisionList> {
    this._call('revisions', slug);
    return {
      revisions: [
        {
          number: 2,
          action: 'save',
          by: 'olga',
          at: '2026-12-03T10:00:00Z',
          changed: ['title.ru', 'tasks.0.check.en'],
          state: 'draft'
        },
        {
          number: 1,
          action: 'create',
          by: 'ivan',
          at: '2026-12-03T09:00:00Z',
          changed: [],
          state: 'draft'
        }
      ]
    };
  }

  async tick(
    slug: string,
    task: string,
    done: boolean
  ): Promise<IProgressBody> {
    this._call('tick', `${slug}/${task}=${done}`);
    const stored = this._get(slug);
    if (!stored.source.content.tasks.some(one => one.key === task)) {
      throw new PlatformRequestError({
        status: 400,
        url: 'progress',
        reason: 'task_unknown',
        serverMessage: `No task ${task}.`,
        params: { task }
      });
    }
    if (done) {
      stored.done.add(task);
    } else {
      stored.done.delete(task);
    }
    return this._progress(stored.source, stored.done);
  }

  async uploadImage(
    slug: string,
    file: File,
    onProgress: UploadProgress
  ): Promise<IImageBody> {
    this._call('uploadImage', `${slug}/${file.name}`);
    onProgress(Math.floor(file.size / 2), file.size);
    onProgress(file.size, file.size);
    const id = `${'a'.repeat(32)}.png`;
    return {
      id,
      kind: 'png',
      content_type: 'image/png',
      width: 1,
      height: 1,
      size: file.size,
      reference: `images/${id}`,
      uploaded_by: 'ivan',
      uploaded_at: '2026-12-03T10:00:00Z'
    };
  }

  async openNotebook(slug: string): Promise<IOpenedNotebook> {
    this._call('openNotebook', slug);
    return { path: 'intro-1.ipynb' };
  }

  imageURL(slug: string, reference: string): string | null {
    return `/images-of/${slug}/${reference}`;
  }

  private _call(name: string, what: string): void {
    this.calls.push(`${name} ${what}`);
    const error = this.failNext[name];
    if (error) {
      delete this.failNext[name];
      throw error;
    }
  }

  private _compare(stored: IStored, revision: number): void {
    if (stored.source.revision !== revision) {
      throw new PlatformRequestError({
        status: 409,
        url: 'articles',
        reason: 'article_changed',
        serverMessage: `${stored.source.updated_by} saved the article since.`,
        params: {
          by: stored.source.updated_by,
          at: stored.source.updated_at,
          revision: stored.source.revision,
          yours: revision
        }
      });
    }
  }

  private _get(slug: string): IStored {
    const stored = this._articles.get(slug);
    if (!stored) {
      throw new PlatformRequestError({
        status: 404,
        url: 'articles',
        reason: 'article_not_found',
        serverMessage: 'No such article.',
        params: { slug }
      });
    }
    return stored;
  }

  private _progress(source: IArticleSource, done: Set<string>): IProgressBody {
    const keys = source.content.tasks
      .map(task => task.key)
      .filter(key => done.has(key));
    return {
      done: keys,
      count: keys.length,
      total: source.content.tasks.length
    };
  }

  private _source(
    slug: string,
    body: IContentBody,
    state: 'draft' | 'published',
    revision: number,
    by: string
  ): IArticleSource {
    return {
      slug,
      state,
      revision,
      content: JSON.parse(JSON.stringify(body)),
      created_at: '2026-12-03T09:00:00Z',
      created_by: 'ivan',
      updated_at: `2026-12-03T09:${String(revision).padStart(2, '0')}:00Z`,
      updated_by: by,
      published_at: null,
      notebook: {
        name: 'intro.ipynb',
        size: 100,
        uploaded_by: 'ivan',
        uploaded_at: '2026-12-03T09:00:00Z'
      },
      starter: false,
      images: []
    };
  }

  private _articles = new Map<string, IStored>();
}
