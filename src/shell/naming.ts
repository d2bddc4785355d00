import { TranslationBundle } from '@jupyterlab/translation';

import { ErrorParams } from '../api/request';
import { param } from './errors';

/*
 * The names people type in the sidebar's forms, checked as they type by the
 * rules the platform checks them by again (`core/kernel/naming.py`), and
 * said in one set of sentences: the live check and the platform's
 * `name_invalid` refusal (its `rule` and `limit`) read the same.
 */

/** What a name names: a deployment (a DNS-1123 label) or a registered model (MLflow's rules). */
export type NameKind = 'deployment' | 'model';

/** A broken rule, with the parameters the platform sends with it. */
export interface INameProblem {
  rule: 'empty' | 'too_long' | 'characters' | 'reserved';
  limit?: number;
  value?: string;
}

/** `naming.DEPLOYMENT_NAME_MAX`: `{name}-v{version}` still names a Kubernetes object. */
export const DEPLOYMENT_NAME_MAX = 40;

/** `naming.MODEL_NAME_MAX`: the longest registered model name that reaches MLflow. */
export const MODEL_NAME_MAX = 256;

/** `naming.RESERVED`: names Kubernetes and the platform keep for themselves. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'api',
  'new'
]);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** What no model name may hold: '/' and ':' split `models:/name/version`; control and bidi characters. */
const NOT_IN_MODEL_NAME =
  // eslint-disable-next-line no-control-regex
  /[/:\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const BLANK = /^[\s\ufeff]*$/u;

/** The longest a name may be, by kind. */
export function nameMax(kind: NameKind): number {
  return kind === 'deployment' ? DEPLOYMENT_NAME_MAX : MODEL_NAME_MAX;
}

/** The rule a name breaks, checked in the platform's order; null when it breaks none. */
export function nameRuleBroken(
  kind: NameKind,
  name: string
): INameProblem | null {
  const limit = nameMax(kind);
  if (kind === 'deployment') {
    if (name.length > limit) {
      return { rule: 'too_long', limit };
    }
    if (name === '') {
      return { rule: 'empty' };
    }
    if (!DNS_LABEL.test(name)) {
      return { rule: 'characters', value: name };
    }
    if (RESERVED_NAMES.has(name)) {
      return { rule: 'reserved', value: name };
    }
    return null;
  }
  if (BLANK.test(name)) {
    return { rule: 'empty' };
  }
  if (name.length > limit) {
    return { rule: 'too_long', limit };
  }
  if (NOT_IN_MODEL_NAME.test(name) || name === '.' || name.startsWith('..')) {
    return { rule: 'characters', value: name };
  }
  return null;
}

/** What a broken rule means, in the words of the form the name is typed in. */
export function nameRuleMessage(
  kind: NameKind,
  problem: INameProblem,
  trans: TranslationBundle
): string {
  switch (problem.rule) {
    case 'empty':
      return kind === 'deployment'
        ? trans.__('Give the deployment a name.')
        : trans.__('Give the model a name.');
    case 'too_long':
      return trans.__('At most %1 characters.', problem.limit ?? nameMax(kind));
    case 'characters':
      return kind === 'deployment'
        ? trans.__(
            'Only lowercase letters, digits and “-”, starting and ending with a letter or digit.'
          )
        : trans.__(
            'A model name may not contain “/”, “:” or control characters.'
          );
    case 'reserved':
      return trans.__('“%1” is reserved; choose another.', problem.value ?? '');
  }
}

/** What is wrong with a name as typed, in words; null when it is fine. */
export function nameProblem(
  kind: NameKind,
  name: string,
  trans: TranslationBundle
): string | null {
  const broken = nameRuleBroken(kind, name);
  return broken ? nameRuleMessage(kind, broken, trans) : null;
}

/**
 * The platform's `name_invalid` about a name, in the same words as the live
 * check; null when it names a rule this form does not know.
 */
export function nameRefusalMessage(
  kind: NameKind,
  params: ErrorParams,
  trans: TranslationBundle
): string | null {
  const rule = param(params, 'rule');
  if (
    rule !== 'empty' &&
    rule !== 'too_long' &&
    rule !== 'characters' &&
    rule !== 'reserved'
  ) {
    return null;
  }
  const limit = Number(param(params, 'limit'));
  return nameRuleMessage(
    kind,
    {
      rule,
      limit: Number.isFinite(limit) && limit > 0 ? limit : undefined,
      value: param(params, 'value')
    },
    trans
  );
}
