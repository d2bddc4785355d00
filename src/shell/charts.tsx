import { TranslationBundle } from '@jupyterlab/translation';
import type { Chart, ChartConfiguration, PointStyle } from 'chart.js';
import * as React from 'react';

/** One point of a line: a metric's value at a step (MLflow's shape). */
export interface IChartPoint {
  step: number;
  value: number;
  /** Orders points logged at the same step. */
  timestamp?: number;
}

let chartJs: Promise<typeof Chart> | null = null;

/**
 * Chart.js, loaded when it is first needed: it is half of the extension's
 * code, and a page that shows no chart should not fetch it at start (a lazy
 * chunk; tests/layout/test_bundle.py). A run page asks for it as it asks for
 * its data, so both arrive together. Only the parts a line and a bar chart
 * need are registered.
 */
export function loadChartJs(): Promise<typeof Chart> {
  if (!chartJs) {
    chartJs = import('chart.js').then(module => {
      module.Chart.register(
        module.LineController,
        module.LineElement,
        module.PointElement,
        module.BarController,
        module.BarElement,
        module.CategoryScale,
        module.LinearScale,
        module.Legend,
        module.Tooltip
      );
      return module.Chart;
    });
    // a failed load is tried again by the next chart
    chartJs.catch(() => {
      chartJs = null;
    });
  }
  return chartJs;
}

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

/**
 * An x axis that is not MLflow's step (a time, say): its title and each
 * tick's text. A chart with one is always drawn as lines, its y axis from
 * zero (what it counts is never negative).
 */
export interface IXAxis {
  title: string;
  tick: (value: number) => string;
  /** The axis' ends (a range asked for), so a single point does not set the scale. */
  min?: number;
  max?: number;
  /**
   * The least distance between two ticks, and what they are multiples of:
   * a day on an axis of days, so a wide chart does not put a tick at noon
   * and label one day twice.
   */
  step?: number;
}

/** At most this many ticks on an x axis. */
export const MAX_X_TICKS = 6;

/**
 * Ticks on whole multiples of `step` between `min` and `max`, every so many
 * steps that there are at most `most` of them.
 */
export function stepTicks(
  min: number,
  max: number,
  step: number,
  most: number
): number[] {
  if (
    !(step > 0) ||
    !Number.isFinite(min) ||
    !Number.isFinite(max) ||
    max < min
  ) {
    return []; // an axis Chart.js has not sized yet
  }
  const first = Math.ceil(min / step);
  const last = Math.floor(max / step);
  const every = Math.max(1, Math.ceil((last - first + 1) / most));
  const ticks: number[] = [];
  for (let at = first; at <= last; at += every) {
    ticks.push(at * step);
  }
  return ticks;
}

export type LineChartConfig = ChartConfiguration<'line', IXYPoint[]>;
export type BarChartConfig = ChartConfiguration<'bar', number[], string>;
export type MetricChartConfig = LineChartConfig | BarChartConfig;

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

/** Point markers, so lines that lie on each other still show every run. */
const MARKERS: PointStyle[] = ['circle', 'rect', 'triangle', 'rectRot', 'star'];

/**
 * Whether a metric was logged once (or not at all) in every series: a line
 * of one point says nothing and Chart.js draws it on a made-up −1..1 axis,
 * so such a metric is drawn as bars, one per series.
 */
export function isSingleValued(series: readonly ISeries[]): boolean {
  return series.every(line => line.points.length <= 1);
}

/**
 * The configuration a metric's chart is drawn with: bars for values logged
 * once, lines for histories.
 */
export function metricChartConfig(
  series: readonly ISeries[],
  theme: IChartTheme,
  trans: TranslationBundle,
  xAxis?: IXAxis
): MetricChartConfig {
  return isSingleValued(series) && !xAxis
    ? barChartConfig(series, theme)
    : lineChartConfig(series, theme, trans, xAxis);
}

/**
 * One bar per series (a run), its height the single logged value; a series
 * without the metric gets no bar. The axis starts at zero unless a value is
 * negative, so bar lengths compare honestly.
 */
export function barChartConfig(
  series: readonly ISeries[],
  theme: IChartTheme
): BarChartConfig {
  const colors = series.map(
    (_, index) => theme.lines[index % theme.lines.length]
  );
  return {
    type: 'bar',
    data: {
      labels: series.map(line => line.label),
      datasets: [
        {
          label: '',
          data: series.map(line => line.points[0]?.value ?? NaN),
          backgroundColor: colors,
          borderColor: colors,
          borderWidth: 1,
          maxBarThickness: 48
        }
      ]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { enabled: true }
      },
      scales: {
        x: {
          type: 'category',
          ticks: { color: theme.text },
          grid: { display: false }
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          ticks: { color: theme.text },
          grid: { color: theme.grid }
        }
      }
    }
  };
}

/**
 * The Chart.js configuration of one metric's chart: one line per series,
 * x = step, y = value. Kept pure so tests check what is drawn without a
 * canvas.
 */
export function lineChartConfig(
  series: readonly ISeries[],
  theme: IChartTheme,
  trans: TranslationBundle,
  xAxis?: IXAxis
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
          // Chart.js draws the first dataset on top: each later line is
          // wider, with larger markers, so where runs logged the same values
          // every line still shows around the ones drawn over it.
          borderWidth: 1.5 + index * 1.25,
          pointStyle: MARKERS[index % MARKERS.length],
          pointRadius: line.points.length > 50 ? 0 : 3 + index * 1.5,
          pointHoverRadius: 5,
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
          // Each run's marker in its colour, as on the lines.
          labels: { color: theme.text, usePointStyle: true }
        },
        tooltip: xAxis
          ? {
              enabled: true,
              callbacks: {
                title: items =>
                  items.length ? xAxis.tick(items[0].parsed.x ?? 0) : ''
              }
            }
          : { enabled: true }
      },
      scales: {
        x: {
          type: 'linear',
          min: xAxis?.min,
          max: xAxis?.max,
          title: {
            display: true,
            text: xAxis?.title ?? trans.__('Step'),
            color: theme.text
          },
          ticks: xAxis
            ? {
                color: theme.text,
                maxTicksLimit: MAX_X_TICKS,
                callback: value => xAxis.tick(Number(value))
              }
            : { color: theme.text, precision: 0 },
          grid: { color: theme.grid },
          // Chart.js spaces ticks by "nice" numbers, and with both ends set
          // it divides the range evenly: neither falls on whole steps
          afterBuildTicks: xAxis?.step
            ? axis => {
                axis.ticks = stepTicks(
                  axis.min,
                  axis.max,
                  xAxis.step ?? 1,
                  MAX_X_TICKS
                ).map(value => ({ value }));
              }
            : undefined
        },
        y: {
          type: 'linear',
          beginAtZero: xAxis !== undefined,
          ticks: { color: theme.text },
          grid: { color: theme.grid }
        }
      }
    }
  };
}

/**
 * Charts waiting to be drawn, one per animation frame. A run page of ten
 * metrics used to create ten Chart.js charts in one task, so the first
 * appeared only when the last was done (hundreds of ms on a busy machine);
 * queued, the first is drawn in the next frame and the page stays
 * responsive while the others follow.
 */
const drawQueue: (() => void)[] = [];
let drawScheduled = false;

function drawNext(): void {
  drawScheduled = false;
  const draw = drawQueue.shift();
  draw?.();
  if (drawQueue.length > 0) {
    scheduleDraw();
  }
}

function scheduleDraw(): void {
  if (drawScheduled) {
    return;
  }
  drawScheduled = true;
  if (typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(drawNext);
  } else {
    setTimeout(drawNext, 0);
  }
}

/** Queue a chart's drawing; the returned function takes it out again. */
function queueDraw(draw: () => void): () => void {
  drawQueue.push(draw);
  scheduleDraw();
  return () => {
    const index = drawQueue.indexOf(draw);
    if (index >= 0) {
      drawQueue.splice(index, 1);
    }
  };
}

export interface IMetricChartProps {
  /** The metric key, as the figure's caption (text, never HTML). */
  metric: string;
  series: readonly ISeries[];
  trans: TranslationBundle;
  /** An x axis other than the step (e.g. the time of a traffic chart). */
  xAxis?: IXAxis;
}

/**
 * A chart of one metric: lines of its history, or bars when it was logged
 * once. The canvas is an image to assistive technology, labelled with the
 * metric and what it draws; the numbers are in the tables next to it. The
 * figure is `aria-busy` until the chart is drawn (benchmarks wait on it).
 */
export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { metric, series, trans, xAxis } = props;
  const config = React.useMemo(
    () => metricChartConfig(series, chartTheme(document.body), trans, xAxis),
    [series, trans, xAxis]
  );
  const points = series.reduce((sum, line) => sum + line.points.length, 0);
  const label =
    config.type === 'bar'
      ? trans.__('Bar chart of %1, one bar for each run', metric)
      : trans.__(
          'Line chart of %1: %2 lines, %3 points',
          metric,
          config.data.datasets.length,
          points
        );
  return <ChartFigure caption={metric} label={label} config={config} />;
}

export interface IChartFigureProps {
  /** The figure's caption (text, never HTML). */
  caption: string;
  /** What the canvas draws, for assistive technology. */
  label: string;
  /** What Chart.js draws; a new object draws the chart again. */
  config: MetricChartConfig;
  /** The canvas' height in pixels (bars of many groups); the stylesheet's otherwise. */
  height?: number;
}

/**
 * A Chart.js chart of any configuration in a captioned figure, drawn in its
 * turn (one chart per animation frame) once the lazy chunk is loaded: the
 * figure of `MetricChart`, and of a tab's own charts (bars of several
 * datasets, say) that are no metric's history.
 */
export function ChartFigure(props: IChartFigureProps): JSX.Element {
  const { caption, label, config, height } = props;
  const canvasRef = React.useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = React.useState(false);

  React.useEffect(() => {
    const canvas = canvasRef.current;
    // No 2D context (a test DOM, a locked-down browser): the figure keeps
    // its caption and label, and nothing is drawn.
    if (!canvas || !canvas.getContext('2d')) {
      setDrawn(true);
      return;
    }
    let chart: Chart | null = null;
    let cancel = (): void => undefined;
    let gone = false;
    loadChartJs()
      .then(ChartJs => {
        if (!gone) {
          cancel = queueDraw(() => {
            chart = new ChartJs(canvas, config as ChartConfiguration);
            setDrawn(true);
          });
        }
      })
      .catch(() => setDrawn(true)); // the caption and the tables still say it
    return () => {
      gone = true;
      cancel();
      chart?.destroy();
    };
  }, [config]);

  return (
    <figure
      className={`jp-mlplat-chart jp-mlplat-chart-${config.type}`}
      aria-busy={!drawn}
    >
      <figcaption className="jp-mlplat-chart-caption">{caption}</figcaption>
      <div
        className="jp-mlplat-chart-canvas"
        style={height ? { height: `${height}px` } : undefined}
      >
        <canvas ref={canvasRef} role="img" aria-label={label} />
      </div>
    </figure>
  );
}
