import { fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';

import { DeployFields } from '../../deployments/deployDialog';
import { RegisterFields, registerModel } from '../../models/registerDialog';
import { NameField } from '../../shell/fields';
import {
  nameProblem,
  nameRefusalMessage,
  nameRuleBroken,
  NameKind
} from '../../shell/naming';
import { size } from '../deployments/fixtures';
import { ScriptedModels } from '../models/fixtures';
import { english } from './fixtures';

function Field(props: {
  kind: NameKind;
  initial: string;
  error?: string | null;
  suggestions?: string[];
}): JSX.Element {
  const [value, setValue] = React.useState(props.initial);
  const [error, setError] = React.useState(props.error ?? null);
  return (
    <NameField
      kind={props.kind}
      label="Name"
      value={value}
      error={error}
      hint="What it is called."
      suggestions={props.suggestions}
      onChange={next => {
        setValue(next);
        setError(null);
      }}
      trans={english}
    />
  );
}

describe('the naming rules', () => {
  it('check a deployment’s name as core/kernel/naming.py does', () => {
    expect(nameRuleBroken('deployment', 'churn-v3')).toBeNull();
    expect(nameRuleBroken('deployment', '')).toEqual({ rule: 'empty' });
    expect(nameRuleBroken('deployment', 'a'.repeat(41))).toEqual({
      rule: 'too_long',
      limit: 40
    });
    for (const bad of ['Churn', '-churn', 'churn-', 'chur n', 'ch_urn']) {
      expect(nameRuleBroken('deployment', bad)?.rule).toBe('characters');
    }
    expect(nameRuleBroken('deployment', 'default')?.rule).toBe('reserved');
  });

  it('check a registered model’s name as MLflow takes it', () => {
    for (const good of ['Churn model', 'отток', 'a.b', 'x'.repeat(256)]) {
      expect(nameRuleBroken('model', good)).toBeNull();
    }
    expect(nameRuleBroken('model', '  \ufeff')).toEqual({ rule: 'empty' });
    expect(nameRuleBroken('model', 'x'.repeat(257))?.rule).toBe('too_long');
    for (const bad of ['a/b', 'a:b', 'a\u0000b', 'a\u202eb', '.', '..x']) {
      expect(nameRuleBroken('model', bad)?.rule).toBe('characters');
    }
  });

  it('say the platform’s refusal in the words of the live check', () => {
    for (const [kind, name] of [
      ['deployment', 'Churn'],
      ['deployment', 'a'.repeat(41)],
      ['deployment', 'api'],
      ['model', 'a/b']
    ] as [NameKind, string][]) {
      const broken = nameRuleBroken(kind, name)!;
      expect(
        nameRefusalMessage(
          kind,
          { field: 'name', ...broken } as { [name: string]: string | number },
          english
        )
      ).toBe(nameProblem(kind, name, english));
    }
    expect(
      nameRefusalMessage('model', { field: 'name', rule: 'new' }, english)
    ).toBeNull();
  });
});

describe('NameField', () => {
  it('says what is wrong as one types, under the input it describes', () => {
    render(<Field kind="deployment" initial="churn" />);
    const input = screen.getByLabelText('Name');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    fireEvent.change(input, { target: { value: 'Churn!' } });
    const message = screen.getByText(
      'Only lowercase letters, digits and “-”, starting and ending with a letter or digit.'
    );
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain(message.id);
    expect(input.getAttribute('aria-describedby')).toContain(
      screen.getByText('What it is called.').id
    );
  });

  it('shows the platform’s message until the name changes', () => {
    render(
      <Field kind="model" initial="churn" error="The name is taken by bob." />
    );
    expect(screen.getByText('The name is taken by bob.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Name'), {
      target: { value: 'churn/2' }
    });
    expect(screen.queryByText('The name is taken by bob.')).toBeNull();
    expect(
      screen.getByText(
        'A model name may not contain “/”, “:” or control characters.'
      )
    ).toBeTruthy();
  });

  it('says nothing while empty, and offers the names it is given', () => {
    const { container } = render(
      <Field kind="model" initial="" suggestions={['churn', 'fraud']} />
    );
    const input = screen.getByLabelText('Name');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    const options = Array.from(
      container.querySelectorAll(
        `#${CSS.escape(input.getAttribute('list')!)} option`
      )
    ).map(option => option.getAttribute('value'));
    expect(options).toEqual(['churn', 'fraud']);
  });
});

describe('the dialogs that name something', () => {
  it('check the name with the same field and rules', () => {
    render(
      <>
        <RegisterFields
          form={{
            modelId: 'm-abc',
            name: 'churn',
            nameError: null,
            modelError: null,
            failure: null
          }}
          logged={[]}
          myModels={[]}
          trans={english}
          onChange={() => undefined}
        />
        <DeployFields
          form={{
            name: 'churn-v1',
            stage: 'staging',
            size: 'small',
            nameError: null,
            sizeError: null,
            stageError: null,
            failure: null
          }}
          target={{ modelName: 'churn', version: '1', published: false }}
          sizes={[size()]}
          trans={english}
          onChange={() => undefined}
        />
      </>
    );
    const model = screen.getByLabelText('Registered model');
    const deployment = screen.getByLabelText('Name');
    fireEvent.change(model, { target: { value: 'x'.repeat(300) } });
    fireEvent.change(deployment, { target: { value: 'x'.repeat(50) } });
    // one sentence for one rule, the limit each kind's own
    expect(screen.getByText('At most 256 characters.')).toBeTruthy();
    expect(screen.getByText('At most 40 characters.')).toBeTruthy();
    for (const input of [model, deployment]) {
      expect(input.className).toBe('jp-mod-styled');
      expect(input.closest('.jp-mlplat-field')?.className).toContain(
        'jp-mod-invalid'
      );
    }
  });

  it('send no name the rules refuse: the register dialog asks again', async () => {
    const api = new ScriptedModels();
    const answers = ['churn:v2', 'churn'];
    const shown: (string | null)[] = [];
    await registerModel({
      api,
      runId: 'run-1',
      myModels: [],
      trans: english,
      ask: async body => {
        shown.push(body.getValue().nameError);
        return { ...body.getValue(), name: answers.shift()! };
      }
    });
    expect(shown).toEqual([
      null,
      'A model name may not contain “/”, “:” or control characters.'
    ]);
    expect(api.named('register')).toHaveLength(1);
  });
});
