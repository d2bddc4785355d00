import { TranslationBundle } from '@jupyterlab/translation';
import { ReasonLabels } from '../shell/errors';

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
 * A timestamp in the browser's locale; empty when MLflow has none. The
 * short form (no seconds, short date) fits a sidebar table column.
 */
export function formatTime(
  ms: number | null | undefined,
  short = false
): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '';
  }
  return short
    ? new Date(ms).toLocaleString(undefined, {
        dateStyle: 'short',
        timeStyle: 'short'
      })
    : new Date(ms).toLocaleString();
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
 * Labels of the reason codes only the MLflow routes answer with; the
 * generic ones (`not_found`, `forbidden`, ...) are the shell's. None yet:
 * the MLflow routes answer with the generic codes today.
 */
export const reasonLabels: ReasonLabels = {};
