import { TranslationBundle } from '@jupyterlab/translation';

import { IProfile } from './types';
import { IDraftProblem } from './draft';
import { ReasonLabels } from '../shell/errors';

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

/** Labels of the reason codes only the profile routes answer with. */
export const reasonLabels: ReasonLabels = {
  last_profile: trans =>
    trans.__(
      'This is the last profile: users would have nothing to start, so it cannot be deleted.'
    )
};
