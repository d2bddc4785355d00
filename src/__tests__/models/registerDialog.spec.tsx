import { Widget } from '@lumino/widgets';
import { fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import {
  IRegisterForm,
  placeRefusal,
  RegisterFields,
  registerModel
} from '../../models/registerDialog';
import { reasonLabels } from '../../models/labels';
import { reasonLabels as registry } from '../../shell/errors';
import { english } from '../shell/fixtures';
import { refused, ScriptedModels } from './fixtures';

const empty: IRegisterForm = {
  modelId: 'm-abc',
  name: 'churn',
  nameError: null,
  modelError: null,
  failure: null
};

// as the plugin adds them to the running sidebar
const labels = registry.add(reasonLabels);
afterAll(() => labels.dispose());

describe('placeRefusal', () => {
  it('puts a name refused by MLflow’s rules under the name', () => {
    const form = placeRefusal(
      empty,
      refused(400, 'name_invalid', {
        params: { field: 'name', rule: 'characters', value: 'a/b' }
      }),
      english
    );
    expect(form.nameError).toBe(
      'A model name may not contain “/”, “:” or control characters.'
    );
    expect(form.failure).toBeNull();
  });

  it('puts somebody else’s name under the name, naming the owner', () => {
    const error = refused(403, 'model_name_taken', {
      params: { name: 'churn', owner: 'bob' },
      serverMessage: undefined
    });
    const form = placeRefusal(empty, error, english);
    expect(form.nameError).toBe(
      'The name “churn” belongs to a model of bob: choose another name, or one of your own models.'
    );
  });

  it('puts a missing logged model under its select, anything else on top', () => {
    expect(
      placeRefusal(empty, refused(404, 'logged_model_not_found'), english)
        .modelError
    ).toBeTruthy();
    const other = placeRefusal(
      empty,
      refused(503, 'mlflow_unavailable'),
      english
    );
    expect(other.failure).toBeTruthy();
    expect(other.nameError).toBeNull();
  });
});

describe('RegisterFields', () => {
  it('offers the run’s models and the person’s own model names', () => {
    const changes: IRegisterForm[] = [];
    const { container } = render(
      <RegisterFields
        form={{ ...empty, nameError: 'taken' }}
        logged={[
          {
            model_id: 'm-abc',
            name: 'model',
            run_id: 'r',
            artifact_uri: '',
            created_at: null
          },
          {
            model_id: 'm-def',
            name: 'other',
            run_id: 'r',
            artifact_uri: '',
            created_at: null
          }
        ]}
        myModels={['churn', 'fraud']}
        trans={english}
        onChange={form => changes.push(form)}
      />
    );
    const name = screen.getByLabelText('Registered model') as HTMLInputElement;
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('taken')).toBeTruthy();
    const options = Array.from(
      container.querySelectorAll(
        `#${CSS.escape(name.getAttribute('list')!)} option`
      )
    ).map(option => option.getAttribute('value'));
    expect(options).toEqual(['churn', 'fraud']);

    fireEvent.change(name, { target: { value: 'fraud' } });
    fireEvent.change(screen.getByLabelText('Logged model'), {
      target: { value: 'm-def' }
    });
    expect(changes[changes.length - 1]).toEqual(
      expect.objectContaining({
        name: 'fraud',
        modelId: 'm-def',
        nameError: null
      })
    );
  });
});

describe('registerModel', () => {
  it('asks again with the reason beside the name, then registers', async () => {
    const api = new ScriptedModels();
    api.failures.register = [
      refused(403, 'catalog_read_only', {
        params: { prefix: 'catalog.' },
        serverMessage: undefined
      })
    ];
    const shown: IRegisterForm[] = [];
    const answers = ['catalog.churn', 'churn'];
    const registered = await registerModel({
      api,
      runId: 'run-1',
      myModels: ['churn'],
      trans: english,
      ask: async body => {
        // the dialog shows what the form holds now
        Widget.attach(body, document.body);
        shown.push(body.getValue());
        Widget.detach(body);
        return { ...body.getValue(), name: answers.shift()! };
      }
    });

    expect(api.named('register')).toEqual([
      [
        {
          run_id: 'run-1',
          model_id: 'm-abc',
          artifact_path: '',
          name: 'catalog.churn'
        }
      ],
      [{ run_id: 'run-1', model_id: 'm-abc', artifact_path: '', name: 'churn' }]
    ]);
    expect(shown[0].name).toBe('churn');
    expect(shown[1]).toEqual(
      expect.objectContaining({
        name: 'catalog.churn',
        nameError:
          'Models whose names start with “catalog.” belong to the catalog: only a review publishes them. Choose another name.'
      })
    );
    expect(registered).toEqual(
      expect.objectContaining({ name: 'churn', version: '1' })
    );
  });

  it('registers nothing when the person cancels', async () => {
    const api = new ScriptedModels();
    const answer = await registerModel({
      api,
      runId: 'run-1',
      myModels: [],
      trans: english,
      ask: async () => null
    });
    expect(answer).toBeNull();
    expect(api.named('register')).toEqual([]);
  });
});
