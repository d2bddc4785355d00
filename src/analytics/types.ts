/* ------------------------------------------------------------------------
 * Analytics as the Analytics tab reads them, through the server extension
 * (`jupyterlab-mlplat/analytics/{usage,idle,teams}`), which asks the
 * platform with the person's token. The platform decides whose figures
 * come back (an admin's: every team; anybody else's: their own and their
 * teams' sums); the tab only says which it is.
 *
 * Every report answers the range it was asked (`from`, `to`: whole UTC
 * days, both included) and, with `?format=csv`, the same rows as CSV.
 * ---------------------------------------------------------------------- */

/** How usage is grouped. */
export type UsageBy = 'team' | 'profile' | 'person';

/** Which servers' usage: workspaces, deployments or both. */
export type UsageKind = 'all' | 'workspace' | 'deployment';

/** How team figures are grouped. */
export type TeamsBy = 'person' | 'team';

/** How team figures are bucketed in time (a week starts on Monday). */
export type Grain = 'day' | 'week' | 'month';

/** The three reports, each with its CSV. */
export type ReportName = 'usage' | 'idle' | 'teams';

/**
 * Requested against used resources over a range, as hours: a server
 * running 2 hours with 4 cores requested is 8 requested core hours.
 * An efficiency is used / requested (null when nothing was requested).
 */
export interface IUsageFigures {
  server_hours: number;
  cpu_requested_core_hours: number;
  cpu_used_core_hours: number;
  cpu_efficiency: number | null;
  memory_requested_gib_hours: number;
  memory_used_gib_hours: number;
  memory_efficiency: number | null;
  gpu_hours: number;
  /** Hours a server ran with (almost) no CPU used and no kernel activity. */
  idle_hours: number;
  /** Hours a GPU was held by an idle server. */
  idle_gpu_hours: number;
}

/** One group's usage (a team, a profile or a person: `key`). */
export interface IUsageRow extends IUsageFigures {
  key: string;
}

/** Everybody's usage the asker may see, summed per day. */
export interface IUsageDay extends IUsageFigures {
  /** `YYYY-MM-DD` */
  day: string;
}

/** `GET analytics/usage?from&to&by&kind` */
export interface IUsageReport {
  from: string;
  to: string;
  by: UsageBy;
  kind: UsageKind;
  rows: IUsageRow[];
  days: IUsageDay[];
}

/** One workspace or deployment among the most idle. */
export interface IIdleRow extends IUsageFigures {
  kind: string;
  name: string;
  owner: string;
  profile: string;
}

/** `GET analytics/idle?from&to&limit`: the most idle first. */
export interface IIdleReport {
  from: string;
  to: string;
  rows: IIdleRow[];
}

/** How a person or a team worked over a range. */
export interface ITeamFigures {
  runs: number;
  versions_registered: number;
  publications: number;
  /** Submitted → published, on average; null without a publication. */
  lead_time_hours: number | null;
  /** Submitted → first decision, on average; null without a decision. */
  review_turnaround_hours: number | null;
  deployments: number;
  requests: number;
  errors: number;
  /** errors / requests; null without a request. */
  error_rate: number | null;
}

/** One person's or team's figures of one period (its first day). */
export interface ITeamRow extends ITeamFigures {
  key: string;
  /** `YYYY-MM-DD`: the day, the week's Monday or the month's 1st. */
  period: string;
}

/** One person's or team's figures over the whole range. */
export interface ITeamTotal extends ITeamFigures {
  key: string;
}

/** `GET analytics/teams?from&to&by&grain` */
export interface ITeamsReport {
  from: string;
  to: string;
  by: TeamsBy;
  grain: Grain;
  rows: ITeamRow[];
  totals: ITeamTotal[];
}

/** The calls of the tab; tests pass a scripted server. */
export interface IAnalyticsAPI {
  usage(query: URLSearchParams): Promise<IUsageReport>;
  idle(query: URLSearchParams): Promise<IIdleReport>;
  teams(query: URLSearchParams): Promise<ITeamsReport>;
  /** The report's rows as CSV (the query with `format=csv`). */
  csv(report: ReportName, query: URLSearchParams): Promise<Blob>;
}
