import { TranslationBundle } from '@jupyterlab/translation';
import {
  Chart,
  ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip
} from 'chart.js';
import * as React from 'react';

/** One point of a line: a metric's value at a step (MLflow's shape). */
export interface IChartPoint {
  step: number;
  value: number;
  /** Orders points logged at the same step. */
  timestamp?: number;
}

// Only the parts of Chart.js a line chart needs, so the bundle stays small.
Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  Legend,
  Tooltip
);

/** One line of a chart, e.g. a run's history of one metric. */
export interface ISeries {
  /** What the legend says: the run's name, shown as text by Chart.js. */
  label: string;
  points: readonly IChartPoint[];
}

export interface IXYPoint {
  x: number;
  y: number;
}

export type LineChartConfig = ChartConfiguration<'line', IXYPoint[]>;

/** The theme colours a chart is drawn with. */
export interface IChartTheme {
  /** One colour per line, reused in order. */
  lines: string[];
  text: string;
  grid: string;
}

/**
 * Colours from the JupyterLab theme, read when a chart is drawn, so charts
 * follow light, dark and high-contrast themes. The fallbacks are the light
 * theme's values, for when no stylesheet is loaded (tests).
 */
export function chartTheme(element: Element = document.body): IChartTheme {
  const style = window.getComputedStyle(element);
  const read = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    lines: [
      read('--jp-brand-color1', '#1976d2'),
      read('--jp-warn-color1', '#f57c00'),
      read('--jp-success-color1', '#388e3c'),
      read('--jp-error-color1', '#d32f2f'),
      read('--jp-ui-font-color1', '#616161')
    ],
    text: read('--jp-ui-font-color1', '#616161'),
    grid: read('--jp-border-color2', '#e0e0e0')
  };
}

/** Dash patterns told apart without colour (one per line, reused in order). */
const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4]];

/**
 * The Chart.js configuration of one metric's chart: one line per series,
 * x = step, y = value. Kept pure so tests check what is drawn without a
 * canvas.
 */
export function lineChartConfig(
  series: readonly ISeries[],
  theme: IChartTheme,
  trans: TranslationBundle
): LineChartConfig {
  return {
    type: 'line',
    data: {
      datasets: series.map((line, index) => {
        const color = theme.lines[index % theme.lines.length];
        return {
          label: line.label,
          data: [...line.points]
            .sort(
              (a, b) =>
                a.step - b.step || (a.timestamp ?? 0) - (b.timestamp ?? 0)
            )
            .map(point => ({ x: point.step, y: point.value })),
          borderColor: color,
          backgroundColor: color,
          borderDash: DASHES[index % DASHES.length],
          borderWidth: 2,
          pointRadius: line.points.length > 50 ? 0 : 2,
          tension: 0
        };
      })
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        legend: {
          display: series.length > 1,
          // A line sample shows each run's dash pattern, not a filled box.
          labels: { color: theme.text, usePointStyle: true, pointStyle: 'line' }
        },
        tooltip: { enabled: true }
      },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: trans.__('Step'), color: theme.text },
          ticks: { color: theme.text, precision: 0 },
          grid: { color: theme.grid }
        },
        y: {
          type: 'linear',
          ticks: { color: theme.text },
          grid: { color: theme.grid }
        }
      }
    }
  };
}

export interface IMetricChartProps {
  /** The metric key, as the figure's caption (text, never HTML). */
  metric: string;
  series: readonly ISeries[];
  trans: TranslationBundle;
}

/**
 * A line chart of one metric. The canvas is an image to assistive
 * technology, labelled with the metric and how many lines it draws; the
 * numbers are in the tables next to it.
 */
export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { metric, series, trans } = props;
  const canvasRef = React.useRef<HTMLCanvasElement>(null);
  const config = React.useMemo(
    () =>
      lineChartConfig(
        series,
        chartTheme(canvasRef.current ?? document.body),
        trans
      ),
    [series, trans]
  );

  React.useEffect(() => {
    const canvas = canvasRef.current;
    // No 2D context (a test DOM, a locked-down browser): the figure keeps
    // its caption and label, and nothing is drawn.
    if (!canvas || !canvas.getContext('2d')) {
      return;
    }
    const chart = new Chart(canvas, config);
    return () => chart.destroy();
  }, [config]);

  const points = series.reduce((sum, line) => sum + line.points.length, 0);
  return (
    <figure className="jp-mlplat-chart">
      <figcaption className="jp-mlplat-chart-caption">{metric}</figcaption>
      <div className="jp-mlplat-chart-canvas">
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={trans.__(
            'Line chart of %1: %2 lines, %3 points',
            metric,
            config.data.datasets.length,
            points
          )}
        />
      </div>
    </figure>
  );
}
