import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';

import { ErrorParams, IReasonRef, PlatformRequestError } from '../api/request';
import { TRANSLATION_DOMAIN } from './domain';
import { roleLabel } from './labels';

/**
 * The text of one reason code in the user's language. Each label is a
 * literal `trans.__()` call so gettext extraction and the catalogue test
 * see its msgid; `params` fill its `%1`-style placeholders.
 */
export type ReasonLabel = (
  trans: TranslationBundle,
  params: ErrorParams
) => string;

/** Reason code → its label; each feature's `labels.ts` exports one. */
export type ReasonLabels = { readonly [reason: string]: ReasonLabel };

/** A parameter as text; a missing one shows as an empty string, never "undefined". */
export function param(params: ErrorParams, name: string): string {
  const value = params[name];
  return value === undefined || value === null ? '' : String(value);
}

/**
 * The generic field reasons (`core/kernel/fields.py`: pydantic's error types
 * as our reasons, with pydantic's own params `min_length`, `max_length`, `ge`
 * and `le`, and the text rules of `core/kernel/naming.py`): a form shows them
 * next to its inputs, and `body_invalid` names one for a field of a request.
 */
export const genericFieldReasonLabels: ReasonLabels = {
  field_required: trans => trans.__('This field is required.'),
  field_unknown: trans => trans.__('This field is not expected here.'),
  field_not_integer: trans => trans.__('Enter a whole number.'),
  field_not_boolean: trans => trans.__('This must be true or false.'),
  field_not_text: trans => trans.__('This must be text.'),
  field_not_list: trans => trans.__('This must be a list.'),
  field_not_object: trans =>
    trans.__('This must be an object (names with values).'),
  field_too_short: (trans, params) =>
    trans.__('Too short: at least %1 characters.', param(params, 'min_length')),
  field_too_long: (trans, params) =>
    trans.__('Too long: at most %1 characters.', param(params, 'max_length')),
  field_too_small: (trans, params) =>
    trans.__('Enter %1 or more.', param(params, 'ge')),
  field_too_large: (trans, params) =>
    trans.__('Enter %1 or less.', param(params, 'le')),
  field_too_many: (trans, params) =>
    trans.__('Too many entries: at most %1.', param(params, 'max_length')),
  field_too_few: (trans, params) =>
    trans.__('Too few entries: at least %1.', param(params, 'min_length')),
  text_control: trans =>
    trans.__('Control characters (such as NUL) are not allowed here.'),
  text_bidi: trans =>
    trans.__(
      'Bidirectional control characters are not allowed here: they make text read differently from what it is.'
    ),
  field_invalid: trans => trans.__('This value is not valid.')
};

/**
 * The reasons every server may answer with: the generic ones of the core
 * (`core/kernel/errors.py`), those of the HTTP layer, and those about the
 * request itself, the caller's token and the services behind the sidebar.
 */
export const genericReasonLabels: ReasonLabels = {
  error: trans => trans.__('The request failed.'),
  invalid_input: trans =>
    trans.__('Some of what was sent is not valid: correct it and try again.'),
  not_authenticated: trans =>
    trans.__('You are not signed in, or your session ended: sign in again.'),
  forbidden: trans => trans.__('You are not allowed to do this.'),
  not_found: trans => trans.__('It does not exist, or it was deleted.'),
  conflict: trans =>
    trans.__('Somebody changed this meanwhile: reload and try again.'),
  unavailable: trans =>
    trans.__(
      'A service the platform needs is unavailable; it is retried shortly.'
    ),
  internal_error: trans =>
    trans.__(
      'The server failed unexpectedly; give the request ID to an administrator.'
    ),
  http_error: trans => trans.__('The server refused the request.'),
  'invalid-json': trans =>
    trans.__('The server answered with something that is not JSON.'),

  // Who is calling
  role_required: (trans, params) =>
    trans.__(
      'Only platform users with the role “%1” may do this.',
      roleLabel(param(params, 'role'), trans)
    ),
  token_missing: trans =>
    trans.__(
      'The request carries no token: the platform is called with your JupyterHub API token, which the sidebar sends for you. Reload JupyterLab.'
    ),
  token_refused: trans =>
    trans.__(
      'The platform does not accept your token: it is wrong, expired or revoked. Restart your server from the JupyterHub home page to get a fresh one.'
    ),
  token_lacks_access: trans =>
    trans.__(
      'Your token does not grant access to the ML platform. Ask an administrator to give your group access to the service.'
    ),
  hub_unavailable: trans =>
    trans.__(
      'JupyterHub could not confirm who you are right now; try again in a moment.'
    ),

  // The services behind the sidebar
  platform_unreachable: (trans, params) =>
    param(params, 'status')
      ? trans.__(
          'The ML platform failed (HTTP %1); try again in a moment.',
          param(params, 'status')
        )
      : trans.__(
          'The ML platform is not reachable right now. It may be restarting; the sidebar retries by itself.'
        ),
  platform_mismatch: trans =>
    trans.__(
      'The ML platform answered with something this version does not understand: the platform and your server may be on different releases.'
    ),

  // The request itself
  body_not_json: trans => trans.__('The request body is not valid JSON.'),
  body_too_large: (trans, params) =>
    trans.__(
      'The request body is too large (at most %1 bytes).',
      param(params, 'limit')
    ),
  body_too_deep: (trans, params) =>
    trans.__(
      'The request body nests lists and objects too deeply (at most %1 levels).',
      param(params, 'limit')
    ),
  text_invalid: (trans, params) => textInvalid(trans, params),
  body_invalid: (trans, params) => bodyInvalid(trans, params),
  query_not_integer: (trans, params) =>
    trans.__(
      'The query parameter “%1” must be a whole number.',
      param(params, 'name')
    ),
  query_not_boolean: (trans, params) =>
    trans.__(
      'The query parameter “%1” must be true or false.',
      param(params, 'name')
    ),
  unknown_route: (trans, params) =>
    trans.__(
      'The server has no API route %1: the page and the server are of different versions. Reload JupyterLab.',
      param(params, 'path')
    ),
  name_invalid: (trans, params) => nameInvalid(trans, params),

  // A field of a form, wherever it is shown
  ...genericFieldReasonLabels
};

/** A field of a request of the wrong shape, with what is wrong when the server said. */
function bodyInvalid(trans: TranslationBundle, params: ErrorParams): string {
  const field = param(params, 'field');
  const problem = genericFieldReasonLabels[param(params, 'problem')];
  return problem
    ? trans.__(
        'The field “%1” of the request is not valid: %2',
        field,
        problem(trans, params)
      )
    : trans.__('The field “%1” of the request is not valid.', field);
}

/** Text no field may hold, by the rule it broke. */
function textInvalid(trans: TranslationBundle, params: ErrorParams): string {
  const field = param(params, 'field');
  const limit = param(params, 'limit');
  switch (param(params, 'rule')) {
    case 'empty':
      return trans.__('The field “%1” must not be empty.', field);
    case 'nul':
      return trans.__(
        'The field “%1” must not contain a NUL character.',
        field
      );
    case 'control':
      return trans.__(
        'The field “%1” must not contain control characters.',
        field
      );
    case 'bidi':
      return trans.__(
        'The field “%1” must not contain bidirectional control characters: they make text read differently from what it is.',
        field
      );
    case 'too_long':
      return trans.__(
        'The field “%1” must be at most %2 characters long.',
        field,
        limit
      );
    case 'path_too_long':
      return trans.__(
        'The path in the field “%1” is too long (at most %2 bytes).',
        field,
        limit
      );
    case 'name_too_long':
      return trans.__(
        'A file or folder name in the field “%1” is too long (at most %2 bytes).',
        field,
        limit
      );
    default:
      return trans.__('The field “%1” is not valid.', field);
  }
}

/** A name refused by the platform's naming rules, by the rule it broke. */
function nameInvalid(trans: TranslationBundle, params: ErrorParams): string {
  const field = param(params, 'field');
  switch (param(params, 'rule')) {
    case 'empty':
      return trans.__('The field “%1” must not be empty.', field);
    case 'too_long':
      return trans.__(
        'The field “%1” must be at most %2 characters long.',
        field,
        param(params, 'limit')
      );
    case 'characters':
      return trans.__(
        'The field “%1” may use only lowercase letters, digits and “-”, and must start and end with a letter or digit; “%2” does not.',
        field,
        param(params, 'value')
      );
    case 'reserved':
      return trans.__(
        '“%1” is a reserved name and cannot be used as the field “%2”; choose another.',
        param(params, 'value'),
        field
      );
    default:
      return trans.__('The field “%1” is not a valid name.', field);
  }
}

/**
 * Where `describeError` looks reasons up: the generic ones, plus those the
 * feature plugins add (through `IMLPlatformSidebar.addReasonLabels`).
 */
export class ReasonRegistry {
  constructor(labels: ReasonLabels = genericReasonLabels) {
    this.add(labels);
  }

  /** Add labels; disposing removes them again (a later add wins). */
  add(labels: ReasonLabels): IDisposable {
    const added = Object.entries(labels);
    for (const [reason, label] of added) {
      this._labels.set(reason, label);
    }
    return new DisposableDelegate(() => {
      for (const [reason, label] of added) {
        if (this._labels.get(reason) === label) {
          this._labels.delete(reason);
        }
      }
    });
  }

  get(reason: string): ReasonLabel | undefined {
    return this._labels.get(reason);
  }

  has(reason: string): boolean {
    return this._labels.has(reason);
  }

  private _labels = new Map<string, ReasonLabel>();
}

/** The registry of the running sidebar. */
export const reasonLabels = new ReasonRegistry();

/** What a server said, in the shape every failure state keeps. */
export interface IServerText {
  message?: string | null;
  reason?: string | null;
  params?: ErrorParams | null;
}

const english = nullTranslator.load(TRANSLATION_DOMAIN);

/**
 * What to tell the user about a failure or a server note, in their
 * language: the label of its reason when one exists and is translated,
 * otherwise the server's own (English) message, otherwise the English
 * label; null when there is nothing to say.
 *
 * When the label has no translation the UI is showing English, and the
 * server's sentence is the more specific English, so it wins then.
 */
export function describeError(
  trans: TranslationBundle,
  error: unknown,
  registry: ReasonRegistry = reasonLabels
): string | null {
  const text = serverText(error);
  return describeReason(trans, text, registry);
}

/**
 * Every field message of a refused form in the user's language: those with
 * a reason through its label, the others as the server wrote them. A field
 * reason's label is always preferred, in English too: the labels are the
 * sentences of the form, and the server's text is only for clients that
 * know no reasons (pydantic's wording must never show).
 */
export function describeFields(
  trans: TranslationBundle,
  fields: { readonly [path: string]: string } | null | undefined,
  fieldReasons?: { readonly [path: string]: IReasonRef } | null,
  registry: ReasonRegistry = reasonLabels
): { [path: string]: string } {
  const described: { [path: string]: string } = {};
  const paths = new Set([
    ...Object.keys(fields ?? {}),
    ...Object.keys(fieldReasons ?? {})
  ]);
  for (const path of paths) {
    const ref = fieldReasons?.[path];
    const text = describeReason(
      trans,
      {
        message: fields?.[path] ?? null,
        reason: ref?.reason ?? null,
        params: ref?.params ?? null
      },
      registry,
      true
    );
    if (text) {
      described[path] = text;
    }
  }
  return described;
}

function describeReason(
  trans: TranslationBundle,
  text: IServerText,
  registry: ReasonRegistry,
  preferLabel = false
): string | null {
  const message = text.message || null;
  const label = text.reason ? registry.get(text.reason) : undefined;
  if (!label) {
    return message;
  }
  const params = text.params ?? {};
  const translated = label(trans, params);
  if (!preferLabel && message && translated === label(english, params)) {
    return message;
  }
  return translated || message;
}

/** The message, reason and values of whatever was thrown or kept. */
function serverText(error: unknown): IServerText {
  if (error instanceof PlatformRequestError) {
    return {
      message: error.serverMessage,
      reason: error.reason,
      params: error.params
    };
  }
  if (error instanceof Error) {
    return { message: error.message };
  }
  if (typeof error === 'string') {
    return { message: error };
  }
  if (typeof error === 'object' && error !== null) {
    const record = error as Record<string, unknown>;
    const message = record['message'];
    const reason = record['reason'];
    const params = record['params'];
    return {
      message: typeof message === 'string' ? message : null,
      reason: typeof reason === 'string' ? reason : null,
      params:
        typeof params === 'object' && params !== null
          ? (params as ErrorParams)
          : null
    };
  }
  return {};
}

/**
 * `describeError` for a sentence that must say something (a notification):
 * falls back to the error's own text.
 */
export function errorText(trans: TranslationBundle, error: unknown): string {
  return (
    describeError(trans, error) ??
    (error instanceof Error ? error.message : String(error))
  );
}
