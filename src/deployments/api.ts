import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, requestRaw, segment } from '../api/request';
import type { components } from '../api/generated/sidebar';
import {
  ICreateBody,
  IDeployment,
  IDeploymentList,
  IDeploymentsAPI,
  IDriftReportList,
  IInvocation,
  ILogTail,
  IModelFacts,
  IRevisionList,
  ISizeList,
  ITrafficBody,
  ITrafficRange,
  ITrafficSeries
} from './types';

type Schemas = components['schemas'];
/** The version page's answer: its signature and input example are Try it's form. */
type ILineage = Schemas['LineageBody'];
/** The person's registered models with their latest versions. */
type IModelsPage = Schemas['ModelsPage'];
/** A catalog model with its published versions. */
type ICatalogModel = Schemas['CatalogModel'];

/** MLflow names of the catalog's models start with it. */
const CATALOG_PREFIX = 'catalog.';

/**
 * Deployments and their sizes through the server extension, which asks the
 * platform (and calls the gateway) with the person's token: the browser
 * holds no credential of either. Every URL of the tab is built here; a
 * deployment's name is a DNS-1123 label, still encoded as a segment.
 */
export class DeploymentsClient implements IDeploymentsAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  list(all: boolean): Promise<IDeploymentList> {
    return this._call<IDeploymentList>(
      'deployments',
      'GET',
      undefined,
      all ? new URLSearchParams({ all: 'true' }) : null
    );
  }

  async get(name: string, since?: number): Promise<IDeployment | null> {
    if (since === undefined) {
      return this._call<IDeployment>(this._path(name), 'GET');
    }
    // 204: nothing changed since the sequence the page shows
    const response = await requestRaw(
      this._path(name),
      { method: 'GET' },
      this._serverSettings,
      new URLSearchParams({ since: String(since) })
    );
    return response.status === 204
      ? null
      : ((await response.json()) as IDeployment);
  }

  create(body: ICreateBody): Promise<IDeployment> {
    return this._call<IDeployment>('deployments', 'POST', body);
  }

  setTraffic(name: string, body: ITrafficBody): Promise<IDeployment> {
    return this._call<IDeployment>(this._path(name, 'traffic'), 'PUT', body);
  }

  promote(name: string, revision: number): Promise<IDeployment> {
    return this._call<IDeployment>(this._path(name, 'promote'), 'POST', {
      revision
    });
  }

  rollback(name: string, revision: number): Promise<IDeployment> {
    return this._call<IDeployment>(this._path(name, 'rollback'), 'POST', {
      revision
    });
  }

  resize(name: string, revision: number, size: string): Promise<IDeployment> {
    return this._call<IDeployment>(this._path(name, 'size'), 'PUT', {
      revision,
      size
    });
  }

  remove(name: string, revision: number): Promise<IDeployment> {
    return requestAPI<IDeployment>(
      this._path(name),
      { method: 'DELETE' },
      this._serverSettings,
      new URLSearchParams({ revision: String(revision) })
    );
  }

  revisions(name: string): Promise<IRevisionList> {
    return this._call<IRevisionList>(this._path(name, 'revisions'), 'GET');
  }

  logs(name: string, version: string, tail: number): Promise<ILogTail> {
    return this._call<ILogTail>(
      this._path(name, 'logs'),
      'GET',
      undefined,
      new URLSearchParams({ version, tail: String(tail) })
    );
  }

  async invoke(name: string, payload: unknown): Promise<IInvocation> {
    const started = performance.now();
    const response = await requestRaw(
      this._path(name, 'invocations'),
      { method: 'POST', body: JSON.stringify(payload) },
      this._serverSettings
    );
    const text = await response.text();
    const latency = performance.now() - started;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // an answer that is not JSON is shown as the text it is
    }
    return { status: response.status, body, latency_ms: latency };
  }

  async facts(modelName: string, version: string): Promise<IModelFacts> {
    const lineage = await this._call<ILineage>(
      'models/version',
      'GET',
      undefined,
      new URLSearchParams({ name: modelName, version })
    );
    return {
      signature: lineage.model?.signature ?? {},
      input_example: lineage.model?.input_example ?? ''
    };
  }

  drift(name: string): Promise<IDriftReportList> {
    return this._call<IDriftReportList>(this._path(name, 'drift'), 'GET');
  }

  traffic(name: string, range: ITrafficRange): Promise<ITrafficSeries> {
    return this._call<ITrafficSeries>(
      this._path(name, 'traffic', 'series'),
      'GET',
      undefined,
      new URLSearchParams({ since: range.since, step: range.step })
    );
  }

  async versionsOf(modelName: string): Promise<string[]> {
    if (modelName.startsWith(CATALOG_PREFIX)) {
      const entry = await this._call<ICatalogModel>(
        `catalog/models/${segment(modelName.slice(CATALOG_PREFIX.length))}`,
        'GET'
      );
      return entry.versions
        .filter(version => version.state === 'published')
        .map(version => String(version.version));
    }
    const page = await this._call<IModelsPage>(
      'models',
      'GET',
      undefined,
      new URLSearchParams({ max_results: '100' })
    );
    const row = page.models.find(found => found.name === modelName);
    return (row?.versions ?? []).map(found => found.version.version);
  }

  sizes(): Promise<ISizeList> {
    return this._call<ISizeList>('deployment-sizes', 'GET');
  }

  private _path(name: string, ...rest: string[]): string {
    return ['deployments', segment(name), ...rest].join('/');
  }

  private _call<T>(
    endPoint: string,
    method: 'GET' | 'POST' | 'PUT',
    body?: unknown,
    query: URLSearchParams | null = null
  ): Promise<T> {
    return requestAPI<T>(
      endPoint,
      body === undefined ? { method } : { method, body: JSON.stringify(body) },
      this._serverSettings,
      query
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}
