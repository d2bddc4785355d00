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

import type { components } from '../api/generated/sidebar';

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

type Schemas = components['schemas'];

/**
 * One group's usage over the range (a team, a profile or a person: `key`),
 * as hours: a server running 2 hours with 4 cores requested is 8 requested
 * core hours. An efficiency is used / requested (null when nothing was
 * requested); idle hours are those a server ran with (almost) no CPU used
 * and no kernel activity, idle GPU hours the GPUs it held meanwhile.
 */
export type IUsageRow = Schemas['UsageRowBody'];

/** The figures of a usage row, without its key. */
export type IUsageFigures = Omit<IUsageRow, 'key'>;

/** Everybody's usage the asker may see, summed per day (every day of the range). */
export type IUsageDay = Schemas['UsageDayBody'];

/** `GET analytics/usage?from&to&by&kind` */
export type IUsageReport = Schemas['UsageBody'];

/** One workspace or deployment among the most idle. */
export type IIdleRow = Schemas['IdleRowBody'];

/** `GET analytics/idle?from&to&limit`: the most idle first. */
export type IIdleReport = Schemas['IdleBody'];

/**
 * One person's or team's figures over the whole range: runs, versions
 * registered, publications, the median lead time (first submission →
 * published) and review turnaround (submission → first decision), null
 * without any, deployments, requests served and their error rate.
 */
export type ITeamTotal = Schemas['TeamTotalBody'];

/** The figures of a team row, without its key. */
export type ITeamFigures = Omit<ITeamTotal, 'key'>;

/** One person's or team's figures of one period (`period`: its first day). */
export type ITeamRow = Schemas['TeamRowBody'];

/** `GET analytics/teams?from&to&by&grain` */
export type ITeamsReport = Schemas['TeamsBody'];

/** The calls of the tab; tests pass a scripted server. */
export interface IAnalyticsAPI {
  usage(query: URLSearchParams): Promise<IUsageReport>;
  idle(query: URLSearchParams): Promise<IIdleReport>;
  teams(query: URLSearchParams): Promise<ITeamsReport>;
  /** The report's rows as CSV (the query with `format=csv`). */
  csv(report: ReportName, query: URLSearchParams): Promise<Blob>;
}
