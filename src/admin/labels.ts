import { TranslationBundle } from '@jupyterlab/translation';

import { IProfile } from './types';
import { IDraftProblem } from './draft';
import { genericFieldReasonLabels, param, ReasonLabels } from '../shell/errors';

/*
 * Display texts of the profile editor. Each label is a literal `trans.__()`
 * call so the catalogue test sees it.
 */

/**
 * The label of the input a platform message is about, for the summary at
 * the top of the form: `tolerations.1.key` → "Toleration 2: key". Paths the
 * form does not know are shown as sent.
 */
export function fieldLabel(path: string, trans: TranslationBundle): string {
  const parts = path.split('.');
  if (parts[0] === 'tolerations' && parts.length >= 2) {
    const index = Number(parts[1]);
    if (Number.isInteger(index)) {
      const row = trans.__('Toleration %1', index + 1);
      return parts.length > 2
        ? trans.__('%1: %2', row, tolerationPartLabel(parts[2], trans))
        : row;
    }
  }
  if (parts[0] === 'quota' && parts.length === 2) {
    return quotaLabel(parts[1], trans);
  }
  switch (parts[0]) {
    case 'profile':
      return trans.__('Profile');
    case 'slug':
      return trans.__('Slug');
    case 'display_name':
      return trans.__('Display name');
    case 'description':
      return trans.__('Description');
    case 'default':
      return trans.__('Default profile');
    case 'image':
      return trans.__('Image');
    case 'cpu_guarantee':
      return trans.__('CPU guarantee');
    case 'cpu_limit':
      return trans.__('CPU limit');
    case 'mem_guarantee':
      return trans.__('Memory guarantee');
    case 'mem_limit':
      return trans.__('Memory limit');
    case 'gpu':
      return trans.__('GPUs');
    case 'gpu_resource':
      return trans.__('GPU resource');
    case 'node_selector':
      return trans.__('Node selector');
    case 'tolerations':
      return trans.__('Tolerations');
    case 'environment':
      return trans.__('Environment variables');
    case 'allowed_groups':
      return trans.__('Allowed groups');
    case 'quota':
      return trans.__('Quotas');
    case 'order':
      return trans.__('Order');
    default:
      return path;
  }
}

export function tolerationPartLabel(
  part: string,
  trans: TranslationBundle
): string {
  switch (part) {
    case 'key':
      return trans.__('Taint key');
    case 'operator':
      return trans.__('Operator');
    case 'value':
      return trans.__('Value');
    case 'effect':
      return trans.__('Effect');
    default:
      return part;
  }
}

export function quotaLabel(key: string, trans: TranslationBundle): string {
  switch (key) {
    case 'servers_per_user':
      return trans.__('Servers per user');
    case 'gpus_per_user':
      return trans.__('GPUs per user');
    case 'servers_per_group':
      return trans.__('Servers per group');
    case 'gpus_per_group':
      return trans.__('GPUs per group');
    default:
      return key;
  }
}

/** What the browser found wrong before asking the platform. */
export function problemText(
  problem: IDraftProblem,
  trans: TranslationBundle
): string {
  return trans.__('“%1” is listed twice; keep one.', problem.key);
}

/** "CPU 4–8 · memory 16Gi–32Gi · 1 GPU": what a server of the profile gets. */
export function resourceSummary(
  profile: IProfile,
  trans: TranslationBundle
): string {
  const parts = [
    trans.__('CPU %1–%2', profile.cpu_guarantee, profile.cpu_limit),
    trans.__('memory %1–%2', profile.mem_guarantee, profile.mem_limit)
  ];
  if (profile.gpu > 0) {
    parts.push(trans.__('GPU × %1', profile.gpu));
  }
  return parts.join(' · ');
}

/** The groups a profile is open to, or that it is open to everyone. */
export function groupsSummary(
  profile: IProfile,
  trans: TranslationBundle
): string {
  return profile.allowed_groups.length === 0
    ? trans.__('Open to everyone')
    : trans.__('Groups: %1', profile.allowed_groups.join(', '));
}

/**
 * Labels of the field reasons of a refused profile, shown next to each
 * input (`core/profiles/rules.py`: `PROFILE_FIELD_REASONS`, and the generic
 * ones of `core/kernel/fields.py`).
 */
export const fieldReasonLabels: ReasonLabels = {
  // Any field (a profile's unknown field is told as such)
  ...genericFieldReasonLabels,
  field_unknown: trans => trans.__('This field is not part of a profile.'),

  // The profile's own rules
  slug_invalid: (trans, params) =>
    param(params, 'value')
      ? trans.__(
          '“%1” cannot be a slug: use at most 63 lowercase letters, digits and hyphens, start and end with a letter or digit, and avoid reserved names.',
          param(params, 'value')
        )
      : trans.__('The slug must not be empty.'),
  slug_fixed: (trans, params) =>
    trans.__(
      'The slug of a profile cannot change (it stays “%1”); create a new profile instead.',
      param(params, 'value')
    ),
  image_reference: trans =>
    trans.__(
      'An image reference has no spaces, e.g. quay.io/jupyter/scipy:2026.'
    ),
  cpu_quantity: (trans, params) =>
    trans.__(
      '“%1” is not a CPU quantity like 2, 0.5 or 500m.',
      param(params, 'value')
    ),
  memory_quantity: (trans, params) =>
    trans.__(
      '“%1” is not a memory quantity like 4Gi or 512Mi.',
      param(params, 'value')
    ),
  cpu_too_large: (trans, params) =>
    trans.__(
      '“%1” is more than %2 CPU cores.',
      param(params, 'value'),
      param(params, 'limit')
    ),
  memory_too_large: (trans, params) =>
    trans.__(
      '“%1” is more memory than %2.',
      param(params, 'value'),
      param(params, 'limit')
    ),
  cpu_guarantee_above_limit: trans =>
    trans.__('The CPU guarantee is above the CPU limit.'),
  memory_guarantee_above_limit: trans =>
    trans.__('The memory guarantee is above the memory limit.'),
  gpu_not_whole: trans =>
    trans.__('A GPU is not divisible: use a whole number like 0, 1 or 2.'),
  gpu_resource_name: (trans, params) =>
    trans.__(
      '“%1” is not an extended resource name like nvidia.com/gpu or amd.com/gpu.',
      param(params, 'value')
    ),
  node_label: (trans, params) =>
    trans.__(
      '“%1” is not a node label (keys like mlplat/accelerator, values of at most 63 letters, digits, “-”, “_” or “.”).',
      param(params, 'value')
    ),
  toleration_key_missing: trans =>
    trans.__('A toleration needs the key of the taint it tolerates.'),
  toleration_operator: (trans, params) =>
    trans.__('The operator is one of %1.', param(params, 'choices')),
  toleration_key: (trans, params) =>
    trans.__(
      '“%1” is not a taint key (like nvidia.com/gpu: up to 63 letters, digits, “-”, “_” or “.”, after an optional domain and “/”).',
      param(params, 'value')
    ),
  toleration_value: (trans, params) =>
    trans.__(
      '“%1” is not a taint value (up to 63 letters, digits, “-”, “_” or “.”).',
      param(params, 'value')
    ),
  toleration_exists_value: trans =>
    trans.__('With the operator Exists a toleration has no value.'),
  toleration_effect: (trans, params) =>
    trans.__('The effect is one of %1, or empty.', param(params, 'choices')),
  env_name: (trans, params) =>
    trans.__(
      '“%1” is not an environment variable name (capital letters, digits and “_”, not starting with a digit).',
      param(params, 'value')
    ),
  env_reserved: (trans, params) =>
    trans.__(
      '%1 is set by the platform or changes how programs load: a profile may not set it.',
      param(params, 'value')
    ),
  env_value_too_long: (trans, params) =>
    trans.__(
      'The value of %1 is too long (at most %2 characters).',
      param(params, 'value'),
      param(params, 'limit')
    ),
  env_value_control: (trans, params) =>
    trans.__(
      'The value of %1 holds control characters (such as NUL).',
      param(params, 'value')
    ),
  unknown_groups: (trans, params) =>
    trans.__(
      'Unknown groups: %1. The groups are: %2.',
      param(params, 'value'),
      param(params, 'choices')
    )
};

/**
 * Labels of the reason codes the profile routes and the spawner answer
 * with (`core/profiles/service.py`, `capacity.py`, `rules.py`), and the
 * field reasons of a refused profile, which `describeFields` looks up in
 * the same registry.
 */
export const reasonLabels: ReasonLabels = {
  profile_invalid: (trans, params) => {
    const field = fieldLabel(param(params, 'field'), trans);
    const more = Number(params.count) - 1;
    return more > 0
      ? trans.__(
          'The profile is not valid: fix “%1” and the other fields marked (%2 more).',
          field,
          more
        )
      : trans.__('The profile is not valid: fix “%1”.', field);
  },
  profile_exists: (trans, params) =>
    trans.__(
      'A profile with the slug “%1” exists; choose another.',
      param(params, 'slug')
    ),
  profile_not_found: (trans, params) =>
    trans.__(
      'There is no profile “%1”; it may have been deleted.',
      param(params, 'slug')
    ),
  profile_changed: (trans, params) =>
    trans.__(
      '%1 changed the profile “%2” since you opened it (revision %3, yours %4). Reload it and apply your change again.',
      param(params, 'by'),
      param(params, 'slug'),
      param(params, 'revision'),
      param(params, 'yours')
    ),
  admin_only: trans =>
    trans.__('Only platform admins may change workspace profiles.'),
  last_profile: trans =>
    trans.__(
      'This is the last profile: users would have nothing to start, so it cannot be deleted.'
    ),
  quota_exceeded: trans =>
    trans.__(
      'Starting this would go over a limit of the profile; stop another server first.'
    ),
  audit_range_invalid: trans =>
    trans.__('“From” must not be later than “Until”.'),
  audit_time_invalid: (trans, params) =>
    trans.__(
      '“%1” is not a date or a time (%2).',
      param(params, 'value'),
      param(params, 'field')
    ),
  setting_out_of_range: (trans, params) =>
    params.kind === 'integer'
      ? trans.__(
          'Enter a whole number from %1 to %2.',
          param(params, 'minimum'),
          param(params, 'maximum')
        )
      : trans.__(
          'Enter a number from %1 to %2.',
          param(params, 'minimum'),
          param(params, 'maximum')
        ),
  setting_changed: (trans, params) =>
    trans.__(
      '%1 changed this setting since your page read it; its value now is shown. Decide again.',
      param(params, 'by')
    ),
  setting_not_found: (trans, params) =>
    trans.__('There is no setting “%1”.', param(params, 'key')),
  people_hub_refused: trans =>
    trans.__(
      'JupyterHub refused to list people to the platform: its hub role lacks a scope (see docs/admin.md).'
    ),
  ...fieldReasonLabels
};
