import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IChartPoint, ISeries, IXAxis, MetricChart } from '../shell/charts';
import { uiLocale } from '../shell/labels';
import { PlatformModel } from '../shell/model';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus, NotLoaded } from '../shell/status';
import {
  IDeploymentsAPI,
  IServedVersion,
  ITrafficRange,
  ITrafficSeries
} from './types';

/** The ranges the charts offer, each read in steps that keep it legible. */
export type TrafficRangeName = 'hour' | 'day' | 'week';

const RANGES: Record<TrafficRangeName, { hours: number; step: string }> = {
  hour: { hours: 1, step: '1m' },
  day: { hours: 24, step: '5m' },
  week: { hours: 24 * 7, step: '1h' }
};

/** The query of a range ending at `now` (ms since the epoch). */
export function trafficRange(
  name: TrafficRangeName,
  now: number
): ITrafficRange {
  const { hours, step } = RANGES[name];
  return {
    since: new Date(now - hours * 3600 * 1000).toISOString(),
    step
  };
}

/** What the three charts draw: one line per served version each. */
export interface ITrafficCharts {
  /** Requests per minute (a step's requests over its minutes). */
  requests: ISeries[];
  /** Share of requests that got no answer from the model, in percent. */
  errorRate: ISeries[];
  /** The 95th percentile of latency, in milliseconds. */
  p95: ISeries[];
}

/**
 * A version's name on the charts: canary and shadow say so, so the canary
 * is told apart from the stable version beside it; requests refused before
 * a version was chosen (a rate limit, nothing ready) have a line of their
 * own.
 */
export function trafficLabel(
  version: string,
  served: readonly IServedVersion[],
  trans: TranslationBundle
): string {
  if (!version) {
    return trans.__('refused before a version');
  }
  switch (served.find(v => v.version === version)?.traffic) {
    case 'canary':
      return trans.__('version %1 (canary)', version);
    case 'shadow':
      return trans.__('version %1 (shadow)', version);
    default:
      return trans.__('version %1', version);
  }
}

/**
 * The platform's series as the charts' lines, x in ms since the epoch.
 * Steps without a request are not sent: the requests line reads 0 there
 * (no request is a count), while error rate and latency have no value
 * and are left out.
 */
export function trafficCharts(
  body: ITrafficSeries,
  served: readonly IServedVersion[],
  trans: TranslationBundle
): ITrafficCharts {
  const stepMs = body.step_seconds * 1000;
  const minutes = body.step_seconds / 60;
  const start = Date.parse(body.since);
  const end = Date.parse(body.until);
  const charts: ITrafficCharts = { requests: [], errorRate: [], p95: [] };
  for (const line of body.series) {
    const label = trafficLabel(line.version, served, trans);
    const byStep = new Map(line.points.map(p => [Date.parse(p.at), p]));
    const requests: IChartPoint[] = [];
    for (let at = start; at < end; at += stepMs) {
      const point = byStep.get(at);
      requests.push({ step: at, value: (point?.requests ?? 0) / minutes });
    }
    const errorRate: IChartPoint[] = [];
    const p95: IChartPoint[] = [];
    for (const point of line.points) {
      const at = Date.parse(point.at);
      if (point.error_rate !== null && point.error_rate !== undefined) {
        errorRate.push({ step: at, value: point.error_rate * 100 });
      }
      if (point.p95_ms !== null && point.p95_ms !== undefined) {
        p95.push({ step: at, value: point.p95_ms });
      }
    }
    charts.requests.push({ label, points: requests });
    if (errorRate.length) {
      charts.errorRate.push({ label, points: errorRate });
    }
    if (p95.length) {
      charts.p95.push({ label, points: p95 });
    }
  }
  return charts;
}

/** A tick's time: hours and minutes, with the day for a week. */
export function trafficTick(value: number, range: TrafficRangeName): string {
  const options: Intl.DateTimeFormatOptions =
    range === 'week'
      ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(uiLocale(), options).format(new Date(value));
}

function rangeLabel(name: TrafficRangeName, trans: TranslationBundle): string {
  switch (name) {
    case 'hour':
      return trans.__('Last hour');
    case 'day':
      return trans.__('Last day');
    case 'week':
      return trans.__('Last week');
  }
}

/**
 * Requests, error rate and latency of the deployment's versions over the
 * last hour, day or week, as the invocations gateway counted them
 * (minutes reach the platform within seconds of their end).
 */
export function TrafficSection(props: {
  api: IDeploymentsAPI;
  name: string;
  served: readonly IServedVersion[];
  trans: TranslationBundle;
}): JSX.Element {
  const { api, name, served, trans } = props;
  const [range, setRange] = React.useState<TrafficRangeName>('hour');
  const [generation, setGeneration] = React.useState(0);
  const [loaded, setLoaded] = React.useState<
    NotLoaded | { kind: 'ready'; body: ITrafficSeries }
  >({ kind: 'loading' });
  React.useEffect(() => {
    let live = true;
    setLoaded({ kind: 'loading' });
    api.traffic(name, trafficRange(range, Date.now())).then(
      body => live && setLoaded({ kind: 'ready', body }),
      error => live && setLoaded(PlatformModel.stateFromError(error))
    );
    return () => {
      live = false;
    };
  }, [api, name, range, generation]);
  const charts = React.useMemo(
    () =>
      loaded.kind === 'ready'
        ? trafficCharts(loaded.body, served, trans)
        : null,
    [loaded, served, trans]
  );
  const xAxis = React.useMemo<IXAxis>(
    () => ({
      title: trans.__('Time'),
      tick: v => trafficTick(v, range),
      // the whole range asked for, so a lone minute sits where it happened
      min: loaded.kind === 'ready' ? Date.parse(loaded.body.since) : undefined,
      max: loaded.kind === 'ready' ? Date.parse(loaded.body.until) : undefined
    }),
    [trans, range, loaded]
  );
  return (
    <section
      className="jp-mlplat-deploy-traffic"
      aria-label={trans.__('Traffic charts')}
    >
      <div className="jp-mlplat-review-bar">
        <h4>{trans.__('Traffic charts')}</h4>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the traffic again')}
          onClick={() => setGeneration(generation + 1)}
        />
      </div>
      <div role="group" aria-label={trans.__('Time range')}>
        {(Object.keys(RANGES) as TrafficRangeName[]).map(option => (
          <Button
            key={option}
            small
            minimal={option !== range}
            aria-pressed={option === range}
            onClick={() => setRange(option)}
          >
            {rangeLabel(option, trans)}
          </Button>
        ))}
      </div>
      {loaded.kind !== 'ready' || charts === null ? (
        <LoadStatus
          state={loaded.kind === 'ready' ? { kind: 'loading' } : loaded}
          loading={trans.__('Reading the traffic…')}
          unavailable={trans.__('The platform is unavailable')}
          error={() => trans.__('The traffic could not be read')}
          onRetry={() => setGeneration(generation + 1)}
          trans={trans}
        />
      ) : charts.requests.length === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__(
            'No traffic yet in this range: requests through the gateway appear here within a minute.'
          )}
        </p>
      ) : (
        <>
          <MetricChart
            metric={trans.__('Requests per minute')}
            series={charts.requests}
            trans={trans}
            xAxis={xAxis}
          />
          <MetricChart
            metric={trans.__('Error rate (%)')}
            series={charts.errorRate}
            trans={trans}
            xAxis={xAxis}
          />
          {charts.p95.length > 0 && (
            <MetricChart
              metric={trans.__('Latency, 95th percentile (ms)')}
              series={charts.p95}
              trans={trans}
              xAxis={xAxis}
            />
          )}
        </>
      )}
    </section>
  );
}
