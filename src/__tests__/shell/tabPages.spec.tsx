import { MainAreaWidget } from '@jupyterlab/apputils';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { PlatformModel } from '../../shell/model';
import { PlatformView } from '../../shell/panel';
import { TabRegistry } from '../../shell/registry';
import { TabModel } from '../../shell/tabModel';
import { TabPages, TabPageView } from '../../shell/tabPages';
import { english, identity, ScriptedAPI, unavailable } from './fixtures';

/** A tab model that counts how often it came into view. */
class CountingModel extends TabModel<{ n: number }> {
  constructor() {
    super({ n: 0 });
  }
  shown = 0;
  get isDisposed(): boolean {
    return this._disposed;
  }
  dispose(): void {
    this._disposed = true;
  }
  protected _shown(): void {
    this.shown += 1;
  }
  private _disposed = false;
}

/** A registry with a wide tab and a narrow one, a ready platform and the main area. */
async function setup() {
  const tabs = new TabRegistry();
  const model = new CountingModel();
  const typed: string[] = [];
  tabs.add({
    id: 'analytics',
    rank: 1,
    wide: true,
    label: trans => trans.__('Analytics'),
    model,
    render: () => (
      <label>
        Team
        <input onChange={event => typed.push(event.target.value)} />
      </label>
    )
  });
  tabs.add({
    id: 'git',
    rank: 2,
    label: 'Git',
    render: () => <p>the git tab</p>
  });
  const platform = new PlatformModel({
    api: new ScriptedAPI([identity({ name: 'adam', roles: ['admin'] })]),
    auto: false
  });
  await platform.refresh();
  const main: MainAreaWidget[] = [];
  const activated: string[] = [];
  const tracked: unknown[] = [];
  const pages = new TabPages({
    tabs,
    platform,
    trans: english,
    shell: {
      add: widget => main.push(widget),
      activateById: id => activated.push(id)
    },
    pages: { track: (_, args) => tracked.push(args) }
  });
  return { tabs, model, pages, platform, main, activated, tracked, typed };
}

describe('TabPages', () => {
  it('opens a tab in the main area once, and gives it back to the sidebar when closed', async () => {
    const env = await setup();
    const page = env.pages.open('analytics');
    expect(page).not.toBeNull();
    expect(env.main).toEqual([page]);
    expect(page!.title.label).toBe('Analytics');
    expect(env.tracked).toEqual([{ id: 'analytics' }]);
    expect(env.pages.isOpen('analytics')).toBe(true);
    // again: the same page, brought forward
    expect(env.pages.open('analytics')).toBe(page);
    expect(env.main).toHaveLength(1);
    expect(env.activated).toEqual([page!.id, page!.id]);
    // a tab no plugin added opens nothing
    expect(env.pages.open('nothing')).toBeNull();

    env.pages.close('analytics');
    expect(page!.isDisposed).toBe(true);
    expect(env.pages.isOpen('analytics')).toBe(false);
    expect(env.model.pageVisibility).toBe('none');
    env.pages.dispose();
    env.platform.dispose();
  });

  it('draws the tab in its page, and the model knows when that page is seen', async () => {
    const env = await setup();
    const page = env.pages.open('analytics')!;
    act(() => Widget.attach(page, document.body));
    await act(async () => {
      page.content.update();
      await new Promise(resolve => requestAnimationFrame(resolve));
    });
    expect(page.node.querySelector('input')).not.toBeNull();
    env.model.tabVisible = true; // the tab's component, as it mounts
    expect(env.model.pageVisibility).toBe('shown');
    expect(env.model.visible).toBe(true);
    expect(env.model.shown).toBe(1);
    // another tab of the main area comes forward: nobody sees it now, even
    // with the sidebar open
    page.hide();
    env.model.panelVisible = true;
    expect(env.model.pageVisibility).toBe('hidden');
    expect(env.model.visible).toBe(false);
    page.show();
    expect(env.model.visible).toBe(true);
    expect(env.model.shown).toBe(2);
    // who is signed in is read while the page is seen, the sidebar closed
    env.platform.visible = false;
    expect(env.platform.pagesShown).toBe(1);
    expect(env.platform.seen).toBe(true);
    // the page's toolbar lays itself out once after a resize, and the shown
    // page draws itself again; let them
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 50));
    });
    // closing it: its view unmounts, then the sidebar's mounts (counted)
    env.model.tabVisible = true; // the sidebar's view
    act(() => page.dispose());
    env.model.tabVisible = false; // the page's view, as it unmounted
    expect(env.model.pageVisibility).toBe('none');
    expect(env.platform.pagesShown).toBe(0);
    // back in the sidebar only: the panel decides again
    expect(env.model.visible).toBe(true);
    expect(env.model.shown).toBe(2);
    env.pages.dispose();
    env.platform.dispose();
  });

  it('reads who is signed in for a page opened with the sidebar closed', async () => {
    const env = await setup();
    const api = new ScriptedAPI([identity({ name: 'adam', roles: ['admin'] })]);
    const platform = new PlatformModel({ api, auto: true });
    platform.visible = false; // the sidebar is not open after the reload
    const pages = new TabPages({
      tabs: env.tabs,
      platform,
      trans: english,
      shell: { add: () => undefined, activateById: () => undefined },
      pages: null
    });
    const page = pages.open('analytics')!;
    act(() => Widget.attach(page, document.body));
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 50));
      page.content.update();
      await new Promise(resolve => requestAnimationFrame(resolve));
    });
    expect(platform.state.kind).toBe('ready');
    expect(page.node.querySelector('input')).not.toBeNull();
    act(() => page.dispose());
    pages.dispose();
    platform.dispose();
    env.pages.dispose();
    env.platform.dispose();
  });

  it('closes the page of a tab taken out of the sidebar', async () => {
    const env = await setup();
    const handle = env.tabs.add({
      id: 'extra',
      rank: 3,
      wide: true,
      label: 'Extra',
      render: () => null
    });
    const page = env.pages.open('extra')!;
    handle.dispose();
    expect(page.isDisposed).toBe(true);
    expect(env.pages.isOpen('extra')).toBe(false);
    env.pages.dispose();
    env.platform.dispose();
  });
});

describe('the sidebar with tabs that open in the main area', () => {
  it('offers a wide tab the main area, then says it is there, and takes it back', async () => {
    const env = await setup();
    render(
      <PlatformView
        model={env.platform}
        tabs={env.tabs}
        pages={env.pages}
        trans={english}
      />
    );
    await act(() => env.platform.refresh());
    fireEvent.change(screen.getByRole('textbox', { name: 'Team' }), {
      target: { value: 'data-scientists' }
    });
    expect(env.typed).toEqual(['data-scientists']);

    act(() => {
      fireEvent.click(
        screen.getByRole('button', { name: /Open in the main area/ })
      );
    });
    expect(env.main).toHaveLength(1);
    // the sidebar shows no second copy, only where it is
    expect(screen.queryByRole('textbox', { name: 'Team' })).toBeNull();
    expect(
      screen.getByText('Analytics is open in the main area.')
    ).toBeTruthy();
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Show it' }));
    });
    expect(env.activated).toEqual([env.main[0].id, env.main[0].id]);
    act(() => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Back to the sidebar' })
      );
    });
    expect(env.main[0].isDisposed).toBe(true);
    expect(screen.getByRole('textbox', { name: 'Team' })).toBeTruthy();

    // a narrow tab is not offered the main area
    act(() => {
      fireEvent.click(screen.getByRole('tab', { name: 'Git' }));
    });
    expect(screen.getByText('the git tab')).toBeTruthy();
    expect(
      screen.queryByRole('button', { name: /Open in the main area/ })
    ).toBeNull();
    env.pages.dispose();
    env.platform.dispose();
  });
});

describe('TabPageView', () => {
  it('draws a tab of a role only for its holders, whatever opened the page', async () => {
    const platform = new PlatformModel({
      api: new ScriptedAPI([
        identity({ name: 'alice', roles: ['data_scientist'] })
      ]),
      auto: false
    });
    const tab = {
      id: 'admin',
      rank: 9,
      role: 'admin',
      wide: true,
      label: 'Admin',
      render: () => <p>the console</p>
    };
    render(<TabPageView tab={tab} platform={platform} trans={english} />);
    // who is signed in is not known yet: the platform's state, not the tab
    expect(screen.getByText('Connecting to the platform…')).toBeTruthy();
    await act(() => platform.refresh());
    expect(screen.getByText('This section is not open to you.')).toBeTruthy();
    expect(screen.queryByText('the console')).toBeNull();
    platform.dispose();
  });

  it('keeps the tab drawn through an outage, the platform state above it', async () => {
    const platform = new PlatformModel({
      api: new ScriptedAPI([
        identity({ name: 'adam', roles: ['admin'] }),
        unavailable('the platform is restarting')
      ]),
      auto: false
    });
    const typed: string[] = [];
    const tab = {
      id: 'analytics',
      rank: 1,
      label: 'Analytics',
      render: () => (
        <input
          aria-label="Team"
          onChange={event => typed.push(event.target.value)}
        />
      )
    };
    render(<TabPageView tab={tab} platform={platform} trans={english} />);
    await act(() => platform.refresh());
    const input = screen.getByRole('textbox', { name: 'Team' });
    fireEvent.change(input, { target: { value: 'data-scientists' } });
    await act(() => platform.refresh());
    expect(screen.getByText('Platform unavailable — retrying')).toBeTruthy();
    // the same input, still holding what was typed
    expect(screen.getByRole('textbox', { name: 'Team' })).toBe(input);
    expect((input as HTMLInputElement).value).toBe('data-scientists');
    platform.dispose();
  });
});
