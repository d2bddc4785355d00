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
        deployment: null
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
        deployment: null
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
