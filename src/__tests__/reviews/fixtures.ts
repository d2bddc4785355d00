import { PlatformRequestError } from '../../api/request';
import {
  IDecisionBody,
  IPublication,
  IPublicationList,
  IPublicationPage,
  IReviewsAPI
} from '../../reviews/types';

export function publication(
  overrides: Partial<IPublication> = {}
): IPublication {
  return {
    id: 7,
    model_name: 'churn-alice',
    version: '3',
    author: 'alice',
    team: 'data-scientists',
    state: 'in_review',
    revision: 4,
    catalog_name: 'churn',
    round: 1,
    created_at: '2026-12-03T08:00:00Z',
    updated_at: '2026-12-03T09:00:00Z',
    updated_by: 'alice',
    last_action: 'submit',
    publish_error: null,
    catalog_version: null,
    champion: false,
    card: {
      catalog_name: 'churn',
      description: 'Predicts **churn** of subscribers.',
      limitations: '',
      tags: ['telecom'],
      metrics: [{ key: 'auc', value: 0.91, note: 'on the holdout' }]
    },
    snapshot: {
      facts: {
        model_name: 'churn-alice',
        version: '3',
        source: 'models:/m-1',
        owner: 'alice',
        run_id: 'run-1',
        run_name: 'bold-fox',
        experiment_id: '1',
        signature: {
          inputs: '[{"type": "double", "name": "tenure"}]',
          outputs: '[{"type": "long"}]'
        },
        input_example: '{"tenure": [3.5]}',
        flavors: ['python_function', 'sklearn'],
        framework: 'sklearn',
        task: 'classification',
        params: { C: '1.0' },
        metrics: { auc: 0.91, log_loss: 0.3 },
        notebook: 'churn.ipynb',
        commit: 'abcdef1234567890',
        repository: 'https://gitlab.example/alice/churn.git'
      },
      diff: {
        base_commit: '1111111aaaa',
        head_commit: 'abcdef1234567890',
        text: [
          'diff --git a/train.py b/train.py',
          '--- a/train.py',
          '+++ b/train.py',
          '@@ -1,2 +1,2 @@',
          '-C = 0.5',
          '+C = 1.0',
          ' fit()'
        ].join('\n'),
        computed_by: 'author_workspace'
      },
      taken_at: '2026-12-03T09:00:00Z'
    },
    approvals: [],
    steps: [
      {
        id: 1,
        round: 1,
        actor: 'alice',
        action: 'submit',
        state: 'in_review',
        comment: 'First try',
        at: '2026-12-03T09:00:00Z'
      }
    ],
    ...overrides
  };
}

export function page(
  overrides: Partial<IPublicationPage> = {}
): IPublicationPage {
  return {
    publication: publication(),
    champion: publication({
      id: 2,
      version: '1',
      state: 'published',
      catalog_version: '1',
      champion: true
    }),
    metrics: [
      { key: 'auc', candidate: 0.91, champion: 0.88, difference: 0.03 },
      { key: 'log_loss', candidate: 0.3, champion: 0.25, difference: 0.05 },
      { key: 'f1', candidate: null, champion: 0.7, difference: null }
    ],
    allowed: ['approve', 'request_changes', 'reject'],
    approvals_required: 1,
    ...overrides
  };
}

/** One scripted answer: a value, or an error to throw. */
type Answer<T> = T | Error;

function next<T>(answers: Answer<T>[]): Promise<T> {
  const answer = answers.length > 1 ? answers.shift()! : answers[0];
  return answer instanceof Error
    ? Promise.reject(answer)
    : Promise.resolve(answer);
}

/** The review API as a script: each call takes its next answer, the last repeats. */
export class ScriptedReviews implements IReviewsAPI {
  queues: Answer<IPublicationList>[] = [
    { publications: [publication()], count: 1 }
  ];
  pages: Answer<IPublicationPage>[] = [page()];
  decisions: Answer<IPublication>[] = [
    publication({ state: 'published', revision: 6 })
  ];
  sent: { id: number; body: IDecisionBody }[] = [];

  queue(): Promise<IPublicationList> {
    return next(this.queues);
  }

  page(): Promise<IPublicationPage> {
    return next(this.pages);
  }

  decide(id: number, body: IDecisionBody): Promise<IPublication> {
    this.sent.push({ id, body });
    return next(this.decisions);
  }

  publish(): Promise<IPublication> {
    return next(this.decisions);
  }
}

/** The 409 of a page that went stale: rita approved it a moment ago. */
export function changedMeanwhile(): PlatformRequestError {
  return new PlatformRequestError({
    status: 409,
    url: 'http://localhost/jupyterlab-mlplat/publications/7/decisions',
    serverMessage:
      'rita approved it since your page read it (revision 5, yours 4).',
    reason: 'publication_changed',
    params: {
      by: 'rita',
      action: 'approve',
      state: 'approved',
      revision: 5,
      yours: 4
    },
    requestId: 'req-409'
  });
}

export function ownWork(): PlatformRequestError {
  return new PlatformRequestError({
    status: 403,
    url: 'http://localhost/jupyterlab-mlplat/publications/7/decisions',
    serverMessage:
      'Nobody reviews their own work: another reviewer must decide.',
    reason: 'own_work',
    requestId: 'req-403'
  });
}
