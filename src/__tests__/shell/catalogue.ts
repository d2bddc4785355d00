import * as fs from 'fs';
import * as path from 'path';

import { TranslationBundle } from '@jupyterlab/translation';

import { TRANSLATION_DOMAIN } from '../../shell/domain';

/** Where the Russian catalogue lives. */
export const LC_MESSAGES = path.join(
  path.resolve(__dirname, '..', '..', '..'),
  'jupyterlab_mlplat',
  'locale',
  'ru_RU',
  'LC_MESSAGES'
);

/** msgid → msgstr of the shipped .po (header skipped). */
export function shippedPO(): Map<string, string> {
  const text = fs.readFileSync(
    path.join(LC_MESSAGES, `${TRANSLATION_DOMAIN}.po`),
    'utf8'
  );
  const entries = new Map<string, string>();
  let field: 'msgid' | 'msgstr' | null = null;
  let msgid = '';
  let msgstr = '';
  const flush = () => {
    if (msgid !== '') {
      entries.set(msgid, msgstr);
    }
    msgid = '';
    msgstr = '';
  };
  for (const line of text.split('\n')) {
    const start = /^(msgid|msgstr) "(.*)"$/.exec(line);
    const more = /^"(.*)"$/.exec(line);
    if (start) {
      if (start[1] === 'msgid') {
        flush();
      }
      field = start[1] as 'msgid' | 'msgstr';
      const value = JSON.parse(`"${start[2]}"`);
      field === 'msgid' ? (msgid = value) : (msgstr = value);
    } else if (more && field) {
      const value = JSON.parse(`"${more[1]}"`);
      field === 'msgid' ? (msgid += value) : (msgstr += value);
    }
  }
  flush();
  return entries;
}

/**
 * The Russian the lab shows, from the shipped catalogue, as a bundle: a
 * msgid missing from the .po comes back as itself, as JupyterLab does. Each
 * msgid asked for is pushed onto `asked` when it is given.
 */
export function russianBundle(asked?: string[]): TranslationBundle {
  const po = shippedPO();
  const __ = (msgid: string, ...args: unknown[]) => {
    asked?.push(msgid);
    return args.reduce<string>(
      (text, arg, i) => text.replace(`%${i + 1}`, String(arg)),
      po.get(msgid) || msgid
    );
  };
  return { __ } as unknown as TranslationBundle;
}
