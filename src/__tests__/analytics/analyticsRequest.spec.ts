import { ServerConnection } from '@jupyterlab/services';

import { AnalyticsClient } from '../../analytics/api';
import { PlatformRequestError } from '../../api/request';
import { FakeServerExtension } from '../api/fakeServer';
import { idleReport, teamsReport, usageReport } from './fixtures';

describe('AnalyticsClient', () => {
  const server = new FakeServerExtension();
  const base = '/user/alice/jupyterlab-mlplat/analytics';
  let client: AnalyticsClient;

  beforeAll(async () => {
    const baseUrl = await server.start();
    client = new AnalyticsClient(
      ServerConnection.makeSettings({ baseUrl, token: 'tok3n' })
    );
  });

  afterAll(() => server.stop());

  beforeEach(() => {
    server.requests = [];
    server.received = [];
    server.routes.clear();
  });

  const query = (entries: { [name: string]: string }) =>
    new URLSearchParams(entries);

  it('GETs each report with its query, as the person', async () => {
    server.routes.set(`${base}/usage`, {
      status: 200,
      body: JSON.stringify(usageReport())
    });
    server.routes.set(`${base}/idle`, {
      status: 200,
      body: JSON.stringify(idleReport())
    });
    server.routes.set(`${base}/teams`, {
      status: 200,
      body: JSON.stringify(teamsReport())
    });

    await expect(
      client.usage(query({ from: '2026-11-01', to: '2026-11-03', by: 'team' }))
    ).resolves.toEqual(usageReport());
    await expect(client.idle(query({ limit: '10' }))).resolves.toEqual(
      idleReport()
    );
    await expect(client.teams(query({ grain: 'month' }))).resolves.toEqual(
      teamsReport()
    );

    expect(server.requests).toEqual([
      { method: 'GET', url: `${base}/usage`, authorization: 'token tok3n' },
      { method: 'GET', url: `${base}/idle`, authorization: 'token tok3n' },
      { method: 'GET', url: `${base}/teams`, authorization: 'token tok3n' }
    ]);
    // (JupyterLab adds a cache-busting parameter of its own)
    expect(Object.fromEntries(server.received[0].query)).toEqual(
      expect.objectContaining({
        from: '2026-11-01',
        to: '2026-11-03',
        by: 'team'
      })
    );
    expect(server.received[2].query.get('grain')).toBe('month');
  });

  it('downloads the CSV of the same query', async () => {
    const csv = 'key,period,runs\r\ndata-scientists,2026-11-02,3\r\n';
    server.routes.set(`${base}/teams`, {
      status: 200,
      body: csv,
      type: 'text/csv; charset=utf-8'
    });

    const blob = await client.csv(
      'teams',
      query({ from: '2026-11-01', to: '2026-11-30', by: 'person' })
    );

    expect(await blob.text()).toBe(csv);
    expect(Object.fromEntries(server.received[0].query)).toEqual(
      expect.objectContaining({
        from: '2026-11-01',
        to: '2026-11-30',
        by: 'person',
        format: 'csv'
      })
    );
  });

  it('turns a refusal into its reason and params', async () => {
    server.routes.set(`${base}/usage`, {
      status: 400,
      body: JSON.stringify({
        message:
          "The range ends (2026-11-01) before it starts (2026-11-05): pick a 'to' on or after 'from'.",
        reason: 'period_invalid',
        params: { field: 'to', from: '2026-11-05', to: '2026-11-01' }
      })
    });

    const refused = await client
      .usage(query({ from: '2026-11-05', to: '2026-11-01' }))
      .catch(error => error);

    expect(refused).toBeInstanceOf(PlatformRequestError);
    expect(refused).toMatchObject({
      status: 400,
      reason: 'period_invalid',
      params: { field: 'to', from: '2026-11-05', to: '2026-11-01' }
    });
  });
});
