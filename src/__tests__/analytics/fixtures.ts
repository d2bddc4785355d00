import {
  IAnalyticsAPI,
  IIdleReport,
  IIdleRow,
  ITeamRow,
  ITeamsReport,
  IUsageFigures,
  IUsageReport,
  IUsageRow,
  ReportName
} from '../../analytics/types';

export function figures(overrides: Partial<IUsageFigures> = {}): IUsageFigures {
  return {
    server_hours: 0,
    cpu_requested_core_hours: 0,
    cpu_used_core_hours: 0,
    cpu_efficiency: null,
    memory_requested_gib_hours: 0,
    memory_used_gib_hours: 0,
    memory_efficiency: null,
    gpu_hours: 0,
    idle_hours: 0,
    idle_gpu_hours: 0,
    ...overrides
  };
}

export function usageRow(
  key: string,
  overrides: Partial<IUsageFigures> = {}
): IUsageRow {
  return { key, ...figures(overrides) };
}

/** Two teams over three days, the middle one without samples. */
export function usageReport(
  overrides: Partial<IUsageReport> = {}
): IUsageReport {
  return {
    from: '2026-11-01',
    to: '2026-11-03',
    by: 'team',
    kind: 'all',
    rows: [
      usageRow('reviewers', {
        server_hours: 2,
        cpu_requested_core_hours: 4,
        cpu_used_core_hours: 1,
        cpu_efficiency: 0.25,
        memory_requested_gib_hours: 8,
        memory_used_gib_hours: 2,
        memory_efficiency: 0.25
      }),
      usageRow('data-scientists', {
        server_hours: 30.5,
        cpu_requested_core_hours: 61,
        cpu_used_core_hours: 30.5,
        cpu_efficiency: 0.5,
        memory_requested_gib_hours: 122,
        memory_used_gib_hours: 91.5,
        memory_efficiency: 0.75,
        gpu_hours: 10,
        idle_hours: 4,
        idle_gpu_hours: 3.5
      })
    ],
    days: [
      { day: '2026-11-01', ...figures({ server_hours: 20, gpu_hours: 6 }) },
      {
        day: '2026-11-03',
        ...figures({ server_hours: 12.5, gpu_hours: 4, idle_gpu_hours: 3.5 })
      }
    ],
    ...overrides
  };
}

export function emptyUsage(): IUsageReport {
  return usageReport({ rows: [], days: [] });
}

export function idleRow(overrides: Partial<IIdleRow> = {}): IIdleRow {
  return {
    kind: 'workspace',
    name: 'alice',
    owner: 'alice',
    profile: 'gpu-small',
    ...figures({
      server_hours: 30,
      idle_hours: 4,
      idle_gpu_hours: 3.5,
      cpu_efficiency: 0.05
    }),
    ...overrides
  };
}

export function idleReport(rows: IIdleRow[] = [idleRow()]): IIdleReport {
  return { from: '2026-11-01', to: '2026-11-03', rows };
}

export function teamRow(
  key: string,
  period: string,
  overrides: Partial<ITeamRow> = {}
): ITeamRow {
  return {
    key,
    period,
    runs: 12,
    versions_registered: 2,
    publications: 1,
    lead_time_hours: 26.5,
    review_turnaround_hours: 3.25,
    deployments: 1,
    requests: 1500,
    errors: 15,
    error_rate: 0.01,
    ...overrides
  };
}

export function teamsReport(
  overrides: Partial<ITeamsReport> = {}
): ITeamsReport {
  return {
    from: '2026-11-01',
    to: '2026-11-30',
    by: 'team',
    grain: 'week',
    rows: [
      teamRow('data-scientists', '2026-10-26'),
      teamRow('data-scientists', '2026-11-02', {
        runs: 3,
        publications: 0,
        lead_time_hours: null,
        review_turnaround_hours: null,
        requests: 0,
        errors: 0,
        error_rate: null
      })
    ],
    totals: [
      {
        key: 'data-scientists',
        runs: 15,
        versions_registered: 4,
        publications: 1,
        lead_time_hours: 26.5,
        review_turnaround_hours: 3.25,
        deployments: 2,
        requests: 1500,
        errors: 15,
        error_rate: 0.01
      }
    ],
    ...overrides
  };
}

/** One scripted answer: a report, or an error to throw. */
type Answer<T> = T | Error;

/**
 * A platform whose answers the test scripts per report; the last answer
 * repeats. Every query asked is kept, so a test sees what was asked and
 * when nothing was.
 */
export class ScriptedAnalytics implements IAnalyticsAPI {
  usages: Answer<IUsageReport>[] = [usageReport()];
  idles: Answer<IIdleReport>[] = [idleReport()];
  teamses: Answer<ITeamsReport>[] = [teamsReport()];
  csvs: Answer<Blob>[] = [new Blob(['key,server_hours\r\n'])];
  asked: { report: ReportName | 'csv'; query: URLSearchParams }[] = [];

  usage(query: URLSearchParams): Promise<IUsageReport> {
    this.asked.push({ report: 'usage', query });
    return next(this.usages);
  }

  idle(query: URLSearchParams): Promise<IIdleReport> {
    this.asked.push({ report: 'idle', query });
    return next(this.idles);
  }

  teams(query: URLSearchParams): Promise<ITeamsReport> {
    this.asked.push({ report: 'teams', query });
    return next(this.teamses);
  }

  csv(report: ReportName, query: URLSearchParams): Promise<Blob> {
    this.asked.push({
      report: 'csv',
      query: new URLSearchParams({ report, ...Object.fromEntries(query) })
    });
    return next(this.csvs);
  }

  /** The queries asked of one report, as plain objects. */
  queries(report: ReportName | 'csv'): { [name: string]: string }[] {
    return this.asked
      .filter(ask => ask.report === report)
      .map(ask => Object.fromEntries(ask.query));
  }
}

function next<T>(answers: Answer<T>[]): Promise<T> {
  const answer = answers.length > 1 ? answers.shift()! : answers[0];
  return answer instanceof Error
    ? Promise.reject(answer)
    : Promise.resolve(answer);
}
