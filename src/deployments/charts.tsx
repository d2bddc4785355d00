import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ISeries, MetricChart } from '../shell/charts';
import { formatDateTime } from '../shell/labels';
import { PlatformModel } from '../shell/model';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus, NotLoaded } from '../shell/status';
import { IDeploymentsAPI, IDriftReport, IDriftReportList } from './types';

/**
 * The share of drifted features of each comparison, one line per served
 * version, numbered in the order they were made (oldest first).
 */
export function driftSeries(
  reports: readonly IDriftReport[],
  trans: TranslationBundle
): ISeries[] {
  const byVersion = new Map<string, ISeries>();
  reports
    .filter(report => report.status === 'compared')
    .forEach((report, index) => {
      let line = byVersion.get(report.version);
      if (!line) {
        line = { label: trans.__('version %1', report.version), points: [] };
        byVersion.set(report.version, line);
      }
      (line.points as { step: number; value: number }[]).push({
        step: index + 1,
        value: report.drifted_share
      });
    });
  return [...byVersion.values()];
}

/**
 * Below this many reference rows a verdict says little: a run's logged input
 * example is often two or three rows, and any sample differs from those.
 */
export const FEW_REFERENCE_ROWS = 30;

/** Why a comparison compared nothing, or what it found. */
export function reportText(
  report: IDriftReport,
  trans: TranslationBundle
): string {
  switch (report.status) {
    case 'compared': {
      const found = report.drifted
        ? trans.__(
            'Version %1 drifted: %2 of its features (%3 rows of requests against %4 reference rows).',
            report.version,
            percent(report.drifted_share),
            report.rows,
            report.reference_rows
          )
        : trans.__(
            'Version %1 did not drift: %2 of its features moved (%3 rows of requests against %4 reference rows).',
            report.version,
            percent(report.drifted_share),
            report.rows,
            report.reference_rows
          );
      return report.reference_rows < FEW_REFERENCE_ROWS
        ? `${found} ${trans.__(
            'Reference rows: %1, too few to judge by; log a sample of the training data with the run.',
            report.reference_rows
          )}`
        : found;
    }
    case 'no_reference':
      return trans.__(
        'Version %1 has nothing to compare with: its run logged no input example or dataset sample.',
        report.version
      );
    case 'no_common_features':
      return trans.__(
        'Version %1: the requests and the reference share no feature.',
        report.version
      );
    case 'no_rows':
      return trans.__(
        'Version %1: no requests were sampled to compare.',
        report.version
      );
    default:
      return report.status;
  }
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/**
 * Drift over time: the gateway samples requests and a periodic job compares
 * them with each version's reference; the chart shows the share of
 * features that drifted at each comparison, and the latest one says what
 * it found.
 */
export function DriftSection(props: {
  api: IDeploymentsAPI;
  name: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { api, name, trans } = props;
  const [loaded, setLoaded] = React.useState<
    NotLoaded | { kind: 'ready'; list: IDriftReportList }
  >({ kind: 'loading' });
  const [generation, setGeneration] = React.useState(0);
  React.useEffect(() => {
    let live = true;
    api.drift(name).then(
      list => live && setLoaded({ kind: 'ready', list }),
      error => live && setLoaded(PlatformModel.stateFromError(error))
    );
    return () => {
      live = false;
    };
  }, [api, name, generation]);
  const series = React.useMemo(
    () =>
      loaded.kind === 'ready' ? driftSeries(loaded.list.reports, trans) : [],
    [loaded, trans]
  );
  const latest =
    loaded.kind === 'ready'
      ? loaded.list.reports[loaded.list.reports.length - 1]
      : undefined;
  return (
    <section className="jp-mlplat-deploy-drift" aria-label={trans.__('Drift')}>
      <div className="jp-mlplat-review-bar">
        <h4>{trans.__('Drift')}</h4>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the drift reports again')}
          onClick={() => setGeneration(generation + 1)}
        />
      </div>
      {loaded.kind !== 'ready' ? (
        <LoadStatus
          state={loaded}
          loading={trans.__('Reading the drift reports…')}
          unavailable={trans.__('The platform is unavailable')}
          error={() => trans.__('The drift reports could not be read')}
          onRetry={() => setGeneration(generation + 1)}
          trans={trans}
        />
      ) : !latest ? (
        <p className="jp-mlplat-empty">
          {trans.__(
            'No comparison yet: requests are sampled as they come, and compared with each version’s reference once enough have arrived.'
          )}
        </p>
      ) : (
        <>
          <p
            className={
              latest.drifted ? 'jp-mlplat-field-error' : 'jp-mlplat-field-hint'
            }
          >
            {reportText(latest, trans)}{' '}
            {trans.__('(%1)', formatDateTime(latest.computed_at))}
          </p>
          {series.length > 0 && (
            <MetricChart
              metric={trans.__(
                'Share of drifted features (threshold %1)',
                percent(loaded.list.thresholds.share)
              )}
              series={series}
              trans={trans}
            />
          )}
        </>
      )}
    </section>
  );
}
