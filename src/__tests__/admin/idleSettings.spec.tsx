import {
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';

import {
  ISetting,
  ISettingsAPI,
  ISettingsList,
  SettingsModel
} from '../../admin/settings';
import { reasonLabels as adminReasonLabels } from '../../admin/labels';
import { SettingsSection } from '../../admin/settingsSection';
import { reasonLabels } from '../../shell/errors';
import { russianBundle } from '../shell/catalogue';
import { english } from '../shell/fixtures';

// As the Admin tab's plugin does: the sidebar's registry knows its reasons
const registered = reasonLabels.add(adminReasonLabels);
afterAll(() => registered.dispose());

function setting(
  key: string,
  feature: string,
  overrides: Partial<ISetting> = {}
): ISetting {
  return {
    key,
    feature,
    kind: 'number',
    minimum: 0,
    maximum: 1,
    default: 0.05,
    value: 0.05,
    overridden: false,
    revision: 0,
    updated_at: null,
    updated_by: null,
    ...overrides
  };
}

/** The platform's settings as U's SPECS list them, the hub's culler at an hour. */
class Settings implements ISettingsAPI {
  list: ISettingsList = {
    settings: [
      setting('approvals_required', 'reviews', {
        kind: 'integer',
        minimum: 1,
        maximum: 10,
        default: 1,
        value: 1
      }),
      setting('idle_cpu_fraction', 'analytics'),
      setting('idle_gpu_notify_minutes', 'analytics', {
        kind: 'integer',
        minimum: 5,
        maximum: 10080,
        default: 60,
        value: 60
      })
    ],
    hub: { server_idle_timeout: 3600 }
  };
  sent: [string, number | string | null, number][] = [];

  async settings(): Promise<ISettingsList> {
    return this.list;
  }

  async change(
    key: string,
    value: number | string | null,
    revision: number
  ): Promise<ISetting> {
    this.sent.push([key, value, revision]);
    const old = this.list.settings.find(s => s.key === key)!;
    return {
      ...old,
      value: Number(value),
      overridden: true,
      revision: revision + 1,
      updated_by: 'adam'
    };
  }
}

describe('the idle thresholds in the Admin tab', () => {
  it('are edited beside the hub’s idle culler, the placeholder gone', async () => {
    const api = new Settings();
    render(
      <SettingsSection model={new SettingsModel({ api })} trans={english} />
    );
    const idle = (await screen.findByRole('group', {
      name: 'Idle thresholds'
    })) as HTMLElement;

    expect(
      within(idle).getByText(
        'Idle servers are stopped by the hub after 60 minutes.'
      )
    ).toBeTruthy();
    const share = within(idle).getByLabelText(
      'Idle: share of the requested CPU'
    );
    const minutes = within(idle).getByLabelText(
      'Idle GPU: minutes before its owner is told'
    );
    expect(share).toHaveProperty('value', '0.05');
    expect(minutes).toHaveProperty('value', '60');
    expect(
      within(idle).queryByLabelText('Approvals needed to publish')
    ).toBeNull();
    expect(screen.getByLabelText('Approvals needed to publish')).toBeTruthy();
    expect(screen.queryByText(/comes with the GPU usage analytics/)).toBeNull();

    // an admin changes the minutes like any setting, with the revision shown
    fireEvent.change(minutes, { target: { value: '30' } });
    fireEvent.submit(minutes.closest('form')!);
    await waitFor(() =>
      expect(api.sent).toEqual([['idle_gpu_notify_minutes', 30, 0]])
    );
    expect(
      await within(idle).findByText('Saved: 30 is now in force.')
    ).toBeTruthy();
  });

  it('say what to type for an empty or non-numeric value, sending nothing', async () => {
    const api = new Settings();
    render(
      <SettingsSection
        model={new SettingsModel({ api })}
        trans={russianBundle()}
      />
    );
    const approvals = await screen.findByLabelText(
      'Сколько одобрений нужно для публикации'
    );
    for (const typed of ['', 'abc']) {
      fireEvent.change(approvals, { target: { value: typed } });
      fireEvent.submit(approvals.closest('form')!);
      expect(
        await screen.findByText(/Введите целое число от 1 до 10\./)
      ).toBeTruthy();
    }
    expect(api.sent).toEqual([]);
  });

  it('are labelled in Russian', async () => {
    render(
      <SettingsSection
        model={new SettingsModel({ api: new Settings() })}
        trans={russianBundle()}
      />
    );
    expect(
      await screen.findByLabelText('Простой: доля запрошенного CPU')
    ).toBeTruthy();
    expect(
      screen.getByLabelText('Простой GPU: минут до уведомления владельца')
    ).toBeTruthy();
  });
});
