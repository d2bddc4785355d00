import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { LoadingNote } from '../shell/status';
import { mlplatIcon } from '../shell/icons';
import { IMlflowAPI, IRunComparison } from './types';
import { ISeries, MetricChart } from '../shell/charts';
import { LoadFailure } from './status';
import { useLoad } from './hooks';
import { formatMetric } from './labels';
import { RunLink } from './runsTable';
import { RefreshButton } from '../shell/refresh';

/** One line of the comparison table: a param or metric across the runs. */
export interface IComparisonRow {
  kind: 'param' | 'metric';
  key: string;
  /** One cell per run, in the order of `runs`; '' where a run lacks it. */
  cells: string[];
  /** Whether the runs disagree (a missing value differs from any value). */
  differs: boolean;
}

/**
 * The rows of the comparison table. Values are compared as logged (exact
 * strings for params, exact numbers for metrics), not as displayed, so two
 * metrics that round to the same text still count as different.
 */
export function comparisonRows(comparison: IRunComparison): IComparisonRow[] {
  const { runs } = comparison;
  const distinct = (values: unknown[]) =>
    new Set(values.map(v => (v === undefined ? '\u0000missing' : v))).size > 1;
  const params: IComparisonRow[] = comparison.param_keys.map(key => {
    const values = runs.map(run => run.params[key]);
    return {
      kind: 'param',
      key,
      cells: values.map(v => v ?? ''),
      differs: distinct(values)
    };
  });
  const metrics: IComparisonRow[] = comparison.metric_keys.map(key => {
    const values = runs.map(run => run.metrics[key]);
    return {
      kind: 'metric',
      key,
      cells: values.map(v => formatMetric(v)),
      differs: distinct(values)
    };
  });
  return [...params, ...metrics];
}

/**
 * Each run's name as the comparison shows it: runs often share a name (one
 * notebook run twice), so a name held by more than one run gets the start of
 * its id, and the columns and lines can be told apart.
 */
export function runLabels(
  runs: readonly { id: string; name: string }[]
): Map<string, string> {
  const named = (run: { id: string; name: string }) => run.name || run.id;
  const counts = new Map<string, number>();
  for (const run of runs) {
    counts.set(named(run), (counts.get(named(run)) ?? 0) + 1);
  }
  return new Map(
    runs.map(run => [
      run.id,
      (counts.get(named(run)) ?? 0) > 1 && run.name
        ? `${run.name} (${run.id.slice(0, 7)})`
        : named(run)
    ])
  );
}

/** The lines of one metric's chart: one per run, empty for a run without it. */
export function comparisonSeries(
  comparison: IRunComparison,
  metric: string
): ISeries[] {
  const histories = comparison.histories[metric] ?? {};
  const labels = runLabels(comparison.runs);
  return comparison.runs.map(run => ({
    label: labels.get(run.id) ?? run.id,
    points: histories[run.id] ?? []
  }));
}

export interface IComparePageOptions {
  api: IMlflowAPI;
  runIds: readonly string[];
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/** Content of a comparison page. */
export class ComparePage extends ReactWidget {
  constructor(options: IComparePageOptions) {
    super();
    this._options = options;
    this.addClass('jp-mlplat-page');
    this.addClass('jp-mlplat-compare-page');
  }

  get runIds(): readonly string[] {
    return this._options.runIds;
  }

  render(): JSX.Element {
    return <CompareView {...this._options} />;
  }

  private _options: IComparePageOptions;
}

/** The key under which a set of runs is compared, whatever their order. */
export function compareKey(runIds: readonly string[]): string {
  return [...runIds].sort().join(',');
}

/** A comparison page in the main area; one per set of runs. */
export function createComparePage(
  options: IComparePageOptions
): MainAreaWidget<ComparePage> {
  const content = new ComparePage(options);
  const widget = new MainAreaWidget({ content });
  widget.id = `jp-mlplat-compare-${compareKey(options.runIds).replace(
    /[^A-Za-z0-9_-]/g,
    '_'
  )}`;
  widget.title.label = options.trans.__(
    'Compare %1 runs',
    options.runIds.length
  );
  widget.title.icon = mlplatIcon;
  widget.title.closable = true;
  return widget;
}

/**
 * Params and metrics side by side, rows where the runs disagree highlighted,
 * and each metric's history with one line per run.
 */
export function CompareView(props: IComparePageOptions): JSX.Element {
  const { api, runIds, commands, trans } = props;
  const [loaded, reload] = useLoad(() => api.compare(runIds), [api, runIds]);
  const [onlyDiffering, setOnlyDiffering] = React.useState(false);

  if (loaded.kind === 'loading') {
    return <LoadingNote text={trans.__('Loading the runs to compare…')} />;
  }
  if (loaded.kind !== 'ready') {
    return <LoadFailure state={loaded} onRetry={reload} trans={trans} />;
  }
  const comparison = loaded.value;
  const labels = runLabels(comparison.runs);
  const rows = comparisonRows(comparison).filter(
    row => row.differs || !onlyDiffering
  );
  const section = (kind: IComparisonRow['kind'], title: string) => {
    const own = rows.filter(row => row.kind === kind);
    if (own.length === 0) {
      return null;
    }
    return (
      <tbody>
        <tr className="jp-mlplat-compare-group">
          <th scope="rowgroup" colSpan={comparison.runs.length + 1}>
            {title}
          </th>
        </tr>
        {own.map(row => (
          <tr
            key={`${row.kind}:${row.key}`}
            className={row.differs ? 'jp-mlplat-differs' : undefined}
          >
            <th scope="row">
              {row.key}
              {row.differs && (
                <span className="jp-mlplat-sr-only">
                  {trans.__('(values differ)')}
                </span>
              )}
            </th>
            {row.cells.map((cell, index) => (
              <td key={comparison.runs[index].id}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    );
  };

  return (
    <article
      className="jp-mlplat-compare-view"
      aria-label={trans.__('Comparison of %1 runs', comparison.runs.length)}
    >
      <header className="jp-mlplat-page-header">
        <h2 className="jp-mlplat-page-title">
          {trans.__('Compare %1 runs', comparison.runs.length)}
        </h2>
        <label className="jp-mlplat-only-differing">
          <input
            type="checkbox"
            checked={onlyDiffering}
            onChange={event => setOnlyDiffering(event.currentTarget.checked)}
          />
          {trans.__('Only rows that differ')}
        </label>
        <span className="jp-mlplat-page-actions">
          <RefreshButton trans={trans} onClick={reload} />
        </span>
      </header>
      <div className="jp-mlplat-table-scroll">
        <table
          className="jp-mlplat-table jp-mlplat-compare"
          aria-label={trans.__('Parameters and metrics by run')}
        >
          <thead>
            <tr>
              <th scope="col">{trans.__('Key')}</th>
              {comparison.runs.map(run => (
                <th scope="col" key={run.id}>
                  <RunLink
                    run={run}
                    label={labels.get(run.id)}
                    commands={commands}
                    trans={trans}
                  />
                </th>
              ))}
            </tr>
          </thead>
          {section('param', trans.__('Parameters'))}
          {section('metric', trans.__('Metrics'))}
        </table>
      </div>
      {rows.length === 0 && (
        <p className="jp-mlplat-empty">
          {onlyDiffering
            ? trans.__('The runs have the same params and metrics.')
            : trans.__('The runs have no params or metrics.')}
        </p>
      )}
      {comparison.metric_keys.length > 0 && (
        <section
          className="jp-mlplat-charts-section"
          aria-label={trans.__('Metric history')}
        >
          <h3>{trans.__('Metric history')}</h3>
          <div className="jp-mlplat-charts">
            {comparison.metric_keys.map(metric => (
              <CompareChart
                key={metric}
                comparison={comparison}
                metric={metric}
                trans={trans}
              />
            ))}
          </div>
        </section>
      )}
    </article>
  );
}

function CompareChart(props: {
  comparison: IRunComparison;
  metric: string;
  trans: TranslationBundle;
}): JSX.Element {
  const series = React.useMemo(
    () => comparisonSeries(props.comparison, props.metric),
    [props.comparison, props.metric]
  );
  return (
    <MetricChart metric={props.metric} series={series} trans={props.trans} />
  );
}
