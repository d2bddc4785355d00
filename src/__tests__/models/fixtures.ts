import { PlatformRequestError } from '../../api/request';
import { emptyCard } from '../../models/card';
import {
  AuthorAction,
  ICardDraftAnswer,
  ILineage,
  IModelCard,
  IModelRow,
  IModelsAPI,
  IModelsPage,
  IModelVersionBody,
  IPublication,
  IPublicationList,
  IPublicationPage,
  IRegisterBody,
  IRunModels
} from '../../models/types';

export function modelVersion(
  overrides: Partial<IModelVersionBody> = {}
): IModelVersionBody {
  return {
    name: 'churn',
    version: '3',
    run_id: 'run-1',
    source: 'models:/m-abc',
    created_by: 'alice',
    created_at: 1_700_000_000_000,
    status: 'READY',
    description: '',
    model_id: 'm-abc',
    tags: {},
    aliases: [],
    ...overrides
  };
}

export function lineage(overrides: Partial<ILineage> = {}): ILineage {
  return {
    commit: '0123456789abcdef0123456789abcdef01234567',
    repository: 'https://gitlab.example/alice/churn.git',
    notebook: 'work/train.ipynb',
    run: {
      run_id: 'run-1',
      experiment_id: '7',
      name: 'bold-fox',
      user: 'alice',
      params: { C: '0.5' },
      metrics: { accuracy: 0.91234567, f1: 0.88 },
      notebook: 'work/train.ipynb',
      commit: '0123456789abcdef0123456789abcdef01234567',
      repository: 'https://gitlab.example/alice/churn.git'
    },
    version: modelVersion(),
    model: {
      framework: 'scikit-learn',
      task: 'classification',
      flavours: ['python_function', 'sklearn'],
      signature: {},
      input_example: ''
    },
    publications: [],
    deployments: [],
    ...overrides
  };
}

export function publication(
  overrides: Partial<IPublication> = {}
): IPublication {
  return {
    id: 1,
    model_name: 'churn',
    version: '3',
    author: 'alice',
    state: 'draft',
    revision: 1,
    catalog_name: null,
    catalog_version: null,
    champion: false,
    team: 'data-scientists',
    snapshot: null,
    round: 1,
    created_at: '2026-12-01T09:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    updated_by: 'alice',
    last_action: 'create',
    publish_error: null,
    card: emptyCard(),
    approvals: [],
    steps: [],
    ...overrides
  };
}

export function refused(
  status: number,
  reason: string,
  extra: Partial<PlatformRequestError.IOptions> = {}
): PlatformRequestError {
  return new PlatformRequestError({
    status,
    url: 'http://localhost/jupyterlab-mlplat/x',
    serverMessage: `refused: ${reason}`,
    reason,
    ...extra
  });
}

/**
 * A models API that records every call and answers from a script; a saved
 * card raises the revision as the platform does.
 */
export class ScriptedModels implements IModelsAPI {
  calls: { method: string; args: unknown[] }[] = [];
  list: IModelsPage = { models: [], next_page_token: null };
  detail: ILineage = lineage();
  logged: IRunModels = {
    models: [
      {
        model_id: 'm-abc',
        name: 'model',
        run_id: 'run-1',
        artifact_uri: 'models:/m-abc',
        created_at: null
      }
    ]
  };
  drafted: ICardDraftAnswer = {
    card: {
      ...emptyCard(),
      task: 'classification',
      framework: 'scikit-learn',
      owners: ['alice'],
      metrics: [{ key: 'f1', value: 0.88, note: '' }]
    },
    markdown: ''
  };
  stored: IPublication = publication();
  /** Whether the platform lists `stored` among the person's publications. */
  listed = false;
  /** Errors the next calls of a method throw, in order. */
  failures: { [method: string]: Error[] } = {};
  /** Holds saves until released (for saves that overlap typing). */
  gate: Promise<void> | null = null;

  /**
   * When set, every registered model of the person, answered a page at a
   * time as MLflow does: `pageSize` a page, a token naming where the next
   * starts.
   */
  all: IModelRow[] | null = null;
  pageSize = 20;

  async models(pageToken: string | null = null): Promise<IModelsPage> {
    this._record('models', pageToken);
    if (this.all === null) {
      return this.list;
    }
    const start = pageToken ? Number(pageToken.slice('after-'.length)) : 0;
    const end = start + this.pageSize;
    return {
      models: this.all.slice(start, end),
      next_page_token: end < this.all.length ? `after-${end}` : null
    };
  }
  async lineage(name: string, version: string): Promise<ILineage> {
    this._record('lineage', name, version);
    return this.detail;
  }
  async cardDraft(name: string, version: string): Promise<ICardDraftAnswer> {
    this._record('cardDraft', name, version);
    return this.drafted;
  }
  async runModels(runId: string): Promise<IRunModels> {
    this._record('runModels', runId);
    return this.logged;
  }
  async register(body: IRegisterBody): Promise<IModelVersionBody> {
    this._record('register', body);
    return modelVersion({ name: body.name, version: '1', run_id: body.run_id });
  }
  async publicationsOf(name: string): Promise<IPublicationList> {
    this._record('publicationsOf', name);
    // as the platform lists them: without the card, the steps, the approvals
    const { card, steps, approvals, ...summary } = this.stored;
    void [card, steps, approvals];
    return this.listed
      ? { publications: [summary], count: 1 }
      : { publications: [], count: 0 };
  }
  async publication(id: number): Promise<IPublicationPage> {
    this._record('publication', id);
    return {
      publication: this.stored,
      allowed: [],
      approvals_required: 1,
      metrics: []
    };
  }
  async createPublication(
    name: string,
    version: string,
    card: IModelCard
  ): Promise<IPublication> {
    this._record('createPublication', name, version, card);
    this.stored = publication({ model_name: name, version, card });
    this.listed = true;
    return this.stored;
  }
  async saveCard(
    id: number,
    card: IModelCard,
    revision: number
  ): Promise<IPublication> {
    this._record('saveCard', id, card, revision);
    if (this.gate) {
      await this.gate;
    }
    this.stored = {
      ...this.stored,
      card,
      revision: this.stored.revision + 1
    };
    return this.stored;
  }
  async act(
    id: number,
    action: AuthorAction,
    revision: number
  ): Promise<IPublication> {
    this._record('act', id, action, revision);
    const state =
      action === 'withdraw' ? ('draft' as const) : ('in_review' as const);
    this.stored = { ...this.stored, state, revision: this.stored.revision + 1 };
    return this.stored;
  }

  named(method: string): unknown[][] {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  private _record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures[method]?.shift();
    if (failure) {
      throw failure;
    }
  }
}
