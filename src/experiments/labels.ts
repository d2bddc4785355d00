import { TranslationBundle } from '@jupyterlab/translation';
import { param, ReasonLabels } from '../shell/errors';
import { uiLocale } from '../shell/labels';

/*
 * Display texts of MLflow values. Each label is a literal `trans.__()` call
 * so the catalogue test sees it.
 */

/** A run status in the user's language; unknown statuses are shown as sent. */
export function runStatusLabel(
  status: string,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'RUNNING':
      return trans.__('Running');
    case 'SCHEDULED':
      return trans.__('Scheduled');
    case 'FINISHED':
      return trans.__('Finished');
    case 'FAILED':
      return trans.__('Failed');
    case 'KILLED':
      return trans.__('Killed');
    default:
      return status;
  }
}

/**
 * A duration as people read it: the two largest units only, because "2 h
 * 5 min" is what matters when comparing runs, not the seconds.
 */
export function formatDuration(
  ms: number | null | undefined,
  trans: TranslationBundle
): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return trans.__('%1 ms', Math.round(ms));
  }
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) {
    return trans.__('%1 d %2 h', days, hours);
  }
  if (hours > 0) {
    return trans.__('%1 h %2 min', hours, minutes);
  }
  if (minutes > 0) {
    return trans.__('%1 min %2 s', minutes, rest);
  }
  return trans.__('%1 s', rest);
}

/**
 * A timestamp in the UI language's format; empty when MLflow has none.
 *
 * `long` (the run page, tooltips) gives date and time with seconds. `short`
 * fits a narrow sidebar column: the time alone for today, day and month for
 * this year, a numeric date before that — the tooltip has the full one.
 */
export function formatTime(
  ms: number | null | undefined,
  short = false,
  now: Date = new Date()
): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '';
  }
  const locale = uiLocale();
  const date = new Date(ms);
  if (!short) {
    return new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'medium'
    }).format(date);
  }
  const sameYear = date.getFullYear() === now.getFullYear();
  const sameDay =
    sameYear &&
    date.getMonth() === now.getMonth() &&
    date.getDate() === now.getDate();
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : sameYear
      ? { day: 'numeric', month: 'short' }
      : { day: '2-digit', month: '2-digit', year: '2-digit' };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

/** A metric value short enough for a table cell, exact in its title. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) {
    return value.toExponential(4);
  }
  return String(Number(value.toPrecision(6)));
}

/** A file size in bytes, KB or MB. */
export function formatSize(
  bytes: number | null | undefined,
  trans: TranslationBundle
): string {
  if (bytes === null || bytes === undefined) {
    return '';
  }
  if (bytes < 1024) {
    return trans.__('%1 B', bytes);
  }
  if (bytes < 1024 * 1024) {
    return trans.__('%1 KB', (bytes / 1024).toFixed(1));
  }
  return trans.__('%1 MB', (bytes / (1024 * 1024)).toFixed(1));
}

/** The title of a failed MLflow read, by HTTP status (-1: no request). */
export function mlflowErrorTitle(
  status: number,
  trans: TranslationBundle
): string {
  return status === 404
    ? trans.__('Not found in MLflow (HTTP 404)')
    : status === 403
      ? trans.__('MLflow refused access (HTTP 403)')
      : status > 0
        ? trans.__('MLflow answered with an error (HTTP %1)', status)
        : trans.__('Could not read from MLflow');
}

/**
 * Labels of the reason codes the Experiments tab and the MLflow routes
 * answer with; the generic ones (`not_found`, `forbidden`, ...) are the
 * shell's. Params are those the raise sites name
 * (`core/experiments/errors.py`).
 */
export const reasonLabels: ReasonLabels = {
  // The request
  run_sort_invalid: (trans, params) => {
    const value = param(params, 'value');
    switch (param(params, 'field')) {
      case 'sort_dir':
        return trans.__(
          'Runs are sorted ascending or descending, not “%1”.',
          value
        );
      case 'sort_key':
      case 'sort':
        return trans.__('Runs cannot be sorted by “%1”.', value);
      default:
        return trans.__(
          'Runs cannot be sorted by “%1”: sort by an attribute, a metric or a param.',
          value
        );
    }
  },
  run_column_invalid: (trans, params) =>
    trans.__(
      'The column “%1” must be metric:<name> or param:<name>.',
      param(params, 'column')
    ),
  page_size_out_of_range: (trans, params) =>
    trans.__('A page holds 1 to %1 runs.', param(params, 'limit')),
  page_token_invalid: trans =>
    trans.__(
      'This page of the list cannot be found any more: go back to the first page.'
    ),
  experiment_id_invalid: (trans, params) =>
    trans.__('“%1” is not an experiment ID.', param(params, 'experiment_id')),
  run_id_invalid: (trans, params) =>
    trans.__('“%1” is not a run ID.', param(params, 'run_id')),
  metric_key_missing: trans =>
    trans.__('Name the metric whose history you want.'),
  artifact_path_outside_run: (trans, params) =>
    trans.__(
      'The artifact path “%1” must be relative, without “..”.',
      param(params, 'path')
    ),
  too_few_runs_to_compare: (trans, params) =>
    trans.__(
      'Comparing needs at least %1 different runs.',
      param(params, 'minimum')
    ),
  too_many_runs_to_compare: (trans, params) =>
    trans.__(
      'At most %1 runs can be compared at once.',
      param(params, 'limit')
    ),

  // Notebooks logged to a run
  not_a_notebook: (trans, params) =>
    trans.__('“%1” is not a notebook (.ipynb).', param(params, 'path')),
  notebooks_unavailable: trans =>
    trans.__('This server has no notebooks to log.'),
  notebook_not_found: (trans, params) =>
    trans.__('“%1” does not exist; save it first.', param(params, 'path')),
  notebook_unreadable: (trans, params) =>
    trans.__('The notebook “%1” cannot be read.', param(params, 'path')),

  // What the person may do
  not_your_run: (trans, params) =>
    trans.__(
      'Run %1 belongs to %2; log notebooks to your own runs.',
      param(params, 'run_id'),
      param(params, 'owner')
    ),
  not_your_experiment: (trans, params) =>
    trans.__(
      'Only the owner of experiment %1 may make it private or shared.',
      param(params, 'experiment_id')
    ),

  events_from_gateway_only: trans =>
    trans.__('Only the MLflow gateway records changes made in MLflow.'),

  // What MLflow answered
  run_not_found: (trans, params) =>
    trans.__(
      'Run %1 does not exist, or is not visible to you.',
      param(params, 'run_id')
    ),
  experiment_not_found: (trans, params) =>
    trans.__(
      'Experiment %1 does not exist, or is not visible to you.',
      param(params, 'experiment_id')
    ),
  artifact_not_found: (trans, params) =>
    trans.__(
      'The artifact “%1” of run %2 does not exist, or is not visible to you.',
      param(params, 'path'),
      param(params, 'run_id')
    ),
  artifact_store_not_writable: (trans, params) =>
    trans.__(
      'Run %1 stores its artifacts where the workbench cannot write through MLflow’s artifact proxy.',
      param(params, 'run_id')
    ),
  mlflow_not_found: trans =>
    trans.__('MLflow has no such experiment, run or route.'),
  mlflow_refused: (trans, params) =>
    param(params, 'said')
      ? trans.__('MLflow refused the request: %1', param(params, 'said'))
      : trans.__('MLflow refused the request.'),
  mlflow_forbidden: trans =>
    trans.__('MLflow’s permissions do not let you make this change.'),
  mlflow_token_refused: trans =>
    trans.__(
      'MLflow did not accept your server’s token; sign in again to renew it.'
    ),
  mlflow_unavailable: trans =>
    trans.__('MLflow is unavailable right now; try again in a moment.'),
  mlflow_failed: (trans, params) =>
    trans.__(
      'MLflow failed (HTTP %1); try again in a moment.',
      param(params, 'status')
    ),
  mlflow_not_configured: trans =>
    trans.__(
      'MLflow is not configured for this server. Ask an administrator to set up experiment tracking.'
    )
};
