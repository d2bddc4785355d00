import { ServerConnection } from '@jupyterlab/services';

import { requestAPI, requestRaw } from '../api/request';
import {
  IAnalyticsAPI,
  IIdleReport,
  ITeamsReport,
  IUsageReport,
  ReportName
} from './types';

/** The analytics through the server extension, which asks as the person. */
export class AnalyticsClient implements IAnalyticsAPI {
  constructor(serverSettings?: ServerConnection.ISettings) {
    this._serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  usage(query: URLSearchParams): Promise<IUsageReport> {
    return this._get('usage', query);
  }

  idle(query: URLSearchParams): Promise<IIdleReport> {
    return this._get('idle', query);
  }

  teams(query: URLSearchParams): Promise<ITeamsReport> {
    return this._get('teams', query);
  }

  async csv(report: ReportName, query: URLSearchParams): Promise<Blob> {
    const asked = new URLSearchParams(query);
    asked.set('format', 'csv');
    const response = await requestRaw(
      `analytics/${report}`,
      { method: 'GET' },
      this._serverSettings,
      asked
    );
    return response.blob();
  }

  private _get<T>(report: ReportName, query: URLSearchParams): Promise<T> {
    return requestAPI<T>(
      `analytics/${report}`,
      { method: 'GET' },
      this._serverSettings,
      query
    );
  }

  private _serverSettings: ServerConnection.ISettings;
}
