import * as fs from 'fs';
import * as path from 'path';

import {
  ITranslatorConnector,
  TranslationBundle,
  TranslationManager
} from '@jupyterlab/translation';

import { ErrorParams, PlatformRequestError } from '../../api/request';
import { reasonLabels as adminReasons } from '../../admin/labels';
import { reasonLabels as analyticsReasons } from '../../analytics/labels';
import { reasonLabels as apiKeyReasons } from '../../apikeys/labels';
import { reasonLabels as catalogReasons } from '../../catalog/labels';
import { reasonLabels as deploymentReasons } from '../../deployments/labels';
import { reasonLabels as experimentReasons } from '../../experiments/labels';
import { reasonLabels as gitReasons } from '../../git/labels';
import { reasonLabels as instructionReasons } from '../../instructions/labels';
import { reasonLabels as reviewReasons } from '../../reviews/labels';
import { reasonLabels as modelReasons } from '../../models/labels';
import { TRANSLATION_DOMAIN } from '../../shell/domain';
import {
  describeError,
  describeFields,
  genericReasonLabels,
  ReasonLabel,
  ReasonLabels,
  ReasonRegistry
} from '../../shell/errors';
import { fieldReasonCodes, reasonCodes } from '../api/reasonCodes';
import { LC_MESSAGES, russianBundle, shippedPO } from './catalogue';
import { english } from './fixtures';

/** Every label the extension ships: the shell's and each feature's. */
const ALL_LABELS: ReasonLabels[] = [
  genericReasonLabels,
  experimentReasons,
  gitReasons,
  reviewReasons,
  modelReasons,
  catalogReasons,
  adminReasons,
  apiKeyReasons,
  deploymentReasons,
  instructionReasons,
  analyticsReasons
];

/** The label the running sidebar uses: a tab's label wins over the shell's. */
function labelOf(reason: string): ReasonLabel | undefined {
  return [...ALL_LABELS]
    .reverse()
    .map(labels => labels[reason])
    .find(label => !!label);
}

/** The registry of a running sidebar: the shell's labels and every tab's. */
function sidebarRegistry(): ReasonRegistry {
  const registry = new ReasonRegistry();
  ALL_LABELS.forEach(labels => registry.add(labels));
  return registry;
}

/** A bundle that answers from the Russian .po and records every msgid. */
function russian(): { trans: TranslationBundle; asked: string[] } {
  const asked: string[] = [];
  return { trans: russianBundle(asked), asked };
}

/** The Russian bundle as JupyterLab loads it: from the compiled JSON. */
async function shippedRussian(): Promise<TranslationBundle> {
  const bundle = JSON.parse(
    fs.readFileSync(
      path.join(LC_MESSAGES, `${TRANSLATION_DOMAIN}.json`),
      'utf8'
    )
  );
  const connector = {
    fetch: async () => ({
      data: { [TRANSLATION_DOMAIN]: bundle },
      message: ''
    })
  } as unknown as ITranslatorConnector;
  const manager = new TranslationManager('', undefined, undefined, connector);
  await manager.fetch('ru_RU');
  return manager.load(TRANSLATION_DOMAIN);
}

/** Values for any placeholder a label may interpolate. */
const PARAMS = new Proxy(
  {},
  { get: (_, name) => (typeof name === 'string' ? `<${name}>` : undefined) }
) as { [name: string]: string };

/** Every msgid the label asks for has a non-empty Russian msgstr. */
function expectTranslated(label: ReasonLabel): void {
  const po = shippedPO();
  const { trans, asked } = russian();
  label(trans, PARAMS);
  expect(asked.length).toBeGreaterThan(0);
  for (const msgid of asked) {
    expect([msgid, po.get(msgid) ?? '']).toEqual([
      msgid,
      expect.stringMatching(/\S/)
    ]);
  }
}

describe('reason codes', () => {
  const codes = reasonCodes();

  it('are read from the wire contract', () => {
    expect(codes).toEqual(
      expect.arrayContaining([
        'conflict',
        'forbidden',
        'git_merge_conflicts',
        'invalid_input',
        'last_profile',
        'not_found',
        'too_many_runs_to_compare',
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
    expectTranslated(labelOf(code)!);
  });
});

describe('field reason codes', () => {
  const codes = fieldReasonCodes();

  it('are read from the wire contract', () => {
    expect(codes).toEqual(
      expect.arrayContaining([
        'cpu_quantity',
        'field_required',
        'field_too_small',
        'unknown_groups'
      ])
    );
  });

  it.each(codes)('"%s" has a label in English', code => {
    const label = labelOf(code);
    expect(label).toBeDefined();
    expect(label!(english, PARAMS).trim()).not.toBe('');
  });

  it.each(codes)('"%s" has a Russian translation in the .po', code => {
    expectTranslated(labelOf(code)!);
  });

  it.each(codes)('"%s" is what describeFields shows', code => {
    const { trans } = russian();
    const fields = describeFields(
      trans,
      { cpu_limit: 'the English message of the server' },
      { cpu_limit: { reason: code, params: PARAMS } },
      sidebarRegistry()
    );
    expect(fields.cpu_limit).toBe(labelOf(code)!(trans, PARAMS));
    expect(fields.cpu_limit).not.toBe('the English message of the server');
  });
});

/**
 * What stays Latin in Russian text, as the catalogue writes it: product
 * names, units and Kubernetes quantities.
 */
const KEPT_AS_IS = /\b(git|GitLab|MLflow|CPU|GPU|HTTP|\d+(m|Mi|Gi))\b/g;

describe('a reason in Russian, params filled in', () => {
  /** code, params, the Russian text, the params it shows as they are */
  type Case = [string, ErrorParams, string, string[]];

  const cases: Case[] = [
    [
      'git_merge_conflicts',
      { command: 'pull', files: 'train.ipynb, prep/clean.py' },
      'git не может получить изменения: сначала разрешите конфликты в train.ipynb, prep/clean.py и сделайте коммит.',
      ['files']
    ],
    [
      'profile_changed',
      { slug: 'cpu-large', by: 'eve', revision: 7, yours: 6 },
      'eve изменил(а) профиль «cpu-large», пока вы его редактировали (ревизия 7, у вас — 6). Перезагрузите профиль и внесите изменения заново.',
      ['slug', 'by', 'revision', 'yours']
    ],
    [
      'too_many_runs_to_compare',
      { limit: 5 },
      'За один раз можно сравнить не больше 5 запусков.',
      ['limit']
    ],
    [
      'not_your_run',
      { run_id: 'a1b2c3', owner: 'bob' },
      'Запуск a1b2c3 принадлежит пользователю bob; записывайте блокноты в свои запуски.',
      ['run_id', 'owner']
    ],
    [
      'role_required',
      { role: 'admin' },
      'Это могут делать только пользователи платформы с ролью «Администратор».',
      []
    ],
    [
      'name_invalid',
      { field: 'slug', rule: 'too_long', limit: 63 },
      'Поле «slug» должно быть не длиннее 63 символов.',
      ['field', 'limit']
    ]
  ];

  it.each(cases)('"%s"', async (code, params, expected, shown) => {
    const trans = await shippedRussian();
    const text = labelOf(code)!(trans, params);

    expect(text).toBe(expected);
    expectNoEnglish(text, params, shown);
  });

  const fieldCases: Case[] = [
    [
      'cpu_quantity',
      { value: 'two cores' },
      '«two cores» — неверное количество CPU; укажите, например, 2, 0.5 или 500m.',
      ['value']
    ],
    ['field_too_small', { ge: 1 }, 'Значение должно быть не меньше 1.', ['ge']],
    [
      'unknown_groups',
      { value: 'physics', choices: 'data-scientists, reviewers' },
      'Неизвестные группы: physics. Существующие группы: data-scientists, reviewers.',
      ['value', 'choices']
    ]
  ];

  it.each(fieldCases)('field "%s"', async (code, params, expected, shown) => {
    const trans = await shippedRussian();
    const fields = describeFields(
      trans,
      { cpu_limit: 'the English message of the server' },
      { cpu_limit: { reason: code, params } },
      sidebarRegistry()
    );

    expect(fields.cpu_limit).toBe(expected);
    expectNoEnglish(fields.cpu_limit, params, shown);
  });

  /**
   * The params named in `shown` are in the text as sent, the others (codes
   * such as a git subcommand or a role) are not, and once the shown values
   * are taken out nothing English is left but the names kept as they are.
   */
  function expectNoEnglish(
    text: string,
    params: ErrorParams,
    shown: string[]
  ): void {
    let rest = text;
    for (const [name, value] of Object.entries(params)) {
      if (shown.includes(name)) {
        expect(rest).toContain(String(value));
        rest = rest.split(String(value)).join(' ');
      } else {
        expect(rest).not.toContain(String(value));
      }
    }
    expect(rest).not.toMatch(/%\d/);
    expect(rest.replace(KEPT_AS_IS, ' ')).not.toMatch(/[A-Za-z]/);
  }
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

  it('shows a field by its reason in English too, never the server’s words', () => {
    const fields = describeFields(
      english,
      {
        'quota.servers_per_user': 'Input should be greater than or equal to 1'
      },
      {
        'quota.servers_per_user': {
          reason: 'field_too_small',
          params: { ge: 1 }
        }
      },
      sidebarRegistry()
    );
    expect(fields).toEqual({ 'quota.servers_per_user': 'Enter 1 or more.' });
  });

  it('tells a field of a request of the wrong shape with its problem, in Russian', async () => {
    const error = new PlatformRequestError({
      status: 400,
      url: 'x',
      serverMessage: 'files: too few entries: at least 1',
      reason: 'body_invalid',
      params: { field: 'files', problem: 'field_too_few', min_length: 1 }
    });
    expect(
      describeError(await shippedRussian(), error, sidebarRegistry())
    ).toBe(
      'Поле запроса «files» заполнено неверно: Слишком мало записей: не меньше 1.'
    );
    expect(describeError(english, error, sidebarRegistry())).toBe(
      'files: too few entries: at least 1'
    );
  });
});
