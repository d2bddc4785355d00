import { PlatformRequestError } from '../../api/request';
import {
  IArtifactContent,
  IArtifactListing,
  IExperiment,
  IExperimentPage,
  IExperimentPrivacy,
  IExperimentQuery,
  ILoggedNotebook,
  IMetricHistories,
  IMetricHistory,
  IMetricPoint,
  IMlflowAPI,
  IMlflowConfig,
  IRunComparison,
  IRunDetail,
  IRunPage,
  IRunQuery,
  IRunRow
} from '../../experiments/types';
import { Answer } from '../shell/fixtures';

/* ---------------------------------------------------------------- MLflow */

export function mlflowConfig(
  overrides: Partial<IMlflowConfig> = {}
): IMlflowConfig {
  return {
    enabled: true,
    ui_url: 'http://mlflow.example/',
    user: 'alice',
    ...overrides
  };
}

export function experiment(overrides: Partial<IExperiment> = {}): IExperiment {
  return {
    id: '1',
    name: 'alice/churn',
    owner: 'alice',
    lifecycle_stage: 'active',
    creation_time: 1_700_000_000_000,
    last_update_time: 1_700_000_100_000,
    can_write: true,
    private: false,
    ...overrides
  };
}

export function runRow(overrides: Partial<IRunRow> = {}): IRunRow {
  return {
    id: 'r1',
    name: 'brave-owl-1',
    experiment_id: '1',
    status: 'FINISHED',
    start_time: 1_700_000_000_000,
    end_time: 1_700_000_065_000,
    duration_ms: 65_000,
    user: 'alice',
    source_notebook: 'projects/churn/train.ipynb',
    git_commit: '0123456789abcdef0123',
    params: {},
    metrics: {},
    can_write: true,
    ...overrides
  };
}

export function runDetail(overrides: Partial<IRunDetail> = {}): IRunDetail {
  return {
    ...runRow(),
    tags: {},
    artifact_uri: 'mlflow-artifacts:/1/r1/artifacts',
    ui_url: 'http://mlflow.example/#/experiments/1/runs/r1',
    ...overrides
  };
}

export function runPage(overrides: Partial<IRunPage> = {}): IRunPage {
  return {
    runs: [runRow()],
    next_page_token: null,
    columns: { params: ['lr', 'depth'], metrics: ['auc', 'loss'] },
    active: false,
    ...overrides
  };
}

/**
 * An MLflow API whose answers the test scripts per method, recording every
 * call with its arguments; the last answer of a method repeats.
 */
export class ScriptedMlflow implements IMlflowAPI {
  configs: Answer<IMlflowConfig>[] = [mlflowConfig()];
  experimentPages: Answer<IExperimentPage>[] = [
    { experiments: [experiment()], next_page_token: null }
  ];
  runPages: Answer<IRunPage>[] = [runPage()];
  runs_: Answer<IRunDetail>[] = [runDetail()];
  histories: { [key: string]: IMetricPoint[] } = {};
  listings: { [path: string]: Answer<IArtifactListing> } = {};
  contents: { [path: string]: Answer<IArtifactContent> } = {};
  logged: Answer<ILoggedNotebook>[] = [
    { artifact_path: 'notebook/train.ipynb', git_commit: null }
  ];
  comparisons: Answer<IRunComparison>[] = [];
  /** Answers of setExperimentPrivate; by default the server agrees. */
  privacies: Answer<IExperimentPrivacy>[] = [];

  calls: { method: string; args: unknown[] }[] = [];

  callsOf(method: string): unknown[][] {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  config(): Promise<IMlflowConfig> {
    return this._answer('config', [], this.configs);
  }

  experiments(query: IExperimentQuery): Promise<IExperimentPage> {
    return this._answer('experiments', [query], this.experimentPages);
  }

  runs(query: IRunQuery): Promise<IRunPage> {
    return this._answer('runs', [query], this.runPages);
  }

  setExperimentPrivate(
    experimentId: string,
    value: boolean
  ): Promise<IExperimentPrivacy> {
    return this._answer(
      'setExperimentPrivate',
      [experimentId, value],
      this.privacies.length
        ? this.privacies
        : [{ id: experimentId, private: value }]
    );
  }

  run(runId: string): Promise<IRunDetail> {
    return this._answer('run', [runId], this.runs_);
  }

  metricHistory(runId: string, key: string): Promise<IMetricHistory> {
    this.calls.push({ method: 'metricHistory', args: [runId, key] });
    return Promise.resolve({ key, history: this.histories[key] ?? [] });
  }

  metricHistories(runId: string): Promise<IMetricHistories> {
    // As the server: the run's metrics, the first 12 by name
    const run = this.runs_[0];
    const all = [
      ...new Set([
        ...Object.keys(this.histories),
        ...(run instanceof Error ? [] : Object.keys(run.metrics))
      ])
    ].sort();
    const keys = all.slice(0, 12);
    return this._answer(
      'metricHistories',
      [runId],
      [
        {
          histories: Object.fromEntries(
            keys.map(key => [key, this.histories[key] ?? []])
          ),
          total: all.length
        }
      ]
    );
  }

  artifacts(runId: string, path: string): Promise<IArtifactListing> {
    return this._answer(
      'artifacts',
      [runId, path],
      [this.listings[path] ?? { path, files: [] }]
    );
  }

  artifact(runId: string, path: string): Promise<IArtifactContent> {
    return this._answer(
      'artifact',
      [runId, path],
      [
        this.contents[path] ??
          new PlatformRequestError({
            status: 404,
            url: path,
            serverMessage: 'gone'
          })
      ]
    );
  }

  artifactDownloadUrl(runId: string, path: string): string {
    return `http://localhost/download/${runId}?path=${encodeURIComponent(path)}`;
  }

  logNotebook(runId: string, notebookPath: string): Promise<ILoggedNotebook> {
    return this._answer('logNotebook', [runId, notebookPath], this.logged);
  }

  /** Files that are gone; any other path exists. */
  goneFiles = new Set<string>();

  notebookExists(path: string): Promise<boolean> {
    return this._answer('notebookExists', [path], [!this.goneFiles.has(path)]);
  }

  compare(runIds: readonly string[]): Promise<IRunComparison> {
    return this._answer('compare', [runIds], this.comparisons);
  }

  private _answer<T>(
    method: string,
    args: unknown[],
    answers: Answer<T>[]
  ): Promise<T> {
    this.calls.push({ method, args });
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer);
  }
}
