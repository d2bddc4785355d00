import { TranslationBundle } from '@jupyterlab/translation';

import { BarChartConfig, IChartTheme, ISeries, IXAxis } from '../shell/charts';
import { DAY_MS, dayTime, daysOf, formatShare, formatShortDay } from './format';
import { IUsageDay, IUsageReport, IUsageRow } from './types';

/*
 * What the Analytics tab draws, as pure functions of the reports (tests
 * check them without a canvas). Chart.js itself is the shell's lazy chunk.
 */

/** How many groups the efficiency chart draws: those with the most server hours. */
export const EFFICIENCY_BARS = 10;

/** The groups the efficiency chart draws, most server hours first. */
export function efficiencyRows(rows: readonly IUsageRow[]): IUsageRow[] {
  return [...rows]
    .filter(
      row => row.cpu_efficiency !== null || row.memory_efficiency !== null
    )
    .sort((a, b) => b.server_hours - a.server_hours || cmp(a.key, b.key))
    .slice(0, EFFICIENCY_BARS);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Used / requested CPU and memory of each group, in percent, as bars
 * lying down (a group's name reads whole in a narrow sidebar); a group
 * without requests of one resource gets no bar for it.
 */
export function efficiencyChartConfig(
  rows: readonly IUsageRow[],
  theme: IChartTheme,
  trans: TranslationBundle
): BarChartConfig {
  const percent = (value: number | null) =>
    value === null ? NaN : Math.round(value * 1000) / 10;
  const [cpu, memory] = theme.lines;
  return {
    type: 'bar',
    data: {
      labels: rows.map(row => row.key),
      datasets: [
        {
          label: trans.__('CPU'),
          data: rows.map(row => percent(row.cpu_efficiency)),
          backgroundColor: cpu,
          borderColor: cpu,
          borderWidth: 1,
          maxBarThickness: 18
        },
        {
          label: trans.__('Memory'),
          data: rows.map(row => percent(row.memory_efficiency)),
          backgroundColor: memory,
          borderColor: memory,
          borderWidth: 1,
          maxBarThickness: 18
        }
      ]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: {
        legend: { display: true, labels: { color: theme.text } },
        tooltip: {
          enabled: true,
          callbacks: {
            label: item =>
              `${item.dataset.label ?? ''}: ${formatShare(Number(item.parsed.x) / 100)}`
          }
        }
      },
      scales: {
        x: {
          type: 'linear',
          beginAtZero: true,
          suggestedMax: 100,
          ticks: {
            color: theme.text,
            callback: value => formatShare(Number(value) / 100)
          },
          grid: { color: theme.grid }
        },
        y: {
          type: 'category',
          ticks: { color: theme.text },
          grid: { display: false }
        }
      }
    }
  };
}

/** The canvas height that gives each group's pair of bars room. */
export function efficiencyChartHeight(groups: number): number {
  return Math.max(140, 60 + groups * 34);
}

/** The figures drawn per day. */
type DailyFigure = 'server_hours' | 'gpu_hours' | 'idle_gpu_hours';

/**
 * Server hours, GPU hours and idle GPU hours of each day of the range, one
 * line each, x the day's start (UTC) in ms. A day the platform sent no
 * figures for had no server running: 0, not a gap.
 */
export function dailySeries(
  report: IUsageReport,
  trans: TranslationBundle
): ISeries[] {
  const byDay = new Map<string, IUsageDay>(report.days.map(d => [d.day, d]));
  const line = (label: string, figure: DailyFigure): ISeries => ({
    label,
    points: daysOf(report.from, report.to).map(day => ({
      step: dayTime(day),
      value: byDay.get(day)?.[figure] ?? 0
    }))
  });
  return [
    line(trans.__('Server hours'), 'server_hours'),
    line(trans.__('GPU hours'), 'gpu_hours'),
    line(trans.__('Idle GPU hours'), 'idle_gpu_hours')
  ];
}

/** Whether a usage report holds no sample at all (a new platform, or a quiet range). */
export function usageIsEmpty(report: IUsageReport): boolean {
  return (
    report.rows.every(row => row.server_hours === 0) &&
    report.days.every(day => day.server_hours === 0)
  );
}

/**
 * The x axis of the charts by day: the range asked for, a tick per whole
 * day at most (a wide chart put ticks at noon and named a day twice).
 */
export function dayAxis(
  report: Pick<IUsageReport, 'from' | 'to'>,
  trans: TranslationBundle
): IXAxis {
  return {
    title: trans.__('Day (UTC)'),
    tick: value => formatShortDay(value),
    min: dayTime(report.from),
    max: dayTime(report.to),
    step: DAY_MS
  };
}
