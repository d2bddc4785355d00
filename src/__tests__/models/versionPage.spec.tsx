import { StateDB } from '@jupyterlab/statedb';
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';

import { keptCards } from '../../models/card';
import { reasonLabels } from '../../models/labels';
import {
  commitPage,
  createVersionPage,
  versionAndPublications,
  VersionView
} from '../../models/versionPage';
import { reasonLabels as registry } from '../../shell/errors';
import { english } from '../shell/fixtures';
import { labRendermime } from '../shell/rendermime';
import { lineage, publication, refused, ScriptedModels } from './fixtures';

/** The commands the page runs, recorded instead of opening anything. */
function recordingCommands(): {
  commands: CommandRegistry;
  ran: [string, ReadonlyPartialJSONObject][];
} {
  const commands = new CommandRegistry();
  const ran: [string, ReadonlyPartialJSONObject][] = [];
  for (const id of ['mlplat:open-run', 'docmanager:open']) {
    commands.addCommand(id, { execute: args => void ran.push([id, args]) });
  }
  return { commands, ran };
}

function renderPage(api: ScriptedModels, commands = recordingCommands()) {
  render(
    <VersionView
      api={api}
      name="churn"
      version="3"
      commands={commands.commands}
      rendermime={labRendermime()}
      trans={english}
    />
  );
  return commands.ran;
}

/** A version whose one publication is a draft (id 1) the author may edit. */
function withDraftPublication(): ScriptedModels {
  const api = new ScriptedModels();
  api.stored = publication();
  api.detail = lineage({
    publications: [
      {
        id: '1',
        state: 'draft',
        catalog_name: '',
        updated_at: '',
        catalog_version: ''
      }
    ]
  });
  return api;
}

describe('commitPage', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  it('is GitLab’s commit page of an https or scp-like remote', () => {
    expect(commitPage('https://gitlab.example/a/b.git', sha)).toBe(
      `https://gitlab.example/a/b/-/commit/${sha}`
    );
    expect(commitPage('https://oauth2:tok@gitlab.example/a/b/', sha)).toBe(
      `https://gitlab.example/a/b/-/commit/${sha}`
    );
    expect(commitPage('git@gitlab.example:a/b.git', sha)).toBe(
      `https://gitlab.example/a/b/-/commit/${sha}`
    );
  });
  it('is nothing for another remote or no commit', () => {
    expect(commitPage('/home/alice/repo', sha)).toBeNull();
    expect(commitPage('javascript:alert(1)//', sha)).toBeNull();
    expect(commitPage('https://gitlab.example/a/b.git', '')).toBeNull();
  });
});

describe('versionAndPublications', () => {
  it('takes the platform’s publications of this version, newest first', async () => {
    const api = new ScriptedModels();
    api.publicationsOf = async () => ({
      count: 3,
      publications: [
        { ...publication({ id: 4, version: '2' }) },
        { ...publication({ id: 7, version: '3', state: 'in_review' }) },
        { ...publication({ id: 5, version: '3', state: 'rejected' }) }
      ]
    });
    const detail = await versionAndPublications(api, 'churn', '3');
    expect(detail.publications.map(p => [p.id, p.state])).toEqual([
      ['7', 'in_review'],
      ['5', 'rejected']
    ]);
  });

  it('keeps the registry’s chain when the platform does not answer', async () => {
    const api = new ScriptedModels();
    api.detail = lineage({
      publications: [
        {
          id: '2',
          state: 'draft',
          catalog_name: '',
          updated_at: '',
          catalog_version: ''
        }
      ]
    });
    api.publicationsOf = async () => {
      throw refused(503, 'platform_unreachable');
    };
    const detail = await versionAndPublications(api, 'churn', '3');
    expect(detail.publications.map(p => p.id)).toEqual(['2']);
  });
});

describe('the version page', () => {
  // as the plugin adds them to the running sidebar
  const labels = registry.add(reasonLabels);
  afterAll(() => labels.dispose());

  it('shows the lineage, each link opening what it names', async () => {
    const api = new ScriptedModels();
    const ran = renderPage(api);
    const chain = await screen.findByRole('region', { name: 'Lineage' });

    const commit = within(chain).getByRole('link', { name: /0123456789ab/ });
    expect(commit.getAttribute('href')).toBe(
      'https://gitlab.example/alice/churn/-/commit/0123456789abcdef0123456789abcdef01234567'
    );
    expect(commit.getAttribute('target')).toBe('_blank');

    fireEvent.click(
      within(chain).getByRole('button', { name: 'work/train.ipynb' })
    );
    fireEvent.click(within(chain).getByRole('button', { name: 'bold-fox' }));
    await waitFor(() => expect(ran.length).toBe(2));
    expect(ran).toEqual([
      ['docmanager:open', { path: 'work/train.ipynb' }],
      ['mlplat:open-run', { runId: 'run-1', name: 'bold-fox' }]
    ]);
    expect(within(chain).getByText('Not submitted')).toBeTruthy();
    expect(within(chain).getByText('Not deployed anywhere')).toBeTruthy();
  });

  it('lists the deployments serving the version, each opening its page', async () => {
    const api = new ScriptedModels();
    api.detail = lineage({
      deployments: [
        {
          name: 'churn-try',
          model_name: 'churn',
          version: '3',
          stage: 'staging',
          status: 'ready',
          traffic: 'canary'
        },
        {
          name: 'churn-prod',
          model_name: 'catalog.churn-public',
          version: '2',
          stage: 'production',
          status: 'pending',
          traffic: 'primary'
        }
      ]
    });
    const recorded = recordingCommands();
    recorded.commands.addCommand('mlplat:open-deployment', {
      execute: args => void recorded.ran.push(['mlplat:open-deployment', args])
    });
    renderPage(api, recorded);
    const chain = await screen.findByRole('region', { name: 'Lineage' });
    const rows = Array.from(
      chain.querySelectorAll('.jp-mlplat-lineage-deployments li')
    ).map(row => row.textContent);
    expect(rows).toEqual([
      'churn-try churn version 3 (staging, canary, ready)',
      'churn-prod catalog.churn-public version 2 (production, primary, pending)'
    ]);
    fireEvent.click(within(chain).getByRole('button', { name: 'churn-prod' }));
    await waitFor(() => expect(recorded.ran.length).toBe(1));
    expect(recorded.ran).toEqual([
      ['mlplat:open-deployment', { name: 'churn-prod' }]
    ]);
  });

  it('says what the version lacks instead of a dead link', async () => {
    const api = new ScriptedModels();
    api.detail = lineage({
      commit: '',
      repository: '',
      notebook: '',
      run: null
    });
    renderPage(api);
    const chain = await screen.findByRole('region', { name: 'Lineage' });
    expect(within(chain).getAllByText('Not recorded')).toHaveLength(3);
    expect(within(chain).queryByRole('link')).toBeNull();
  });

  it('starts a card filled in by the platform, then edits it', async () => {
    const api = new ScriptedModels();
    renderPage(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Write a model card' })
    );
    await screen.findByRole('form', { name: 'Model card' });
    expect(api.named('createPublication')).toEqual([
      ['churn', '3', { ...api.drafted.card, language: 'en' }]
    ]);
    expect((screen.getByLabelText('Task') as HTMLInputElement).value).toBe(
      'classification'
    );
    // the picked metric carries the run's value
    const metrics = screen.getByRole('group', { name: 'Metrics' });
    const f1 = within(metrics).getByRole('checkbox', { name: 'f1' });
    expect((f1 as HTMLInputElement).checked).toBe(true);
    expect(metrics.textContent).toContain('0.88');
    expect(
      screen.getByRole('button', { name: 'Submit for publication' })
    ).toBeTruthy();
  });

  it('draws the preview through the sanitizer: scripts and javascript: links do nothing', async () => {
    const api = withDraftPublication();
    (window as any).pwned = false;
    renderPage(api);
    const description = await screen.findByLabelText(
      'Overview and intended use'
    );
    fireEvent.change(description, {
      target: {
        value:
          'Predicts **churn**. <script>window.pwned = true</script>' +
          '<img src="x" onerror="window.pwned = true">' +
          ' [click](javascript:window.pwned=true)'
      }
    });
    const preview = screen.getByRole('region', { name: 'Preview of the card' });
    await waitFor(() =>
      expect(preview.querySelector('strong')?.textContent).toBe('churn')
    );
    expect(preview.querySelector('script')).toBeNull();
    expect(preview.querySelector('[onerror]')).toBeNull();
    for (const link of Array.from(preview.querySelectorAll('a'))) {
      expect(link.getAttribute('href') ?? '').not.toMatch(/javascript:/i);
    }
    expect((window as any).pwned).toBe(false);

    // titled by the catalog name once there is one, as model_card.md will be
    // (JupyterLab's renderer adds a ¶ anchor to a heading)
    expect(preview.querySelector('h1')?.textContent).toMatch(/^churn¶?$/);
    fireEvent.change(screen.getByLabelText('Name in the catalog'), {
      target: { value: 'churn-public' }
    });
    await waitFor(() =>
      expect(preview.querySelector('h1')?.textContent).toMatch(
        /^churn-public¶?$/
      )
    );
  });

  it('shows a refused field beside its input', async () => {
    const scrolled: Element[] = [];
    // jsdom lays nothing out and has no scrollIntoView
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    const api = withDraftPublication();
    api.failures.saveCard = [
      refused(400, 'card_invalid', {
        params: { field: 'catalog_name', count: 1 },
        fields: { 'card.catalog_name': 'bad' },
        fieldReasons: {
          'card.catalog_name': { reason: 'catalog_name_invalid' }
        }
      })
    ];
    renderPage(api);
    const name = await screen.findByLabelText('Name in the catalog');
    fireEvent.change(name, { target: { value: 'Churn!' } });
    fireEvent.click(
      screen.getByRole('button', { name: 'Submit for publication' })
    );
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    const message = document.getElementById(
      name.getAttribute('aria-describedby')!.split(' ')[0]
    );
    expect(message?.textContent).toMatch(/^A catalog name uses only lowercase/);
    expect(api.named('act')).toEqual([]);
    // the refusal at the form's start is brought into view from the button at its end
    await waitFor(() =>
      expect(scrolled.map(element => element.getAttribute('role'))).toContain(
        'alert'
      )
    );
  });

  it('offers back a card typed and not saved before the page reloaded', async () => {
    const api = withDraftPublication();
    const db = new StateDB();
    const kept = keptCards(db);
    const typed = 'Predicts which subscribers leave, typed before a reload.';
    await kept.save(api.stored.id, {
      card: { ...api.stored.card, description: typed },
      base: api.stored.card,
      at: '2026-12-05T10:00:00Z'
    });
    render(
      <VersionView
        api={api}
        name="churn"
        version="3"
        commands={recordingCommands().commands}
        rendermime={labRendermime()}
        trans={english}
        kept={kept}
      />
    );
    const offer = await screen.findByText(
      /^Changes you typed at .* were not saved\./
    );
    const description = screen.getByLabelText('Overview and intended use');
    expect((description as HTMLTextAreaElement).value).toBe(
      api.stored.card.description
    );
    // the offer is what is not saved: "All changes saved" would contradict it
    expect(screen.queryByText('All changes saved')).toBeNull();
    fireEvent.click(
      within(offer.parentElement!).getByRole('button', {
        name: 'Restore my changes'
      })
    );
    expect((description as HTMLTextAreaElement).value).toBe(typed);
    expect(screen.queryByText(/^Changes you typed at/)).toBeNull();
  });

  it('asks before its page closes over a card the platform refused', async () => {
    const api = withDraftPublication();
    const tooLong = () =>
      refused(400, 'card_invalid', {
        serverMessage: 'License: too long',
        fields: { 'card.license': 'too long' },
        params: { field: 'license', count: 1 }
      });
    // refused at Submit, then at each close (a close saves first)
    api.failures.saveCard = [tooLong(), tooLong(), tooLong(), tooLong()];
    const asked: string[] = [];
    let answer = false;
    const page = createVersionPage({
      api,
      name: 'churn',
      version: '3',
      commands: recordingCommands().commands,
      rendermime: labRendermime(),
      trans: english,
      confirmClose: async (title, body) => {
        asked.push(`${title} ${body}`);
        return answer;
      }
    });
    act(() => Widget.attach(page, document.body));
    const license = await within(page.node).findByLabelText('License');
    fireEvent.change(license, { target: { value: 'x'.repeat(150) } });
    fireEvent.click(
      within(page.node).getByRole('button', { name: 'Submit for publication' })
    );
    // nothing was saved, and the status says so
    expect((await within(page.node).findByRole('alert')).textContent).toMatch(
      /^Not saved: /
    );

    // typed on: the refusal's note goes, the card is still not saved
    fireEvent.change(license, { target: { value: 'x'.repeat(151) } });
    // Keep editing: the page stays, the text with it; a second close while
    // the question is open does not close it either
    await act(async () => {
      page.close();
      page.close();
    });
    expect(asked).toEqual([
      'Close without saving the model card? Your last changes to the card were not saved: License: too long'
    ]);
    expect(page.isDisposed).toBe(false);
    expect(page.isAttached).toBe(true);
    expect((license as HTMLInputElement).value).toBe('x'.repeat(151));

    // Close and discard
    answer = true;
    await act(async () => page.close());
    expect(asked).toHaveLength(2);
    expect(page.isAttached).toBe(false);
    page.dispose();
  });

  it('closes at once over a card that saves', async () => {
    const api = withDraftPublication();
    const asked: string[] = [];
    const page = createVersionPage({
      api,
      name: 'churn',
      version: '3',
      commands: recordingCommands().commands,
      rendermime: labRendermime(),
      trans: english,
      confirmClose: async title => {
        asked.push(title);
        return false;
      }
    });
    act(() => Widget.attach(page, document.body));
    const license = await within(page.node).findByLabelText('License');
    fireEvent.change(license, { target: { value: 'MIT' } });
    await act(async () => page.close());
    expect(asked).toEqual([]);
    expect(page.isAttached).toBe(false);
    // what was typed is saved as the page goes
    await waitFor(() =>
      expect(api.named('saveCard').length).toBeGreaterThan(0)
    );
    page.dispose();
  });

  it('offers Withdraw in review and Resubmit after changes were requested', async () => {
    const api = new ScriptedModels();
    api.stored = publication({
      state: 'changes_requested',
      steps: [
        {
          id: 4,
          round: 1,
          actor: 'rita',
          action: 'request_changes',
          state: 'changes_requested',
          comment: 'Say what data it was trained on.',
          at: '2026-12-02T09:00:00Z'
        }
      ]
    });
    api.detail = lineage({
      publications: [
        {
          id: '1',
          state: 'changes_requested',
          catalog_name: '',
          updated_at: '',
          catalog_version: ''
        }
      ]
    });
    renderPage(api);
    const reviews = await screen.findByRole('region', { name: 'Reviews' });
    expect(reviews.textContent).toContain('Requested changes');
    expect(reviews.textContent).toContain('Say what data it was trained on.');

    fireEvent.click(screen.getByRole('button', { name: 'Resubmit' }));
    await screen.findByRole('button', { name: 'Withdraw' });
    expect(api.named('act')).toEqual([[1, 'resubmit', 1]]);
    expect(
      (
        screen.getByLabelText(
          'Overview and intended use'
        ) as HTMLTextAreaElement
      ).disabled
    ).toBe(true);
  });
});

describe('a version page and the news', () => {
  it('reads the version again when news of it arrives', async () => {
    const api = new ScriptedModels();
    const outdated = new Signal<unknown, void>({});
    render(
      <VersionView
        api={api}
        name="churn"
        version="3"
        commands={new CommandRegistry()}
        rendermime={labRendermime()}
        trans={english}
        outdated={outdated}
      />
    );
    await screen.findByRole('region', { name: 'Lineage' });
    expect(api.named('lineage')).toHaveLength(1);

    api.stored = publication({ state: 'approved' });
    api.listed = true;
    act(() => outdated.emit());
    const chain = await screen.findByRole('region', { name: 'Lineage' });
    await waitFor(() =>
      expect(within(chain).getByText('Approved')).toBeTruthy()
    );
    expect(api.named('lineage')).toHaveLength(2);
  });
});

describe('Deploy… on the version page', () => {
  it('is there only with the Deployments tab’s command', async () => {
    renderPage(new ScriptedModels());
    await screen.findByRole('heading', { name: 'churn, version 3' });
    expect(screen.queryByRole('button', { name: 'Deploy…' })).toBeNull();
  });

  it('deploys a published version, to production as its catalog version', async () => {
    const api = new ScriptedModels();
    api.stored = publication({
      state: 'published',
      catalog_name: 'churn-public',
      catalog_version: '2'
    });
    api.listed = true;
    const recording = recordingCommands();
    recording.commands.addCommand('mlplat:deploy-model-version', {
      execute: args => {
        recording.ran.push(['deploy', args]);
        return { name: 'churn-prod' };
      }
    });
    renderPage(api, recording);
    fireEvent.click(await screen.findByRole('button', { name: 'Deploy…' }));
    // the new deployment joins the lineage: the version is read again
    const read = api.named('lineage').length;
    await waitFor(() =>
      expect(api.named('lineage').length).toBeGreaterThan(read)
    );
    await waitFor(() =>
      expect(recording.ran).toContainEqual([
        'deploy',
        {
          modelName: 'churn',
          version: '3',
          published: true,
          productionModelName: 'churn-public',
          productionVersion: '2'
        }
      ])
    );
  });
});
