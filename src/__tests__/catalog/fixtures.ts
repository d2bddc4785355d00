import { PlatformRequestError } from '../../api/request';
import {
  ICatalogAction,
  ICatalogAPI,
  ICatalogHit,
  ICatalogModel,
  ICatalogQuery,
  ICatalogSearchPage,
  ICatalogVersion,
  IModelCard
} from '../../catalog/types';

export function hit(overrides: Partial<ICatalogHit> = {}): ICatalogHit {
  return {
    name: 'churn',
    mlflow_name: 'catalog.churn',
    description: 'Predicts which customers leave',
    tags: ['telecom'],
    task: 'classification',
    framework: 'sklearn',
    team: 'data-scientists',
    license: 'MIT',
    status: 'published',
    aliases: { champion: 2 },
    latest_version: 2,
    updated_at: '2026-12-01T10:00:00Z',
    rank: 0,
    ...overrides
  };
}

export function searchPage(
  overrides: Partial<ICatalogSearchPage> = {}
): ICatalogSearchPage {
  return {
    hits: [hit()],
    total: 1,
    facets: {
      task: [{ value: 'classification', count: 1 }],
      framework: [{ value: 'sklearn', count: 1 }],
      team: [{ value: 'data-scientists', count: 1 }],
      license: [{ value: 'MIT', count: 1 }],
      status: [{ value: 'published', count: 1 }]
    },
    page: 1,
    page_size: 20,
    words: [],
    ...overrides
  };
}

export function card(overrides: Partial<IModelCard> = {}): IModelCard {
  return {
    catalog_name: 'churn',
    description: 'Predicts **churn** of customers.',
    out_of_scope: '',
    training_data: 'Customers of 2025',
    evaluation_data: '',
    metrics: [{ key: 'accuracy', value: 0.912345, note: 'holdout' }],
    limitations: '',
    risks: '',
    owners: ['alice'],
    contact: 'alice@example.org',
    license: 'MIT',
    task: 'classification',
    framework: 'sklearn',
    tags: ['telecom'],
    language: 'en',
    ...overrides
  };
}

export function version(
  number: number,
  overrides: Partial<ICatalogVersion> = {}
): ICatalogVersion {
  return {
    version: number,
    publication_id: 10 + number,
    published_at: '2026-12-01T10:00:00Z',
    published_by: 'rita',
    lineage: {
      source_model: 'alice-churn',
      source_version: number,
      run_id: `run${number}`,
      run_name: `run-${number}`,
      experiment_id: '1',
      commit: 'abcdef0123456789',
      repository_url: 'https://gitlab.example.org/alice/churn',
      notebook: 'churn.ipynb',
      params: { alpha: '0.5' }
    },
    state: 'published',
    metrics: { accuracy: 0.9 + number / 100 },
    deprecated_at: null,
    ...overrides
  };
}

export function catalogModel(
  overrides: Partial<ICatalogModel> = {}
): ICatalogModel {
  return {
    name: 'churn',
    mlflow_name: 'catalog.churn',
    description: 'Predicts which customers leave',
    tags: ['telecom'],
    task: 'classification',
    framework: 'sklearn',
    team: 'data-scientists',
    license: 'MIT',
    status: 'published',
    card: card(),
    aliases: { champion: 2 },
    champion_version: 2,
    created_at: '2026-11-30T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    versions: [version(2), version(1)],
    alias_history: [
      {
        alias: 'champion',
        from_version: 1,
        to_version: 2,
        moved_by: 'rita',
        moved_at: '2026-12-01T10:00:00Z',
        publication_id: 12,
        comment: 'better recall'
      }
    ],
    deployments: [],
    snippet:
      'import mlflow\n\nmodel = mlflow.pyfunc.load_model("models:/catalog.churn@champion")\n',
    ...overrides
  };
}

type Answer<T> = T | Error;

function next<T>(answers: Answer<T>[]): Promise<T> {
  const answer = (
    answers.length > 1 ? answers.shift() : answers[0]
  ) as Answer<T>;
  return answer instanceof Error
    ? Promise.reject(answer)
    : Promise.resolve(answer);
}

/** A catalog whose answers the test scripts; it records every call. */
export class ScriptedCatalog implements ICatalogAPI {
  searches: Answer<ICatalogSearchPage>[] = [searchPage()];
  models: Answer<ICatalogModel>[] = [catalogModel()];
  actions: Answer<void>[] = [undefined];
  queries: ICatalogQuery[] = [];
  calls: { kind: string; action: ICatalogAction }[] = [];

  search(query: ICatalogQuery): Promise<ICatalogSearchPage> {
    this.queries.push(query);
    return next(this.searches);
  }

  model(name: string): Promise<ICatalogModel> {
    return next(this.models);
  }

  deprecate(action: ICatalogAction): Promise<void> {
    this.calls.push({ kind: 'deprecate', action });
    return next(this.actions);
  }

  moveChampion(action: ICatalogAction): Promise<void> {
    this.calls.push({ kind: 'champion', action });
    return next(this.actions);
  }
}

export function refused(status: number, reason: string): PlatformRequestError {
  return new PlatformRequestError({
    status,
    url: 'http://localhost/jupyterlab-mlplat/catalog',
    serverMessage: 'refused',
    reason,
    requestId: 'req-1',
    params: { name: 'churn', version: 1 }
  });
}
