import { TranslationBundle } from '@jupyterlab/translation';

import { param, ReasonLabels } from '../shell/errors';
import { formatDateTime } from '../shell/labels';
import { AudienceKind, RevisionAction } from './types';

/*
 * Each label is a literal `trans.__()` call so gettext extraction (and the
 * catalogue test) can see it.
 */

/** Who an article is for, in the user's language. */
export function audienceLabel(
  kind: AudienceKind,
  trans: TranslationBundle
): string {
  switch (kind) {
    case 'everyone':
      return trans.__('Everyone');
    case 'groups':
      return trans.__('Members of groups');
    case 'profiles':
      return trans.__('Those who may start profiles');
    default:
      return kind;
  }
}

/** What a revision did, as a verb; unknown ones as sent. */
export function revisionLabel(
  action: RevisionAction | string,
  trans: TranslationBundle
): string {
  switch (action) {
    case 'create':
      return trans.__('created it');
    case 'save':
      return trans.__('saved it');
    case 'publish':
      return trans.__('published it');
    case 'unpublish':
      return trans.__('took it back to a draft');
    default:
      return action;
  }
}

/**
 * A field of the article as the editor labels it, from the path a refusal
 * names it by (`title.en`, `content.minutes`, `tasks.1.check.ru`); a path
 * no label knows is shown as sent.
 */
export function articleFieldLabel(
  path: string,
  trans: TranslationBundle
): string {
  const parts = path.replace(/^content\./, '').split('.');
  const last = parts[parts.length - 1];
  const language =
    last === 'en'
      ? trans.__('English')
      : last === 'ru'
        ? trans.__('Russian')
        : null;
  if (language) {
    parts.pop();
  }
  let name: string;
  if (parts[0] === 'tasks' && parts.length >= 3 && /^\d+$/.test(parts[1])) {
    name = trans.__(
      'Task %1: %2',
      Number(parts[1]) + 1,
      taskFieldLabel(parts.slice(2).join('.'), trans)
    );
  } else {
    name = articlePartLabel(parts.join('.'), trans);
  }
  return language ? trans.__('%1 (%2)', name, language) : name;
}

function articlePartLabel(part: string, trans: TranslationBundle): string {
  switch (part) {
    case 'slug':
      return trans.__('Name in addresses');
    case 'title':
      return trans.__('Title');
    case 'summary':
      return trans.__('Summary');
    case 'introduction':
      return trans.__('Introduction');
    case 'conclusion':
      return trans.__('Conclusion');
    case 'minutes':
      return trans.__('Minutes it takes');
    case 'position':
      return trans.__('Place in the list');
    case 'next_article':
      return trans.__('Next article');
    case 'tasks':
      return trans.__('Tasks');
    case 'groups':
      return trans.__('Groups');
    case 'profiles':
      return trans.__('Workspace profiles');
    case 'audience':
      return trans.__('Who reads it');
    default:
      return part;
  }
}

function taskFieldLabel(part: string, trans: TranslationBundle): string {
  switch (part) {
    case 'title':
      return trans.__('title');
    case 'body':
      return trans.__('what to do');
    case 'check':
      return trans.__('check your work');
    case 'help':
      return trans.__('if it did not work');
    case 'key':
      return trans.__('key');
    default:
      return part;
  }
}

/** A rule of `article_invalid` as the end of a sentence about the field. */
function ruleText(
  rule: string,
  params: { [name: string]: string | number },
  trans: TranslationBundle
): string {
  switch (rule) {
    case 'empty':
      return trans.__('needs words in at least one language.');
    case 'too_long':
      return trans.__('is too long: at most %1.', param(params, 'limit'));
    case 'too_many':
      return trans.__(
        'has too many entries: at most %1.',
        param(params, 'limit')
      );
    case 'duplicate':
      return trans.__('names the same thing twice.');
    case 'missing':
      return trans.__('must name at least one.');
    case 'characters':
      return trans.__('may hold only lower-case letters, digits and dashes.');
    default:
      return trans.__('is not valid.');
  }
}

/** Why an image was refused. */
function imageRule(
  params: { [name: string]: string | number },
  trans: TranslationBundle
): string {
  switch (param(params, 'rule')) {
    case 'empty':
      return trans.__('The file is empty.');
    case 'svg':
      return trans.__(
        'SVG images are not accepted: an SVG is a document that can carry scripts. Upload a PNG, JPEG, GIF or WebP.'
      );
    case 'truncated':
      return trans.__(
        'The image is damaged: its header does not say its size.'
      );
    case 'too_large':
      return trans.__(
        'The image is too large: at most %1 bytes.',
        param(params, 'limit')
      );
    case 'too_many_pixels':
      return trans.__(
        'The image is too large: at most %1 pixels a side.',
        param(params, 'limit')
      );
    default:
      return trans.__(
        'This file is not an image: upload a PNG, JPEG, GIF or WebP.'
      );
  }
}

/** Why an example notebook was refused. */
function notebookRule(
  params: { [name: string]: string | number },
  trans: TranslationBundle
): string {
  switch (param(params, 'rule')) {
    case 'too_large':
      return trans.__(
        'The notebook is too large: at most %1 bytes.',
        param(params, 'limit')
      );
    case 'not_json':
    case 'not_nbformat4':
      return trans.__('This file is not a Jupyter notebook (version 4).');
    default:
      return trans.__('The notebook needs a plain file name ending in .ipynb.');
  }
}

/**
 * The reasons of `core/instructions/errors.py` in the user's language; the
 * English message stays the fallback for a reason this version does not
 * know.
 */
export const reasonLabels: ReasonLabels = {
  article_not_found: trans =>
    trans.__('This article does not exist, or it is not meant for you.'),
  article_exists: (trans, params) =>
    trans.__(
      'An article named “%1” exists already: choose another name.',
      param(params, 'slug')
    ),
  article_changed: (trans, params) =>
    trans.__(
      '%1 saved this article at %2, after you opened it. Nothing was overwritten: your text is still here.',
      param(params, 'by'),
      formatDateTime(param(params, 'at'))
    ),
  article_already: (trans, params) =>
    param(params, 'state') === 'published'
      ? trans.__('The article is published already.')
      : trans.__('The article is a draft already.'),
  instructor_only: trans =>
    trans.__('Only instructors may write, publish and upload articles.'),
  article_invalid: (trans, params) =>
    trans.__(
      'The field %1 %2',
      param(params, 'field'),
      ruleText(param(params, 'rule'), params, trans)
    ),
  article_too_long: (trans, params) =>
    trans.__(
      'The article is too long: its texts hold %1 characters together, at most %2 are allowed.',
      param(params, 'size'),
      param(params, 'limit')
    ),
  unknown_product_action: (trans, params) =>
    trans.__(
      '%1 links to “%2”, which is no action of the workbench. The actions are: %3.',
      param(params, 'field'),
      param(params, 'action'),
      param(params, 'known').split(',').join(', ')
    ),
  next_article_unknown: (trans, params) =>
    trans.__(
      'The next article “%1” does not exist (or is this one).',
      param(params, 'slug')
    ),
  position_taken: (trans, params) =>
    trans.__(
      'Place %1 in the list is taken by “%2”: choose another number.',
      param(params, 'position'),
      param(params, 'slug')
    ),
  audience_unknown: (trans, params) =>
    param(params, 'field') === 'profiles'
      ? trans.__('There is no workspace profile “%1”.', param(params, 'value'))
      : trans.__('There is no group “%1”.', param(params, 'value')),
  task_unknown: trans =>
    trans.__(
      'This task is no longer in the article: it was changed meanwhile. Reload it.'
    ),
  image_invalid: (trans, params) => imageRule(params, trans),
  image_not_found: trans => trans.__('The article has no such image.'),
  notebook_invalid: (trans, params) => notebookRule(params, trans),
  notebook_not_found: trans =>
    trans.__('This article offers no example notebook.'),
  language_invalid: (trans, params) =>
    trans.__(
      'The language “%1” is not one articles are written in (English or Russian).',
      param(params, 'value')
    ),
  revision_not_found: (trans, params) =>
    trans.__('The article has no revision %1.', param(params, 'number'))
};
