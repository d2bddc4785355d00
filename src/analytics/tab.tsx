import { TranslationBundle } from '@jupyterlab/translation';
import { Button, downloadIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ChartFigure, chartTheme, MetricChart } from '../shell/charts';
import { DayField } from '../shell/dayField';
import { LabelledField, LabelledSelect } from '../shell/fields';
import { useModelState } from '../shell/hooks';
import { FailureNote, failureText, Progress } from '../shell/notes';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { IIdentity } from '../shell/types';
import {
  dailySeries,
  dayAxis,
  efficiencyChartConfig,
  efficiencyChartHeight,
  efficiencyRows,
  usageIsEmpty
} from './charts';
import {
  formatCount,
  formatDay,
  formatHours,
  formatPeriod,
  formatShare,
  NONE
} from './format';
import {
  grainLabel,
  kindLabel,
  serverKindLabel,
  teamsByLabel,
  usageByLabel
} from './labels';
import { AnalyticsModel, Loaded } from './model';
import {
  Grain,
  IIdleReport,
  ITeamFigures,
  ITeamsReport,
  IUsageReport,
  ReportName,
  TeamsBy,
  UsageBy,
  UsageKind
} from './types';

export interface IAnalyticsTabProps {
  model: AnalyticsModel;
  trans: TranslationBundle;
  /** The signed-in person: whether the figures are everybody's or theirs. */
  identity: IIdentity;
}

const USAGE_BY: UsageBy[] = ['team', 'profile', 'person'];
const KINDS: UsageKind[] = ['all', 'workspace', 'deployment'];
const TEAMS_BY: TeamsBy[] = ['team', 'person'];
const GRAINS: Grain[] = ['day', 'week', 'month'];

/**
 * The Analytics tab: a range of days, then how the cluster's resources
 * were used (efficiency per group, hours per day, the usage table), the
 * most idle servers, and the team figures, each exported as CSV.
 *
 * The platform decides whose figures come back; the heading only says so.
 * Every name from the server (a team, a person, a workspace) is text.
 */
export function AnalyticsTab(props: IAnalyticsTabProps): JSX.Element {
  const { model, trans, identity } = props;
  const state = useModelState(model);
  // The reports are read when the tab comes into view.
  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);
  const admin = identity.roles.includes('admin');
  return (
    <div className="jp-mlplat-analytics">
      <div className="jp-mlplat-review-bar">
        <h3 className="jp-mlplat-review-heading">{trans.__('Analytics')}</h3>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the figures again')}
          onClick={() => void model.refresh()}
        />
      </div>
      <p className="jp-mlplat-hint jp-mlplat-analytics-scope">
        {admin
          ? trans.__('Every team: you are an administrator.')
          : trans.__(
              'Your figures and your teams’: %1.',
              identity.groups.length
                ? identity.groups.join(', ')
                : trans.__('no team')
            )}
      </p>
      <RangeForm model={model} state={state} trans={trans} />
      {state.exportFailure && (
        <FailureNote
          failure={state.exportFailure}
          title={trans.__('The CSV could not be downloaded')}
          trans={trans}
          onDismiss={() => model.dismissExportFailure()}
        />
      )}
      <UsageSection model={model} state={state} trans={trans} />
      <IdleSection model={model} state={state} trans={trans} />
      <TeamsSection model={model} state={state} trans={trans} />
    </div>
  );
}

interface ISectionProps {
  model: AnalyticsModel;
  state: AnalyticsModel.IState;
  trans: TranslationBundle;
}

function RangeForm(props: ISectionProps): JSX.Element {
  const { model, state, trans } = props;
  const id = React.useId();
  const problemId = `${id}-problem`;
  const wrong = state.problem !== null || state.refused !== null;
  const day = (name: 'from' | 'to', label: string) => (
    <LabelledField id={`${id}-${name}`} label={label}>
      <DayField
        id={`${id}-${name}`}
        value={state[name]}
        invalid={wrong}
        describedBy={wrong ? problemId : `${id}-hint`}
        onChange={value => model.setDay(name, value)}
        onReadableChange={readable => model.setReadable(name, readable)}
        trans={trans}
      />
    </LabelledField>
  );
  // the range the figures below answer: while the one typed is wrong they stay as they were
  const shown = [state.usage, state.idle, state.teams]
    .map(loaded => (loaded.kind === 'ready' ? loaded.body : null))
    .find(body => body !== null);
  let problem: string | null = null;
  if (state.problem === 'reversed') {
    problem = trans.__('“To” must not be earlier than “From”.');
  } else if (state.problem === 'incomplete') {
    problem = trans.__('Choose a first and a last day.');
  } else if (state.refused) {
    problem = failureText(state.refused, trans);
  }
  return (
    <form
      className="jp-mlplat-analytics-range"
      aria-label={trans.__('Date range')}
      onSubmit={event => {
        event.preventDefault();
        void model.refresh();
      }}
    >
      {day('from', trans.__('From'))}
      {day('to', trans.__('To'))}
      <p id={`${id}-hint`} className="jp-mlplat-field-hint">
        {trans.__('Whole days in UTC, both included; a year at most.')}
      </p>
      {problem && (
        <p id={problemId} className="jp-mlplat-field-error" role="alert">
          {problem}
        </p>
      )}
      {shown && (
        <p className="jp-mlplat-hint jp-mlplat-analytics-shown" role="status">
          {trans.__(
            'Shown: %1 – %2',
            formatDay(shown.from),
            formatDay(shown.to)
          )}
        </p>
      )}
    </form>
  );
}

/** The CSV button of a report: the same query as shown, with `format=csv`. */
function ExportButton(props: {
  report: ReportName;
  label: string;
  model: AnalyticsModel;
  state: AnalyticsModel.IState;
}): JSX.Element {
  const { report, label, model, state } = props;
  return (
    <Button
      small
      type="button"
      disabled={
        state.exporting !== null || state.problem !== null || state.unreadable
      }
      onClick={() => void model.exportCsv(report)}
    >
      <span aria-hidden="true">
        <downloadIcon.react tag="span" />
      </span>
      {label}
    </Button>
  );
}

/** Loading, failure or refusal of a report; null once it is ready. */
function NotReady<T>(props: {
  loaded: Loaded<T>;
  loading: string;
  failed: string;
  model: AnalyticsModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { loaded, trans, model } = props;
  if (loaded.kind === 'ready' || loaded.kind === 'refused') {
    return null;
  }
  return (
    <LoadStatus
      state={loaded}
      loading={props.loading}
      unavailable={trans.__('The platform is unavailable')}
      error={() => props.failed}
      onRetry={() => void model.refresh()}
      trans={trans}
    />
  );
}

function UsageSection(props: ISectionProps): JSX.Element {
  const { model, state, trans } = props;
  const loaded = state.usage;
  return (
    <section
      className="jp-mlplat-analytics-section"
      aria-label={trans.__('Resource usage')}
    >
      <h4 className="jp-mlplat-section-title">{trans.__('Resource usage')}</h4>
      <div className="jp-mlplat-analytics-choices">
        <LabelledSelect
          label={trans.__('Group by')}
          value={state.usageBy}
          options={USAGE_BY.map(by => ({
            value: by,
            label: usageByLabel(by, trans)
          }))}
          onChange={value => model.setUsageBy(value as UsageBy)}
        />
        <LabelledSelect
          label={trans.__('Servers')}
          value={state.kind}
          options={KINDS.map(kind => ({
            value: kind,
            label: kindLabel(kind, trans)
          }))}
          onChange={value => model.setKind(value as UsageKind)}
        />
      </div>
      <div className="jp-mlplat-toolbar" role="toolbar">
        <ExportButton
          report="usage"
          label={trans.__('Export usage CSV')}
          model={model}
          state={state}
        />
      </div>
      {state.exporting === 'usage' && (
        <Progress text={trans.__('Downloading the usage…')} />
      )}
      <NotReady
        loaded={loaded}
        loading={trans.__('Reading the usage…')}
        failed={trans.__('The usage could not be read')}
        model={model}
        trans={trans}
      />
      {loaded.kind === 'ready' &&
        (usageIsEmpty(loaded.body) ? (
          <p className="jp-mlplat-empty">
            {trans.__(
              'No usage in this range yet. Every running workspace and deployment is sampled every minute: the first figures appear a minute after a server starts.'
            )}
          </p>
        ) : (
          <UsageFigures report={loaded.body} trans={trans} />
        ))}
    </section>
  );
}

function UsageFigures(props: {
  report: IUsageReport;
  trans: TranslationBundle;
}): JSX.Element {
  const { report, trans } = props;
  const groups = React.useMemo(() => efficiencyRows(report.rows), [report]);
  const efficiency = React.useMemo(
    () => efficiencyChartConfig(groups, chartTheme(document.body), trans),
    [groups, trans]
  );
  const daily = React.useMemo(
    () => dailySeries(report, trans),
    [report, trans]
  );
  const xAxis = React.useMemo(() => dayAxis(report, trans), [report, trans]);
  const byLabel = usageByLabel(report.by, trans);
  return (
    <>
      {groups.length > 0 && (
        <ChartFigure
          caption={trans.__('Efficiency: used / requested')}
          label={trans.__(
            'Bar chart of CPU and memory used against requested, in percent, for %1 groups',
            groups.length
          )}
          config={efficiency}
          height={efficiencyChartHeight(groups.length)}
        />
      )}
      <MetricChart
        metric={trans.__('Hours per day')}
        series={daily}
        trans={trans}
        xAxis={xAxis}
      />
      <div className="jp-mlplat-analytics-scroll">
        <table
          className="jp-mlplat-analytics-table"
          aria-label={trans.__('Usage per %1', byLabel)}
        >
          <thead>
            <tr>
              <th scope="col">{byLabel}</th>
              <th scope="col" className="jp-mlplat-analytics-numhead">
                {trans.__('Server hours')}
              </th>
              <th scope="col" className="jp-mlplat-analytics-numhead">
                {trans.__('CPU efficiency')}
              </th>
              <th scope="col" className="jp-mlplat-analytics-numhead">
                {trans.__('Memory efficiency')}
              </th>
              <th scope="col" className="jp-mlplat-analytics-numhead">
                {trans.__('GPU hours')}
              </th>
              <th scope="col" className="jp-mlplat-analytics-numhead">
                {trans.__('Idle hours')}
              </th>
              <th scope="col" className="jp-mlplat-analytics-numhead">
                {trans.__('Idle GPU hours')}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map(row => (
              <tr key={row.key}>
                <th scope="row">{row.key}</th>
                <Num>{formatHours(row.server_hours)}</Num>
                <Num>{formatShare(row.cpu_efficiency)}</Num>
                <Num>{formatShare(row.memory_efficiency)}</Num>
                <Num>{formatHours(row.gpu_hours)}</Num>
                <Num>{formatHours(row.idle_hours)}</Num>
                <Num>{formatHours(row.idle_gpu_hours)}</Num>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function IdleSection(props: ISectionProps): JSX.Element {
  const { model, state, trans } = props;
  const loaded = state.idle;
  return (
    <section
      className="jp-mlplat-analytics-section"
      aria-label={trans.__('Most idle servers')}
    >
      <h4 className="jp-mlplat-section-title">
        {trans.__('Most idle servers')}
      </h4>
      <div className="jp-mlplat-toolbar" role="toolbar">
        <ExportButton
          report="idle"
          label={trans.__('Export idle servers CSV')}
          model={model}
          state={state}
        />
      </div>
      {state.exporting === 'idle' && (
        <Progress text={trans.__('Downloading the idle servers…')} />
      )}
      <NotReady
        loaded={loaded}
        loading={trans.__('Reading the idle servers…')}
        failed={trans.__('The idle servers could not be read')}
        model={model}
        trans={trans}
      />
      {loaded.kind === 'ready' && (
        <IdleTable report={loaded.body} trans={trans} />
      )}
    </section>
  );
}

function IdleTable(props: {
  report: IIdleReport;
  trans: TranslationBundle;
}): JSX.Element {
  const { report, trans } = props;
  const rows = report.rows.filter(row => row.idle_hours > 0);
  if (rows.length === 0) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__(
          'No server was idle in this range: a server is idle while it uses under its idle CPU share and its kernels are quiet.'
        )}
      </p>
    );
  }
  return (
    <div className="jp-mlplat-analytics-scroll">
      <table
        className="jp-mlplat-analytics-table"
        aria-label={trans.__('Most idle servers')}
      >
        <thead>
          <tr>
            <th scope="col">{trans.__('Owner')}</th>
            <th scope="col">{trans.__('Server')}</th>
            <th scope="col">{trans.__('Profile')}</th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Idle hours')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Idle GPU hours')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('CPU efficiency')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr key={`${row.kind}/${row.owner}/${row.name}`}>
              <td>{row.owner}</td>
              <th scope="row">
                {row.name || trans.__('(default)')}{' '}
                <span className="jp-mlplat-analytics-kind">
                  {serverKindLabel(row.kind, trans)}
                </span>
              </th>
              <td>{row.profile || NONE}</td>
              <Num>{formatHours(row.idle_hours)}</Num>
              <Num>{formatHours(row.idle_gpu_hours)}</Num>
              <Num>{formatShare(row.cpu_efficiency)}</Num>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TeamsSection(props: ISectionProps): JSX.Element {
  const { model, state, trans } = props;
  const loaded = state.teams;
  return (
    <section
      className="jp-mlplat-analytics-section"
      aria-label={trans.__('Team figures')}
    >
      <h4 className="jp-mlplat-section-title">{trans.__('Team figures')}</h4>
      <div className="jp-mlplat-analytics-choices">
        <LabelledSelect
          label={trans.__('Group by')}
          value={state.teamsBy}
          options={TEAMS_BY.map(by => ({
            value: by,
            label: teamsByLabel(by, trans)
          }))}
          onChange={value => model.setTeamsBy(value as TeamsBy)}
        />
        <LabelledSelect
          label={trans.__('Step')}
          value={state.grain}
          options={GRAINS.map(grain => ({
            value: grain,
            label: grainLabel(grain, trans)
          }))}
          onChange={value => model.setGrain(value as Grain)}
        />
      </div>
      <div className="jp-mlplat-toolbar" role="toolbar">
        <ExportButton
          report="teams"
          label={trans.__('Export team figures CSV')}
          model={model}
          state={state}
        />
      </div>
      {state.exporting === 'teams' && (
        <Progress text={trans.__('Downloading the team figures…')} />
      )}
      <NotReady
        loaded={loaded}
        loading={trans.__('Reading the team figures…')}
        failed={trans.__('The team figures could not be read')}
        model={model}
        trans={trans}
      />
      {loaded.kind === 'ready' && (
        <TeamsTable report={loaded.body} trans={trans} />
      )}
    </section>
  );
}

/** A cell of a figure, aligned so digits line up. */
function Num(props: { children: string }): JSX.Element {
  return <td className="jp-mlplat-analytics-num">{props.children}</td>;
}

/** A person's or team's figures as the cells of a row. */
function FigureCells(props: { figures: ITeamFigures }): JSX.Element {
  const { figures } = props;
  return (
    <>
      <Num>{formatCount(figures.runs)}</Num>
      <Num>{formatCount(figures.versions_registered)}</Num>
      <Num>{formatCount(figures.publications)}</Num>
      <Num>{formatHours(figures.lead_time_hours)}</Num>
      <Num>{formatHours(figures.review_turnaround_hours)}</Num>
      <Num>{formatCount(figures.deployments)}</Num>
      <Num>{formatCount(figures.requests)}</Num>
      <Num>{formatShare(figures.error_rate)}</Num>
    </>
  );
}

function TeamsTable(props: {
  report: ITeamsReport;
  trans: TranslationBundle;
}): JSX.Element {
  const { report, trans } = props;
  if (report.rows.length === 0) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__(
          'Nothing was tracked, registered, published or deployed in this range.'
        )}
      </p>
    );
  }
  const byLabel = teamsByLabel(report.by, trans);
  return (
    <div className="jp-mlplat-analytics-scroll">
      <table
        className="jp-mlplat-analytics-table"
        aria-label={trans.__('Team figures')}
      >
        <thead>
          <tr>
            <th scope="col">{byLabel}</th>
            <th scope="col">{trans.__('Period')}</th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Runs')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Versions')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Publications')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Lead time, h')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Review turnaround, h')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Deployments')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Requests')}
            </th>
            <th scope="col" className="jp-mlplat-analytics-numhead">
              {trans.__('Error rate')}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map(row => (
            <tr key={`${row.key}/${row.period}`}>
              <th scope="row">{row.key}</th>
              <td>
                <time dateTime={row.period}>
                  {formatPeriod(row.period, report.grain, trans)}
                </time>
              </td>
              <FigureCells figures={row} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          {report.totals.map(total => (
            <tr key={total.key} className="jp-mlplat-analytics-total">
              <th scope="row">{total.key}</th>
              <td>
                {trans.__(
                  'Total, %1 – %2',
                  formatDay(report.from),
                  formatDay(report.to)
                )}
              </td>
              <FigureCells figures={total} />
            </tr>
          ))}
        </tfoot>
      </table>
    </div>
  );
}
