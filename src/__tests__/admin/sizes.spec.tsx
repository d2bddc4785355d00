import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';

import { PlatformRequestError } from '../../api/request';
import {
  IDeploymentSize,
  ISizeDraft,
  ISizesAPI,
  sizeFields,
  SizesModel
} from '../../admin/sizes';
import { SizesSection } from '../../admin/sizesSection';
import { reasonLabels } from '../../deployments/labels';
import { reasonLabels as registry } from '../../shell/errors';
import { english } from '../shell/fixtures';

beforeAll(() => registry.add(reasonLabels));

function size(overrides: Partial<IDeploymentSize> = {}): IDeploymentSize {
  return {
    name: 'small',
    title: 'Small',
    resources: { cpu: '500m', memory: '512Mi', replicas: 1, max_replicas: 1 },
    revision: 3,
    ...overrides
  };
}

/** The sizes API as a script; every change is recorded. */
class ScriptedSizes implements ISizesAPI {
  list: IDeploymentSize[] = [size()];
  refusal: PlatformRequestError | null = null;
  sent: [string, unknown][] = [];

  async sizes(): Promise<{ sizes: IDeploymentSize[] }> {
    return { sizes: this.list };
  }
  async createSize(draft: ISizeDraft): Promise<IDeploymentSize> {
    this.sent.push(['create', draft]);
    return this._answer(draft);
  }
  async updateSize(
    draft: ISizeDraft,
    revision: number
  ): Promise<IDeploymentSize> {
    this.sent.push(['update', { ...draft, revision }]);
    return this._answer(draft);
  }
  async deleteSize(name: string, revision: number): Promise<void> {
    this.sent.push(['delete', { name, revision }]);
    if (this.refusal) {
      throw this.refusal;
    }
  }
  private _answer(draft: ISizeDraft): IDeploymentSize {
    if (this.refusal) {
      throw this.refusal;
    }
    return size({ name: draft.name });
  }
}

describe('SizesModel', () => {
  it('sends numbers as numbers and text the platform should judge as typed', () => {
    expect(
      sizeFields({
        name: 'x',
        title: ' Big ',
        cpu: '2',
        memory: '4Gi',
        replicas: '2',
        max_replicas: 'four'
      })
    ).toEqual({
      title: 'Big',
      cpu: '2',
      memory: '4Gi',
      replicas: 2,
      max_replicas: 'four'
    });
  });

  it('saves a change with the revision the editor started from', async () => {
    const api = new ScriptedSizes();
    const model = new SizesModel({ api });
    await model.refresh();
    model.edit(model.state.sizes![0]);
    model.setField('memory', '1Gi');
    expect(await model.save()).toBe(true);
    expect(api.sent).toEqual([
      [
        'update',
        {
          name: 'small',
          title: 'Small',
          cpu: '500m',
          memory: '1Gi',
          replicas: '1',
          max_replicas: '1',
          revision: 3
        }
      ]
    ]);
    expect(model.state.editor).toBeNull();
  });

  it('keeps the draft and puts a refused quantity beside its input', async () => {
    const api = new ScriptedSizes();
    api.refusal = new PlatformRequestError({
      status: 400,
      url: 'x',
      serverMessage: 'cpu is not a quantity',
      reason: 'size_invalid',
      params: { field: 'cpu', rule: 'quantity' }
    });
    const model = new SizesModel({ api });
    model.create();
    model.setField('name', 'huge');
    model.setField('cpu', 'lots');
    expect(await model.save()).toBe(false);
    const editor = model.state.editor!;
    expect(editor.draft.cpu).toBe('lots');
    expect(Object.keys(editor.fields)).toEqual(['cpu']);
  });
});

describe('SizesSection', () => {
  it('lists the sizes and edits one, the message beside the input', async () => {
    const api = new ScriptedSizes();
    api.refusal = new PlatformRequestError({
      status: 400,
      url: 'x',
      serverMessage: 'max_replicas below replicas',
      reason: 'size_invalid',
      params: { field: 'max_replicas', rule: 'below_replicas' }
    });
    const model = new SizesModel({ api });
    render(<SizesSection model={model} trans={english} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Small' }));
    fireEvent.change(screen.getByLabelText('Replicas'), {
      target: { value: '3' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(
        screen.getByText(
          'Most replicas: must be at least the number of replicas.'
        )
      ).toBeTruthy()
    );
    expect(
      screen.getByLabelText('Most replicas').getAttribute('aria-invalid')
    ).toBe('true');
  });

  it('asks before deleting, and says why a size in use stays', async () => {
    const api = new ScriptedSizes();
    api.refusal = new PlatformRequestError({
      status: 409,
      url: 'x',
      reason: 'size_in_use',
      params: { size: 'small', count: 2 }
    });
    const asked: string[] = [];
    const model = new SizesModel({ api });
    render(
      <SizesSection
        model={model}
        trans={english}
        confirm={async title => {
          asked.push(title);
          return true;
        }}
      />
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Small' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(
      await screen.findByText(
        'The size “small” is used by 2 deployments: give them another size first.'
      )
    ).toBeTruthy();
    expect(asked).toEqual(['Delete the size “small”?']);
    expect(api.sent).toEqual([['delete', { name: 'small', revision: 3 }]]);
  });
});
