import { PlatformRequestError } from '../../api/request';
import {
  addTask,
  emptyDraft,
  languageOf,
  moveTask,
  parseNames,
  pickText,
  removeTask,
  setTaskText,
  setText
} from '../../instructions/draft';
import { InstructionsModel } from '../../instructions/model';
import { content, FakeInstructions, text } from './fixtures';

function modelOf(
  api: FakeInstructions,
  language: 'en' | 'ru' = 'en'
): InstructionsModel {
  return new InstructionsModel({ api, language, searchDelay: 0 });
}

describe('the reader language', () => {
  it('reads Russian for any Russian locale and English for the rest', () => {
    expect(languageOf('ru')).toBe('ru');
    expect(languageOf('ru-RU')).toBe('ru');
    expect(languageOf('ru_RU')).toBe('ru');
    expect(languageOf('en')).toBe('en');
    expect(languageOf('de-DE')).toBe('en');
    expect(languageOf('rus')).toBe('en');
  });

  it('falls back to the other language when the text is not written in theirs', () => {
    expect(pickText(text('Hello', 'Привет'), 'ru')).toBe('Привет');
    expect(pickText(text('Hello', ''), 'ru')).toBe('Hello');
    expect(pickText(text('Hello', '   '), 'ru')).toBe('Hello');
    expect(pickText(text('', 'Привет'), 'en')).toBe('Привет');
    expect(pickText(undefined, 'en')).toBe('');
  });

  it('asks the platform in the reader language and shows its fallback', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api, 'ru');
    await model.refresh();
    expect(api.calls).toContain('list |ru');
    expect(model.state.items?.[0].title).toBe('Отслеживание блокнота');
    // the summary is written only in English: the Russian reader gets it
    expect(model.state.items?.[0].summary).toBe('Log runs to MLflow');

    await model.open('track');
    expect(api.calls).toContain('read track|ru');
    const data = model.state.article!.data!;
    expect(data.tasks.map(task => task.title)).toEqual([
      'Откройте блокнот',
      'Track it'
    ]);
    model.dispose();
  });
});

describe('progress', () => {
  it('counts the ticks of the current tasks: "1 of 2 done", kept on the server', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.open('track');
    expect(InstructionsModel.progressOf(model.state.article!.data!)).toEqual({
      done: 0,
      total: 2
    });

    expect(await model.tick('t2', true)).toBe(true);
    expect(InstructionsModel.progressOf(model.state.article!.data!)).toEqual({
      done: 1,
      total: 2
    });
    expect(model.state.article!.data!.progress).toEqual({
      done: ['t2'],
      count: 1,
      total: 2
    });

    // read again (a reload): the tick is the platform's, not the page's
    await model.open('track');
    expect(model.state.article!.data!.tasks.map(task => task.done)).toEqual([
      false,
      true
    ]);
    await model.refresh();
    expect(model.state.items![0].progress.count).toBe(1);

    expect(await model.tick('t2', false)).toBe(true);
    expect(InstructionsModel.progressOf(model.state.article!.data!).done).toBe(
      0
    );
    model.dispose();
  });

  it('shows a tick at once and undoes it, with the reason, when refused', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.open('track');
    api.failNext['tick'] = new PlatformRequestError({
      status: 503,
      url: 'progress',
      reason: 'platform_unavailable',
      serverMessage: 'The platform is not answering.'
    });
    const ticking = model.tick('t1', true);
    // optimistic: ticked before the answer
    expect(model.state.article!.data!.tasks[0].done).toBe(true);
    expect(await ticking).toBe(false);
    expect(model.state.article!.data!.tasks[0].done).toBe(false);
    expect(model.state.article!.data!.progress.count).toBe(0);
    expect(model.state.article!.failure?.reason).toBe('platform_unavailable');
    model.dispose();
  });

  it('a tick of a task since removed does not count', () => {
    const view = {
      tasks: [
        { key: 't1', done: true },
        { key: 't3', done: false }
      ]
    } as any;
    expect(InstructionsModel.progressOf(view)).toEqual({ done: 1, total: 2 });
    const ticked = InstructionsModel.withProgress(
      { ...view, progress: { done: [], count: 0, total: 2 } },
      { done: ['t3', 'gone'], count: 1, total: 2 }
    );
    expect(ticked.tasks.map((task: any) => task.done)).toEqual([false, true]);
  });
});

describe('search', () => {
  it('reads the list again with the words typed', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    api.add('deploy', content({ title: text('Deploy a model'), position: 20 }));
    const model = modelOf(api);
    await model.refresh();
    expect(model.state.items!.map(item => item.slug)).toEqual([
      'track',
      'deploy'
    ]);
    await model.setQuery('deploy');
    await new Promise(resolve => setTimeout(resolve, 10));
    expect(api.calls).toContain('list deploy|en');
    expect(model.state.items!.map(item => item.slug)).toEqual(['deploy']);
    model.dispose();
  });
});

describe('the draft', () => {
  it('adds, moves and removes tasks; a new task asks the platform for a key', () => {
    let draft = addTask(addTask(emptyDraft()));
    const [first, second] = draft.tasks.map(task => task.id);
    expect(first).not.toBe(second);
    expect(draft.tasks.map(task => task.key)).toEqual(['', '']);
    draft = removeTask(draft, first);
    draft = addTask(draft);
    const third = draft.tasks[1].id;
    expect(new Set([first, second, third]).size).toBe(3);
    draft = moveTask(draft, third, -1);
    expect(draft.tasks.map(task => task.id)).toEqual([third, second]);
    expect(moveTask(draft, third, -1)).toBe(draft);
    expect(moveTask(draft, second, 1)).toBe(draft);
  });

  it('keeps both languages of every text', () => {
    let draft = setText(emptyDraft(), 'title', 'en', 'Deploy');
    draft = setText(draft, 'title', 'ru', 'Развёртывание');
    draft = addTask(draft);
    draft = setTaskText(draft, draft.tasks[0].id, 'check', 'ru', 'Видно');
    expect(draft.title).toEqual({ en: 'Deploy', ru: 'Развёртывание' });
    expect(draft.tasks[0].check).toEqual({ en: '', ru: 'Видно' });
  });

  it('sends what the platform reads, and names typed as a list', () => {
    const draft = {
      ...emptyDraft(),
      minutes: ' 15 ',
      position: 'twenty',
      audience: 'groups' as const,
      names: 'data-science, ml-team  data-science',
      next: ' deploy '
    };
    const sent = InstructionsModel.contentOf(draft);
    expect(sent.minutes).toBe(15);
    // not a number: sent as typed, so the platform names the field
    expect(sent.position as unknown).toBe('twenty');
    expect(sent.groups).toEqual(['data-science', 'ml-team']);
    expect(sent.profiles).toEqual([]);
    expect(sent.next_article).toBe('deploy');
    expect(parseNames(' , ')).toEqual([]);
  });

  it('round-trips a saved article', () => {
    const api = new FakeInstructions();
    api.add('track', content({ audience: 'profiles', profiles: ['gpu'] }));
    const draft = InstructionsModel.draftOf(api.sourceOf('track'));
    expect(draft.names).toBe('gpu');
    expect(InstructionsModel.contentOf(draft)).toEqual(
      content({ audience: 'profiles', profiles: ['gpu'] })
    );
  });
});

describe('the editor', () => {
  it('creates a draft, then saves with the revision it showed, then publishes', async () => {
    const api = new FakeInstructions();
    const model = modelOf(api);
    model.newArticle();
    let draft = { ...model.state.editor!.draft, newSlug: 'gpu-guide' };
    draft = setText(draft, 'title', 'en', 'Using the GPU profile');
    model.setDraft(draft);
    expect(await model.save()).toBe(true);
    expect(api.calls).toContain('create gpu-guide');
    expect(model.state.editor!.revision).toBe(1);
    expect(model.state.editor!.state).toBe('draft');
    expect(model.state.editor!.saved).toBe(true);

    model.setDraft(setText(model.state.editor!.draft, 'title', 'ru', 'GPU'));
    expect(model.state.editor!.saved).toBe(false);
    expect(await model.save()).toBe(true);
    expect(api.calls).toContain('save gpu-guide@1');
    expect(await model.setPublished(true)).toBe(true);
    expect(api.calls).toContain('publish gpu-guide@2');
    expect(model.state.editor!.state).toBe('published');
    model.dispose();
  });

  it('on a conflict says who saved first, keeps the text, and reloads theirs on request', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.edit('track');
    const mine = setText(
      model.state.editor!.draft,
      'conclusion',
      'en',
      'Mine.'
    );
    model.setDraft(mine);
    // olga saves the same article meanwhile
    api.saveAs('olga', 'track', content({ conclusion: text('Theirs.') }));

    expect(await model.save()).toBe(false);
    const editor = model.state.editor!;
    expect(editor.conflict).toEqual({ by: 'olga', at: '2026-12-03T09:02:00Z' });
    expect(editor.failure?.reason).toBe('article_changed');
    expect(editor.draft).toBe(mine);
    // nothing of hers was overwritten
    expect(api.sourceOf('track').content.conclusion.en).toBe('Theirs.');

    await model.reloadTheirs();
    expect(model.state.editor!.conflict).toBeNull();
    expect(model.state.editor!.draft.conclusion.en).toBe('Theirs.');
    expect(model.state.editor!.revision).toBe(2);
    model.dispose();
  });

  it('on a conflict keeps mine and retries on their revision when asked', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.edit('track');
    model.setDraft(
      setText(model.state.editor!.draft, 'conclusion', 'en', 'Mine.')
    );
    api.saveAs('olga', 'track', content({ conclusion: text('Theirs.') }));
    expect(await model.save()).toBe(false);

    expect(await model.keepMineAndRetry()).toBe(true);
    expect(api.calls).toContain('save track@2');
    expect(api.sourceOf('track').content.conclusion.en).toBe('Mine.');
    expect(model.state.editor!.revision).toBe(3);
    expect(model.state.editor!.conflict).toBeNull();
    model.dispose();
  });

  it('keeps the text of a refused save and no conflict for another refusal', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.edit('track');
    api.failNext['save'] = new PlatformRequestError({
      status: 400,
      url: 'articles',
      reason: 'position_taken',
      serverMessage: 'position 10 is the place of deploy.',
      params: { position: 10, slug: 'deploy' }
    });
    const draft = model.state.editor!.draft;
    expect(await model.save()).toBe(false);
    expect(model.state.editor!.conflict).toBeNull();
    expect(model.state.editor!.failure?.reason).toBe('position_taken');
    expect(model.state.editor!.draft).toBe(draft);
    model.dispose();
  });

  it('uploads an image with progress and gives the Markdown that shows it', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.edit('track');
    const seen: number[] = [];
    model.stateChanged.connect((_, state) => {
      if (state.editor?.upload) {
        seen.push(state.editor.upload.loaded);
      }
    });
    const file = new File([new Uint8Array(10)], 'tab [1].png', {
      type: 'image/png'
    });
    const snippet = await model.uploadImage(file);
    expect(snippet).toBe(`![tab 1](images/${'a'.repeat(32)}.png)`);
    expect(seen).toEqual([0, 5, 10]);
    expect(model.state.editor!.upload).toBeNull();
    model.dispose();
  });

  it('says why an image was refused', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.edit('track');
    api.failNext['uploadImage'] = new PlatformRequestError({
      status: 400,
      url: 'images',
      reason: 'image_invalid',
      serverMessage: 'The upload is not a PNG, JPEG, GIF or WebP image.',
      params: { rule: 'not_an_image' }
    });
    expect(
      await model.uploadImage(new File(['hello'], 'notes.txt'))
    ).toBeNull();
    expect(model.state.editor!.failure?.reason).toBe('image_invalid');
    expect(model.state.editor!.busy).toBeNull();
    model.dispose();
  });

  it('copies the example notebook and answers where it went', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const model = modelOf(api);
    await model.open('track');
    expect(await model.copyNotebook()).toBe('intro-1.ipynb');
    expect(model.state.article!.copied).toBe('intro-1.ipynb');
    model.dispose();
  });
});
