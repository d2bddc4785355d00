import { Notification } from '@jupyterlab/apputils';
import { render, screen } from '@testing-library/react';
import * as React from 'react';

import { PlatformRequestError } from '../../api/request';
import { CommandIDs } from '../../shell/commands';
import {
  ANALYTICS_TAB,
  announce,
  NEWS_SECONDS,
  NotificationFeed,
  notificationTarget,
  notificationText,
  OPEN_DEPLOYMENT,
  TOAST_LENGTH
} from '../../shell/notifications';
import { NotificationList } from '../../shell/notificationList';
import {
  INotificationList,
  INotificationsAPI,
  IPlatformNotification
} from '../../shell/types';
import { english } from './fixtures';

export function notification(
  overrides: Partial<IPlatformNotification> = {}
): IPlatformNotification {
  return {
    id: 1,
    kind: 'submitted',
    publication_id: 7,
    model_name: 'churn',
    version: '3',
    actor: 'alice',
    action: 'submit',
    comment: '',
    at: '2026-12-03T09:00:00Z',
    deployment: null,
    workspace: null,
    ...overrides
  };
}

/** A server that keeps a list and pages it as the platform does: oldest first. */
class Inbox implements INotificationsAPI {
  items: IPlatformNotification[] = [];
  fail: PlatformRequestError | null = null;
  asked: (number | null)[] = [];
  limit = 50;
  async notifications(after: number | null): Promise<INotificationList> {
    this.asked.push(after);
    if (this.fail) {
      throw this.fail;
    }
    const page = this.items
      .filter(item => item.id > (after ?? 0))
      .sort((a, b) => a.id - b.id)
      .slice(0, this.limit);
    return {
      notifications: page,
      last_id: page.length > 0 ? page[page.length - 1].id : (after ?? 0)
    };
  }
}

function feedOf(inbox: Inbox, seen: number | null = null) {
  const feed = new NotificationFeed({ api: inbox, auto: false });
  const arrived: number[][] = [];
  feed.arrived.connect((_, items) => arrived.push(items.map(i => i.id)));
  feed.start(seen);
  return { feed, arrived };
}

describe('NotificationFeed', () => {
  it('asks only for what is newer and announces each notification once', async () => {
    const inbox = new Inbox();
    inbox.items = [notification({ id: 1 }), notification({ id: 2 })];
    const { feed, arrived } = feedOf(inbox);
    await feed.refresh();
    expect(feed.state.items.map(i => i.id)).toEqual([2, 1]);
    inbox.items.push(notification({ id: 5, kind: 'decided' }));
    inbox.asked = [];
    await feed.refresh();
    expect(inbox.asked).toEqual([2, 5]);
    await feed.refresh();
    expect(feed.state.items.map(i => i.id)).toEqual([5, 2, 1]);
    expect(arrived).toEqual([[1, 2], [5]]);
    feed.dispose();
  });

  it('reads every page in one tick, so a burst announces the newest', async () => {
    const inbox = new Inbox();
    inbox.limit = 2;
    inbox.items = [1, 2, 3, 4, 5].map(id => notification({ id }));
    const { feed, arrived } = feedOf(inbox);
    await feed.refresh();
    expect(feed.state.items.map(i => i.id)).toEqual([5, 4, 3, 2, 1]);
    expect(arrived).toEqual([[1, 2, 3, 4, 5]]);
    feed.dispose();
  });

  it('does not announce again what a reload had announced', async () => {
    const inbox = new Inbox();
    inbox.items = [notification({ id: 3 }), notification({ id: 4 })];
    const { feed, arrived } = feedOf(inbox, 3);
    await feed.refresh();
    expect(feed.state.items).toHaveLength(2);
    expect(arrived).toEqual([[4]]);
    expect(feed.seen).toBe(4);
    feed.dispose();
  });

  it('keeps what it holds when the platform is away', async () => {
    const inbox = new Inbox();
    inbox.items = [notification({ id: 1 })];
    const { feed } = feedOf(inbox);
    await feed.refresh();
    inbox.fail = new PlatformRequestError({ status: 503, url: 'x' });
    await feed.refresh();
    expect(feed.state.status.kind).toBe('unavailable');
    expect(feed.state.items).toHaveLength(1);
    feed.dispose();
  });
});

describe('announce', () => {
  afterEach(() => Notification.dismiss());

  it('pops up each with an Open action, the newest few of a burst', () => {
    const opened: number[] = [];
    const items = [1, 2, 3, 4, 5].map(id =>
      notification({
        id,
        publication_id: 100 + id,
        kind: 'decided',
        action: 'approve',
        actor: 'rita',
        comment: 'Looks good'
      })
    );
    announce(items, english, item => opened.push(item.publication_id ?? -1));
    const shown = Notification.manager.notifications;
    expect(shown).toHaveLength(4);
    const texts = shown.map(n => n.message);
    expect(texts).toContain('rita approved churn version 3. “Looks good”');
    expect(texts).toContain(
      'More notifications: 2. See the Reviews or Models tab.'
    );
    const approval = shown.find(n => n.type === 'success')!;
    // good news leaves by itself; the bell and the tab's list keep it
    expect(approval.options.autoClose).toBe(NEWS_SECONDS * 1000);
    approval.options.actions![0].callback(new MouseEvent('click'));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toBeGreaterThan(102);
  });

  it('says each kind in words', () => {
    expect(notificationText(notification(), english)).toBe(
      'alice sent churn version 3 for review.'
    );
    expect(
      notificationText(
        notification({ kind: 'decided', action: 'reject', actor: 'rita' }),
        english
      )
    ).toBe('rita rejected churn version 3.');
    expect(notificationText(notification({ kind: 'published' }), english)).toBe(
      'churn version 3 is published in the catalog.'
    );
    expect(
      notificationText(
        notification({ kind: 'decided', action: 'deprecate', actor: 'rita' }),
        english
      )
    ).toBe('rita deprecated churn version 3 in the catalog.');
    expect(
      notificationText(
        notification({
          kind: 'decided',
          action: 'make_champion',
          actor: 'adam'
        }),
        english
      )
    ).toBe('adam made churn version 3 the champion again.');
  });

  it('says a deployment drifted, as a warning naming the features', () => {
    const drifted = notification({
      kind: 'drifted',
      publication_id: null,
      action: null,
      actor: 'mlplat-platform',
      deployment: 'churn-api',
      comment: 'age, plan'
    });
    expect(notificationText(drifted, english)).toBe(
      'Requests to deployment churn-api (churn version 3) drifted from its reference data.'
    );
    const opened: (string | null | undefined)[] = [];
    announce([drifted], english, item => opened.push(item.deployment));
    const [shown] = Notification.manager.notifications.slice(-1);
    expect(shown.type).toBe('warning');
    expect(shown.options.autoClose).toBe(false); // it asks for work: it stays
    expect(shown.message).toBe(
      'Requests to deployment churn-api (churn version 3) drifted from its reference data. “age, plan”'
    );
    shown.options.actions?.[0].callback(new MouseEvent('click'));
    expect(opened).toEqual(['churn-api']);
  });

  it('tells a deployment’s owner the version it serves was deprecated, as a warning', () => {
    const deprecated = notification({
      kind: 'serving_deprecated',
      action: 'deprecate',
      actor: 'rita',
      deployment: 'churn-prod',
      comment: 'Misroutes night buses.'
    });
    expect(notificationText(deprecated, english)).toBe(
      'rita deprecated churn version 3, which your deployment churn-prod serves.'
    );
    announce([deprecated], english, () => undefined);
    const [shown] = Notification.manager.notifications.slice(-1);
    expect(shown.type).toBe('warning');
    expect(shown.options.autoClose).toBe(false);
    expect(shown.options.actions?.[0].caption).toBe('Open the deployment');
    expect(notificationTarget(deprecated, () => true)).toEqual({
      kind: 'command',
      id: OPEN_DEPLOYMENT,
      args: { name: 'churn-prod' }
    });
  });

  it('clips a quoted comment so the whole message fits a toast, never the sentence', () => {
    const long = notification({
      kind: 'serving_deprecated',
      action: 'deprecate',
      actor: 'rita',
      model_name: 'passenger-flow-forecast',
      deployment: 'passenger-flow-forecast-production',
      comment:
        'Misroutes night buses since the timetable change of November; use version 2 until the retrained one is published.'
    });
    const sentence = notificationText(long, english);
    announce([long], english, () => undefined);
    // the manager keeps the newest first
    const [shown] = Notification.manager.notifications;
    expect(shown.message.length).toBeLessThanOrEqual(TOAST_LENGTH);
    expect(shown.message.startsWith(`${sentence} “Misroutes night`)).toBe(true);
    expect(shown.message.endsWith('…”')).toBe(true);

    // a short comment is quoted whole, however long the sentence
    announce(
      [{ ...long, id: 2, comment: 'Misroutes buses.' }],
      english,
      () => {}
    );
    const [short] = Notification.manager.notifications;
    expect(short.message).toBe(`${sentence} “Misroutes buses.”`);

    // a sentence leaving no room worth quoting in: the comment stays in the lists
    const crowded = { ...long, id: 3, deployment: 'x'.repeat(63) };
    announce([crowded], english, () => undefined);
    const [bare] = Notification.manager.notifications;
    expect(bare.message).toBe(notificationText(crowded, english));
  });

  it('tells the owner their workspace held a GPU idle, as a warning with the minutes once', () => {
    const idle = notification({
      kind: 'gpu_idle',
      publication_id: null,
      action: null,
      actor: 'mlplat-platform',
      model_name: '',
      version: '',
      workspace: 'gpu-lab',
      comment: '75'
    });
    expect(notificationText(idle, english)).toBe(
      'Your workspace “gpu-lab” has held its GPU idle for 75 minutes: stop it from the hub’s home page if you no longer need the GPU.'
    );
    expect(notificationText({ ...idle, workspace: '' }, english)).toBe(
      'Your workspace has held its GPU idle for 75 minutes: stop it from the hub’s home page if you no longer need the GPU.'
    );
    const opened: string[] = [];
    announce([idle], english, item => opened.push(item.kind));
    const [shown] = Notification.manager.notifications.slice(-1);
    expect(shown.type).toBe('warning');
    // the minutes are in the sentence: the comment is not quoted after it
    expect(shown.message).toBe(notificationText(idle, english));
    expect(shown.options.actions?.[0].caption).toBe(
      'Show the most idle servers in the Analytics tab'
    );
    shown.options.actions?.[0].callback(new MouseEvent('click'));
    expect(opened).toEqual(['gpu_idle']);
  });
});

describe('notificationTarget', () => {
  const every = () => true;
  const none = () => false;

  it('takes an idle GPU to the Analytics tab, with or without commands', () => {
    const idle = notification({ kind: 'gpu_idle', workspace: 'gpu' });
    expect(notificationTarget(idle, every)).toEqual({
      kind: 'tab',
      tab: ANALYTICS_TAB
    });
    expect(notificationTarget(idle, none)).toEqual({
      kind: 'tab',
      tab: ANALYTICS_TAB
    });
  });

  it('opens a drifted deployment, or the sidebar without the Deployments tab', () => {
    const drifted = notification({ kind: 'drifted', deployment: 'churn-prod' });
    expect(notificationTarget(drifted, every)).toEqual({
      kind: 'command',
      id: OPEN_DEPLOYMENT,
      args: { name: 'churn-prod' }
    });
    expect(notificationTarget(drifted, none)).toEqual({ kind: 'sidebar' });
    expect(
      notificationTarget(notification({ kind: 'drifted' }), every)
    ).toEqual({ kind: 'sidebar' });
  });

  it('opens a publication’s page, or the sidebar without the command', () => {
    const decided = notification({ kind: 'decided', action: 'approve' });
    expect(notificationTarget(decided, every)).toEqual({
      kind: 'command',
      id: CommandIDs.openPublication,
      args: { id: 7, kind: 'decided', modelName: 'churn', version: '3' }
    });
    expect(notificationTarget(decided, none)).toEqual({ kind: 'sidebar' });
  });
});

describe('NotificationList', () => {
  afterEach(() => {
    document.documentElement.lang = '';
  });

  it('dates each notification in the UI language, not the browser’s', async () => {
    document.documentElement.lang = 'ru';
    const inbox = new Inbox();
    inbox.items = [notification({ id: 1 })];
    const { feed } = feedOf(inbox);
    await feed.refresh();
    render(
      <NotificationList feed={feed} trans={english} onOpen={() => null} />
    );
    // Russian short dates are day.month.year; the browser's default here is 12/3/2026
    expect(screen.getByText(/03\.12\.2026/)).toBeTruthy();
    feed.dispose();
  });
});
