import { PlatformRequestError } from '../../api/request';
import { emptyCard } from '../../models/card';
import {
  AuthorAction,
  ILoggedModels,
  IModelCard,
  IModelList,
  IModelsAPI,
  IModelVersion,
  IModelVersionSummary,
  IPublication,
  IRegisterBody
} from '../../models/types';

export function version(overrides: Partial<IModelVersion> = {}): IModelVersion {
  return {
    name: 'churn',
    version: '3',
    status: 'READY',
    created_at: 1_700_000_000_000,
    source: 'models:/m-abc',
    flavours: ['python_function', 'sklearn'],
    task: 'classification',
    framework: 'scikit-learn',
    commit: '0123456789abcdef0123',
    commit_url:
      'https://gitlab.example/alice/churn/-/commit/0123456789abcdef0123',
    repository: 'https://gitlab.example/alice/churn.git',
    notebook: 'work/train.ipynb',
    run: {
      run_id: 'run-1',
      experiment_id: '7',
      name: 'bold-fox',
      user: 'alice',
      params: { C: '0.5' },
      metrics: { accuracy: 0.91234567, f1: 0.88 }
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
    id: 'p1',
    name: 'churn',
    version: '3',
    author: 'alice',
    state: 'draft',
    revision: 1,
    card: emptyCard(),
    reviews: [],
    updated_at: '2026-12-01T10:00:00Z',
    updated_by: 'alice',
    error: null,
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
  list: IModelList = { models: [] };
  detail: IModelVersion = version();
  logged: ILoggedModels = {
    models: [
      {
        model_id: 'm-abc',
        name: 'model',
        run_id: 'run-1',
        created_at: null
      }
    ]
  };
  stored: IPublication = publication();
  /** Errors the next calls of a method throw, in order. */
  failures: { [method: string]: Error[] } = {};
  /** Holds saves until released (for saves that overlap typing). */
  gate: Promise<void> | null = null;

  async models(): Promise<IModelList> {
    this._record('models');
    return this.list;
  }
  async version(name: string, v: string): Promise<IModelVersion> {
    this._record('version', name, v);
    return this.detail;
  }
  async loggedModels(runId: string): Promise<ILoggedModels> {
    this._record('loggedModels', runId);
    return this.logged;
  }
  async register(body: IRegisterBody): Promise<IModelVersionSummary> {
    this._record('register', body);
    return {
      name: body.name,
      version: '1',
      run_id: body.run_id,
      created_at: null,
      metrics: {},
      publication_state: null
    };
  }
  async publication(id: IPublication['id']): Promise<IPublication> {
    this._record('publication', id);
    return this.stored;
  }
  async createPublication(
    name: string,
    v: string,
    card: IModelCard
  ): Promise<IPublication> {
    this._record('createPublication', name, v, card);
    this.stored = publication({ name, version: v, card });
    return this.stored;
  }
  async saveCard(
    id: IPublication['id'],
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
    id: IPublication['id'],
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
