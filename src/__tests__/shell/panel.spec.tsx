import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { CommandRegistry } from '@lumino/commands';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { ProfilesModel } from '../../admin/model';
import { ExperimentsModel } from '../../experiments/model';
import { GitModel } from '../../git/model';
import { PlatformModel } from '../../shell/model';
import { PlatformPanel, PlatformView } from '../../shell/panel';
import { productTabs } from './tabs';
import {
  english,
  health,
  identity,
  ScriptedAPI,
  unavailable
} from './fixtures';
import { ScriptedGit } from '../git/fixtures';
import { ScriptedMlflow } from '../experiments/fixtures';
import { ScriptedProfiles } from '../admin/fixtures';
import { IHealth, IIdentity } from '../../shell/types';
import { Answer } from './fixtures';

const models: PlatformModel[] = [];

afterEach(() => {
  models.splice(0).forEach(model => model.dispose());
});

/** Render the sidebar content for a platform that answers as scripted. */
async function renderView(
  identities: Answer<IIdentity>[],
  healths?: Answer<IHealth>[]
): Promise<PlatformModel> {
  const model = new PlatformModel({
    api: new ScriptedAPI(identities, healths),
    auto: false
  });
  models.push(model);
  render(<PlatformView model={model} tabs={productTabs()} trans={english} />);
  await act(() => model.refresh());
  return model;
}

function tabNames(): string[] {
  return screen.getAllByRole('tab').map(tab => tab.textContent ?? '');
}

describe('PlatformView', () => {
  it('shows the signed-in name and role names', async () => {
    await renderView([
      identity({ name: 'alice', roles: ['data_scientist', 'instructor'] })
    ]);

    expect(screen.getByText('alice')).toBeTruthy();
    const roles = screen.getByRole('list', { name: 'Roles' });
    expect(
      Array.from(roles.querySelectorAll('li')).map(li => li.textContent)
    ).toEqual(['Data scientist', 'Instructor']);
  });

  it('hides Reviews and Admin from a plain data scientist', async () => {
    await renderView([identity({ roles: ['data_scientist'] })]);

    expect(tabNames()).toEqual([
      'Experiments',
      'Git',
      'Models',
      'Catalog',
      'Deployments',
      'Instructions',
      'Analytics'
    ]);
    expect(screen.queryByRole('tab', { name: 'Reviews' })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Admin' })).toBeNull();
  });

  it('shows Reviews to a reviewer but not Admin', async () => {
    await renderView([identity({ roles: ['data_scientist', 'reviewer'] })]);

    expect(screen.getByRole('tab', { name: 'Reviews' })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: 'Admin' })).toBeNull();
  });

  it('shows Admin only to an admin', async () => {
    await renderView([identity({ roles: ['admin'] })]);

    expect(screen.getByRole('tab', { name: 'Admin' })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: 'Reviews' })).toBeNull();
  });

  it('selects a tab by a click, the first one at the start', async () => {
    await renderView([identity({ roles: ['admin'] })]);

    // The first tab is selected
    const experiments = screen.getByRole('tab', { name: 'Experiments' });
    expect(experiments.getAttribute('aria-selected')).toBe('true');

    const instructions = screen.getByRole('tab', { name: 'Instructions' });
    fireEvent.click(instructions);
    expect(instructions.getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel')).toBeTruthy();
    expect(experiments.getAttribute('aria-selected')).toBe('false');
  });

  it('gives an admin the profile editor in the Admin tab', async () => {
    const profiles = new ProfilesModel({ api: new ScriptedProfiles() });
    const model = new PlatformModel({
      api: new ScriptedAPI([identity({ roles: ['admin'] })]),
      auto: false
    });
    models.push(model);
    render(
      <PlatformView
        model={model}
        tabs={productTabs({ profiles })}
        trans={english}
      />
    );
    await act(() => model.refresh());

    await act(async () => {
      fireEvent.click(screen.getByRole('tab', { name: 'Admin' }));
      await new Promise(resolve => setTimeout(resolve, 0));
    });

    const panel = screen.getByRole('tabpanel', { name: 'Admin' });
    expect(
      within(panel).getByRole('button', { name: 'Large CPU' })
    ).toBeTruthy();
    expect(panel.textContent).not.toContain('not available yet');
    profiles.dispose();
  });

  it('gives the Git tab its repository view, and tells the model it is seen', async () => {
    const api = new ScriptedGit();
    const git = new GitModel({ api, auto: false });
    git.panelVisible = true;
    const model = new PlatformModel({
      api: new ScriptedAPI([identity()]),
      auto: false
    });
    models.push(model);
    render(
      <PlatformView model={model} tabs={productTabs({ git })} trans={english} />
    );
    await act(() => model.refresh());

    await act(async () => {
      fireEvent.click(screen.getByRole('tab', { name: 'Git' }));
      await git.refresh();
    });

    const panel = screen.getByRole('tabpanel', { name: 'Git' });
    expect(git.tabVisible).toBe(true);
    expect(within(panel).getByRole('region', { name: 'Changes' })).toBeTruthy();
    expect(panel.textContent).not.toContain('not available yet');

    fireEvent.click(screen.getByRole('tab', { name: 'Experiments' }));
    expect(git.tabVisible).toBe(false);
    git.dispose();
  });

  it('moves between tabs with the arrow keys', async () => {
    await renderView([identity()]);

    const experiments = screen.getByRole('tab', { name: 'Experiments' });
    fireEvent.keyDown(experiments, { key: 'ArrowRight' });
    expect(
      screen.getByRole('tab', { name: 'Git' }).getAttribute('aria-selected')
    ).toBe('true');
    fireEvent.keyDown(screen.getByRole('tab', { name: 'Git' }), {
      key: 'End'
    });
    expect(
      screen
        .getByRole('tab', { name: 'Analytics' })
        .getAttribute('aria-selected')
    ).toBe('true');
  });

  it('shows the platform health and the failing checks', async () => {
    await renderView(
      [identity()],
      [
        health({
          checks: {
            database: { status: 'failing', message: 'connection refused' }
          }
        })
      ]
    );

    const section = screen.getByRole('region', { name: 'Platform health' });
    expect(section.textContent).toContain('Platform: degraded');
    expect(section.textContent).toContain('version 0.1.0');
    expect(section.textContent).toContain(
      'Database: failing — connection refused'
    );
  });

  it('says the platform is unavailable, then recovers', async () => {
    // Given a platform that is down, then back
    const model = await renderView([
      unavailable('Database maintenance until 14:00'),
      identity({ name: 'bob' })
    ]);

    // Then the outage and the server's message are shown as text
    expect(screen.getByText('Platform unavailable — retrying')).toBeTruthy();
    expect(screen.getByText('Database maintenance until 14:00')).toBeTruthy();
    expect(screen.queryByRole('tablist')).toBeNull();

    // When the next poll succeeds, the sidebar is back
    await act(() => model.refresh());
    expect(screen.queryByText('Platform unavailable — retrying')).toBeNull();
    expect(screen.getByText('bob')).toBeTruthy();
  });

  it('renders server text as text, never as HTML', async () => {
    await renderView([unavailable('<img src=x onerror=alert(1)>')]);

    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
  });

  it('shows a refused request with its status and request id', async () => {
    const { PlatformRequestError } = await import('../../api/request');
    await renderView([
      new PlatformRequestError({
        status: 403,
        url: 'x',
        serverMessage: 'alice is not in an allowed group',
        requestId: 'r-42'
      })
    ]);

    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain(
      'The platform answered with an error (HTTP 403)'
    );
    expect(alert.textContent).toContain('alice is not in an allowed group');
    expect(alert.textContent).toContain('Request ID: r-42');
  });
});

describe('PlatformView with the Experiments tab', () => {
  it('shows the experiments in the first tab, and stops them when another tab is chosen', async () => {
    const api = new ScriptedMlflow();
    const experiments = new ExperimentsModel({ api, auto: false });
    const model = new PlatformModel({
      api: new ScriptedAPI([identity()]),
      auto: false
    });
    models.push(model);
    experiments.panelVisible = true;
    render(
      <PlatformView
        model={model}
        tabs={productTabs({ experiments, commands: new CommandRegistry() })}
        trans={english}
      />
    );
    await act(() => model.refresh());
    await act(() => experiments.refresh());

    const panel = screen.getByRole('tabpanel', { name: 'Experiments' });
    expect(
      within(panel).getByRole('button', { name: 'alice/churn' })
    ).toBeTruthy();
    expect(
      within(panel).getByRole('button', { name: 'Track this notebook' })
    ).toBeTruthy();
    expect(experiments.tabVisible).toBe(true);

    fireEvent.click(screen.getByRole('tab', { name: 'Git' }));
    expect(experiments.tabVisible).toBe(false);
    experiments.dispose();
  });
});

describe('PlatformPanel', () => {
  it('renders into the sidebar and polls only while shown', async () => {
    const api = new ScriptedAPI([identity({ name: 'carol' })]);
    const model = new PlatformModel({ api, auto: false });
    models.push(model);
    const panel = new PlatformPanel({
      model,
      translator: nullTranslator
    });

    // A panel that is not shown keeps its model from polling
    expect(model.visible).toBe(false);

    await act(async () => {
      Widget.attach(panel, document.body);
      await model.refresh();
    });
    expect(model.visible).toBe(true);
    expect(panel.node.getAttribute('aria-label')).toBe('ML Platform');
    expect(panel.node.textContent).toContain('carol');

    panel.hide();
    expect(model.visible).toBe(false);
    act(() => panel.dispose());
  });

  it('tells the experiments model when the sidebar is shown or hidden', async () => {
    const model = new PlatformModel({
      api: new ScriptedAPI([identity()]),
      auto: false
    });
    models.push(model);
    const experiments = new ExperimentsModel({
      api: new ScriptedMlflow(),
      auto: false
    });
    const panel = new PlatformPanel({
      model,
      translator: nullTranslator,
      tabs: productTabs({ experiments, commands: new CommandRegistry() })
    });
    expect(experiments.panelVisible).toBe(false);

    act(() => Widget.attach(panel, document.body));
    expect(experiments.panelVisible).toBe(true);
    panel.hide();
    expect(experiments.panelVisible).toBe(false);
    panel.show();
    expect(experiments.panelVisible).toBe(true);

    act(() => panel.dispose());
    experiments.dispose();
  });

  it('tells the git model when the sidebar is shown or hidden', async () => {
    const model = new PlatformModel({
      api: new ScriptedAPI([identity()]),
      auto: false
    });
    models.push(model);
    const git = new GitModel({ api: new ScriptedGit(), auto: false });
    const panel = new PlatformPanel({
      model,
      translator: nullTranslator,
      tabs: productTabs({ git })
    });
    expect(git.panelVisible).toBe(false);

    act(() => Widget.attach(panel, document.body));
    expect(git.panelVisible).toBe(true);
    panel.hide();
    expect(git.panelVisible).toBe(false);

    act(() => panel.dispose());
    git.dispose();
  });
});
