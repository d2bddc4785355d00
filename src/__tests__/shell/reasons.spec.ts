import { TranslationBundle } from '@jupyterlab/translation';

import { PlatformRequestError } from '../../api/request';
import { reasonLabels as adminReasons } from '../../admin/labels';
import { reasonLabels as experimentReasons } from '../../experiments/labels';
import { reasonLabels as gitReasons } from '../../git/labels';
import {
  describeError,
  describeFields,
  genericReasonLabels,
  ReasonLabel,
  ReasonRegistry
} from '../../shell/errors';
import { reasonCodes } from '../api/reasonCodes';
import { shippedPO } from './catalogue';
import { english } from './fixtures';

/** Every label the extension ships: the shell's and each feature's. */
const ALL_LABELS = [
  genericReasonLabels,
  experimentReasons,
  gitReasons,
  adminReasons
];

function labelOf(reason: string): ReasonLabel | undefined {
  return ALL_LABELS.map(labels => labels[reason]).find(label => !!label);
}

/** A bundle that answers from the Russian .po and records every msgid. */
function russian(): { trans: TranslationBundle; asked: string[] } {
  const po = shippedPO();
  const asked: string[] = [];
  const __ = (msgid: string, ...args: unknown[]) => {
    asked.push(msgid);
    let text = po.get(msgid) || msgid;
    args.forEach((arg, i) => {
      text = text.replace(`%${i + 1}`, String(arg));
    });
    return text;
  };
  return { trans: { __ } as unknown as TranslationBundle, asked };
}

/** Values for any placeholder a label may interpolate. */
const PARAMS = new Proxy(
  {},
  { get: (_, name) => (typeof name === 'string' ? `<${name}>` : undefined) }
) as { [name: string]: string };

describe('reason codes', () => {
  const codes = reasonCodes();

  it('are read from the wire contract', () => {
    expect(codes).toEqual(
      expect.arrayContaining([
        'conflict',
        'forbidden',
        'invalid_input',
        'last_profile',
        'not_found',
        'unavailable'
      ])
    );
  });

  it.each(codes)('"%s" has a label in English', code => {
    const label = labelOf(code);
    expect(label).toBeDefined();
    expect(label!(english, PARAMS).trim()).not.toBe('');
  });

  it.each(codes)('"%s" has a Russian translation in the .po', code => {
    const po = shippedPO();
    const { trans, asked } = russian();
    labelOf(code)!(trans, PARAMS);
    expect(asked.length).toBeGreaterThan(0);
    for (const msgid of asked) {
      expect([msgid, po.get(msgid) ?? '']).toEqual([
        msgid,
        expect.stringMatching(/\S/)
      ]);
    }
  });
});

describe('describeError', () => {
  const conflict = new PlatformRequestError({
    status: 409,
    url: 'x',
    serverMessage: "eve changed profile 'cpu-large' since you opened it.",
    reason: 'conflict',
    requestId: 'r-1'
  });

  it('shows the label of a known reason in the user language', () => {
    expect(describeError(russian().trans, conflict)).toBe(
      'Кто-то успел это изменить: перезагрузите и попробуйте снова.'
    );
  });

  it('keeps the server English sentence when the UI is English', () => {
    expect(describeError(english, conflict)).toBe(
      "eve changed profile 'cpu-large' since you opened it."
    );
  });

  it('falls back to the message for an unknown reason', () => {
    const error = new PlatformRequestError({
      status: 400,
      url: 'x',
      serverMessage: 'Something new went wrong',
      reason: 'brand_new_reason'
    });
    expect(describeError(russian().trans, error)).toBe(
      'Something new went wrong'
    );
  });

  it('interpolates the params of a reason a feature registered', () => {
    const registry = new ReasonRegistry();
    const added = registry.add({
      branch_exists: (trans, params) =>
        trans.__('Branch %1 exists', params.name)
    });
    const state = {
      message: 'branch x exists',
      reason: 'branch_exists',
      params: { name: 'main' }
    };
    const upper = {
      __: (msgid: string, ...args: unknown[]) =>
        msgid.toUpperCase().replace('%1', String(args[0]))
    } as unknown as TranslationBundle;
    expect(describeError(upper, state, registry)).toBe('BRANCH main EXISTS');

    added.dispose();
    expect(describeError(upper, state, registry)).toBe('branch x exists');
  });

  it('says nothing when the server said nothing', () => {
    expect(describeError(english, { message: null })).toBeNull();
  });

  it('translates field messages that carry a reason, keeps the others', () => {
    const fields = describeFields(
      russian().trans,
      { cpu_limit: 'too much', image: 'bad image' },
      { cpu_limit: { reason: 'invalid_input' } }
    );
    expect(fields).toEqual({
      cpu_limit:
        'Часть отправленных данных неверна: исправьте их и попробуйте снова.',
      image: 'bad image'
    });
  });
});
