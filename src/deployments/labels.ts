import { TranslationBundle } from '@jupyterlab/translation';

import { ErrorParams } from '../api/request';
import { param, ReasonLabels } from '../shell/errors';

/*
 * Each label is a literal `trans.__()` call so gettext extraction (and the
 * catalogue test) can see it.
 */

// a deployment's phase, stage and traffic are shown by the Admin tab's list of every
// deployment and the Catalog's model page too
export { phaseLabel, stageLabel, trafficLabel } from '../shell/labels';

/** A change of the spec, as a verb of the history. */
export function revisionActionLabel(
  action: string,
  trans: TranslationBundle
): string {
  switch (action) {
    case 'create':
      return trans.__('deployed it');
    case 'traffic':
      return trans.__('changed the traffic');
    case 'promote':
      return trans.__('promoted the canary');
    case 'rollback':
      return trans.__('rolled it back');
    case 'resize':
      return trans.__('changed the size');
    case 'delete':
      return trans.__('deleted it');
    default:
      return action;
  }
}

/** A size as the select offers it: its title and what each replica gets. */
export function sizeOptionLabel(
  size: {
    title: string;
    name: string;
    resources: { cpu: string; memory: string; replicas: number };
  },
  trans: TranslationBundle
): string {
  return trans.__(
    '%1 — %2 CPU, %3 memory, replicas: %4',
    size.title || size.name,
    size.resources.cpu,
    size.resources.memory,
    size.resources.replicas
  );
}

/** A field of a size, as the Admin form names it. */
export function sizeFieldLabel(
  field: string,
  trans: TranslationBundle
): string {
  switch (field) {
    case 'cpu':
      return trans.__('CPU per replica');
    case 'memory':
      return trans.__('Memory per replica');
    case 'replicas':
      return trans.__('Replicas');
    case 'max_replicas':
      return trans.__('Most replicas');
    default:
      return field;
  }
}

/**
 * The reasons of `core/deployments/errors.py` in the user's language; the
 * English message stays the fallback for a reason this version does not
 * know.
 */
export const reasonLabels: ReasonLabels = {
  // a model server's refusals of a request (Try it); without their values, the
  // server's own sentence stands
  wrong_type: (trans, params) =>
    param(params, 'column')
      ? trans.__(
          'Column “%1” takes %2 values; row %3 has %4.',
          param(params, 'column'),
          param(params, 'type'),
          param(params, 'row'),
          param(params, 'value')
        )
      : '',
  wrong_shape: (trans, params) =>
    param(params, 'width')
      ? trans.__(
          'Row %1 has %2 values; the model takes %3 columns: %4.',
          param(params, 'row'),
          param(params, 'values'),
          param(params, 'width'),
          param(params, 'columns')
        )
      : '',
  missing_value: (trans, params) =>
    param(params, 'column')
      ? trans.__(
          'Column “%1” needs a value; row %2 has none.',
          param(params, 'column'),
          param(params, 'row')
        )
      : '',
  unknown_column: (trans, params) =>
    param(params, 'columns')
      ? trans.__(
          'The model has no column %1; it takes %2.',
          param(params, 'columns'),
          param(params, 'expected')
        )
      : '',
  missing_column: (trans, params) =>
    param(params, 'columns')
      ? trans.__('The request misses the columns %1.', param(params, 'columns'))
      : '',
  deployment_not_found: (trans, params) =>
    param(params, 'name')
      ? trans.__(
          'There is no deployment “%1”, or you may not see it.',
          param(params, 'name')
        )
      : trans.__('This deployment does not exist, or you may not see it.'),
  traffic_range_invalid: (trans, params) => trafficRangeProblem(trans, params),
  traffic_report_invalid: (trans, params) =>
    trans.__(
      'The gateway reported traffic that does not add up (%1): it was not stored.',
      param(params, 'field')
    ),
  drift_since_invalid: (trans, params) =>
    trans.__(
      '“%1” is not a date or a time: use ISO 8601, e.g. 2026-12-01T12:00:00Z.',
      param(params, 'value')
    ),
  deployment_name_taken: (trans, params) =>
    param(params, 'owner')
      ? trans.__(
          'The name “%1” is taken: %2 has a deployment of that name. Choose another.',
          param(params, 'name'),
          param(params, 'owner')
        )
      : trans.__(
          'The name “%1” is taken by another deployment. Choose another.',
          param(params, 'name')
        ),
  deployment_changed: (trans, params) => changedMeanwhile(trans, params),
  deployment_stopping: (trans, params) =>
    trans.__(
      'The deployment “%1” was deleted and is being stopped: it cannot be changed any more.',
      param(params, 'name')
    ),
  version_not_published: (trans, params) =>
    param(params, 'state') === 'deprecated'
      ? trans.__(
          'Version %2 of “%1” is deprecated: production serves only published versions.',
          param(params, 'model_name'),
          param(params, 'version')
        )
      : trans.__(
          'Version %2 of “%1” is not published in the catalog: only published versions go to production. Deploy it to staging, or submit it for review.',
          param(params, 'model_name'),
          param(params, 'version')
        ),
  version_not_ready: (trans, params) =>
    trans.__(
      'MLflow has not finished registering this version (status %1): try again in a moment.',
      param(params, 'status')
    ),
  no_previous_revision: trans =>
    trans.__(
      'There is no earlier revision to return to: this is the first one.'
    ),
  no_canary: trans =>
    trans.__('There is no canary to promote: set a canary first.'),
  deployment_version_repeated: (trans, params) =>
    trans.__(
      'Version %1 is served already: a canary or a shadow must be another version than the primary, and than each other.',
      param(params, 'version')
    ),
  deployment_logs_not_found: (trans, params) =>
    trans.__(
      'Version %1 is not served by this deployment, or has written no log yet.',
      param(params, 'version')
    ),
  size_not_found: (trans, params) =>
    trans.__(
      'There is no deployment size “%1”: an administrator may have removed it. Choose another.',
      param(params, 'size')
    ),
  size_name_taken: (trans, params) =>
    trans.__(
      'A deployment size named “%1” exists already.',
      param(params, 'size')
    ),
  size_changed: (trans, params) =>
    trans.__(
      '%1 saved this size while you were editing it (revision %2, yours %3). Reload it and make your change again.',
      param(params, 'by'),
      param(params, 'revision'),
      param(params, 'yours')
    ),
  size_in_use: (trans, params) =>
    trans.__(
      'The size “%1” is used by %2 deployments: give them another size first.',
      param(params, 'size'),
      param(params, 'count')
    ),
  size_invalid: (trans, params) => sizeInvalid(trans, params),
  // the invocations gateway's answers (Try it, and external callers)
  deployment_name_invalid: (trans, params) =>
    trans.__(
      '“%1” is not a deployment name: lower-case letters, digits and “-”.',
      param(params, 'value')
    ),
  deployment_not_ready: (trans, params) =>
    trans.__(
      'The deployment “%1” has no ready model server yet: try again in a moment.',
      param(params, 'name')
    ),
  key_out_of_scope: (trans, params) =>
    trans.__(
      'This API key may not call the deployment “%1”: add it to the key’s deployments.',
      param(params, 'deployment')
    ),
  rate_limited: (trans, params) =>
    trans.__(
      'Too many requests with this API key (its limit is %1 a second): try again in %2 s.',
      param(params, 'rate_limit'),
      param(params, 'retry_after')
    ),
  model_server_unreachable: (trans, params) =>
    trans.__(
      'No model server of the deployment “%1” answered: it may be restarting. Try again in a moment.',
      param(params, 'name')
    ),
  model_server_failed: (trans, params) =>
    trans.__(
      'The model server of the deployment “%1” failed (%2): look at its log.',
      param(params, 'name'),
      param(params, 'status')
    )
};

/** A size's resources that break a rule, by the rule. */
function sizeInvalid(trans: TranslationBundle, params: ErrorParams): string {
  const field = sizeFieldLabel(param(params, 'field'), trans);
  switch (param(params, 'rule')) {
    case 'quantity':
      return trans.__(
        '%1: not a Kubernetes quantity (for example 500m or 2 for CPU, 512Mi or 4Gi for memory).',
        field
      );
    case 'too_large':
      return trans.__('%1: more than a deployment may be given.', field);
    case 'below_replicas':
      return trans.__('%1: must be at least the number of replicas.', field);
    default:
      return trans.__('%1: not valid.', field);
  }
}

/**
 * The 409 of a stale page: who changed what since, then that nothing was
 * changed and the page shows the deployment as it is now.
 */
function changedMeanwhile(
  trans: TranslationBundle,
  params: ErrorParams
): string {
  const by = param(params, 'by');
  const revision = param(params, 'revision');
  const what = param(params, 'change')
    ? revisionActionLabel(param(params, 'change'), trans)
    : '';
  let said: string;
  if (by && what) {
    said = trans.__(
      '%1 %2 meanwhile (revision %3).',
      by,
      what,
      revision || '?'
    );
  } else if (by) {
    said = trans.__(
      '%1 changed this deployment meanwhile (revision %2).',
      by,
      revision || '?'
    );
  } else {
    said = trans.__('Somebody changed this deployment meanwhile.');
  }
  return trans.__(
    '%1 Nothing of yours was applied: look at the deployment as it is now, then try again.',
    said
  );
}

/** Why a traffic chart's range could not be read (`params.field`, `params.rule`). */
function trafficRangeProblem(
  trans: TranslationBundle,
  params: ErrorParams
): string {
  switch (param(params, 'rule')) {
    case 'not_a_time':
      return trans.__(
        '“%1” is not a date or a time: use ISO 8601, e.g. 2026-12-01T12:00:00Z.',
        param(params, 'value')
      );
    case 'after_until':
      return trans.__('The range must start before it ends.');
    case 'beyond_retention':
      return trans.__(
        'Traffic is kept for %1 days: choose a range within them.',
        param(params, 'days')
      );
    case 'not_offered':
      return trans.__(
        'Traffic is summed per %1 only: choose one of these steps.',
        param(params, 'steps')
      );
    case 'too_many_points':
      return trans.__(
        'That range holds more than %1 steps: choose a longer step.',
        param(params, 'limit')
      );
    default:
      return trans.__('The range of the traffic charts cannot be read.');
  }
}
