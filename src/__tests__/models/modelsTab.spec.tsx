import { CommandRegistry } from '@lumino/commands';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { CommandIDs } from '../../models/commandIds';
import { ModelsModel } from '../../models/model';
import { ModelsTab } from '../../models/tab';
import { IPlatformNotification } from '../../shell/types';
import { INotificationFeed } from '../../tokens';
import { english } from '../shell/fixtures';
import { modelVersion, refused, ScriptedModels } from './fixtures';

function feedOf(items: IPlatformNotification[]): INotificationFeed {
  const owner = {};
  return {
    state: { items, status: { kind: 'ready' } },
    stateChanged: new Signal(owner),
    arrived: new Signal(owner),
    refresh: async () => undefined
  };
}

function setUp(api: ScriptedModels, feed: INotificationFeed | null = null) {
  const model = new ModelsModel({ api });
  const commands = new CommandRegistry();
  const opened: ReadonlyPartialJSONObject[] = [];
  commands.addCommand(CommandIDs.openVersion, {
    execute: args => void opened.push(args)
  });
  render(
    <ModelsTab
      model={model}
      commands={commands}
      notifications={feed}
      trans={english}
    />
  );
  return { model, opened };
}

describe('the Models tab', () => {
  it('lists my models with their versions’ key metrics; a version opens its page', async () => {
    const api = new ScriptedModels();
    api.list = {
      models: [
        {
          name: 'churn',
          description: '',
          created_at: 1,
          updated_at: 2,
          aliases: {},
          versions: [
            {
              version: modelVersion({ version: '2' }),
              metrics: { accuracy: 0.912345678, f1: 0.8 }
            },
            { version: modelVersion({ version: '1' }), metrics: {} }
          ]
        }
      ],
      next_page_token: null
    };
    const { model, opened } = setUp(api);
    await act(() => model.refresh());

    const versions = screen.getByRole('table', { name: 'Versions of churn' });
    expect(within(versions).getAllByRole('row')).toHaveLength(3);
    expect(versions.textContent).toContain('accuracy = 0.912346');
    expect(versions.textContent).toContain('f1 = 0.8');
    fireEvent.click(within(versions).getByRole('button', { name: 'v2' }));
    expect(opened).toEqual([{ name: 'churn', version: '2' }]);
    model.dispose();
  });

  it('reads my models as soon as the tab is shown in a shown panel', async () => {
    const api = new ScriptedModels();
    api.list = {
      models: [
        {
          name: 'churn',
          description: '',
          created_at: 1,
          updated_at: 2,
          aliases: {},
          versions: []
        }
      ],
      next_page_token: null
    };
    const { model } = setUp(api);
    // the tab is drawn: nobody asks yet, the panel is hidden
    expect(api.named('models')).toHaveLength(0);
    await act(async () => {
      model.panelVisible = true;
    });
    expect(api.named('models')).toHaveLength(1);
    expect(
      screen.getByRole('list', { name: 'My models' }).textContent
    ).toContain('churn');
    model.dispose();
  });

  it('pages through 120 models twenty at a time, back and forth', async () => {
    const api = new ScriptedModels();
    api.all = Array.from({ length: 120 }, (_, index) => ({
      name: `model-${String(index + 1).padStart(3, '0')}`,
      description: '',
      created_at: 1,
      updated_at: 2,
      aliases: {},
      versions: [{ version: modelVersion({ version: '1' }), metrics: {} }]
    }));
    const { model } = setUp(api);
    await act(() => model.refresh());

    const list = () => screen.getByRole('list', { name: 'My models' });
    const names = () =>
      Array.from(list().querySelectorAll('.jp-mlplat-model-name')).map(
        node => node.textContent
      );
    const pager = screen.getByRole('navigation', {
      name: 'Pages of my models'
    });
    const button = (name: string) =>
      within(pager).getByRole('button', { name }) as HTMLButtonElement;
    expect(names()).toHaveLength(20);
    expect(names()[0]).toBe('model-001');
    expect(within(pager).getByText('Page 1')).toBeTruthy();
    expect(button('Previous').disabled).toBe(true);

    for (let page = 2; page <= 6; page++) {
      await act(async () => {
        fireEvent.click(button('Next'));
      });
      expect(within(pager).getByText(`Page ${page}`)).toBeTruthy();
    }
    expect(names()[19]).toBe('model-120');
    expect(button('Next').disabled).toBe(true);

    await act(async () => {
      fireEvent.click(button('Previous'));
    });
    expect(within(pager).getByText('Page 5')).toBeTruthy();
    expect(names()[0]).toBe('model-081');
    // each page was asked for with the token the page before gave
    expect(api.named('models').map(args => args[0])).toEqual([
      null,
      'after-20',
      'after-40',
      'after-60',
      'after-80',
      'after-100',
      'after-80'
    ]);
    // a refresh reads the page shown, not the first
    await act(() => model.refresh());
    expect(names()[0]).toBe('model-081');
    model.dispose();
  });

  it('shows no pager when every model fits on one page', async () => {
    const api = new ScriptedModels();
    api.all = [];
    const { model } = setUp(api);
    await act(() => model.refresh());
    expect(screen.queryByRole('navigation')).toBeNull();
    model.dispose();
  });

  it('says how to get a first model, and why the list is missing', async () => {
    const api = new ScriptedModels();
    const { model } = setUp(api);
    await act(() => model.refresh());
    expect(screen.getByText(/You have no registered models yet/)).toBeTruthy();

    api.failures.models = [refused(503, 'mlflow_unavailable')];
    await act(() => model.refresh());
    expect(screen.getByText('The model registry is unavailable')).toBeTruthy();
    model.dispose();
  });

  it('lists the news about my versions, each opening its version', async () => {
    const api = new ScriptedModels();
    const news: IPlatformNotification[] = [
      {
        id: 9,
        kind: 'decided',
        publication_id: 1,
        model_name: 'churn',
        version: '3',
        actor: 'rita',
        action: 'request_changes',
        comment: 'Name the training data.',
        at: '2026-12-02T10:00:00Z',
        deployment: null,
        workspace: null
      },
      {
        id: 8,
        kind: 'submitted',
        publication_id: 2,
        model_name: 'fraud',
        version: '1',
        actor: 'bob',
        action: 'submit',
        comment: '',
        at: '2026-12-02T09:00:00Z',
        deployment: null,
        workspace: null
      }
    ];
    const { model, opened } = setUp(api, feedOf(news));
    const section = screen.getByRole('region', {
      name: 'News about your models'
    });
    // a reviewer's news (a submission) is the Reviews tab's
    expect(within(section).getAllByRole('button')).toHaveLength(1);
    expect(section.textContent).toContain('Name the training data.');
    fireEvent.click(within(section).getByRole('button'));
    expect(opened).toEqual([{ name: 'churn', version: '3' }]);
    model.dispose();
  });
});
