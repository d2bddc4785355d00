import { act, render, screen, within } from '@testing-library/react';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import {
  chartTheme,
  isSingleValued,
  lineChartConfig,
  metricChartConfig
} from '../../shell/charts';
import {
  comparisonRows,
  comparisonSeries,
  CompareView,
  runLabels
} from '../../experiments/compare';
import { IRunComparison } from '../../experiments/types';
import { english } from '../shell/fixtures';
import { runDetail, ScriptedMlflow } from './fixtures';

// jsdom has no canvas: charts keep their accessible label and draw nothing.
beforeAll(() => {
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockImplementation(() => null);
});
afterAll(() => jest.restoreAllMocks());

function comparison(): IRunComparison {
  return {
    runs: [
      runDetail({
        id: 'a',
        name: 'run-a',
        params: { lr: '0.1', depth: '4' },
        metrics: { auc: 0.9, loss: 0.25 }
      }),
      runDetail({
        id: 'b',
        name: 'run-b',
        params: { lr: '0.1', depth: '6' },
        metrics: { auc: 0.9, loss: 0.2500001 }
      }),
      runDetail({
        id: 'c',
        name: 'run-c',
        params: { lr: '0.1' },
        metrics: { auc: 0.9, loss: 0.3 }
      })
    ],
    param_keys: ['depth', 'lr'],
    metric_keys: ['auc', 'loss'],
    histories: {
      loss: {
        a: [
          { step: 1, value: 0.5, timestamp: 2 },
          { step: 0, value: 0.9, timestamp: 1 }
        ],
        b: [{ step: 0, value: 0.8, timestamp: 1 }],
        c: [{ step: 0, value: 0.7, timestamp: 1 }]
      },
      auc: { a: [{ step: 0, value: 0.9, timestamp: 1 }] }
    }
  };
}

describe('comparisonRows', () => {
  it('flags the keys whose values differ, a missing value included', () => {
    const rows = comparisonRows(comparison());
    expect(
      rows.map(row => [row.kind, row.key, row.cells, row.differs])
    ).toEqual([
      ['param', 'depth', ['4', '6', ''], true],
      ['param', 'lr', ['0.1', '0.1', '0.1'], false],
      ['metric', 'auc', ['0.9', '0.9', '0.9'], false],
      // Differences below the display precision still count
      ['metric', 'loss', ['0.25', '0.25', '0.3'], true]
    ]);
  });
});

describe('runLabels', () => {
  it('tells runs of one name apart by the start of their ids', () => {
    const labels = runLabels([
      { id: '3f2a1b9c0d', name: 'churn-lr' },
      { id: '77aa01bc23', name: 'churn-lr' },
      { id: 'c0ffee1234', name: 'churn-gb' },
      { id: 'deadbeef99', name: '' }
    ]);
    expect([...labels.values()]).toEqual([
      'churn-lr (3f2a1b9)',
      'churn-lr (77aa01b)',
      'churn-gb',
      'deadbeef99'
    ]);
  });

  it('names the charts’ lines so', () => {
    const twins = comparison();
    twins.runs[1] = { ...twins.runs[1], name: 'run-a' };
    expect(comparisonSeries(twins, 'loss').map(line => line.label)).toEqual([
      'run-a (a)',
      'run-a (b)',
      'run-c'
    ]);
  });
});

describe('comparisonSeries and lineChartConfig', () => {
  it('draws one dataset per run, named after it, sorted by step', () => {
    const series = comparisonSeries(comparison(), 'loss');
    const config = lineChartConfig(series, chartTheme(), english);

    expect(config.type).toBe('line');
    const datasets = config.data.datasets;
    expect(datasets.map(d => d.label)).toEqual(['run-a', 'run-b', 'run-c']);
    expect(datasets[0].data).toEqual([
      { x: 0, y: 0.9 },
      { x: 1, y: 0.5 }
    ]);
    // Each run has its own colour and dash, so lines are told apart
    expect(new Set(datasets.map(d => d.borderColor)).size).toBe(3);
    expect(new Set(datasets.map(d => JSON.stringify(d.borderDash))).size).toBe(
      3
    );
    // and its own marker and width, so lines on top of each other still
    // show every run; the legend names each
    expect(new Set(datasets.map(d => d.pointStyle)).size).toBe(3);
    expect(new Set(datasets.map(d => d.borderWidth)).size).toBe(3);
    // Chart.js draws the first on top: the ones under it are wider
    const widths = datasets.map(d => d.borderWidth as number);
    expect(widths).toEqual([...widths].sort((a, b) => a - b));
    expect(config.options?.plugins?.legend?.display).toBe(true);
  });

  it('draws a metric every run logged once as bars, one per run', () => {
    const series = comparisonSeries(comparison(), 'auc');
    expect(isSingleValued(series)).toBe(true);
    const config = metricChartConfig(series, chartTheme(), english);
    expect(config.type).toBe('bar');
    expect(config.data.labels).toEqual(['run-a', 'run-b', 'run-c']);
    expect(config.data.datasets[0].data).toEqual([0.9, NaN, NaN]);
    expect(
      metricChartConfig(
        comparisonSeries(comparison(), 'loss'),
        chartTheme(),
        english
      ).type
    ).toBe('line');
  });

  it('keeps a line (empty) for a run that never logged the metric', () => {
    const series = comparisonSeries(comparison(), 'auc');
    expect(series.map(s => [s.label, s.points.length])).toEqual([
      ['run-a', 1],
      ['run-b', 0],
      ['run-c', 0]
    ]);
  });
});

describe('CompareView', () => {
  async function renderView(data: IRunComparison) {
    const api = new ScriptedMlflow();
    api.comparisons = [data];
    const commands = new CommandRegistry();
    render(
      <CompareView
        api={api}
        runIds={data.runs.map(r => r.id)}
        commands={commands}
        trans={english}
      />
    );
    await act(() => new Promise(resolve => setTimeout(resolve, 0)));
    return api;
  }

  it('shows params and metrics side by side and highlights differences', async () => {
    const api = await renderView(comparison());
    expect(api.callsOf('compare')).toEqual([[['a', 'b', 'c']]]);

    const table = screen.getByRole('table', {
      name: 'Parameters and metrics by run'
    });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map(th => th.textContent);
    expect(headers).toEqual(['Key', 'run-a', 'run-b', 'run-c']);

    const row = (key: string) =>
      within(table).getByRole('rowheader', { name: new RegExp(`^${key}`) })
        .parentElement as HTMLElement;
    expect(row('depth').className).toContain('jp-mlplat-differs');
    expect(row('depth').textContent).toContain('(values differ)');
    expect(row('lr').className).not.toContain('jp-mlplat-differs');
    expect(row('loss').className).toContain('jp-mlplat-differs');
    expect(row('auc').className).not.toContain('jp-mlplat-differs');
  });

  it('draws one chart per metric with one line per run', async () => {
    await renderView(comparison());

    const charts = screen.getAllByRole('img');
    expect(charts.map(c => c.getAttribute('aria-label'))).toEqual([
      'Bar chart of auc, one bar for each run',
      'Line chart of loss: 3 lines, 4 points'
    ]);
  });

  it('renders run names and keys as text', async () => {
    const data = comparison();
    data.runs[0].name = '<script>alert(1)</script>';
    data.param_keys = ['<b>k</b>'];
    await renderView(data);

    expect(
      screen.getByRole('button', { name: '<script>alert(1)</script>' })
    ).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: '<b>k</b>' })).toBeTruthy();
    expect(document.querySelector('b')).toBeNull();
  });
});
