import * as fs from 'fs';
import * as path from 'path';

import { act, fireEvent, render, screen } from '@testing-library/react';
import { CommandRegistry } from '@lumino/commands';
import {
  ITranslatorConnector,
  TranslationManager
} from '@jupyterlab/translation';
import * as React from 'react';

import { ProfilesModel } from '../../admin/model';
import { AdminTab } from '../../admin/tab';
import { ExperimentsModel } from '../../experiments/model';
import { GitModel } from '../../git/model';
import { GitTab } from '../../git/tab';
import { PlatformModel } from '../../shell/model';
import { shippedPO } from './catalogue';
import { productTabs } from './tabs';
import { PlatformView } from '../../shell/panel';
import { TRANSLATION_DOMAIN } from '../../shell/domain';
import {
  experiment,
  runPage,
  runRow,
  ScriptedMlflow
} from '../experiments/fixtures';
import { gitStatus, ScriptedGit } from '../git/fixtures';
import { identity, ScriptedAPI, unavailable } from './fixtures';
import { ScriptedProfiles } from '../admin/fixtures';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LC_MESSAGES = path.join(
  ROOT,
  'jupyterlab_mlplat',
  'locale',
  'ru_RU',
  'LC_MESSAGES'
);

type Bundle = { [msgid: string]: string[] | Record<string, string> };

function shippedJSON(): Bundle {
  return JSON.parse(
    fs.readFileSync(
      path.join(LC_MESSAGES, `${TRANSLATION_DOMAIN}.json`),
      'utf8'
    )
  );
}

/** Every literal passed to trans.__() in the shipped sources. */
function sourceStrings(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__') {
          walk(full);
        }
      } else if (/\.tsx?$/.test(entry.name)) {
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/trans\.__\(\s*'((?:[^'\\]|\\.)*)'/g)) {
          found.add(m[1].replace(/\\'/g, "'"));
        }
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return found;
}

/** A translator loaded the way JupyterLab loads one, from the shipped JSON. */
async function russian(): Promise<TranslationManager> {
  const connector = {
    fetch: async () => ({
      data: { [TRANSLATION_DOMAIN]: shippedJSON() },
      message: ''
    })
  } as unknown as ITranslatorConnector;
  const manager = new TranslationManager('', undefined, undefined, connector);
  await manager.fetch('ru_RU');
  return manager;
}

describe('Russian catalogue', () => {
  it('translates every UI string of the sources, and nothing else', () => {
    const bundle = shippedJSON();
    const sources = sourceStrings();
    expect(sources.size).toBeGreaterThan(30);

    const untranslated = [...sources].filter(
      msgid => !Array.isArray(bundle[msgid]) || !(bundle[msgid] as string[])[0]
    );
    const stale = Object.keys(bundle).filter(
      msgid => msgid !== '' && !sources.has(msgid)
    );
    expect(untranslated).toEqual([]);
    expect(stale).toEqual([]);
  });

  it('ships a JSON compiled from the .po', () => {
    const bundle = shippedJSON();
    const po = shippedPO();
    const fromJSON = new Map(
      Object.entries(bundle)
        .filter(([msgid]) => msgid !== '')
        .map(([msgid, value]) => [msgid, (value as string[])[0]])
    );
    expect(fromJSON).toEqual(po);
  });

  it('has the metadata JupyterLab needs to load it', () => {
    const meta = shippedJSON()[''] as Record<string, string>;
    expect(meta.domain).toBe(TRANSLATION_DOMAIN);
    expect(meta.language).toBe('ru-RU');
    expect(meta.plural_forms).toMatch(/^nplurals=\d+; plural=/);
  });
});

describe('PlatformView in Russian', () => {
  const models: PlatformModel[] = [];
  afterEach(() => models.splice(0).forEach(model => model.dispose()));

  async function renderRussian(
    answers: ConstructorParameters<typeof ScriptedAPI>[0]
  ): Promise<PlatformModel> {
    const trans = (await russian()).load(TRANSLATION_DOMAIN);
    const model = new PlatformModel({
      api: new ScriptedAPI(answers),
      auto: false
    });
    models.push(model);
    render(<PlatformView model={model} tabs={productTabs()} trans={trans} />);
    await act(() => model.refresh());
    return model;
  }

  it('labels tabs, roles and messages in Russian', async () => {
    await renderRussian([identity({ roles: ['reviewer', 'admin'] })]);

    expect(screen.getByRole('tab', { name: 'Рецензии' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Администрирование' })).toBeTruthy();
    expect(screen.getByText('Рецензент')).toBeTruthy();
    expect(screen.getByText('Администратор')).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Эксперименты' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Развёртывания' })).toBeTruthy();
    const instructions = screen.getByRole('tab', { name: 'Инструкции' });
    fireEvent.click(instructions);
    expect(instructions.getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByText('Experiments')).toBeNull();
  });

  it('says the platform is unavailable in Russian', async () => {
    await renderRussian([unavailable('База данных перезапускается')]);

    expect(
      screen.getByText('Платформа недоступна — повторяем попытку')
    ).toBeTruthy();
    expect(screen.getByText('База данных перезапускается')).toBeTruthy();
  });

  it('interpolates placeholders in Russian', async () => {
    await renderRussian([identity()]);

    expect(
      screen.getByRole('region', { name: 'Состояние платформы' }).textContent
    ).toContain('версия 0.1.0');
  });
});

describe('Experiments tab in Russian', () => {
  async function renderExperiments(api: ScriptedMlflow) {
    const trans = (await russian()).load(TRANSLATION_DOMAIN);
    const platform = new PlatformModel({
      api: new ScriptedAPI([identity()]),
      auto: false
    });
    const experiments = new ExperimentsModel({ api, auto: false });
    experiments.panelVisible = true;
    render(
      <PlatformView
        model={platform}
        tabs={productTabs({ experiments, commands: new CommandRegistry() })}
        trans={trans}
      />
    );
    await act(() => platform.refresh());
    await act(() => experiments.refresh());
    return { platform, experiments };
  }

  it('labels the buttons, the list and the runs table in Russian', async () => {
    const api = new ScriptedMlflow();
    api.runPages = [
      runPage({
        runs: [runRow({ status: 'RUNNING', can_write: false })],
        next_page_token: 'tok-2'
      })
    ];
    const { platform, experiments } = await renderExperiments(api);

    expect(
      screen.getByRole('button', { name: 'Отслеживать этот блокнот' })
    ).toBeTruthy();
    expect(
      screen.getByRole('button', { name: 'Записать блокнот в запуск' })
    ).toBeTruthy();
    expect(
      screen.getByRole('searchbox', { name: 'Поиск экспериментов' })
    ).toBeTruthy();

    await act(() => experiments.openExperiment(experiment()));
    const table = screen.getByRole('table', { name: 'Запуски' });
    expect(table.textContent).toContain('Выполняется');
    expect(table.textContent).toContain('только чтение');
    expect(table.textContent).toContain('1 мин 5 с');
    expect(screen.getByRole('button', { name: 'Сравнить' })).toBeTruthy();
    const pages = screen.getByRole('navigation', { name: 'Страницы запусков' });
    expect(pages.textContent).toContain('Страница 1');
    expect(screen.getByRole('button', { name: 'Далее' })).toBeTruthy();

    experiments.dispose();
    platform.dispose();
  });

  it('says MLflow is unavailable in Russian', async () => {
    const api = new ScriptedMlflow();
    api.experimentPages = [unavailable('MLflow перезапускается')];
    const { platform, experiments } = await renderExperiments(api);

    expect(
      screen.getByText('MLflow недоступен — повторяем попытку')
    ).toBeTruthy();
    expect(screen.getByText('MLflow перезапускается')).toBeTruthy();

    experiments.dispose();
    platform.dispose();
  });
});

describe('Admin tab in Russian', () => {
  it('labels the profile list, the form and the pod preview in Russian', async () => {
    const trans = (await russian()).load(TRANSLATION_DOMAIN);
    const profiles = new ProfilesModel({
      api: new ScriptedProfiles(),
      previewDelay: 5
    });
    render(<AdminTab model={profiles} trans={trans} />);
    await act(() => profiles.refresh());

    expect(screen.getByRole('list', { name: 'Список профилей' })).toBeTruthy();
    expect(screen.getByText('по умолчанию')).toBeTruthy();
    expect(screen.getAllByText('Доступен всем').length).toBeGreaterThan(0);

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Large CPU' }));
      await new Promise(resolve => setTimeout(resolve, 10));
    });
    expect(screen.getByLabelText('Лимит CPU')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Сохранить' })).toBeTruthy();
    expect(
      screen.getByRole('table', { name: 'Ресурсы пода' }).textContent
    ).toContain('ЗапросЛимит');

    profiles.dispose();
  });
});

describe('Git tab in Russian', () => {
  it('labels the sections, notebook summaries and the token form in Russian', async () => {
    const trans = (await russian()).load(TRANSLATION_DOMAIN);
    const api = new ScriptedGit();
    api.statuses = [gitStatus({ ahead: 2 })];
    const git = new GitModel({ api, auto: false });
    git.setDocumentFolder('churn');
    git.panelVisible = true;
    render(<GitTab model={git} trans={trans} />);
    await act(() => git.refresh());

    const changes = screen.getByRole('region', { name: 'Изменения' });
    expect(changes.textContent).toContain('Ячейки: добавлено 1, изменено 2');
    expect(changes.textContent).toContain('изменён');
    expect(
      screen.getByRole('checkbox', {
        name: 'Очистить выводы блокнотов в коммите'
      })
    ).toHaveProperty('checked', true);
    expect(screen.getByRole('button', { name: 'Сделать коммит' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Ветка' }).textContent).toContain(
      'Коммитов к отправке: 2'
    );
    expect(screen.getByRole('button', { name: 'Отправить' })).toBeTruthy();
    expect(screen.getByLabelText('Заменить новым токеном')).toBeTruthy();

    git.dispose();
  });
});
