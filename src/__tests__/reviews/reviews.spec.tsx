import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { reasonLabels } from '../../reviews/labels';
import { ReviewsModel } from '../../reviews/model';
import { commitURL, splitDiff } from '../../reviews/parts';
import { ReviewPage } from '../../reviews/pageWidget';
import { ReviewsTab } from '../../reviews/tab';
import { NotificationFeed } from '../../shell/notifications';
import { IPlatformNotification } from '../../shell/types';
import { reasonLabels as registry } from '../../shell/errors';
import { russianBundle } from '../shell/catalogue';
import { english } from '../shell/fixtures';
import { labRendermime } from '../shell/rendermime';
import {
  changedMeanwhile,
  ownWork,
  page,
  publication,
  ScriptedReviews
} from './fixtures';

function setup(
  api = new ScriptedReviews(),
  me = 'rita',
  trans: TranslationBundle = english
) {
  const model = new ReviewsModel({ api, me });
  const feed = new NotificationFeed({
    api: { notifications: async () => ({ notifications: [], last_id: 0 }) },
    auto: false
  });
  // the tab in the sidebar and the review page in the main area, as the lab shows them
  const view = render(
    <>
      <ReviewsTab model={model} feed={feed} me={me} trans={trans} />
      <ReviewPage
        model={model}
        me={me}
        rendermime={labRendermime()}
        trans={trans}
        onOpenRun={null}
      />
    </>
  );
  return { api, model, feed, view };
}

describe('ReviewsModel', () => {
  it('counts on the badge what waits for somebody else', async () => {
    const api = new ScriptedReviews();
    api.queues = [
      {
        publications: [
          publication({ id: 1, author: 'alice' }),
          publication({ id: 2, author: 'rita' }),
          publication({ id: 3, author: 'bob' })
        ],
        count: 3
      }
    ];
    const model = new ReviewsModel({ api, me: 'rita' });
    const counts: number[] = [];
    model.badge.stateChanged.connect((_, count) => counts.push(count));
    await model.refresh();
    expect(model.badge.state).toBe(2);
    expect(counts).toEqual([2]);
    model.dispose();
  });

  it('sends the decision with the revision its page showed', async () => {
    const api = new ScriptedReviews();
    const model = new ReviewsModel({ api, me: 'rita' });
    await model.open(7);
    model.setComment('  Checked the holdout.  ');
    expect(await model.decide('approve')).toBe(true);
    expect(api.sent).toEqual([
      {
        id: 7,
        body: {
          revision: 4,
          action: 'approve',
          comment: 'Checked the holdout.'
        }
      }
    ]);
    expect(model.state.page?.done).toBe('approve');
    expect(model.state.page?.comment).toBe('');
    model.dispose();
  });

  it('keeps the comment when another reviewer acted first', async () => {
    const api = new ScriptedReviews();
    api.decisions = [changedMeanwhile()];
    const model = new ReviewsModel({ api, me: 'bob' });
    await model.open(7);
    model.setComment('Needs a fairness check.');
    expect(await model.decide('request_changes')).toBe(false);
    expect(model.state.page?.failure?.reason).toBe('publication_changed');
    expect(model.state.page?.comment).toBe('Needs a fairness check.');
    model.dispose();
  });
});

describe('ReviewsTab', () => {
  afterEach(() => registry.add({}));

  it('lists the queue and opens a publication from it', async () => {
    const { model } = setup();
    await act(() => model.refresh());
    const queue = screen.getByRole('list', { name: 'Review queue' });
    fireEvent.click(
      within(queue).getByRole('button', { name: /churn-alice version 3/ })
    );
    await screen.findByRole('heading', { name: 'churn-alice version 3' });
    model.dispose();
  });

  it('lists news of publications, not of one’s deployments (they open the deployment)', async () => {
    const model = new ReviewsModel({ api: new ScriptedReviews(), me: 'rita' });
    const base = {
      publication_id: 7,
      model_name: 'churn',
      version: '3',
      actor: 'alice',
      comment: '',
      at: '2026-12-03T09:00:00Z',
      deployment: null,
      workspace: null
    };
    const items: IPlatformNotification[] = [
      { ...base, id: 1, kind: 'submitted', action: 'submit' },
      {
        ...base,
        id: 2,
        kind: 'serving_deprecated',
        action: 'deprecate',
        actor: 'adam',
        model_name: 'catalog.churn',
        version: '1',
        deployment: 'churn-prod'
      }
    ];
    const feed = new NotificationFeed({
      api: {
        notifications: async after => ({
          notifications: items.filter(item => item.id > (after ?? 0)),
          last_id: 2
        })
      },
      auto: false
    });
    feed.start(null);
    await act(() => feed.refresh());
    render(<ReviewsTab model={model} feed={feed} me="rita" trans={english} />);
    const list = screen.getByRole('region', { name: 'Notifications' });
    expect(
      Array.from(list.querySelectorAll('.jp-mlplat-notification-text')).map(
        p => p.textContent
      )
    ).toEqual(['alice sent churn version 3 for review.']);
    feed.dispose();
    model.dispose();
  });

  it('shows the card, the metrics against the champion, the lineage and the diff', async () => {
    const { model } = setup();
    await act(() => model.open(7));
    // The card, through the sanitizer: Markdown, not text with stars
    await waitFor(() =>
      expect(
        document.querySelector('.jp-mlplat-card strong')?.textContent
      ).toBe('churn')
    );
    // Metrics side by side, the differences marked and said
    const metrics = document.querySelector('.jp-mlplat-metrics-table')!;
    const auc = within(metrics as HTMLElement).getByRole('row', {
      name: /auc/
    });
    expect(auc.textContent).toContain('0.91');
    expect(auc.textContent).toContain('0.88');
    expect(auc.textContent).toContain('▲ +0.03');
    expect(auc.textContent).toContain('higher: better');
    const loss = within(metrics as HTMLElement).getByRole('row', {
      name: /log_loss/
    });
    expect(loss.textContent).toContain('higher: worse');
    expect(loss.className).toContain('jp-mlplat-metric-worse');
    expect(
      within(metrics as HTMLElement).getByRole('row', { name: /f1/ })
        .textContent
    ).toContain('only the champion has it');
    // Signature and example
    expect(screen.getByRole('table', { name: 'Inputs' }).textContent).toContain(
      'tenure'
    );
    expect(
      document.querySelector('.jp-mlplat-signature pre')?.textContent
    ).toContain('"tenure"');
    // Lineage: the commit links to GitLab
    const commit = screen.getByRole('link', { name: 'abcdef12' });
    expect(commit.getAttribute('href')).toBe(
      'https://gitlab.example/alice/churn/-/commit/abcdef1234567890'
    );
    expect(screen.getByText('churn.ipynb')).toBeTruthy();
    // Code changes since the champion's commit
    expect(
      document.querySelector('.jp-mlplat-diff-added')?.textContent
    ).toContain('+C = 1.0');
    expect(screen.getByText('+1 −1')).toBeTruthy();
    model.dispose();
  });

  it('approves with a comment; every decision waits for one', async () => {
    const { model, api } = setup();
    await act(() => model.open(7));
    const buttons = ['Approve', 'Request changes', 'Reject'].map(
      name => screen.getByRole('button', { name }) as HTMLButtonElement
    );
    // the platform refuses a decision without a comment (400): the page does not offer one
    expect(buttons.map(b => b.disabled)).toEqual([true, true, true]);
    // only the decision that ends the publication is drawn as a danger
    expect(buttons.map(b => b.classList.contains('jp-mod-warn'))).toEqual([
      false,
      false,
      true
    ]);
    fireEvent.change(screen.getByLabelText('Comment'), {
      target: { value: 'Good work' }
    });
    expect(buttons.map(b => b.disabled)).toEqual([false, false, false]);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    });
    expect(api.sent[0].body.action).toBe('approve');
    await screen.findByText('Approved. The author is told.');
    model.dispose();
  });

  it('says who acted first and offers a reload; the comment stays', async () => {
    const api = new ScriptedReviews();
    api.decisions = [changedMeanwhile()];
    registry.add(reasonLabels);
    const { model } = setup(api, 'bob');
    await act(() => model.open(7));
    fireEvent.change(screen.getByLabelText('Comment'), {
      target: { value: 'Fine' }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    });
    const alert = await screen.findByRole('alert');
    // In English the server's own sentence is the more precise one
    expect(alert.textContent).toContain(
      'rita approved it since your page read it'
    );
    api.pages = [
      page({
        publication: publication({ state: 'approved', approvals: ['rita'] }),
        allowed: []
      })
    ];
    await act(async () => {
      fireEvent.click(
        within(alert).getByRole('button', { name: 'Reload the publication' })
      );
    });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(
      screen.getByText('Nothing to decide here. State: approved.')
    ).toBeTruthy();
    // What was typed is kept for the reviewer to reuse
    expect(model.state.page?.comment).toBe('Fine');
    model.dispose();
  });

  it('says the conflict in Russian', async () => {
    const api = new ScriptedReviews();
    api.decisions = [changedMeanwhile()];
    registry.add(reasonLabels);
    const { model } = setup(api, 'bob', russianBundle());
    await act(() => model.open(7));
    fireEvent.change(screen.getByLabelText('Комментарий'), {
      target: { value: 'Хорошо' }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Одобрить' }));
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('rita одобрил(а) её только что.');
    expect(
      within(alert).getByRole('button', { name: 'Перечитать публикацию' })
    ).toBeTruthy();
    model.dispose();
  });

  it('names the card’s task as the catalog does, in Russian', async () => {
    const api = new ScriptedReviews();
    const { model } = setup(api, 'bob', russianBundle());
    await act(() => model.open(7));
    // the lineage's version: its framework and task as MLflow's flavour says
    expect(screen.getByText('sklearn · Классификация')).toBeTruthy();
    expect(document.body.textContent).not.toContain('classification');
    model.dispose();
  });

  it('offers no decision on your own work, and says why', async () => {
    const api = new ScriptedReviews();
    api.pages = [page({ allowed: [] })];
    const { model } = setup(api, 'alice');
    await act(() => model.open(7));
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(
      screen.getByText(
        'This is your own work: nobody reviews their own. Another reviewer must decide.'
      )
    ).toBeTruthy();
    model.dispose();
  });

  it('translates the refusal of own work', async () => {
    const api = new ScriptedReviews();
    api.decisions = [ownWork()];
    registry.add(reasonLabels);
    const { model } = setup(api, 'alice', russianBundle());
    await act(() => model.open(7));
    fireEvent.change(screen.getByLabelText('Комментарий'), {
      target: { value: 'Всё проверено' }
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Одобрить' }));
    });
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Это ваша собственная работа'
    );
    model.dispose();
  });
});

describe('parts', () => {
  it('links commits only on http(s) hosts', () => {
    expect(
      commitURL('git@gitlab.example:alice/churn.git', 'abcdef1')
    ).toBeNull();
    expect(commitURL('javascript:alert(1)//', 'abcdef1')).toBeNull();
    expect(
      commitURL('https://token:x@gitlab.example/alice/churn.git', 'abcdef1')
    ).toBe('https://gitlab.example/alice/churn/-/commit/abcdef1');
    expect(commitURL('https://gitlab.example/a/b', 'not a sha')).toBeNull();
  });

  it('splits a diff by file, notebooks by their counted cells', () => {
    const files = splitDiff(
      [
        'notebook train.ipynb: 1 cell(s) added, 0 removed, 2 edited',
        '--- a/train.ipynb',
        '+++ b/train.ipynb',
        '@@ -1 +1,2 @@',
        '+import mlflow',
        'diff --git a/a.py b/a.py',
        '+x',
        'diff --git a/b.py b/b.py',
        '-y',
        '-z'
      ].join('\n')
    );
    expect(files.map(f => [f.path, f.added, f.removed, f.cells])).toEqual([
      ['train.ipynb', 1, 0, { added: 1, removed: 0, edited: 2 }],
      ['a.py', 1, 0, null],
      ['b.py', 0, 2, null]
    ]);
  });
});
