import { TranslationBundle } from '@jupyterlab/translation';

import { param, ReasonLabels } from '../shell/errors';
import { PublicationAction, PublicationState } from './types';

/*
 * Each label is a literal `trans.__()` call so gettext extraction (and the
 * catalogue test) can see it.
 */

/** A publication's state in the user's language; unknown ones as sent. */
export function stateLabel(state: string, trans: TranslationBundle): string {
  switch (state as PublicationState) {
    case 'draft':
      return trans.__('draft');
    case 'in_review':
      return trans.__('in review');
    case 'changes_requested':
      return trans.__('changes requested');
    case 'approved':
      return trans.__('approved');
    case 'published':
      return trans.__('published');
    case 'rejected':
      return trans.__('rejected');
    case 'deprecated':
      return trans.__('deprecated');
    default:
      return state;
  }
}

/** A step of a publication's history as a verb; unknown ones as sent. */
export function actionLabel(action: string, trans: TranslationBundle): string {
  switch (action as PublicationAction) {
    case 'create':
      return trans.__('started the publication');
    case 'save_card':
      return trans.__('saved the card');
    case 'submit':
      return trans.__('sent it for review');
    case 'withdraw':
      return trans.__('withdrew it');
    case 'resubmit':
      return trans.__('sent it for review again');
    case 'approve':
      return trans.__('approved it');
    case 'request_changes':
      return trans.__('requested changes');
    case 'reject':
      return trans.__('rejected it');
    case 'publish':
      return trans.__('published it');
    case 'deprecate':
      return trans.__('deprecated it');
    case 'make_champion':
      return trans.__('made it the champion');
    default:
      return action;
  }
}

/** The name of an action as a reason's text quotes it. */
function actionName(action: string, trans: TranslationBundle): string {
  switch (action as PublicationAction) {
    case 'submit':
      return trans.__('submit');
    case 'withdraw':
      return trans.__('withdraw');
    case 'resubmit':
      return trans.__('resubmit');
    case 'approve':
      return trans.__('approve');
    case 'request_changes':
      return trans.__('request changes');
    case 'reject':
      return trans.__('reject');
    case 'publish':
      return trans.__('publish');
    case 'deprecate':
      return trans.__('deprecate');
    case 'make_champion':
      return trans.__('make champion');
    case 'save_card':
      return trans.__('save the card');
    default:
      return action;
  }
}

/** A comma-separated list of actions ("approve, reject"), each translated. */
function actionList(list: string, trans: TranslationBundle): string {
  if (!list || list === 'none') {
    return trans.__('none');
  }
  return list
    .split(',')
    .map(one => actionName(one.trim(), trans))
    .join(', ');
}

/**
 * The reasons of `core/reviews/errors.py` in the user's language; the
 * English message stays the fallback for a reason this version does not
 * know.
 */
export const reasonLabels: ReasonLabels = {
  publication_id_invalid: (trans, params) =>
    trans.__(
      '“%1” is not a publication number: they are whole numbers from 1.',
      param(params, 'value')
    ),
  publication_not_found: trans =>
    trans.__('This publication does not exist, or you may not see it.'),
  transition_not_allowed: (trans, params) =>
    trans.__(
      'A publication that is %1 cannot be given “%2”. What it can be given now: %3.',
      stateLabel(param(params, 'state'), trans),
      actionName(param(params, 'action'), trans),
      actionList(param(params, 'allowed'), trans)
    ),
  publication_changed: (trans, params) => changedMeanwhile(trans, params),
  publication_open: (trans, params) =>
    trans.__(
      'This version already has a publication that is %1.',
      stateLabel(param(params, 'state'), trans)
    ),
  already_approved: trans => trans.__('You already approved this submission.'),
  own_work: trans =>
    trans.__(
      'This is your own work: nobody reviews their own. Another reviewer must decide.'
    ),
  author_only: (trans, params) =>
    trans.__('Only %1, the author, may do this.', param(params, 'author')),
  reviewer_only: trans =>
    trans.__('Only reviewers may decide on a submission.'),
  reviewer_or_admin_only: trans =>
    trans.__('Only reviewers or administrators may do this.'),
  comment_required: trans =>
    trans.__('Say why: requesting changes or rejecting needs a comment.'),
  catalog_name_missing: trans =>
    trans.__(
      'The card names no catalog name, so there is nowhere to publish this version.'
    ),
  diff_too_large: (trans, params) =>
    trans.__(
      'The code changes are too long to review (at most %1 characters).',
      param(params, 'limit')
    ),
  not_a_champion_candidate: trans =>
    trans.__(
      'Only a published version of the same catalog model can become its champion.'
    ),
  publish_failed: (trans, params) =>
    param(params, 'said')
      ? trans.__(
          'MLflow failed while publishing; the publication stays approved and can be published again. MLflow said: %1',
          param(params, 'said')
        )
      : trans.__(
          'MLflow failed while publishing; the publication stays approved and can be published again.'
        )
};

/**
 * The 409 of a stale page: who did what since, in a whole sentence ("rita
 * approved it a moment ago"), then that nothing was changed.
 */
function changedMeanwhile(
  trans: TranslationBundle,
  params: { [name: string]: string | number }
): string {
  const by = param(params, 'by');
  const state = stateLabel(param(params, 'state'), trans);
  let what: string;
  switch (param(params, 'action')) {
    case 'approve':
      what = trans.__('%1 approved it a moment ago.', by);
      break;
    case 'request_changes':
      what = trans.__('%1 requested changes a moment ago.', by);
      break;
    case 'reject':
      what = trans.__('%1 rejected it a moment ago.', by);
      break;
    case 'withdraw':
      what = trans.__('%1 withdrew it a moment ago.', by);
      break;
    case 'publish':
      what = trans.__('%1 published it a moment ago.', by);
      break;
    default:
      what = by
        ? trans.__('%1 changed it a moment ago.', by)
        : trans.__('Somebody changed it a moment ago.');
  }
  return trans.__(
    '%1 It is now %2; nothing of yours was sent. Reload to see it, then decide again.',
    what,
    state
  );
}
