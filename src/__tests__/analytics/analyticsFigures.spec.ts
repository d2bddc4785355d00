import {
  dailySeries,
  dayAxis,
  efficiencyChartConfig,
  efficiencyRows,
  EFFICIENCY_BARS,
  usageIsEmpty
} from '../../analytics/charts';
import {
  daysOf,
  formatCount,
  formatDay,
  formatHours,
  formatPeriod,
  formatShare
} from '../../analytics/format';
import { reasonLabels } from '../../analytics/labels';
import { PlatformRequestError } from '../../api/request';
import { chartTheme, lineChartConfig } from '../../shell/charts';
import { describeError, ReasonRegistry } from '../../shell/errors';
import { russianBundle } from '../shell/catalogue';
import { english } from '../shell/fixtures';
import { emptyUsage, usageReport, usageRow } from './fixtures';

const NBSP = '\u00a0';

describe('figures in the UI language', () => {
  it('writes counts, hours and shares the English way', () => {
    expect(formatCount(1500, 'en')).toBe('1,500');
    expect(formatHours(30.5, 'en')).toBe('30.5');
    expect(formatHours(3.25, 'en')).toBe('3.3');
    expect(formatHours(0, 'en')).toBe('0');
    expect(formatHours(1 / 60, 'en')).toBe('0.017');
    expect(formatHours(0.5, 'en')).toBe('0.5');
    expect(formatHours(null, 'en')).toBe('—');
    expect(formatShare(0.42, 'en')).toBe('42%');
    expect(formatShare(0.004, 'en')).toBe('0.4%');
    expect(formatShare(null, 'en')).toBe('—');
  });

  it('writes them the Russian way', () => {
    expect(formatCount(1500, 'ru')).toBe(`1${NBSP}500`);
    expect(formatHours(30.5, 'ru')).toBe('30,5');
    expect(formatHours(1 / 60, 'ru')).toBe('0,017');
    expect(formatShare(0.42, 'ru')).toBe(`42${NBSP}%`);
  });

  it('writes UTC days and periods in the language', () => {
    expect(formatDay('2026-11-02', 'en')).toBe('Nov 2, 2026');
    expect(formatDay('2026-11-02', 'ru')).toBe('2 нояб. 2026 г.');
    expect(formatPeriod('2026-11-02', 'week', english, 'en')).toBe(
      'week of Nov 2, 2026'
    );
    expect(formatPeriod('2026-11-02', 'week', russianBundle(), 'ru')).toBe(
      'неделя с 2 нояб. 2026 г.'
    );
    expect(formatPeriod('2026-11-01', 'month', english, 'en')).toBe(
      'November 2026'
    );
    expect(formatPeriod('2026-11-01', 'month', russianBundle(), 'ru')).toBe(
      'ноябрь 2026 г.'
    );
    expect(formatPeriod('not a day', 'day', english, 'en')).toBe('not a day');
  });

  it('lists every day of a range, both ends included', () => {
    expect(daysOf('2026-02-27', '2026-03-01')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01'
    ]);
    expect(daysOf('2026-03-02', '2026-03-01')).toEqual([]);
  });
});

describe('the usage charts', () => {
  it('draws efficiency for the groups with the most server hours, in percent', () => {
    const rows = efficiencyRows(usageReport().rows);
    expect(rows.map(r => r.key)).toEqual(['data-scientists', 'reviewers']);

    const config = efficiencyChartConfig(rows, chartTheme(), english);
    expect(config.type).toBe('bar');
    expect(config.options?.indexAxis).toBe('y');
    expect(config.data.labels).toEqual(['data-scientists', 'reviewers']);
    expect(config.data.datasets.map(d => [d.label, d.data])).toEqual([
      ['CPU', [50, 25]],
      ['Memory', [75, 25]]
    ]);
  });

  it('leaves out groups without requests and keeps at most ten', () => {
    const many = Array.from({ length: 14 }, (_, i) =>
      usageRow(`team-${String(i).padStart(2, '0')}`, {
        server_hours: i,
        cpu_efficiency: 0.5
      })
    );
    const rows = efficiencyRows([...many, usageRow('nothing-asked')]);
    expect(rows).toHaveLength(EFFICIENCY_BARS);
    expect(rows[0].key).toBe('team-13');
    expect(rows.map(r => r.key)).not.toContain('nothing-asked');
  });

  it('draws each day of the range, a day without samples at 0', () => {
    const lines = dailySeries(usageReport(), english);
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
    expect(lines.map(l => l.label)).toEqual([
      'Server hours',
      'GPU hours',
      'Idle GPU hours'
    ]);
    expect(lines[0].points).toEqual([
      { step: day('2026-11-01'), value: 20 },
      { step: day('2026-11-02'), value: 0 },
      { step: day('2026-11-03'), value: 12.5 }
    ]);
    expect(lines[2].points.map(p => p.value)).toEqual([0, 0, 3.5]);
  });

  it('puts the ticks of the days axis on whole days, one label a day', () => {
    const DAY = 24 * 60 * 60 * 1000;
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
    // ranges where Chart.js' own spacing fell between days (8, 14, 30, 90 days)
    for (const [from, to] of [
      ['2026-11-01', '2026-11-08'],
      ['2026-11-01', '2026-11-14'],
      ['2026-11-01', '2026-11-30'],
      ['2026-09-01', '2026-11-29'],
      ['2026-11-01', '2026-11-03']
    ]) {
      const axis = dayAxis({ from, to }, english);
      expect([axis.min, axis.max]).toEqual([day(from), day(to)]);
      const config = lineChartConfig(
        dailySeries(usageReport(), english),
        chartTheme(document.body),
        english,
        axis
      );
      const x = config.options?.scales?.x as unknown as {
        afterBuildTicks: (scale: {
          min: number;
          max: number;
          ticks: { value: number }[];
        }) => void;
      };
      const scale = {
        min: axis.min!,
        max: axis.max!,
        ticks: [] as { value: number }[]
      };
      x.afterBuildTicks(scale);
      const values = scale.ticks.map(tick => tick.value);
      expect(values.length).toBeGreaterThan(1);
      expect(values.length).toBeLessThanOrEqual(6);
      expect(values.every(value => value % DAY === 0)).toBe(true);
      expect(values[0]).toBe(day(from));
      const labels = values.map(axis.tick);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it('tells a platform without samples from one with', () => {
    expect(usageIsEmpty(emptyUsage())).toBe(true);
    expect(usageIsEmpty(usageReport())).toBe(false);
  });
});

describe('the analytics reasons', () => {
  const registry = new ReasonRegistry();
  registry.add(reasonLabels);
  const refusal = (params: { [name: string]: string | number }) =>
    new PlatformRequestError({
      status: 400,
      url: 'x',
      serverMessage: 'the server’s English',
      reason: 'period_invalid',
      params
    });

  it('says a range too long in Russian', () => {
    expect(
      describeError(
        russianBundle(),
        refusal({ field: 'from', maximum_days: 366 }),
        registry
      )
    ).toBe('Период длиннее 366 дн.: выберите не больше года.');
  });

  it('says a reversed range in Russian with its days', () => {
    expect(
      describeError(
        russianBundle(),
        refusal({ field: 'to', from: '2026-11-05', to: '2026-11-01' }),
        registry
      )
    ).toBe(
      'Период заканчивается (2026-11-01) раньше, чем начинается (2026-11-05): последний день должен быть не раньше первого.'
    );
  });

  it('names the field of a day that is not one', () => {
    expect(
      describeError(russianBundle(), refusal({ field: 'to' }), registry)
    ).toBe('«По» должно быть датой в виде ГГГГ-ММ-ДД.');
  });

  it('lists the groupings allowed, sent as a list or as text', () => {
    const grouping = (allowed: unknown) =>
      new PlatformRequestError({
        status: 400,
        url: 'x',
        serverMessage: 'no',
        reason: 'grouping_invalid',
        params: { field: 'by', allowed } as never
      });
    expect(
      describeError(
        russianBundle(),
        grouping(['team', 'profile', 'person']),
        registry
      )
    ).toBe(
      'Показатели нельзя так сгруппировать (by); выберите одно из: team, profile, person.'
    );
    expect(
      describeError(russianBundle(), grouping('team, person'), registry)
    ).toContain('team, person');
  });
});
