import { Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, caretLeftIcon, lockIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { LoadingNote } from '../shell/status';
import { CommandIDs } from './commandIds';
import { IExperiment, IRunColumn, IRunRow, RunSortKind } from './types';
import { errorText } from '../shell/errors';
import {
  formatDuration,
  formatMetric,
  formatTime,
  runStatusLabel
} from './labels';
import { ExperimentsModel } from './model';
import { Pager } from '../shell/pager';
import { RefreshButton } from '../shell/refresh';

export interface IRunLinkProps {
  run: { id: string; name: string };
  commands: CommandRegistry;
  trans: TranslationBundle;
  className?: string;
  /** What the link says, when not the run's name (two runs of one name). */
  label?: string;
}

/** A run's name that opens its run page, wherever runs are listed. */
export function RunLink(props: IRunLinkProps): JSX.Element {
  const { run, commands, trans } = props;
  return (
    <button
      type="button"
      className={`jp-mlplat-link ${props.className ?? ''}`.trim()}
      title={trans.__('Open the run page')}
      onClick={() =>
        void commands.execute(CommandIDs.openRun, {
          runId: run.id,
          name: run.name
        })
      }
    >
      {props.label ?? (run.name || run.id)}
    </button>
  );
}

export interface IReadOnlyMarkProps {
  trans: TranslationBundle;
  /** Why it is read-only, as a tooltip. */
  title: string;
}

/**
 * The small "read-only" label next to a run or experiment MLflow does not
 * let this user change, so nobody tries to log to it and gets a 403.
 */
export function ReadOnlyMark(props: IReadOnlyMarkProps): JSX.Element {
  return (
    <span className="jp-mlplat-readonly" title={props.title}>
      <span aria-hidden="true">
        <lockIcon.react tag="span" className="jp-mlplat-readonly-icon" />
      </span>
      {props.trans.__('read-only')}
    </span>
  );
}

export interface IPrivateMarkProps {
  trans: TranslationBundle;
}

/** The "private" label of an experiment only its owner can see. */
export function PrivateMark(props: IPrivateMarkProps): JSX.Element {
  const { trans } = props;
  return (
    <span
      className="jp-mlplat-private"
      title={trans.__(
        'Only the owner can see this experiment, its runs and artifacts.'
      )}
    >
      <span aria-hidden="true">
        <lockIcon.react tag="span" className="jp-mlplat-private-icon" />
      </span>
      {trans.__('private')}
    </span>
  );
}

export interface IPrivacyToggleProps {
  model: ExperimentsModel;
  experiment: IExperiment;
  trans: TranslationBundle;
}

/**
 * The owner's switch between a private experiment and a shared one. It
 * shows the asked-for value while the server works and is disabled until it
 * answers; a refusal puts the old value back and says why.
 */
export function PrivacyToggle(props: IPrivacyToggleProps): JSX.Element {
  const { model, experiment, trans } = props;
  const [pending, setPending] = React.useState<boolean | null>(null);
  const hintId = React.useId();

  const change = async (value: boolean): Promise<void> => {
    setPending(value);
    try {
      await model.setExperimentPrivate(experiment.id, value);
    } catch (error) {
      Notification.error(
        value
          ? trans.__(
              'Could not make “%1” private: %2',
              experiment.name,
              errorText(trans, error)
            )
          : trans.__(
              'Could not share “%1” again: %2',
              experiment.name,
              errorText(trans, error)
            ),
        { autoClose: false }
      );
    } finally {
      setPending(null);
    }
  };

  // The hint stays outside the label so it describes, not names, the box.
  return (
    <div className="jp-mlplat-privacy">
      <label>
        <input
          type="checkbox"
          checked={pending ?? experiment.private}
          disabled={pending !== null}
          aria-describedby={hintId}
          onChange={event => void change(event.currentTarget.checked)}
        />
        <span>{trans.__('Private: only you can see this experiment')}</span>
      </label>
      <span id={hintId} className="jp-mlplat-sr-only">
        {trans.__(
          'Hides the experiment, its runs and artifacts from everybody else, including people who join later.'
        )}
      </span>
    </div>
  );
}

/** A column of the table that can be sorted. */
interface ISortable {
  kind: RunSortKind;
  key: string;
}

export interface IRunsTableProps {
  model: ExperimentsModel;
  runs: ExperimentsModel.IRunsState;
  selection: readonly IRunRow[];
  busy: boolean;
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/**
 * One experiment's runs: a page of 25 from the server, sorted by the server
 * (MLflow sorts across all pages, the browser only sees one), with the
 * params and metrics the user chose as extra columns.
 */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { model, runs, selection, busy, commands, trans } = props;
  const { experiment, page, sort, columns } = runs;
  const selected = new Set(selection.map(run => run.id));
  const tableId = React.useId();

  // The arrow of the sorted column is drawn by CSS from aria-sort.
  const sortHeader = (
    label: string,
    sortable: ISortable,
    className?: string
  ): JSX.Element => {
    const active = sort.kind === sortable.kind && sort.key === sortable.key;
    return (
      <th
        scope="col"
        key={`${sortable.kind}:${sortable.key}`}
        className={className}
        aria-sort={
          active
            ? sort.direction === 'asc'
              ? 'ascending'
              : 'descending'
            : undefined
        }
      >
        <button
          type="button"
          className="jp-mlplat-sort"
          onClick={() => void model.sortBy(sortable.kind, sortable.key)}
        >
          {label}
        </button>
      </th>
    );
  };

  // The table draws the columns its page was fetched with, less any just
  // hidden: a column just chosen appears with its values, never blank.
  const shown = runs.pageColumns.filter(c =>
    columns.some(chosen => chosen.kind === c.kind && chosen.key === c.key)
  );
  const paramColumns = shown.filter(c => c.kind === 'param');
  const metricColumns = shown.filter(c => c.kind === 'metric');

  return (
    <section
      className="jp-mlplat-runs"
      aria-label={trans.__('Runs of %1', experiment.name)}
    >
      <div className="jp-mlplat-runs-header">
        <Button
          small
          minimal
          className="jp-mlplat-back"
          onClick={() => void model.backToList()}
        >
          <span aria-hidden="true">
            <caretLeftIcon.react tag="span" />
          </span>
          {trans.__('Back to experiments')}
        </Button>
        <h3 className="jp-mlplat-runs-title">{experiment.name}</h3>
        {!experiment.can_write && (
          <ReadOnlyMark
            trans={trans}
            title={trans.__('MLflow does not let you change this experiment.')}
          />
        )}
        {experiment.can_write ? (
          <PrivacyToggle
            key={experiment.id}
            model={model}
            experiment={experiment}
            trans={trans}
          />
        ) : (
          experiment.private && <PrivateMark trans={trans} />
        )}
      </div>
      <div
        className="jp-mlplat-toolbar"
        role="toolbar"
        aria-label={trans.__('Run actions')}
      >
        <Button
          small
          disabled={!model.canCompare}
          title={trans.__('Select 2 to 5 runs to compare them.')}
          onClick={() =>
            void commands.execute(CommandIDs.compareRuns, {
              runIds: selection.map(run => run.id)
            })
          }
        >
          {trans.__('Compare')}
        </Button>
        <span className="jp-mlplat-selected" aria-live="polite">
          {selection.length > 0
            ? trans.__('Selected: %1', selection.length)
            : ''}
        </span>
        <RefreshButton
          trans={trans}
          title={trans.__('Reload the runs from MLflow')}
          onClick={() => void model.refresh()}
        />
        <ColumnChooser
          model={model}
          available={page?.columns ?? { params: [], metrics: [] }}
          chosen={columns}
          controls={tableId}
          trans={trans}
        />
      </div>
      {page === null ? (
        <LoadingNote text={trans.__('Loading runs…')} />
      ) : page.runs.length === 0 && runs.pageIndex === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__(
            'No runs in this experiment yet. Track a notebook and run it.'
          )}
        </p>
      ) : (
        <div className="jp-mlplat-table-scroll">
          <table
            id={tableId}
            className={
              shown.length === 0
                ? 'jp-mlplat-table jp-mlplat-table-fit'
                : 'jp-mlplat-table'
            }
            aria-label={trans.__('Runs')}
            aria-busy={busy}
          >
            <thead>
              <tr>
                <th scope="col" className="jp-mlplat-col-select">
                  <span className="jp-mlplat-sr-only">
                    {trans.__('Select')}
                  </span>
                </th>
                {sortHeader(trans.__('Name'), {
                  kind: 'attribute',
                  key: 'run_name'
                })}
                {sortHeader(
                  trans.__('Status'),
                  { kind: 'attribute', key: 'status' },
                  'jp-mlplat-col-wide'
                )}
                {sortHeader(
                  trans.__('Started'),
                  { kind: 'attribute', key: 'start_time' },
                  'jp-mlplat-col-started'
                )}
                <th scope="col" className="jp-mlplat-col-wide">
                  {trans.__('Duration')}
                </th>
                {sortHeader(
                  trans.__('User'),
                  { kind: 'attribute', key: 'user' },
                  'jp-mlplat-col-wide'
                )}
                <th scope="col" className="jp-mlplat-col-wide">
                  {trans.__('Notebook')}
                </th>
                {paramColumns.map(column =>
                  sortHeader(column.key, column, 'jp-mlplat-col-param')
                )}
                {metricColumns.map(column =>
                  sortHeader(column.key, column, 'jp-mlplat-col-metric')
                )}
              </tr>
            </thead>
            <tbody>
              {page.runs.map(run => (
                <RunRow
                  key={run.id}
                  run={run}
                  checked={selected.has(run.id)}
                  paramColumns={paramColumns}
                  metricColumns={metricColumns}
                  model={model}
                  commands={commands}
                  trans={trans}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        page={runs.pageIndex + 1}
        pages={null}
        hasNext={!!page?.next_page_token}
        onPage={target =>
          void (target > runs.pageIndex + 1
            ? model.nextPage()
            : model.previousPage())
        }
        label={trans.__('Pages of runs')}
        trans={trans}
      />
    </section>
  );
}

interface IRunRowProps {
  run: IRunRow;
  checked: boolean;
  paramColumns: IRunColumn[];
  metricColumns: IRunColumn[];
  model: ExperimentsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/**
 * One run; every MLflow string in it is rendered as text.
 *
 * In the default sidebar width the status, duration, user and notebook
 * columns give way (a CSS container query hides `jp-mlplat-col-wide`) and
 * their values move under the name and the start time (`jp-mlplat-narrow`),
 * so nothing is cut off; a wider sidebar shows them as columns again.
 */
function RunRow(props: IRunRowProps): JSX.Element {
  const { run, checked, model, commands, trans } = props;
  const status = runStatusLabel(run.status, trans);
  const notebook = run.source_notebook
    ? PathExt.basename(run.source_notebook)
    : '';
  const duration = formatDuration(run.duration_ms, trans);
  return (
    <tr
      className={`jp-mlplat-run jp-mlplat-run-${run.status.toLowerCase()}`}
      aria-selected={checked}
    >
      <td className="jp-mlplat-col-select">
        <input
          type="checkbox"
          checked={checked}
          aria-label={trans.__('Select run %1', run.name || run.id)}
          onChange={() => model.toggleSelected(run)}
        />
      </td>
      <td className="jp-mlplat-col-name">
        <span className="jp-mlplat-run-line">
          <span
            className={`jp-mlplat-narrow jp-mlplat-status-dot jp-mlplat-run-status-${run.status.toLowerCase()}`}
            role="img"
            aria-label={status}
            title={status}
          />
          <RunLink
            run={run}
            commands={commands}
            trans={trans}
            className="jp-mlplat-run-name"
          />
          {!run.can_write && (
            <ReadOnlyMark
              trans={trans}
              title={trans.__('MLflow does not let you change this run.')}
            />
          )}
        </span>
        <span
          className="jp-mlplat-narrow jp-mlplat-run-meta"
          title={run.source_notebook ?? undefined}
        >
          {notebook ? `${run.user} · ${notebook}` : run.user}
        </span>
      </td>
      <td className="jp-mlplat-col-wide">
        <span
          className={`jp-mlplat-run-status jp-mlplat-run-status-${run.status.toLowerCase()}`}
        >
          {status}
        </span>
      </td>
      <td className="jp-mlplat-col-started" title={formatTime(run.start_time)}>
        {formatTime(run.start_time, true)}
        {duration && (
          <span className="jp-mlplat-narrow jp-mlplat-run-meta">
            {duration}
          </span>
        )}
      </td>
      <td className="jp-mlplat-col-wide">{duration}</td>
      <td className="jp-mlplat-col-wide">{run.user}</td>
      <td
        className="jp-mlplat-col-wide"
        title={run.source_notebook ?? undefined}
      >
        {notebook}
      </td>
      {props.paramColumns.map(column => (
        <td key={`param:${column.key}`} className="jp-mlplat-col-param">
          {run.params[column.key] ?? ''}
        </td>
      ))}
      {props.metricColumns.map(column => {
        const value = run.metrics[column.key];
        return (
          <td
            key={`metric:${column.key}`}
            className="jp-mlplat-col-metric"
            title={value === undefined ? undefined : String(value)}
          >
            {formatMetric(value)}
          </td>
        );
      })}
    </tr>
  );
}

interface IColumnChooserProps {
  model: ExperimentsModel;
  available: { params: string[]; metrics: string[] };
  chosen: IRunColumn[];
  /** Id of the table the chooser changes. */
  controls: string;
  trans: TranslationBundle;
}

/**
 * Checkboxes of the params and metrics logged in the experiment. A table of
 * every column would be unreadable in a sidebar, so the user picks.
 */
function ColumnChooser(props: IColumnChooserProps): JSX.Element {
  const { model, available, chosen, trans } = props;
  const [open, setOpen] = React.useState(false);
  const panelId = React.useId();
  const isChosen = (kind: IRunColumn['kind'], key: string) =>
    chosen.some(c => c.kind === kind && c.key === key);

  const group = (
    kind: IRunColumn['kind'],
    legend: string,
    keys: string[]
  ): JSX.Element => (
    <fieldset className="jp-mlplat-columns-group">
      <legend>{legend}</legend>
      {keys.length === 0 ? (
        <p className="jp-mlplat-empty">{trans.__('None logged')}</p>
      ) : (
        keys.map(key => (
          <label key={key} className="jp-mlplat-columns-option">
            <input
              type="checkbox"
              checked={isChosen(kind, key)}
              onChange={event =>
                void model.setColumnVisible(
                  { kind, key },
                  event.currentTarget.checked
                )
              }
            />
            <span>{key}</span>
          </label>
        ))
      )}
    </fieldset>
  );

  return (
    <div className="jp-mlplat-columns">
      <Button
        small
        minimal
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
      >
        {trans.__('Columns')}
      </Button>
      {open && (
        <div
          id={panelId}
          className="jp-mlplat-columns-panel"
          role="group"
          aria-label={trans.__('Columns to show')}
        >
          {group('param', trans.__('Parameters'), available.params)}
          {group('metric', trans.__('Metrics'), available.metrics)}
        </div>
      )}
    </div>
  );
}
