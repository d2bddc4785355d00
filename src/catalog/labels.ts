import { TranslationBundle } from '@jupyterlab/translation';

import { param, ReasonLabels } from '../shell/errors';
import { taskLabel } from '../shell/labels';
import { CatalogSort, FacetName } from './types';

/*
 * Display texts of the Catalog tab. Each label is a literal `trans.__()` call
 * so the catalogue test sees it; values the server sends that no label knows
 * are shown as sent.
 */

/** The heading of a facet. */
export function facetLabel(facet: FacetName, trans: TranslationBundle): string {
  switch (facet) {
    case 'task':
      return trans.__('Task');
    case 'framework':
      return trans.__('Framework');
    case 'team':
      return trans.__('Team');
    case 'license':
      return trans.__('License');
    case 'status':
      return trans.__('Status');
  }
}

/** A catalog entry's or a version's state. */
export function statusLabel(status: string, trans: TranslationBundle): string {
  switch (status) {
    case 'published':
      return trans.__('Published');
    case 'deprecated':
      return trans.__('Deprecated');
    default:
      return status;
  }
}

/** One value of a facet in the user's language. */
export function facetValueLabel(
  facet: FacetName,
  value: string,
  trans: TranslationBundle
): string {
  if (value === '') {
    // the card left it empty: said, not drawn as a blank checkbox label
    return facet === 'license'
      ? trans.__('No license')
      : trans.__('Not stated');
  }
  switch (facet) {
    case 'status':
      return statusLabel(value, trans);
    case 'task':
      return taskLabel(value, trans);
    default:
      return value;
  }
}

/** An alias of a catalog model in the product's words; others as MLflow names them. */
export function aliasLabel(alias: string, trans: TranslationBundle): string {
  return alias === 'champion' ? trans.__('Champion') : alias;
}

/** Where an alias points, as a hit's badge says it: “Champion: version 2”. */
export function aliasVersionLabel(
  alias: string,
  version: number,
  trans: TranslationBundle
): string {
  return trans.__('%1: version %2', aliasLabel(alias, trans), version);
}

export function sortLabel(sort: CatalogSort, trans: TranslationBundle): string {
  switch (sort) {
    case 'relevance':
      return trans.__('Best match');
    case 'updated':
      return trans.__('Recently published');
    case 'name':
      return trans.__('Name');
  }
}

/** A metric short enough for a narrow list; its exact value goes in the title. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-4 || abs >= 1e6)
    ? value.toExponential(4)
    : String(Number(value.toPrecision(4)));
}

/** The reasons the catalog and its actions answer with, in the user's language. */
export const reasonLabels: ReasonLabels = {
  catalog_entry_not_found: (trans, params) =>
    trans.__(
      'The catalog has no model “%1”: it may have been removed.',
      param(params, 'name')
    ),
  catalog_version_not_found: (trans, params) =>
    trans.__(
      'Version %1 of “%2” is not in the catalog.',
      param(params, 'version'),
      param(params, 'name')
    ),
  catalog_version_exists: (trans, params) =>
    trans.__(
      'Version %1 of “%2” is in the catalog already.',
      param(params, 'version'),
      param(params, 'name')
    ),
  catalog_query_invalid: (trans, params) => {
    switch (param(params, 'rule')) {
      case 'too_long':
        return trans.__(
          'A search may be at most %1 characters.',
          param(params, 'limit')
        );
      case 'too_many':
        return trans.__(
          'Pick at most %1 values of one filter.',
          param(params, 'limit')
        );
      case 'control':
        return trans.__(
          'A search may not hold control characters (such as NUL).'
        );
      default:
        return trans.__(
          'The catalog could not understand this search; change it.'
        );
    }
  }
};
