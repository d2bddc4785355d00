import { TranslationBundle } from '@jupyterlab/translation';

import { param, ReasonLabels } from '../shell/errors';
import { KeyState } from './types';

/*
 * Each label is a literal `trans.__()` call so gettext extraction (and the
 * catalogue test) can see it.
 */

/** A key's state in the user's language; unknown ones as sent. */
export function keyStateLabel(state: string, trans: TranslationBundle): string {
  switch (state as KeyState) {
    case 'active':
      return trans.__('active');
    case 'rotating':
      return trans.__('rotated, still working');
    case 'expired':
      return trans.__('expired');
    case 'revoked':
      return trans.__('revoked');
    default:
      return state;
  }
}

/** Why an expiry was refused (`params.rule`), with the platform's limit. */
function expiryLabel(
  params: { [name: string]: string | number },
  trans: TranslationBundle
): string {
  switch (param(params, 'rule')) {
    case 'past':
      return trans.__('The expiry must be in the future.');
    case 'too_far':
      return trans.__(
        'The expiry may be at most %1 days ahead.',
        param(params, 'limit')
      );
    default:
      return trans.__('The expiry must be a date and time with a time zone.');
  }
}

/**
 * The reasons of `core/apikeys/errors.py` in the user's language; the
 * English message stays the fallback for a reason this version does not
 * know.
 */
export const reasonLabels: ReasonLabels = {
  apikey_not_found: trans =>
    trans.__('This API key does not exist, or it is not yours.'),
  apikey_id_invalid: (trans, params) =>
    trans.__(
      '“%1” is not an API key number: they are whole numbers from 1.',
      param(params, 'value')
    ),
  key_without_scope: trans =>
    trans.__(
      'A key must be allowed to call a deployment or to read the catalog: choose at least one.'
    ),
  key_limit_reached: (trans, params) =>
    trans.__(
      'You already have %1 active API keys: revoke one you no longer use first.',
      param(params, 'limit')
    ),
  key_expiry_invalid: (trans, params) => expiryLabel(params, trans),
  key_overlap_too_long: (trans, params) =>
    trans.__(
      'After a rotation the old key may keep working for at most %1 seconds.',
      param(params, 'limit')
    ),
  key_rate_limit_invalid: (trans, params) =>
    trans.__(
      'The rate limit must be above 0 and at most %1 requests per second.',
      param(params, 'limit')
    ),
  key_deployment_not_yours: (trans, params) =>
    trans.__(
      'The deployment “%1” is not yours: a key may only call your own deployments.',
      param(params, 'name')
    ),
  key_not_active: (trans, params) =>
    trans.__(
      'Only an active key can be rotated; this one is %1.',
      keyStateLabel(param(params, 'state'), trans)
    ),
  key_unknown: trans =>
    trans.__('This API key is not known: check that it was copied whole.'),
  key_revoked: (trans, params) =>
    trans.__('The API key %1 was revoked.', param(params, 'prefix')),
  key_expired: (trans, params) =>
    trans.__('The API key %1 has expired.', param(params, 'prefix')),
  key_not_accepted: trans =>
    trans.__(
      'API keys may read the catalog and call deployments, nothing else.'
    ),
  key_scope_missing: (trans, params) =>
    trans.__(
      'This API key may not do this: it lacks the scope %1.',
      param(params, 'scope')
    )
};
