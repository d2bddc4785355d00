import { TranslationBundle } from '@jupyterlab/translation';

import { ErrorParams } from '../api/request';
import { param, ReasonLabels } from '../shell/errors';
import { Grain, TeamsBy, UsageBy, UsageKind } from './types';

/*
 * Each label is a literal `trans.__()` call so gettext extraction (and the
 * catalogue test) can see it.
 */

/** A field of the range, as its input is labelled. */
export function rangeFieldLabel(
  field: string,
  trans: TranslationBundle
): string {
  switch (field) {
    case 'from':
      return trans.__('From');
    case 'to':
      return trans.__('To');
    default:
      return field;
  }
}

/** The range cannot be read (`core/analytics/rules.py`): which way, from its params. */
function periodInvalid(trans: TranslationBundle, params: ErrorParams): string {
  const maximum = param(params, 'maximum_days');
  if (maximum) {
    return trans.__(
      'The range is longer than %1 days: choose a year at most.',
      maximum
    );
  }
  if (param(params, 'from') && param(params, 'to')) {
    return trans.__(
      'The range ends (%1) before it starts (%2): choose a last day on or after the first.',
      param(params, 'to'),
      param(params, 'from')
    );
  }
  return trans.__(
    '“%1” must be a date written YYYY-MM-DD.',
    rangeFieldLabel(param(params, 'field'), trans)
  );
}

/** The reasons the analytics reports may answer with (`core/analytics/errors.py`). */
export const reasonLabels: ReasonLabels = {
  period_invalid: periodInvalid,
  grouping_invalid: (trans, params) =>
    trans.__(
      'The figures cannot be grouped that way (%1); choose one of: %2.',
      param(params, 'field'),
      listParam(params, 'allowed')
    )
};

/** A parameter that may come as a list (the groupings allowed) as one line. */
function listParam(params: ErrorParams, name: string): string {
  const value = params[name] as unknown;
  return Array.isArray(value) ? value.join(', ') : param(params, name);
}

/*
 * The groupings as the reports name them: plain text on the wire, so an
 * unknown one is shown as sent.
 */

export function usageByLabel(
  by: UsageBy | string,
  trans: TranslationBundle
): string {
  switch (by as UsageBy) {
    case 'team':
      return trans.__('Team');
    case 'profile':
      return trans.__('Profile');
    case 'person':
      return trans.__('Person');
    default:
      return by;
  }
}

export function teamsByLabel(
  by: TeamsBy | string,
  trans: TranslationBundle
): string {
  switch (by as TeamsBy) {
    case 'team':
      return trans.__('Team');
    case 'person':
      return trans.__('Person');
    default:
      return by;
  }
}

export function grainLabel(
  grain: Grain | string,
  trans: TranslationBundle
): string {
  switch (grain as Grain) {
    case 'day':
      return trans.__('Day');
    case 'week':
      return trans.__('Week');
    case 'month':
      return trans.__('Month');
    default:
      return grain;
  }
}

export function kindLabel(kind: UsageKind, trans: TranslationBundle): string {
  switch (kind) {
    case 'all':
      return trans.__('All');
    case 'workspace':
      return trans.__('Workspaces');
    case 'deployment':
      return trans.__('Deployments');
  }
}

/** What a server of the idle table is; unknown kinds are shown as sent. */
export function serverKindLabel(
  kind: string,
  trans: TranslationBundle
): string {
  switch (kind) {
    case 'workspace':
      return trans.__('workspace');
    case 'deployment':
      return trans.__('deployment');
    default:
      return kind;
  }
}
