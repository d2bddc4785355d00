import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { Notification } from '@jupyterlab/apputils';
import { waitForDialog } from '@jupyterlab/testing';
import * as React from 'react';

import { reasonLabels as adminReasonLabels } from '../../admin/labels';
import { ProfilesModel } from '../../admin/model';
import { reasonLabels } from '../../shell/errors';
import { AdminTab } from '../../admin/tab';
import { PlatformRequestError } from '../../api/request';
import { ProfileBody } from '../../admin/types';
import {
  conflict,
  invalidProfile,
  podPreview,
  profileList,
  profileRecord,
  ScriptedProfiles
} from './fixtures';
import { english, unavailable } from '../shell/fixtures';

const models: ProfilesModel[] = [];
// As the Admin tab's plugin does: the sidebar's registry knows its reasons
const registered = reasonLabels.add(adminReasonLabels);
afterAll(() => registered.dispose());
afterEach(() => models.splice(0).forEach(model => model.dispose()));
beforeEach(() => Notification.dismiss());

const notifications = () =>
  Notification.manager.notifications.map(n => ({
    type: n.type,
    message: n.message
  }));

/** Resolve once no list, preview, save or delete is under way. */
function settled(model: ProfilesModel): Promise<void> {
  return new Promise(resolve => {
    const check = () => {
      const { busy, status, editor } = model.state;
      const editorIdle =
        !editor ||
        (editor.preview.kind !== 'loading' &&
          !editor.saving &&
          !editor.deleting &&
          !editor.reloading);
      if (!busy && status.kind !== 'loading' && editorIdle) {
        model.stateChanged.disconnect(check);
        resolve();
      }
    };
    model.stateChanged.connect(check);
    setTimeout(check, 0);
  });
}

async function renderTab(api: ScriptedProfiles) {
  const model = new ProfilesModel({ api, previewDelay: 5 });
  models.push(model);
  render(<AdminTab model={model} trans={english} />);
  await act(() => settled(model));
  return model;
}

/** Render the tab and open "Large CPU" in the editor. */
async function renderEditor(api: ScriptedProfiles) {
  const model = await renderTab(api);
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Large CPU' }));
    await settled(model);
  });
  return model;
}

/** Type into an input and wait for the debounced preview to answer. */
async function type(model: ProfilesModel, input: HTMLElement, value: string) {
  await act(async () => {
    fireEvent.change(input, { target: { value } });
    await new Promise(resolve => setTimeout(resolve, 20));
    await settled(model);
  });
}

async function clickSave(model: ProfilesModel) {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await settled(model);
  });
}

/** The text of the messages an input points to with aria-describedby. */
function description(input: HTMLElement): string {
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map(id => document.getElementById(id)?.textContent ?? '')
    .join(' | ');
}

/** Click a button of the form that opens a JupyterLab dialog. */
async function clickForDialog(name: string): Promise<void> {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name }));
    await waitForDialog();
  });
}

/** Click a button of the open JupyterLab dialog, once it has rendered it. */
async function clickInDialog(name: string): Promise<void> {
  await waitForDialog();
  // jsdom has no showModal(), so it counts the dialog's content as hidden.
  const button = await waitFor(() =>
    within(document.querySelector('.jp-Dialog') as HTMLElement).getByRole(
      'button',
      { name, hidden: true }
    )
  );
  await act(async () => {
    fireEvent.click(button);
  });
  await waitFor(() => expect(document.querySelector('.jp-Dialog')).toBeNull());
}

const LOTS = "'lots' is not a CPU quantity like 2, 0.5 or 500m";

describe('ProfileList', () => {
  it('lists each profile with its resources, groups, default mark and last editor', async () => {
    await renderTab(new ScriptedProfiles());

    const list = screen.getByRole('list', { name: 'Profile list' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0].textContent).toContain('Small CPU');
    expect(items[0].textContent).toContain('default');
    expect(items[0].textContent).toContain('cpu-small');
    expect(items[0].textContent).toContain('CPU 0.5–2 · memory 1Gi–4Gi');
    expect(items[0].textContent).toContain('Open to everyone');
    expect(items[1].textContent).not.toContain('default');
    expect(items[2].textContent).toContain('GPU × 1');
    expect(items[2].textContent).toContain('Groups: gpu-users');
    expect(items[2].textContent).toContain('Updated by adam on');
  });

  it('says why the profiles cannot be read, and retries', async () => {
    const api = new ScriptedProfiles();
    api.lists = [unavailable('platform restarting'), profileList()];
    const model = await renderTab(api);

    expect(
      screen.getByText('Platform unavailable — profiles cannot be read')
    ).toBeTruthy();
    expect(screen.getByText('platform restarting')).toBeTruthy();

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
      await settled(model);
    });
    expect(screen.getByRole('list', { name: 'Profile list' })).toBeTruthy();
  });

  it('tells a refused reader it is not an admin', async () => {
    const api = new ScriptedProfiles();
    api.lists = [
      new PlatformRequestError({
        status: 403,
        url: 'http://localhost/jupyterlab-mlplat/profiles',
        serverMessage: 'Only platform admins may change workspace profiles.'
      })
    ];
    await renderTab(api);

    expect(screen.getByRole('alert').textContent).toContain(
      'Only platform admins may edit profiles (HTTP 403)'
    );
  });

  it('renders the platform strings as text', async () => {
    const api = new ScriptedProfiles();
    api.lists = [
      {
        profiles: [profileRecord({ display_name: '<img src=x onerror=1>' })],
        known_groups: []
      }
    ];
    await renderTab(api);

    expect(
      screen.getByRole('button', { name: '<img src=x onerror=1>' })
    ).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
  });
});

describe('ProfileEditor', () => {
  it('shows the pod resources of the profile', async () => {
    await renderEditor(new ScriptedProfiles());

    const preview = screen.getByRole('region', { name: 'Pod preview' });
    const table = within(preview).getByRole('table', { name: 'Pod resources' });
    const rows = within(table)
      .getAllByRole('row')
      .map(row => row.textContent);
    expect(rows).toEqual(['ResourceRequestLimit', 'cpu48', 'memory16Gi32Gi']);
    expect(preview.textContent).toContain(
      'quay.io/jupyter/scipy-notebook:2026-11-16'
    );
  });

  it('shows the message of a wrong input right under it, and in the preview instead of the pod', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    api.previews = [invalidProfile({ cpu_limit: LOTS })];

    const limit = screen.getByLabelText('CPU limit');
    await type(model, limit, 'lots');

    expect(limit.getAttribute('aria-invalid')).toBe('true');
    expect(description(limit)).toBe(LOTS);
    // Right under the input, before anything else of its field
    expect(limit.nextElementSibling?.textContent).toBe(LOTS);
    const preview = screen.getByRole('region', { name: 'Pod preview' });
    expect(within(preview).queryByRole('table')).toBeNull();
    expect(preview.textContent).toContain(
      'No pod: the profile is not valid yet.'
    );
    expect(preview.textContent).toContain(`CPU limit: ${LOTS}`);

    // Fixing it brings the pod back and the message goes
    api.previews = [
      podPreview({
        resources: {
          requests: { cpu: '4', memory: '16Gi' },
          limits: { cpu: '6', memory: '32Gi' }
        }
      })
    ];
    await type(model, limit, '6');
    expect(limit.getAttribute('aria-invalid')).toBeNull();
    expect(within(preview).getByRole('row', { name: /cpu/ }).textContent).toBe(
      'cpu46'
    );
  });

  it('after a refused save, lists every message at the top and keeps what was typed', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    api.previews = [invalidProfile({ cpu_limit: LOTS })];
    api.updated = [
      invalidProfile({
        cpu_limit: LOTS,
        'tolerations.0.key': 'a toleration needs the key of the taint',
        profile: 'the CPU guarantee is above the CPU limit'
      })
    ];

    await type(
      model,
      screen.getByLabelText('Description'),
      'Kept <b>as typed</b>'
    );
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add toleration' }));
      await settled(model);
    });
    await type(model, screen.getByLabelText('CPU limit'), 'lots');
    await clickSave(model);

    const summary = screen.getAllByRole('alert')[0];
    expect(summary.textContent).toContain(
      'Not saved: fix these and save again.'
    );
    // Save is at the bottom of a long form: the summary takes the focus
    await waitFor(() => expect(document.activeElement).toBe(summary));
    expect(summary.textContent).toContain(`CPU limit: ${LOTS}`);
    expect(summary.textContent).toContain(
      'Toleration 1: Taint key: a toleration needs the key of the taint'
    );
    const toleration = screen.getByRole('group', { name: 'Toleration 1' });
    const taintKey = within(toleration).getByLabelText('Taint key');
    expect(description(taintKey)).toBe(
      'a toleration needs the key of the taint'
    );
    // Each entry of the summary takes the user to its input
    fireEvent.click(within(summary).getByRole('button', { name: 'CPU limit' }));
    expect(document.activeElement).toBe(screen.getByLabelText('CPU limit'));
    fireEvent.click(
      within(summary).getByRole('button', { name: 'Toleration 1: Taint key' })
    );
    expect(document.activeElement).toBe(taintKey);
    expect(
      screen.getByRole('group', { name: 'Resources' }).textContent
    ).toContain('the CPU guarantee is above the CPU limit');
    // Nothing typed is lost
    expect(
      (screen.getByLabelText('Description') as HTMLTextAreaElement).value
    ).toBe('Kept <b>as typed</b>');
    expect((screen.getByLabelText('CPU limit') as HTMLInputElement).value).toBe(
      'lots'
    );
    expect(document.querySelector('b')).toBeNull();
    expect(notifications()).toEqual([]);
  });

  it('shows the bounds the platform refused next to each field', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    api.updated = [
      new PlatformRequestError({
        status: 400,
        url: 'http://localhost/jupyterlab-mlplat/profiles/cpu-large',
        serverMessage: 'field gpu: at most 64 (and 1 more)',
        reason: 'profile_invalid',
        fields: {
          gpu: 'at most 64',
          environment: 'LD_PRELOAD is set by the platform'
        },
        fieldReasons: {
          gpu: { reason: 'field_too_large', params: { le: 64 } },
          environment: {
            reason: 'env_reserved',
            params: { value: 'LD_PRELOAD' }
          }
        }
      })
    ];
    await clickSave(model);

    // The reason's label, in English too: the form's own sentences
    expect(description(screen.getByLabelText('GPUs'))).toBe(
      'Enter 64 or less. | Whole GPUs; 0 for none.'
    );
    expect(
      screen.getByRole('group', { name: 'Environment variables' }).textContent
    ).toContain(
      'LD_PRELOAD is set by the platform or changes how programs load: a profile may not set it.'
    );
  });

  it('shows a quota of 0 at its input in the form’s words, never pydantic’s', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    api.previews = [
      new PlatformRequestError({
        status: 400,
        url: 'http://localhost/jupyterlab-mlplat/profiles/preview',
        serverMessage: 'field quota.servers_per_user: enter 1 or more',
        reason: 'profile_invalid',
        fields: {
          'quota.servers_per_user': 'Input should be greater than or equal to 1'
        },
        fieldReasons: {
          'quota.servers_per_user': {
            reason: 'field_too_small',
            params: { ge: 1 }
          }
        }
      })
    ];

    const quota = screen.getByLabelText('Servers per user');
    await type(model, quota, '0');

    expect(quota.getAttribute('aria-invalid')).toBe('true');
    expect(description(quota)).toBe('Enter 1 or more.');
    const shown = quota.nextElementSibling as HTMLElement;
    expect(shown.className).toBe('jp-mlplat-field-error');
    expect(document.body.textContent).not.toContain('Input should');
  });

  it('tells a guarantee above its limit at both inputs, whichever was changed', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    const fields = 'cpu_guarantee,cpu_limit';
    const problem = {
      reason: 'cpu_guarantee_above_limit',
      params: { fields }
    };
    api.previews = [
      new PlatformRequestError({
        status: 400,
        url: 'http://localhost/jupyterlab-mlplat/profiles/preview',
        serverMessage: 'field cpu_guarantee: the CPU guarantee is above …',
        reason: 'profile_invalid',
        fields: {
          cpu_guarantee: 'the CPU guarantee is above the CPU limit',
          cpu_limit: 'the CPU guarantee is above the CPU limit'
        },
        fieldReasons: { cpu_guarantee: problem, cpu_limit: problem }
      })
    ];

    // Only the limit is lowered; the guarantee is the other field named
    await type(model, screen.getByLabelText('CPU limit'), '2');

    for (const label of ['CPU guarantee', 'CPU limit']) {
      const input = screen.getByLabelText(label);
      expect(input.getAttribute('aria-invalid')).toBe('true');
      expect(description(input)).toBe(
        'The CPU guarantee is above the CPU limit.'
      );
      expect((input.nextElementSibling as HTMLElement).className).toBe(
        'jp-mlplat-field-error'
      );
    }
  });

  it('saves the edits with the revision, says so, and returns to the list', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    let release: () => void = () => undefined;
    api.updateProfile = (slug, body, revision) => {
      api.calls.push({ method: 'updateProfile', args: [slug, body, revision] });
      return new Promise(resolve => {
        release = () =>
          resolve(profileRecord(body as never, { revision: revision + 1 }));
      });
    };

    await type(model, screen.getByLabelText('Description'), 'Faster.');
    fireEvent.click(screen.getByLabelText('gpu-users'));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
      await new Promise(resolve => setTimeout(resolve, 0));
    });

    // Disabled while saving
    expect(
      (screen.getByRole('button', { name: 'Saving…' }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
    await act(async () => {
      release();
      await settled(model);
    });

    const [slug, body, revision] = api.callsOf('updateProfile')[0] as [
      string,
      ProfileBody,
      number
    ];
    expect(slug).toBe('cpu-large');
    expect(revision).toBe(3);
    expect(body.description).toBe('Faster.');
    expect(body.allowed_groups).toEqual(['gpu-users']);
    expect(notifications()).toEqual([
      {
        type: 'success',
        message:
          'Profile “Large CPU” saved: servers started from now on use it.'
      }
    ]);
    expect(screen.getByRole('list', { name: 'Profile list' })).toBeTruthy();
  });

  it('on a conflict shows who saved and offers Reload, keeping the edits until then', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    const message =
      "eve changed profile 'cpu-large' since you opened it (revision 4, yours 3).";
    api.updated = [conflict(message)];

    await type(model, screen.getByLabelText('Description'), 'mine');
    await clickSave(model);

    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(
      'Not saved: somebody changed this profile meanwhile'
    );
    expect(alert.textContent).toContain(message);
    expect(
      (screen.getByLabelText('Description') as HTMLTextAreaElement).value
    ).toBe('mine');

    api.lists = [
      {
        ...profileList(),
        profiles: [
          profileRecord(
            { description: 'theirs' },
            { revision: 4, updated_by: 'eve' }
          )
        ]
      }
    ];
    await act(async () => {
      fireEvent.click(within(alert).getByRole('button', { name: 'Reload' }));
      await settled(model);
    });

    expect(screen.queryByRole('alert')).toBeNull();
    expect(
      (screen.getByLabelText('Description') as HTMLTextAreaElement).value
    ).toBe('theirs');
    expect(screen.getByText(/Revision 4, updated by eve/)).toBeTruthy();
  });

  it('edits node labels, tolerations, variables and quotas as rows', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);

    fireEvent.click(screen.getByRole('button', { name: 'Add node label' }));
    fireEvent.change(screen.getByLabelText('Node label 1'), {
      target: { value: 'mlplat/accelerator' }
    });
    fireEvent.change(screen.getByLabelText('Value of node label 1'), {
      target: { value: 'nvidia' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add toleration' }));
    const toleration = screen.getByRole('group', { name: 'Toleration 1' });
    fireEvent.change(within(toleration).getByLabelText('Taint key'), {
      target: { value: 'nvidia.com/gpu' }
    });
    fireEvent.change(within(toleration).getByLabelText('Operator'), {
      target: { value: 'Exists' }
    });
    expect(
      (within(toleration).getByLabelText('Value') as HTMLInputElement).disabled
    ).toBe(true);
    fireEvent.change(within(toleration).getByLabelText('Effect'), {
      target: { value: 'NoSchedule' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    fireEvent.change(screen.getByLabelText('Variable name 1'), {
      target: { value: 'DROP' }
    });
    fireEvent.change(screen.getByLabelText('Variable name 2'), {
      target: { value: 'MODE' }
    });
    fireEvent.change(screen.getByLabelText('Value of variable 2'), {
      target: { value: 'fast' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Remove variable 1' }));
    fireEvent.change(screen.getByLabelText('GPUs per user'), {
      target: { value: '1' }
    });
    await clickSave(model);

    const body = api.callsOf('updateProfile')[0][1] as ProfileBody;
    expect(body.node_selector).toEqual({ 'mlplat/accelerator': 'nvidia' });
    expect(body.tolerations).toEqual([
      {
        key: 'nvidia.com/gpu',
        operator: 'Exists',
        value: null,
        effect: 'NoSchedule'
      }
    ]);
    expect(body.environment).toEqual({ MODE: 'fast' });
    expect(body.quota.gpus_per_user).toBe(1);
    expect(body.quota.servers_per_user).toBeNull();
  });

  it('says when a variable is given twice, without asking the platform to save', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);

    fireEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    fireEvent.change(screen.getByLabelText('Variable name 1'), {
      target: { value: 'MODE' }
    });
    fireEvent.change(screen.getByLabelText('Variable name 2'), {
      target: { value: 'MODE' }
    });
    await clickSave(model);

    expect(api.callsOf('updateProfile')).toHaveLength(0);
    expect(
      screen.getByRole('group', { name: 'Environment variables' }).textContent
    ).toContain('“MODE” is listed twice; keep one.');
  });

  it('asks before deleting, and deletes only when confirmed', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);

    await clickForDialog('Delete');
    await waitFor(() =>
      expect(document.querySelector('.jp-Dialog')?.textContent).toContain(
        'Delete the profile “Large CPU”?'
      )
    );
    await clickInDialog('Cancel');
    expect(api.callsOf('deleteProfile')).toHaveLength(0);
    expect(model.state.editor).not.toBeNull();

    await clickForDialog('Delete');
    await clickInDialog('Delete');
    await act(async () => {
      await waitFor(() => expect(model.state.editor).toBeNull());
      await settled(model);
    });

    expect(api.callsOf('deleteProfile')).toEqual([['cpu-large', 3]]);
    expect(notifications()).toEqual([
      { type: 'success', message: 'Profile “Large CPU” deleted.' }
    ]);
  });

  it('asks before dropping unsaved edits on Cancel', async () => {
    const api = new ScriptedProfiles();
    const model = await renderEditor(api);
    await type(model, screen.getByLabelText('Description'), 'unsaved');

    await clickForDialog('Cancel');
    await clickInDialog('Keep editing');
    expect(
      (screen.getByLabelText('Description') as HTMLTextAreaElement).value
    ).toBe('unsaved');

    await clickForDialog('Cancel');
    await clickInDialog('Discard');
    expect(model.state.editor).toBeNull();
    expect(screen.getByRole('list', { name: 'Profile list' })).toBeTruthy();
  });

  it('opens an empty form for a new profile with the slug editable', async () => {
    const api = new ScriptedProfiles();
    const model = await renderTab(api);

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'New profile' }));
      await settled(model);
    });

    expect(screen.getByRole('heading', { name: 'New profile' })).toBeTruthy();
    const slug = screen.getByLabelText('Slug') as HTMLInputElement;
    expect(slug.readOnly).toBe(false);
    expect(slug.value).toBe('');
    expect(
      (screen.getByLabelText('Memory limit') as HTMLInputElement).value
    ).toBe('2Gi');
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(
      screen.getAllByRole('checkbox').map(box => box.parentElement?.textContent)
    ).toEqual(['Default profile', 'data-scientists', 'gpu-users', 'reviewers']);
  });
});
