import { Drive, ServerConnection } from '@jupyterlab/services';

import type { components } from '../api/generated/sidebar';
import { apiURL, requestAPI, requestRaw, segment } from '../api/request';
import {
  IArtifactContent,
  IArtifactListing,
  IExperimentPage,
  IExperimentPrivacy,
  IExperimentQuery,
  IMetricHistories,
  IMetricHistory,
  IMlflowAPI,
  IMlflowConfig,
  ILoggedNotebook,
  IRunComparison,
  IRunDetail,
  IRunPage,
  IRunQuery,
  IRunResponse
} from './types';

/** Request bodies as the sidebar API's document declares them. */
type Body = components['schemas'];

/**
 * MLflow through the server extension, which calls MLflow as the hub user.
 * Every URL of the MLflow views is built here.
 */
export class MlflowClient implements IMlflowAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  config(): Promise<IMlflowConfig> {
    return this._get<IMlflowConfig>('mlflow/config');
  }

  experiments(query: IExperimentQuery): Promise<IExperimentPage> {
    const params = new URLSearchParams();
    if (query.filter) {
      params.set('filter', query.filter);
    }
    params.set('max_results', String(query.maxResults ?? 50));
    if (query.pageToken) {
      params.set('page_token', query.pageToken);
    }
    return this._get<IExperimentPage>('mlflow/experiments', params);
  }

  runs(query: IRunQuery): Promise<IRunPage> {
    return this._get<IRunPage>(
      `mlflow/experiments/${segment(query.experimentId)}/runs`,
      runsQuery(query)
    );
  }

  setExperimentPrivate(
    experimentId: string,
    value: boolean
  ): Promise<IExperimentPrivacy> {
    return requestAPI<IExperimentPrivacy>(
      `mlflow/experiments/${segment(experimentId)}/private`,
      {
        method: 'POST',
        body: JSON.stringify({ private: value } satisfies Body['PrivacyBody'])
      },
      this._serverSettings
    );
  }

  async run(runId: string): Promise<IRunDetail> {
    const answer = await this._get<IRunResponse>(
      `mlflow/runs/${segment(runId)}`
    );
    return answer.run;
  }

  metricHistory(runId: string, key: string): Promise<IMetricHistory> {
    return this._get<IMetricHistory>(
      `mlflow/runs/${segment(runId)}/metric-history`,
      new URLSearchParams({ key })
    );
  }

  metricHistories(runId: string): Promise<IMetricHistories> {
    return this._get<IMetricHistories>(
      `mlflow/runs/${segment(runId)}/metric-histories`
    );
  }

  artifacts(runId: string, path: string): Promise<IArtifactListing> {
    return this._get<IArtifactListing>(
      `mlflow/runs/${segment(runId)}/artifacts`,
      new URLSearchParams({ path })
    );
  }

  async artifact(runId: string, path: string): Promise<IArtifactContent> {
    const response = await requestRaw(
      `mlflow/runs/${segment(runId)}/artifact`,
      { method: 'GET' },
      this._serverSettings,
      new URLSearchParams({ path })
    );
    const contentType = (
      response.headers.get('Content-Type') ?? 'application/octet-stream'
    ).toLowerCase();
    if (isTextType(contentType)) {
      return { contentType, text: await response.text(), blob: null };
    }
    return { contentType, text: null, blob: await response.blob() };
  }

  artifactDownloadUrl(runId: string, path: string): string {
    return apiURL(
      `mlflow/runs/${segment(runId)}/artifact`,
      new URLSearchParams({ path, download: '1' }),
      this._serverSettings
    );
  }

  logNotebook(runId: string, notebookPath: string): Promise<ILoggedNotebook> {
    return requestAPI<ILoggedNotebook>(
      `mlflow/runs/${segment(runId)}/notebook`,
      {
        method: 'POST',
        body: JSON.stringify({
          path: notebookPath
        } satisfies Body['NotebookBody'])
      },
      this._serverSettings
    );
  }

  async notebookExists(path: string): Promise<boolean> {
    // Jupyter's own contents API, through its client: the file as JupyterLab
    // would open it, without its content.
    const drive = new Drive({ serverSettings: this._serverSettings });
    try {
      await drive.get(path, { content: false });
      return true;
    } catch (error) {
      if (
        error instanceof ServerConnection.ResponseError &&
        error.response.status === 404
      ) {
        return false;
      }
      throw error;
    }
  }

  compare(runIds: readonly string[]): Promise<IRunComparison> {
    const params = new URLSearchParams();
    for (const id of runIds) {
      params.append('run_id', id);
    }
    return this._get<IRunComparison>('mlflow/compare', params);
  }

  private _get<T>(
    endPoint: string,
    query: URLSearchParams | null = null
  ): Promise<T> {
    return requestAPI<T>(
      endPoint,
      { method: 'GET' },
      this._serverSettings,
      query
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}

/**
 * The query of the runs endpoint: paging, sort and the chosen columns (one
 * `column` parameter each, as `metric:<key>` or `param:<key>`).
 */
export function runsQuery(query: IRunQuery): URLSearchParams {
  const params = new URLSearchParams();
  params.set('max_results', String(query.maxResults ?? 25));
  if (query.pageToken) {
    params.set('page_token', query.pageToken);
  }
  if (query.sort) {
    // one parameter: an attribute by name, a metric or param as kind:name
    params.set(
      'sort',
      query.sort.kind === 'attribute'
        ? query.sort.key
        : `${query.sort.kind}:${query.sort.key}`
    );
    params.set('sort_dir', query.sort.direction);
  }
  for (const column of query.columns ?? []) {
    params.append('column', `${column.kind}:${column.key}`);
  }
  return params;
}

/** Whether a Content-Type is shown as text in a preview. */
export function isTextType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/x-yaml' ||
    type === 'application/yaml' ||
    type === 'application/xml'
  );
}
