import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';

import {
  trafficCharts,
  trafficLabel,
  trafficRange,
  TrafficSection
} from '../../deployments/traffic';
import { reasonLabels } from '../../deployments/labels';
import {
  IServedVersion,
  ITrafficPoint,
  ITrafficSeries
} from '../../deployments/types';
import { lineChartConfig } from '../../shell/charts';
import { describeError, reasonLabels as registry } from '../../shell/errors';
import { PlatformRequestError } from '../../api/request';
import { russianBundle } from '../shell/catalogue';
import { english } from '../shell/fixtures';
import { ScriptedDeployments } from './fixtures';

beforeAll(() => registry.add(reasonLabels));

const SERVED: IServedVersion[] = [
  { version: '3', traffic: 'primary', percent: 80 },
  { version: '4', traffic: 'canary', percent: 20 }
];

function point(
  at: string,
  requests: number,
  errors = 0,
  p95: number | null = 12
): ITrafficPoint {
  return {
    at,
    requests,
    errors,
    client_errors: errors,
    server_errors: 0,
    rate_limited: 0,
    error_rate: requests ? errors / requests : null,
    p50_ms: p95 === null ? null : p95 / 2,
    p95_ms: p95,
    p99_ms: p95
  };
}

function series(
  step: ITrafficSeries['step'] = '5m',
  stepSeconds = 300
): ITrafficSeries {
  return {
    deployment: 'churn-staging',
    since: '2026-12-03T11:00:00Z',
    until: '2026-12-03T11:20:00Z',
    step,
    step_seconds: stepSeconds,
    series: [
      {
        version: '',
        points: [
          {
            ...point('2026-12-03T11:05:00Z', 5, 0, null),
            errors: 5,
            rate_limited: 5,
            error_rate: 1
          }
        ]
      },
      {
        version: '3',
        points: [
          point('2026-12-03T11:00:00Z', 100, 2),
          point('2026-12-03T11:10:00Z', 50, 0, 20)
        ]
      },
      { version: '4', points: [point('2026-12-03T11:10:00Z', 10, 5, 400)] }
    ]
  };
}

const at = (iso: string) => Date.parse(iso);

describe('traffic charts', () => {
  it('draws requests per minute with quiet steps at 0, per version', () => {
    const charts = trafficCharts(series(), SERVED, english);
    expect(charts.requests.map(s => s.label)).toEqual([
      'refused before a version',
      'version 3',
      'version 4 (canary)'
    ]);
    // four 5-minute steps from 11:00 to 11:20; 100 requests in 5 minutes: 20 a minute
    expect(charts.requests[1].points).toEqual([
      { step: at('2026-12-03T11:00:00Z'), value: 20 },
      { step: at('2026-12-03T11:05:00Z'), value: 0 },
      { step: at('2026-12-03T11:10:00Z'), value: 10 },
      { step: at('2026-12-03T11:15:00Z'), value: 0 }
    ]);
    expect(charts.requests[2].points.map(p => p.value)).toEqual([0, 0, 2, 0]);
  });

  it('draws error rates in percent and p95 only where there were requests', () => {
    const charts = trafficCharts(series(), SERVED, english);
    expect(charts.errorRate.map(s => [s.label, s.points])).toEqual([
      [
        'refused before a version',
        [{ step: at('2026-12-03T11:05:00Z'), value: 100 }]
      ],
      [
        'version 3',
        [
          { step: at('2026-12-03T11:00:00Z'), value: 2 },
          { step: at('2026-12-03T11:10:00Z'), value: 0 }
        ]
      ],
      ['version 4 (canary)', [{ step: at('2026-12-03T11:10:00Z'), value: 50 }]]
    ]);
    // the refused requests took no model's time: no latency line for them
    expect(charts.p95.map(s => s.label)).toEqual([
      'version 3',
      'version 4 (canary)'
    ]);
    expect(charts.p95[1].points).toEqual([
      { step: at('2026-12-03T11:10:00Z'), value: 400 }
    ]);
  });

  it('draws on the range asked for, so a lone minute sits where it happened', () => {
    const charts = trafficCharts(series(), SERVED, english);
    const config = lineChartConfig(
      charts.p95,
      { lines: ['#000'], text: '#000', grid: '#eee' },
      english,
      {
        title: 'Time',
        tick: String,
        min: at('2026-12-03T11:00:00Z'),
        max: at('2026-12-03T11:20:00Z')
      }
    );
    expect(config.type).toBe('line');
    expect(config.options?.scales?.x?.min).toBe(at('2026-12-03T11:00:00Z'));
    expect(config.options?.scales?.x?.max).toBe(at('2026-12-03T11:20:00Z'));
    expect(config.options?.scales?.y).toMatchObject({ beginAtZero: true });
  });

  it('names versions no longer served plainly, and the shadow as such', () => {
    expect(trafficLabel('2', SERVED, english)).toBe('version 2');
    const shadow: IServedVersion[] = [
      { version: '5', traffic: 'shadow', percent: 0 }
    ];
    expect(trafficLabel('5', shadow, english)).toBe('version 5 (shadow)');
  });

  it('asks for an hour in minutes, a day in 5 minutes, a week in hours', () => {
    const now = at('2026-12-03T12:00:00Z');
    expect(trafficRange('hour', now)).toEqual({
      since: '2026-12-03T11:00:00.000Z',
      step: '1m'
    });
    expect(trafficRange('day', now).step).toBe('5m');
    expect(trafficRange('week', now)).toEqual({
      since: '2026-11-26T12:00:00.000Z',
      step: '1h'
    });
  });
});

describe('TrafficSection', () => {
  it('says there is no traffic yet, and reads another range when asked', async () => {
    const api = new ScriptedDeployments();
    render(
      <TrafficSection
        api={api}
        name="churn-staging"
        served={SERVED}
        trans={english}
      />
    );
    expect(
      await screen.findByText(/No traffic yet in this range/)
    ).toBeTruthy();
    expect(api.trafficRanges.map(r => r.step)).toEqual(['1m']);
    fireEvent.click(screen.getByRole('button', { name: 'Last week' }));
    await waitFor(() =>
      expect(api.trafficRanges.map(r => r.step)).toEqual(['1m', '1h'])
    );
    expect(
      screen
        .getByRole('button', { name: 'Last week' })
        .getAttribute('aria-pressed')
    ).toBe('true');
  });

  it('draws the three charts, in Russian too', async () => {
    const api = new ScriptedDeployments();
    api.traffics = [series()];
    const { unmount } = render(
      <TrafficSection
        api={api}
        name="churn-staging"
        served={SERVED}
        trans={english}
      />
    );
    expect(await screen.findByText('Requests per minute')).toBeTruthy();
    expect(screen.getByText('Error rate (%)')).toBeTruthy();
    expect(screen.getByText('Latency, 95th percentile (ms)')).toBeTruthy();
    unmount();
    render(
      <TrafficSection
        api={api}
        name="churn-staging"
        served={SERVED}
        trans={russianBundle()}
      />
    );
    expect(await screen.findByText('Запросов в минуту')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'За неделю' })).toBeTruthy();
  });

  it('says why a range was refused, in words', () => {
    const error = new PlatformRequestError({
      status: 400,
      url: 'http://localhost/jupyterlab-mlplat/deployments/x/traffic/series',
      serverMessage: 'since lies beyond the 30 days traffic is kept.',
      reason: 'traffic_range_invalid',
      params: { field: 'since', rule: 'beyond_retention', days: 30 }
    });
    // in English the server's own sentence is the more specific one
    expect(describeError(english, error)).toBe(
      'since lies beyond the 30 days traffic is kept.'
    );
    expect(describeError(russianBundle(), error)).toBe(
      'Трафик хранится 30 дн.: выберите период в этих пределах.'
    );
  });
});
