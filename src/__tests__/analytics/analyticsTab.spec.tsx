import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { reasonLabels } from '../../analytics/labels';
import { AnalyticsModel } from '../../analytics/model';
import { analyticsTab, ANALYTICS_RANK } from '../../analytics/plugin';
import { AnalyticsTab } from '../../analytics/tab';
import { PlatformRequestError } from '../../api/request';
import { reasonLabels as registry } from '../../shell/errors';
import { russianBundle } from '../shell/catalogue';
import { english, identity } from '../shell/fixtures';
import {
  emptyUsage,
  idleReport,
  ScriptedAnalytics,
  teamsReport
} from './fixtures';

// the labels the plugin adds to the sidebar's registry
beforeAll(() => registry.add(reasonLabels));

// jsdom has no canvas: charts keep their accessible label and draw nothing.
beforeAll(() => {
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockImplementation(() => null);
});
afterAll(() => jest.restoreAllMocks());

const TODAY = new Date('2026-12-03T10:00:00Z');
const models: AnalyticsModel[] = [];

afterEach(() => {
  models.splice(0).forEach(model => model.dispose());
  document.documentElement.lang = '';
});

function setup(
  api = new ScriptedAnalytics(),
  who = identity(),
  trans: TranslationBundle = english,
  save: (blob: Blob, name: string) => void = () => undefined
) {
  const model = new AnalyticsModel({ api, today: () => TODAY, save });
  models.push(model);
  model.panelVisible = true;
  render(<AnalyticsTab model={model} trans={trans} identity={who} />);
  return { api, model };
}

describe('Analytics tab', () => {
  it('is a tab for everybody, between Instructions and Admin', () => {
    const model = new AnalyticsModel({ api: new ScriptedAnalytics() });
    models.push(model);
    const tab = analyticsTab(model);
    expect(tab.role).toBeUndefined();
    expect(tab.id).toBe('analytics');
    expect(ANALYTICS_RANK).toBeGreaterThan(600);
    expect(ANALYTICS_RANK).toBeLessThan(900);
    expect(
      typeof tab.label === 'function' ? tab.label(english) : tab.label
    ).toBe('Analytics');
  });

  it('reads the reports once seen and shows the figures of a person’s teams', async () => {
    const { api } = setup();
    const teams = await screen.findByRole('table', { name: 'Team figures' });

    expect(api.queries('usage')).toHaveLength(1);
    expect(
      screen.getByText('Your figures and your teams’: data-scientists.')
    ).toBeTruthy();
    // the days in the UI language's form (English here), not the browser's
    expect(screen.getByLabelText('From')).toHaveProperty('value', '11/4/2026');
    expect(screen.getByLabelText('To')).toHaveProperty('value', '12/3/2026');

    // the usage: both charts and the table of every group
    const usage = screen.getByRole('region', { name: 'Resource usage' });
    expect(
      within(usage).getByText('Efficiency: used / requested')
    ).toBeTruthy();
    expect(within(usage).getByText('Hours per day')).toBeTruthy();
    expect(
      within(usage)
        .getAllByRole('img')
        .map(canvas => canvas.getAttribute('aria-label'))
    ).toEqual([
      'Bar chart of CPU and memory used against requested, in percent, for 2 groups',
      'Line chart of Hours per day: 3 lines, 9 points'
    ]);
    const usageTable = within(usage).getByRole('table', {
      name: 'Usage per Team'
    });
    const row = within(usageTable).getByRole('row', {
      name: /data-scientists/
    });
    expect(
      within(row)
        .getAllByRole('cell')
        .map(cell => cell.textContent)
    ).toEqual(['30.5', '50%', '75%', '10', '4.0', '3.5']);

    // the idle servers
    const idle = screen.getByRole('table', { name: 'Most idle servers' });
    expect(idle.textContent).toContain('gpu-small');
    expect(idle.textContent).toContain('workspace');

    // the team figures, a row per period and the totals
    const body = teams.querySelectorAll('tbody tr');
    expect(body).toHaveLength(2);
    expect(body[0].textContent).toContain('week of Oct 26, 2026');
    expect(body[1].textContent).toContain('—');
    const total = teams.querySelector('tfoot tr')!;
    expect(total.textContent).toContain('Total, Nov 1, 2026 – Nov 30, 2026');
    expect(total.textContent).toContain('1,500');
  });

  it('tells an admin the figures are every team’s', async () => {
    setup(
      new ScriptedAnalytics(),
      identity({ name: 'adam', roles: ['admin'], groups: ['admins'] })
    );
    expect(
      await screen.findByText('Every team: you are an administrator.')
    ).toBeTruthy();
  });

  it('says in words when no sample came yet, and when nothing was idle', async () => {
    const api = new ScriptedAnalytics();
    api.usages = [emptyUsage()];
    api.idles = [idleReport([])];
    api.teamses = [teamsReport({ rows: [], totals: [] })];
    setup(api);

    expect(
      await screen.findByText(/sampled every minute: the first figures appear/)
    ).toBeTruthy();
    expect(screen.queryByRole('figure')).toBeNull();
    expect(screen.getByText(/No server was idle in this range/)).toBeTruthy();
    expect(
      screen.getByText(
        'Nothing was tracked, registered, published or deployed in this range.'
      )
    ).toBeTruthy();
  });

  it('refuses a range in the wrong order beside the dates and asks nothing', async () => {
    const { api } = setup();
    await screen.findByRole('table', { name: 'Team figures' });
    api.asked = [];

    fireEvent.change(screen.getByLabelText('To'), {
      target: { value: '2026-11-01' }
    });

    expect(screen.getByRole('alert').textContent).toBe(
      '“To” must not be earlier than “From”.'
    );
    // the figures still shown are said to be those of the range answered before
    expect(screen.getByText('Shown: Nov 1, 2026 – Nov 3, 2026')).toBeTruthy();
    expect(screen.getByLabelText('To').getAttribute('aria-invalid')).toBe(
      'true'
    );
    expect(
      screen.getByRole('button', { name: 'Export usage CSV' })
    ).toHaveProperty('disabled', true);
    expect(api.asked).toEqual([]);
  });

  it('offers no CSV while a typed day is no day, and asks nothing', async () => {
    const { api } = setup();
    await screen.findByRole('table', { name: 'Team figures' });
    api.asked = [];
    const exportUsage = () =>
      screen.getByRole('button', { name: 'Export usage CSV' });

    fireEvent.change(screen.getByLabelText('To'), {
      target: { value: '11/31/2026' }
    });

    // the range is still the last good one, which an export would take unseen
    expect(exportUsage()).toHaveProperty('disabled', true);
    expect(screen.getByText('Shown: Nov 1, 2026 – Nov 3, 2026')).toBeTruthy();
    expect(api.asked).toEqual([]);

    fireEvent.change(screen.getByLabelText('To'), {
      target: { value: '11/4/2026' }
    });
    expect(exportUsage()).toHaveProperty('disabled', false);
  });

  it('shows the platform’s refusal of a range once, in Russian', async () => {
    document.documentElement.lang = 'ru';
    const api = new ScriptedAnalytics();
    const refusal = new PlatformRequestError({
      status: 400,
      url: 'x',
      serverMessage:
        'The range covers more than 366 days: ask for a year at most.',
      reason: 'period_invalid',
      params: { field: 'from', maximum_days: 366 }
    });
    api.usages = [refusal];
    api.idles = [refusal];
    api.teamses = [refusal];
    setup(api, identity(), russianBundle());

    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'Период длиннее 366 дн.: выберите не больше года.'
      )
    );
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(
      screen.getByRole('region', { name: 'Использование ресурсов' })
    ).toBeTruthy();
  });

  it('writes the figures in Russian with the Russian number format', async () => {
    document.documentElement.lang = 'ru';
    const { api, model } = setup(
      new ScriptedAnalytics(),
      identity(),
      russianBundle()
    );

    const teams = await screen.findByRole('table', {
      name: 'Показатели команд'
    });
    expect(teams.querySelector('tbody tr')!.textContent).toContain(
      'неделя с 26 окт. 2026 г.'
    );
    expect(teams.querySelector('tfoot tr')!.textContent).toContain(
      '1\u00a0500'
    );
    expect(
      screen.getByText(
        'Ваши показатели и показатели ваших команд: data-scientists.'
      )
    ).toBeTruthy();
    expect(
      screen.getByRole('button', { name: 'Выгрузить показатели команд в CSV' })
    ).toBeTruthy();
    // the range in the Russian form, and a Russian day typed changes it
    const from = screen.getByLabelText('С') as HTMLInputElement;
    expect(from.value).toBe('04.11.2026');
    expect(from.placeholder).toBe('ДД.ММ.ГГГГ');
    expect(screen.getByLabelText('По')).toHaveProperty('value', '03.12.2026');
    api.asked = [];
    fireEvent.change(from, { target: { value: '10.11.2026' } });
    expect(model.state.from).toBe('2026-11-10');
    await waitFor(() =>
      expect(api.queries('usage')[0]).toMatchObject({
        from: '2026-11-10',
        to: '2026-12-03'
      })
    );
  });

  it('reads a report again when its grouping changes, and downloads its CSV', async () => {
    const saved: string[] = [];
    const { api } = setup(
      new ScriptedAnalytics(),
      identity(),
      english,
      (_, name) => saved.push(name)
    );
    await screen.findByRole('table', { name: 'Team figures' });
    api.asked = [];

    const teams = screen.getByRole('region', { name: 'Team figures' });
    fireEvent.change(within(teams).getByLabelText('Group by'), {
      target: { value: 'person' }
    });
    await waitFor(() =>
      expect(api.queries('teams')).toEqual([
        { from: '2026-11-04', to: '2026-12-03', by: 'person', grain: 'week' }
      ])
    );

    await act(async () => {
      fireEvent.click(
        within(teams).getByRole('button', { name: 'Export team figures CSV' })
      );
    });
    expect(api.queries('csv')).toEqual([
      {
        report: 'teams',
        from: '2026-11-04',
        to: '2026-12-03',
        by: 'person',
        grain: 'week'
      }
    ]);
    expect(saved).toEqual(['analytics-teams-2026-11-04-2026-12-03.csv']);
  });
});
