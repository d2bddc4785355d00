import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as React from 'react';

import { PlatformRequestError } from '../../api/request';
import {
  AuditModel,
  auditQuery,
  dayBound,
  IAuditAPI,
  IAuditPage,
  NO_FILTERS,
  rangeReversed
} from '../../admin/audit';
import {
  AuditSection,
  DETAIL_SHOWN,
  detailText
} from '../../admin/auditSection';
import { IAdminConsole, offeredSections } from '../../admin/console';
import { IAnyDeployment, phaseCounts } from '../../admin/everyDeployment';
import { reasonLabels } from '../../admin/labels';
import { ProfilesModel } from '../../admin/model';
import { IPeople, IPerson, peopleRows } from '../../admin/people';
import { PeopleSection } from '../../admin/peopleSection';
import { ReadModel } from '../../admin/readModel';
import {
  ISetting,
  ISettingsAPI,
  ISettingsList,
  SettingsModel,
  typedValue
} from '../../admin/settings';
import { AdminTab } from '../../admin/tab';
import { reasonLabels as registry } from '../../shell/errors';
import { russianBundle } from '../shell/catalogue';
import { english } from '../shell/fixtures';
import { ScriptedProfiles } from './fixtures';

beforeAll(() => registry.add(reasonLabels));

function entry(id: number, actor = 'alice'): IAuditPage['entries'][number] {
  return {
    id,
    at: '2026-11-03T09:00:00Z',
    actor,
    action: 'deployment.created',
    object_type: 'deployment',
    object_id: `churn-${id}`,
    request_id: null,
    detail: { size: 'small', replicas: 2 }
  };
}

/** The audit log as a script: every query is recorded; the log has 120 records. */
class ScriptedAudit implements IAuditAPI {
  queries: string[] = [];
  exports: string[] = [];
  refusal: PlatformRequestError | null = null;

  async page(query: URLSearchParams): Promise<IAuditPage> {
    this.queries.push(query.toString());
    if (this.refusal) {
      throw this.refusal;
    }
    const page = Number(query.get('page') ?? '1');
    const ids = Array.from({ length: 50 }, (_, i) => 120 - (page - 1) * 50 - i);
    return {
      entries: ids
        .filter(id => id > 0)
        .map(id => entry(id, query.get('actor') ?? 'alice')),
      total: 120,
      page,
      page_size: 50,
      pages: 3
    };
  }
  async actions(): Promise<{ actions: string[] }> {
    return { actions: ['deployment.created', 'setting.changed'] };
  }
  async exportCsv(query: URLSearchParams): Promise<Blob> {
    this.exports.push(query.toString());
    return new Blob(['id,at\r\n'], { type: 'text/csv' });
  }
}

describe('audit filters', () => {
  it('sends a calendar day as its first and last moment in the browser’s zone', () => {
    const from = dayBound('2026-11-03', false);
    const until = dayBound('2026-11-03', true);
    expect(new Date(from!).getDate()).toBe(3);
    expect(new Date(from!).getHours()).toBe(0);
    expect(new Date(until!).getHours()).toBe(23);
    expect(new Date(until!).getTime() - new Date(from!).getTime()).toBe(
      24 * 3600 * 1000 - 1
    );
    expect(dayBound('2026-02-30', false)).toBeNull();
    expect(dayBound('yesterday', false)).toBeNull();
  });

  it('sends only the filters given, and the page past the first', () => {
    const query = auditQuery(
      {
        ...NO_FILTERS,
        actor: ' alice ',
        action: 'setting.changed',
        until: '2026-11-04'
      },
      2
    );
    expect([...query.keys()]).toEqual(['actor', 'action', 'until', 'page']);
    expect(query.get('actor')).toBe('alice');
    expect(auditQuery(NO_FILTERS, 1).toString()).toBe('');
  });

  it('knows a reversed range before asking', () => {
    expect(
      rangeReversed({ ...NO_FILTERS, from: '2026-11-05', until: '2026-11-04' })
    ).toBe(true);
    expect(
      rangeReversed({ ...NO_FILTERS, from: '2026-11-04', until: '2026-11-04' })
    ).toBe(false);
    expect(rangeReversed({ ...NO_FILTERS, from: '2026-11-05' })).toBe(false);
  });

  it('shows a record’s detail as text', () => {
    expect(detailText({ size: 'small', replicas: 2, old: null })).toBe(
      'size: small; replicas: 2; old: null'
    );
  });

  it('opens a long detail (a whole card) on request, its start shown', async () => {
    const card = {
      description: 'Predicts churn. '.repeat(40),
      tags: ['churn']
    };
    const api = new ScriptedAudit();
    api.page = async () => ({
      entries: [
        { ...entry(1), action: 'publication.save_card', detail: { card } },
        entry(2)
      ],
      total: 2,
      page: 1,
      page_size: 50,
      pages: 1
    });
    render(<AuditSection model={new AuditModel({ api })} trans={english} />);
    const table = await screen.findByRole('table', { name: 'Audit records' });
    const details = await waitFor(() => {
      const found = table.querySelector('.jp-mlplat-audit-detail details');
      expect(found).not.toBeNull();
      return found!;
    });
    const summary = details.querySelector('summary')!.textContent!;
    expect(summary.startsWith('card: {"description":"Predicts churn.')).toBe(
      true
    );
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(DETAIL_SHOWN + 1);
    expect(details.textContent).toContain('"tags":["churn"]');
    // a short detail is text, as it was
    expect(
      table.querySelectorAll('.jp-mlplat-audit-detail details')
    ).toHaveLength(1);
  });
});

describe('AuditModel', () => {
  it('applies the filters, pages, and exports what the table shows', async () => {
    const api = new ScriptedAudit();
    const saved: [Blob, string][] = [];
    const model = new AuditModel({
      api,
      save: (blob, name) => saved.push([blob, name]),
      today: () => new Date(2026, 10, 30)
    });
    await model.refresh();
    expect(model.state.page?.entries[0].id).toBe(120);
    model.setFilter('actor', 'rita');
    await model.apply();
    expect(api.queries[api.queries.length - 1]).toBe('actor=rita');
    await model.goTo(2);
    expect(model.state.page?.page).toBe(2);
    expect(api.queries[api.queries.length - 1]).toBe('actor=rita&page=2');
    await model.goTo(9); // past the last page: the last one
    expect(model.state.page?.page).toBe(3);

    model.setFilter('actor', 'typed but not applied');
    expect(await model.exportCsv()).toBe(true);
    expect(api.exports).toEqual(['actor=rita']);
    expect(saved[0][1]).toBe('audit-2026-11-30.csv');
  });

  it('asks nothing for a reversed range and says so', async () => {
    const api = new ScriptedAudit();
    const model = new AuditModel({ api });
    await model.refresh();
    const asked = api.queries.length;
    model.setFilter('from', '2026-11-05');
    model.setFilter('until', '2026-11-01');
    expect(model.state.rangeReversed).toBe(true);
    expect(await model.apply()).toBe(false);
    expect(api.queries.length).toBe(asked);
  });

  it('keeps the page shown and names the platform’s refusal', async () => {
    const api = new ScriptedAudit();
    const model = new AuditModel({ api });
    await model.refresh();
    api.refusal = new PlatformRequestError({
      status: 400,
      url: 'audit',
      serverMessage: 'from must not be after until',
      reason: 'audit_range_invalid',
      params: { field: 'from' }
    });
    await model.apply();
    expect(model.state.page?.entries).toHaveLength(50);
    expect(model.state.failure?.reason).toBe('audit_range_invalid');
  });
});

function setting(overrides: Partial<ISetting> = {}): ISetting {
  return {
    key: 'approvals_required',
    feature: 'reviews',
    kind: 'integer',
    minimum: 1,
    maximum: 10,
    default: 1,
    value: 1,
    overridden: false,
    revision: 0,
    updated_at: null,
    updated_by: null,
    ...overrides
  };
}

class ScriptedSettings implements ISettingsAPI {
  current = setting();
  sent: [string, number | string | null, number][] = [];
  async settings(): Promise<ISettingsList> {
    return { settings: [this.current], hub: { server_idle_timeout: 3600 } };
  }
  async change(
    key: string,
    value: number | string | null,
    revision: number
  ): Promise<ISetting> {
    this.sent.push([key, value, revision]);
    if (revision !== this.current.revision) {
      throw new PlatformRequestError({
        status: 409,
        url: 'settings',
        reason: 'setting_changed',
        params: { by: 'anna', revision: this.current.revision, yours: revision }
      });
    }
    this.current = setting({
      value: value === null ? 1 : Number(value),
      overridden: value !== null,
      revision: revision + 1,
      updated_by: 'adam'
    });
    return this.current;
  }
}

describe('SettingsModel', () => {
  it('sends what was typed as a number, and null to reset', async () => {
    expect(typedValue(' 2 ')).toBe(2);
    expect(typedValue('0,05')).toBe(0.05);
    expect(typedValue('two')).toBe('two');
    const api = new ScriptedSettings();
    const model = new SettingsModel({ api });
    await model.refresh();
    model.setDraft('approvals_required', '2');
    expect(await model.save('approvals_required')).toBe(true);
    expect(model.state.list?.settings[0].value).toBe(2);
    expect(await model.save('approvals_required', true)).toBe(true);
    expect(api.sent).toEqual([
      ['approvals_required', 2, 0],
      ['approvals_required', null, 1]
    ]);
  });

  it('after a colleague’s change keeps the draft and shows theirs', async () => {
    const api = new ScriptedSettings();
    const model = new SettingsModel({ api });
    await model.refresh();
    api.current = setting({
      value: 3,
      revision: 4,
      overridden: true,
      updated_by: 'anna'
    });
    model.setDraft('approvals_required', '2');
    expect(await model.save('approvals_required')).toBe(false);
    await waitFor(() => expect(model.state.list?.settings[0].value).toBe(3));
    expect(model.state.drafts['approvals_required']).toBe('2');
    expect(model.state.failures['approvals_required'].reason).toBe(
      'setting_changed'
    );
  });
});

describe('people and every deployment', () => {
  const person = (name: string, roles: IPerson['roles']): IPerson => ({
    name,
    groups: [],
    hub_roles: [],
    hub_admin: false,
    last_activity: null,
    roles,
    roles_seen_at: null
  });

  it('lists people with a platform role first, then by name', () => {
    const rows = peopleRows([
      person('zoe', ['data_scientist']),
      person('bob', null),
      person('rita', ['data_scientist', 'reviewer'])
    ]);
    expect(rows.map(p => p.name)).toEqual(['rita', 'bob', 'zoe']);
  });

  it('counts deployments per phase', () => {
    const d = (phase: string) => ({ phase }) as IAnyDeployment;
    expect(phaseCounts([d('ready'), d('failed'), d('ready')])).toEqual([
      ['failed', 1],
      ['ready', 2]
    ]);
  });
});

describe('the console', () => {
  function console(): IAdminConsole {
    return {
      audit: new AuditModel({ api: new ScriptedAudit() }),
      settings: new SettingsModel({ api: new ScriptedSettings() }),
      people: new ReadModel(async () => ({
        people: [],
        admin_url: '/hub/admin'
      })),
      deployments: new ReadModel(async () => []),
      openDeployment: null,
      apiKeys: null
    };
  }

  it('offers the sections it has models for', () => {
    expect(offeredSections(false, null)).toEqual(['profiles']);
    expect(offeredSections(true, console())).toEqual([
      'profiles',
      'sizes',
      'people',
      'deployments',
      'audit',
      'settings'
    ]);
  });

  it('switches to the audit log and says a reversed range in words', async () => {
    const model = new ProfilesModel({ api: new ScriptedProfiles() });
    render(<AdminTab model={model} console={console()} trans={english} />);
    fireEvent.change(screen.getByLabelText('Section'), {
      target: { value: 'audit' }
    });
    expect(
      await screen.findByRole('table', { name: 'Audit records' })
    ).toBeTruthy();
    // typed as an English UI writes days
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '11/5/2026' }
    });
    fireEvent.change(screen.getByLabelText('Until'), {
      target: { value: '11/1/2026' }
    });
    expect(screen.getByRole('alert').textContent).toBe(
      '“From” must not be later than “Until”.'
    );
    expect(
      (screen.getByRole('button', { name: 'Filter' }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
  });

  it('opens on the section it showed when drawn again (moved to the main area)', async () => {
    const model = new ProfilesModel({ api: new ScriptedProfiles() });
    const section = { current: 'profiles' as const } as {
      current: 'profiles' | 'audit';
    };
    const shared = console();
    const first = render(
      <AdminTab
        model={model}
        console={shared}
        section={section}
        trans={english}
      />
    );
    fireEvent.change(screen.getByLabelText('Section'), {
      target: { value: 'audit' }
    });
    await screen.findByRole('table', { name: 'Audit records' });
    first.unmount();
    render(
      <AdminTab
        model={model}
        console={shared}
        section={section}
        trans={english}
      />
    );
    expect((screen.getByLabelText('Section') as HTMLSelectElement).value).toBe(
      'audit'
    );
    expect(
      await screen.findByRole('table', { name: 'Audit records' })
    ).toBeTruthy();
  });

  it('waits with Filter while a typed day is no day, not applying the last good one', async () => {
    const model = new ProfilesModel({ api: new ScriptedProfiles() });
    render(<AdminTab model={model} console={console()} trans={english} />);
    fireEvent.change(screen.getByLabelText('Section'), {
      target: { value: 'audit' }
    });
    await screen.findByRole('table', { name: 'Audit records' });
    const filter = () =>
      (screen.getByRole('button', { name: 'Filter' }) as HTMLButtonElement)
        .disabled;
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '11/5/2026' }
    });
    expect(filter()).toBe(false);
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '11/5/20' }
    });
    expect(filter()).toBe(true);
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '11/6/2026' }
    });
    expect(filter()).toBe(false);
  });

  it('clears a typed day that is no day with the other filters', async () => {
    const model = new ProfilesModel({ api: new ScriptedProfiles() });
    render(<AdminTab model={model} console={console()} trans={english} />);
    fireEvent.change(screen.getByLabelText('Section'), {
      target: { value: 'audit' }
    });
    await screen.findByRole('table', { name: 'Audit records' });
    const from = () => screen.getByLabelText('From') as HTMLInputElement;
    // a person's name stops at the platform's limit, rather than a refusal naming "actor"
    expect(
      (screen.getByLabelText('Person') as HTMLInputElement).maxLength
    ).toBe(255);
    fireEvent.change(from(), { target: { value: 'xyz' } });
    fireEvent.blur(from());
    expect(
      (screen.getByRole('button', { name: 'Filter' }) as HTMLButtonElement)
        .disabled
    ).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(from().value).toBe(''));
    expect(screen.queryByText(/^Write the day as/)).toBeNull();
    expect(
      (screen.getByRole('button', { name: 'Filter' }) as HTMLButtonElement)
        .disabled
    ).toBe(false);
  });

  it('names platform roles as the sidebar’s header does, in the UI language', async () => {
    const people = () =>
      new ReadModel<IPeople>(async () => ({
        people: [
          {
            name: 'rita',
            groups: ['reviewers'],
            hub_roles: [],
            hub_admin: false,
            last_activity: null,
            roles: ['data_scientist', 'reviewer'],
            roles_seen_at: null
          }
        ],
        admin_url: '/hub/admin'
      }));
    const roles = async () => {
      const row = await screen.findByRole('row', { name: /rita/ });
      return row.querySelectorAll('td')[2].textContent;
    };
    const { unmount } = render(
      <PeopleSection model={people()} trans={english} />
    );
    expect(await roles()).toBe('Data scientist, Reviewer');
    unmount();
    render(<PeopleSection model={people()} trans={russianBundle()} />);
    expect(await roles()).toBe('Специалист по данным, Рецензент');
  });

  it('writes times in the UI language, not the browser’s', async () => {
    document.documentElement.lang = 'ru';
    try {
      const people = new ReadModel<IPeople>(async () => ({
        people: [
          {
            name: 'rita',
            groups: [],
            hub_roles: [],
            hub_admin: false,
            last_activity: '2026-11-03T09:00:00Z',
            roles: ['reviewer'],
            roles_seen_at: null
          }
        ],
        admin_url: '/hub/admin'
      }));
      const audit = new AuditModel({ api: new ScriptedAudit() });
      render(
        <>
          <PeopleSection model={people} trans={english} />
          <AuditSection model={audit} trans={english} />
        </>
      );
      await screen.findByRole('table', { name: 'Audit records' });
      await waitFor(() =>
        expect(document.querySelectorAll('time').length).toBeGreaterThan(1)
      );
      for (const time of Array.from(document.querySelectorAll('time'))) {
        expect(time.textContent).toMatch(/^03\.11\.2026, \d{2}:\d{2}$/);
      }
    } finally {
      document.documentElement.lang = '';
    }
  });
});
