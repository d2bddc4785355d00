import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';

import { PlatformRequestError } from '../../api/request';
import { IActionRunner, productAction } from '../../instructions/actions';
import { reasonLabels as instructionLabels } from '../../instructions/labels';
import { InstructionsModel } from '../../instructions/model';
import { ArticleResolver } from '../../instructions/render';
import { InstructionsTab } from '../../instructions/tab';
import { reasonLabels } from '../../shell/errors';
import { english } from '../shell/fixtures';
import { labRendermime } from '../shell/rendermime';
import { content, FakeInstructions, text } from './fixtures';

function recordingRunner() {
  const ran: string[] = [];
  const runner: IActionRunner = {
    showTab: tab => ran.push(`tab:${tab}`),
    execute: command => ran.push(`command:${command}`),
    openNotebook: () => ran.push('notebook')
  };
  return { ran, runner };
}

async function renderTab(
  api: FakeInstructions,
  canEdit = false,
  confirm?: (title: string, body: string) => Promise<boolean>
) {
  const model = new InstructionsModel({ api, searchDelay: 0 });
  model.setIdentity(canEdit ? 'ivan' : 'alice', canEdit);
  const { ran, runner } = recordingRunner();
  const opened: string[] = [];
  const view = render(
    <InstructionsTab
      model={model}
      rendermime={labRendermime()}
      runner={runner}
      openFile={path => opened.push(path)}
      trans={english}
      confirm={confirm}
    />
  );
  await act(() => model.refresh());
  return { model, ran, opened, view };
}

describe('the Instructions tab', () => {
  const models: InstructionsModel[] = [];
  // as the plugin does: the server's reasons in the user's words
  const labels = reasonLabels.add(instructionLabels);
  afterAll(() => labels.dispose());
  afterEach(() => models.splice(0).forEach(model => model.dispose()));

  it('lists the articles with minutes and progress, and opens one', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const { model } = await renderTab(api);
    models.push(model);

    expect(screen.getByText('Track a notebook')).toBeTruthy();
    // typing stops at the platform's limit, rather than a refusal naming "q"
    expect(
      (
        screen.getByLabelText('Search the instructions', {
          selector: 'input'
        }) as HTMLInputElement
      ).maxLength
    ).toBe(200);
    expect(screen.getByText(/About 10 min/)).toBeTruthy();
    expect(screen.getByText('0 of 2 done')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New article' })).toBeNull();

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Track a notebook' }));
    });
    expect(
      screen.getByRole('heading', { name: 'Track a notebook' })
    ).toBeTruthy();
    const tick = screen.getByRole('checkbox', { name: 'Track it' });
    await act(async () => {
      fireEvent.click(tick);
    });
    expect(api.calls).toContain('tick track/t2=true');
    expect(screen.getByText('1 of 2 done')).toBeTruthy();
    expect(screen.getByText('Check your work')).toBeTruthy();
    expect(screen.getByText('If it did not work')).toBeTruthy();
  });

  it('runs product links as actions and follows no script, handler or javascript: link', async () => {
    (window as any).pwned = false;
    const api = new FakeInstructions();
    api.add(
      'track',
      content({
        introduction: text(
          'Open [Experiments](mlplat:open-tab/experiments), ' +
            '[track](mlplat:track-notebook) and [bad](javascript:window.pwned=true) ' +
            '<a href="javascript:window.pwned=true">raw</a> ' +
            '<script>window.pwned = true</script>' +
            '<img src="images/' +
            'a'.repeat(32) +
            '.png" onerror="window.pwned = true" alt="shot">' +
            '<button data-commandlinker-command="terminal:create-new">term</button>'
        )
      })
    );
    const { model, ran, view } = await renderTab(api);
    models.push(model);
    await act(() => model.open('track'));
    const host = view.container;
    await waitFor(() =>
      expect(
        host.querySelector('a[href="mlplat:open-tab/experiments"]')
      ).toBeTruthy()
    );

    fireEvent.click(
      host.querySelector('a[href="mlplat:open-tab/experiments"]')!
    );
    fireEvent.click(host.querySelector('a[href="mlplat:track-notebook"]')!);
    expect(ran).toEqual(['tab:experiments', 'command:mlplat:track-notebook']);

    expect(host.querySelector('script')).toBeNull();
    expect(host.querySelector('[onerror]')).toBeNull();
    expect(host.querySelector('[data-commandlinker-command]')).toBeNull();
    for (const link of Array.from(host.querySelectorAll('a'))) {
      expect(link.getAttribute('href') ?? '').not.toMatch(/javascript:/i);
    }
    // a link the sanitizer emptied is not followed either
    const raw = Array.from(host.querySelectorAll('a')).find(
      a => a.textContent === 'raw'
    )!;
    const click = new MouseEvent('click', { bubbles: true, cancelable: true });
    raw.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    // the article's image is read through the sidebar's route
    await waitFor(() =>
      expect(host.querySelector('img')?.getAttribute('src')).toMatch(
        new RegExp('^/images-of/track/images/a{32}\\.png')
      )
    );
    expect((window as any).pwned).toBe(false);
  });

  it('opens the copied example notebook in the lab', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const { model, opened } = await renderTab(api);
    models.push(model);
    await act(() => model.open('track'));
    await act(async () => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Open in my workspace' })
      );
    });
    await waitFor(() => expect(opened).toEqual(['intro-1.ipynb']));
    expect(
      screen.getByText('Copied to intro-1.ipynb in your home.')
    ).toBeTruthy();
  });

  it('lets an instructor write, and on a conflict says who and keeps the text', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const { model } = await renderTab(api, true);
    models.push(model);
    expect(screen.getByRole('button', { name: 'New article' })).toBeTruthy();
    await act(() => model.open('track'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Edit the article' }));
    });
    await waitFor(() =>
      expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe(
        'Track a notebook'
      )
    );
    fireEvent.click(screen.getByRole('radio', { name: 'Russian' }));
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe(
      'Отслеживание блокнота'
    );
    fireEvent.change(screen.getByLabelText('Conclusion (Markdown)'), {
      target: { value: 'Моё.' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add a task' }));
    expect(screen.getByText('Task 3')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Move task 3 up' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove task 3' }));

    api.saveAs('olga', 'track', content({ conclusion: text('Theirs.') }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    expect(screen.getByText('Someone else saved this article')).toBeTruthy();
    // in English the server's own sentence is shown (describeError)
    expect(screen.getByText('olga saved the article since.')).toBeTruthy();
    expect(
      (screen.getByLabelText('Conclusion (Markdown)') as HTMLTextAreaElement)
        .value
    ).toBe('Моё.');

    await act(async () => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Keep mine and retry' })
      );
    });
    expect(api.sourceOf('track').content.conclusion.ru).toBe('Моё.');
    // the new task got a key no task of the article ever had (t2 was removed)
    expect(api.sourceOf('track').content.tasks.map(task => task.key)).toEqual([
      't1',
      't3'
    ]);
    expect(screen.getByText('Saved.')).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Revisions' }));
    });
    expect(screen.getByText(/olga saved it at/)).toBeTruthy();
    expect(
      screen.getByText('(changed: title.ru, tasks.0.check.en)')
    ).toBeTruthy();
  });

  it('asks before the editor closes over words not saved', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const asked: string[] = [];
    let answer = false;
    const { model } = await renderTab(api, true, async (title, body) => {
      asked.push(`${title} ${body}`);
      return answer;
    });
    models.push(model);
    const close = () =>
      act(async () => {
        fireEvent.click(
          screen.getByRole('button', { name: '← Close the editor' })
        );
      });

    // opened and closed with nothing typed: no question
    await act(() => model.edit('track'));
    await close();
    expect(asked).toEqual([]);
    expect(screen.queryByRole('region', { name: 'Article editor' })).toBeNull();

    await act(() => model.edit('track'));
    fireEvent.change(screen.getByLabelText('Title'), {
      target: { value: 'Track a notebook, step by step' }
    });
    await close();
    expect(asked).toEqual([
      'Discard your changes? Your changes to the article “Track a notebook, step by step” are not saved.'
    ]);
    // kept editing: the words are still there
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe(
      'Track a notebook, step by step'
    );
    answer = true;
    await close();
    expect(screen.queryByRole('region', { name: 'Article editor' })).toBeNull();
    expect(api.sourceOf('track').content.title.en).toBe('Track a notebook');

    // saved, then closed: no question
    await act(() => model.edit('track'));
    fireEvent.change(screen.getByLabelText('Title'), {
      target: { value: 'Track it' }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    await close();
    expect(asked).toHaveLength(2);
  });

  it('lists every field a refused save names, in the user’s words', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const { model } = await renderTab(api, true);
    models.push(model);
    await act(() => model.edit('track'));
    fireEvent.change(screen.getByLabelText('Title'), {
      target: { value: 'x'.repeat(300) }
    });
    // as the platform refuses it: the first rule's reason, every field named
    api.failNext['save'] = new PlatformRequestError({
      status: 400,
      url: 'articles/track',
      reason: 'text_invalid',
      params: { field: 'title.en', rule: 'too_long', limit: 200 },
      serverMessage: 'title.en is too long',
      fields: {
        'title.en': 'title.en is too long',
        'tasks.1.title': 'tasks.1.title needs words in at least one language.',
        'content.minutes': 'enter 1 or more'
      },
      fieldReasons: {
        'title.en': { reason: 'field_too_long', params: { max_length: 200 } },
        'tasks.1.title': { reason: 'field_required' },
        'content.minutes': { reason: 'field_too_small', params: { ge: 1 } }
      }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    const list = screen.getByRole('list', { name: 'What to correct' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map(item => item.textContent)
    ).toEqual([
      'Title (English): Too long: at most 200 characters.',
      'Task 2: title: This field is required.',
      'Minutes it takes: Enter 1 or more.'
    ]);
    // a save that goes through takes the list away
    fireEvent.change(screen.getByLabelText('Title'), {
      target: { value: 'Track it' }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    });
    expect(screen.queryByRole('list', { name: 'What to correct' })).toBeNull();
  });

  it('says why a refused image was refused, in words', async () => {
    const api = new FakeInstructions();
    api.add('track', content());
    const { model } = await renderTab(api, true);
    models.push(model);
    await act(() => model.edit('track'));
    api.failNext['uploadImage'] = new PlatformRequestError({
      status: 400,
      url: 'images',
      reason: 'image_invalid',
      params: { rule: 'not_an_image' }
    });
    const input = screen.getByLabelText(
      'Add an image (PNG, JPEG, GIF or WebP) where you last typed'
    );
    await act(async () => {
      fireEvent.change(input, {
        target: { files: [new File(['hello'], 'notes.txt')] }
      });
    });
    await waitFor(() =>
      expect(
        screen.getByText(
          'This file is not an image: upload a PNG, JPEG, GIF or WebP.'
        )
      ).toBeTruthy()
    );
  });
});

describe('product actions', () => {
  it('knows the closed list and nothing else', () => {
    expect(productAction('mlplat:open-tab/git')).toEqual({
      kind: 'open-tab',
      tab: 'git'
    });
    expect(productAction('mlplat:track-notebook')).toEqual({
      kind: 'track-notebook'
    });
    expect(productAction('mlplat:open-notebook')).toEqual({
      kind: 'open-notebook'
    });
    expect(productAction('mlplat:open-tab/terminal')).toBeNull();
    expect(productAction('mlplat:track-notebook/x')).toBeNull();
    expect(productAction('https://example.org')).toBeNull();
    expect(productAction(null)).toBeNull();
  });

  it('resolves only the article own images', async () => {
    const resolver = new ArticleResolver(ref => `/img/${ref}`);
    expect(await resolver.getDownloadUrl(`images/${'b'.repeat(32)}.webp`)).toBe(
      `/img/images/${'b'.repeat(32)}.webp`
    );
    expect(await resolver.getDownloadUrl('secret.txt')).toBe('');
    expect(await resolver.getDownloadUrl('../../api/contents/x')).toBe('');
  });
});
