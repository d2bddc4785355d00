import { TranslationBundle } from '@jupyterlab/translation';

import { param, ReasonLabels } from '../shell/errors';
import { taskLabel, uiLocale } from '../shell/labels';
import { ICardHeadings } from './card';
import { AuthorAction } from './types';

/*
 * Display texts of the Models tab. Each label is a literal `trans.__()`
 * call so the catalogue test sees it.
 */

/** A publication state in the user's language; unknown ones as sent. */
export function publicationStateLabel(
  state: string | null,
  trans: TranslationBundle
): string {
  switch (state) {
    case null:
      return trans.__('Not submitted');
    case 'draft':
      return trans.__('Draft');
    case 'in_review':
      return trans.__('In review');
    case 'changes_requested':
      return trans.__('Changes requested');
    case 'approved':
      return trans.__('Approved');
    case 'published':
      return trans.__('Published');
    case 'rejected':
      return trans.__('Rejected');
    case 'deprecated':
      return trans.__('Deprecated');
    default:
      return state;
  }
}

/** A reviewer's decision in the user's language; unknown ones as sent. */
export function decisionLabel(
  decision: string,
  trans: TranslationBundle
): string {
  switch (decision) {
    case 'approve':
    case 'approved':
      return trans.__('Approved');
    case 'request_changes':
    case 'changes_requested':
      return trans.__('Requested changes');
    case 'reject':
    case 'rejected':
      return trans.__('Rejected');
    default:
      return decision;
  }
}

/** The button of an author's step. */
export function actionLabel(
  action: AuthorAction,
  trans: TranslationBundle
): string {
  switch (action) {
    case 'submit':
      return trans.__('Submit for publication');
    case 'withdraw':
      return trans.__('Withdraw');
    case 'resubmit':
      return trans.__('Resubmit');
  }
}

/** The headings of a card's preview, in the user's language. */
export function cardHeadings(trans: TranslationBundle): ICardHeadings {
  return {
    description: trans.__('Overview and intended use'),
    outOfScope: trans.__('Out-of-scope use'),
    trainingData: trans.__('Training data'),
    evaluationData: trans.__('Evaluation data'),
    metrics: trans.__('Metrics'),
    metric: trans.__('Metric'),
    value: trans.__('Value'),
    note: trans.__('Note'),
    limitations: trans.__('Limitations and known failure modes'),
    risks: trans.__('Risks and ethical considerations'),
    details: trans.__('Model details'),
    task: trans.__('Task'),
    framework: trans.__('Framework'),
    license: trans.__('License'),
    owners: trans.__('Owners'),
    contact: trans.__('Contact'),
    tags: trans.__('Tags'),
    taskName: task => taskLabel(task, trans)
  };
}

/**
 * A time of MLflow (milliseconds since the epoch) or of the platform (ISO
 * text) in the UI language; empty when there is none.
 */
export function formatWhen(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') {
    return '';
  }
  const time = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(time)) {
    return String(value);
  }
  return new Intl.DateTimeFormat(uiLocale(), {
    dateStyle: 'medium',
    timeStyle: 'short'
  }).format(new Date(time));
}

/** A metric value short enough for a list, exact in its title. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (!Number.isFinite(value) || Number.isInteger(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) {
    return value.toExponential(4);
  }
  return String(Number(value.toPrecision(6)));
}

/**
 * Labels of the reason codes of the models and publications routes
 * (`core/models/errors.py`, `core/models/card.py`, `core/reviews/`); the
 * generic ones are the shell's. Params are those the raise sites name.
 */
export const reasonLabels: ReasonLabels = {
  // Registered models and versions
  model_not_found: (trans, params) =>
    trans.__(
      'The registered model “%1” does not exist, or is not visible to you.',
      param(params, 'name')
    ),
  model_version_not_found: (trans, params) =>
    trans.__(
      'Version %2 of the model “%1” does not exist, or is not visible to you.',
      param(params, 'name'),
      param(params, 'version')
    ),
  logged_model_not_found: (trans, params) =>
    trans.__(
      'Run %1 has no such logged model; log one with mlflow.<flavour>.log_model first.',
      param(params, 'run_id')
    ),
  model_name_taken: (trans, params) =>
    param(params, 'owner')
      ? trans.__(
          'The name “%1” belongs to a model of %2: choose another name, or one of your own models.',
          param(params, 'name'),
          param(params, 'owner')
        )
      : trans.__(
          'The name “%1” belongs to somebody else’s model: choose another name, or one of your own models.',
          param(params, 'name')
        ),
  catalog_read_only: (trans, params) =>
    trans.__(
      'Models whose names start with “%1” belong to the catalog: only a review publishes them. Choose another name.',
      param(params, 'prefix')
    ),
  platform_identity_reserved: trans =>
    trans.__('This name is reserved for the platform itself.'),
  model_version_invalid: (trans, params) =>
    trans.__(
      '“%1” is not a model version: versions are whole numbers from 1.',
      param(params, 'version')
    ),
  model_registration_failed: (trans, params) =>
    trans.__(
      'MLflow could not finish registering version %2 of “%1”; try again.',
      param(params, 'name'),
      param(params, 'version')
    ),
  model_run_id_invalid: (trans, params) =>
    trans.__('“%1” is not a run ID.', param(params, 'run_id')),
  logged_model_id_invalid: (trans, params) =>
    trans.__(
      '“%1” is not the ID of a logged model (m- and hexadecimal digits).',
      param(params, 'model_id')
    ),
  registry_not_configured: trans =>
    trans.__(
      'This workbench has no MLflow model registry. Ask an administrator to set up MLflow.'
    ),

  // The model card
  card_invalid: (trans, params) =>
    Number(param(params, 'count')) > 1
      ? trans.__(
          'The card has %1 fields to correct; each says what is wrong beside it.',
          param(params, 'count')
        )
      : trans.__(
          'A field of the card needs correcting; it says what is wrong beside it.'
        ),
  catalog_name_invalid: trans =>
    trans.__(
      'A catalog name uses only lowercase letters, digits and “-”, starts and ends with a letter or digit, is at most 63 characters, and is not a reserved word.'
    ),
  metric_value_not_finite: trans => trans.__('Enter a finite number.'),

  // Sending a version for publication
  card_incomplete: (trans, params) =>
    trans.__(
      'Fill in the card before you submit it: %1.',
      cardFieldNames(param(params, 'fields'), trans)
    ),
  not_your_model: (trans, params) =>
    trans.__(
      'Only %1, who created this registered model, may submit its versions.',
      param(params, 'owner')
    )
};

/** The card's fields named in a message, in the user's language. */
function cardFieldNames(fields: string, trans: TranslationBundle): string {
  return fields
    .split(',')
    .map(field => field.trim())
    .filter(Boolean)
    .map(field => {
      switch (field) {
        case 'catalog_name':
          return trans.__('Name in the catalog');
        case 'description':
          return trans.__('Overview and intended use');
        default:
          return field;
      }
    })
    .join(', ');
}
