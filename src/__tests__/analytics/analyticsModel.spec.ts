import { PlatformRequestError } from '../../api/request';
import {
  AnalyticsModel,
  defaultRange,
  isDay,
  rangeProblem,
  reportQuery
} from '../../analytics/model';
import { ScriptedAnalytics, teamsReport, usageReport } from './fixtures';

const TODAY = new Date('2026-12-03T10:00:00Z');

function periodInvalid(params: { [name: string]: string | number }) {
  return new PlatformRequestError({
    status: 400,
    url: 'x',
    serverMessage:
      'The range covers more than 366 days: ask for a year at most.',
    reason: 'period_invalid',
    params,
    requestId: 'req-1'
  });
}

function make(api = new ScriptedAnalytics()) {
  const saved: { blob: Blob; name: string }[] = [];
  const model = new AnalyticsModel({
    api,
    today: () => TODAY,
    save: (blob, name) => saved.push({ blob, name })
  });
  return { api, model, saved };
}

/** Let the scripted answers arrive. */
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('the range', () => {
  it('is the last 30 UTC days, today included, by default', () => {
    expect(defaultRange(TODAY)).toEqual({
      from: '2026-11-04',
      to: '2026-12-03'
    });
    // just after midnight UTC it is already the next UTC day
    expect(defaultRange(new Date('2026-12-31T00:30:00Z')).to).toBe(
      '2026-12-31'
    );
  });

  it('reads only real calendar days', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('')).toBe(false);
    expect(isDay('2026-1-01')).toBe(false);
  });

  it('is reversed when it ends before it starts; one day is fine', () => {
    expect(rangeProblem('2026-11-05', '2026-11-04')).toBe('reversed');
    expect(rangeProblem('2026-11-05', '2026-11-05')).toBeNull();
    expect(rangeProblem('', '2026-11-05')).toBe('incomplete');
  });

  it('makes each report’s query of the choices it takes', () => {
    const choices = {
      from: '2026-11-01',
      to: '2026-11-30',
      usageBy: 'profile' as const,
      kind: 'workspace' as const,
      teamsBy: 'person' as const,
      grain: 'month' as const
    };
    expect(Object.fromEntries(reportQuery('usage', choices))).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      by: 'profile',
      kind: 'workspace'
    });
    // the Servers choice is the section's: the idle list takes it too
    expect(Object.fromEntries(reportQuery('idle', choices))).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      kind: 'workspace',
      limit: '10'
    });
    expect(Object.fromEntries(reportQuery('teams', choices))).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      by: 'person',
      grain: 'month'
    });
  });
});

describe('AnalyticsModel', () => {
  it('reads nothing until the tab is seen, then every report of the default range', async () => {
    const { api, model } = make();
    expect(api.asked).toEqual([]);

    model.panelVisible = true;
    model.tabVisible = true;
    await settle();

    expect(api.queries('usage')).toEqual([
      { from: '2026-11-04', to: '2026-12-03', by: 'team', kind: 'all' }
    ]);
    expect(api.queries('idle')).toEqual([
      { from: '2026-11-04', to: '2026-12-03', kind: 'all', limit: '10' }
    ]);
    expect(api.queries('teams')).toEqual([
      { from: '2026-11-04', to: '2026-12-03', by: 'team', grain: 'week' }
    ]);
    expect(model.state.usage).toEqual({ kind: 'ready', body: usageReport() });
    expect(model.state.teams).toEqual({ kind: 'ready', body: teamsReport() });
    model.dispose();
  });

  it('reads the usage and the idle list again for the servers chosen', async () => {
    const { api, model } = make();
    model.panelVisible = true;
    model.tabVisible = true;
    await settle();
    model.setKind('deployment');
    await settle();
    expect(api.queries('usage').slice(-1)[0].kind).toBe('deployment');
    expect(api.queries('idle').slice(-1)[0].kind).toBe('deployment');
    expect(api.queries('teams')).toHaveLength(1); // not theirs
    model.dispose();
  });

  it('refuses an end before the start without asking, and asks once it is put right', async () => {
    const { api, model } = make();
    model.setDay('to', '2026-11-01');

    expect(model.state.problem).toBe('reversed');
    expect(api.asked).toEqual([]);
    await model.refresh();
    expect(api.asked).toEqual([]);

    model.setDay('from', '2026-10-01');
    await settle();
    expect(model.state.problem).toBeNull();
    expect(api.queries('usage')).toEqual([
      { from: '2026-10-01', to: '2026-11-01', by: 'team', kind: 'all' }
    ]);
    model.dispose();
  });

  it('keeps the platform’s refusal of a range beside the dates, not in each report', async () => {
    const api = new ScriptedAnalytics();
    const refusal = periodInvalid({ field: 'from', maximum_days: 366 });
    api.usages = [refusal];
    api.idles = [refusal];
    api.teamses = [refusal];
    const { model } = make(api);

    model.setDay('from', '2024-01-01');
    await settle();

    expect(model.state.usage).toEqual({ kind: 'refused' });
    expect(model.state.idle).toEqual({ kind: 'refused' });
    expect(model.state.teams).toEqual({ kind: 'refused' });
    expect(model.state.refused).toEqual(
      expect.objectContaining({
        status: 400,
        reason: 'period_invalid',
        params: { field: 'from', maximum_days: 366 }
      })
    );
    model.dispose();
  });

  it('shows another failure in its report', async () => {
    const api = new ScriptedAnalytics();
    api.teamses = [
      new PlatformRequestError({
        status: 503,
        url: 'x',
        serverMessage: 'database down',
        reason: 'unavailable'
      })
    ];
    const { model } = make(api);
    await model.refresh();

    expect(model.state.teams.kind).toBe('unavailable');
    expect(model.state.usage.kind).toBe('ready');
    expect(model.state.refused).toBeNull();
    model.dispose();
  });

  it('reads again only the report whose grouping changed', async () => {
    const { api, model } = make();
    await model.refresh();
    api.asked = [];

    model.setUsageBy('person');
    model.setGrain('day');
    await settle();

    expect(api.queries('usage')).toEqual([
      { from: '2026-11-04', to: '2026-12-03', by: 'person', kind: 'all' }
    ]);
    expect(api.queries('teams')).toEqual([
      { from: '2026-11-04', to: '2026-12-03', by: 'team', grain: 'day' }
    ]);
    expect(api.queries('idle')).toEqual([]);
    model.dispose();
  });

  it('keeps the answer to the newest question when an older one comes later', async () => {
    const api = new ScriptedAnalytics();
    let answerOld: (report: ReturnType<typeof usageReport>) => void = () =>
      undefined;
    const old = new Promise<ReturnType<typeof usageReport>>(resolve => {
      answerOld = resolve;
    });
    const newer = usageReport({ by: 'profile' });
    let calls = 0;
    api.usage = () => (++calls === 1 ? old : Promise.resolve(newer));
    const { model } = make(api);

    const first = model.refresh();
    model.setUsageBy('profile');
    await settle();
    answerOld(usageReport());
    await first;

    expect(model.state.usage).toEqual({ kind: 'ready', body: newer });
    model.dispose();
  });

  it('downloads a report’s CSV of the choices shown, named by report and range', async () => {
    const { api, model, saved } = make();
    model.setTeamsBy('person');
    await settle();

    await expect(model.exportCsv('teams')).resolves.toBe(true);

    expect(api.queries('csv')).toEqual([
      {
        report: 'teams',
        from: '2026-11-04',
        to: '2026-12-03',
        by: 'person',
        grain: 'week'
      }
    ]);
    expect(saved.map(s => s.name)).toEqual([
      'analytics-teams-2026-11-04-2026-12-03.csv'
    ]);
    expect(model.state.exporting).toBeNull();
    model.dispose();
  });

  it('says why a download failed and offers nothing', async () => {
    const api = new ScriptedAnalytics();
    api.csvs = [
      new PlatformRequestError({
        status: 403,
        url: 'x',
        serverMessage: 'no',
        reason: 'forbidden'
      })
    ];
    const { model, saved } = make(api);

    await expect(model.exportCsv('usage')).resolves.toBe(false);

    expect(saved).toEqual([]);
    expect(model.state.exportFailure).toEqual(
      expect.objectContaining({ status: 403, reason: 'forbidden' })
    );
    model.dismissExportFailure();
    expect(model.state.exportFailure).toBeNull();
    model.dispose();
  });

  it('exports nothing while the range is wrong', async () => {
    const { api, model } = make();
    model.setDay('from', '2026-12-04');
    await expect(model.exportCsv('usage')).resolves.toBe(false);
    expect(api.asked).toEqual([]);
    model.dispose();
  });
});
