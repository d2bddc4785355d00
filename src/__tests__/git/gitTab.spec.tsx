import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { waitForDialog } from '@jupyterlab/testing';
import * as React from 'react';

import { notebookSummary } from '../../git/labels';
import { GitModel } from '../../git/model';
import { GitTab } from '../../git/tab';
import { english } from '../shell/fixtures';
import {
  commitResult,
  gitBranches,
  gitError,
  gitFile,
  gitlabAccount,
  gitStatus,
  held,
  mergeRequest,
  NON_FAST_FORWARD,
  pullResult,
  ScriptedGit
} from './fixtures';

const models: GitModel[] = [];
afterEach(() => models.splice(0).forEach(model => model.dispose()));

/** Resolve once no action and no read is under way. */
function settled(model: GitModel): Promise<void> {
  return new Promise(resolve => {
    const check = () => {
      const { operation, status, remote, account } = model.state;
      if (
        !operation &&
        status.kind !== 'loading' &&
        account.kind !== 'loading' &&
        !remote.loading
      ) {
        model.stateChanged.disconnect(check);
        resolve();
      }
    };
    model.stateChanged.connect(check);
    setTimeout(check, 0);
  });
}

/** The Git tab on the folder "churn", in a visible sidebar, loaded. */
async function renderTab(api: ScriptedGit): Promise<GitModel> {
  const model = new GitModel({ api, auto: false });
  models.push(model);
  model.setDocumentFolder('churn');
  model.panelVisible = true;
  render(<GitTab model={model} trans={english} />);
  await act(() => settled(model));
  return model;
}

async function click(model: GitModel, element: HTMLElement): Promise<void> {
  await act(async () => {
    fireEvent.click(element);
    await settled(model);
  });
}

const region = (name: string) => screen.getByRole('region', { name });

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

describe('notebook summaries', () => {
  const changes = {
    added: 0,
    removed: 0,
    edited: 0,
    outputs_only: false,
    readable: true
  };

  it('counts cells instead of showing JSON', () => {
    expect(
      notebookSummary({ ...changes, added: 2, edited: 1, removed: 3 }, english)
    ).toBe('Cells: 2 added, 1 edited, 3 removed');
    expect(notebookSummary({ ...changes, edited: 1 }, english)).toBe(
      'Cells: 1 edited'
    );
    expect(notebookSummary({ ...changes, outputs_only: true }, english)).toBe(
      'Only outputs or metadata changed.'
    );
    expect(
      notebookSummary({ ...changes, outputs_only: true }, english, true)
    ).toBe('Only outputs or metadata changed; outputs are not committed.');
    expect(notebookSummary({ ...changes, readable: false }, english)).toBe(
      'Not a notebook the server can read: committed as a file.'
    );
    expect(notebookSummary(changes, english)).toBe('No cell changed.');
  });
});

describe('GitTab', () => {
  describe('changes', () => {
    it('lists the changed files with what happened to each', async () => {
      const api = new ScriptedGit();
      api.statuses = [
        gitStatus({
          files: [
            gitFile(),
            gitFile({
              path: 'data.csv',
              index: '?',
              worktree: '?',
              notebook: null
            }),
            gitFile({
              path: 'old.py',
              index: 'D',
              worktree: '.',
              notebook: null
            }),
            gitFile({
              path: 'plots.ipynb',
              notebook: {
                added: 0,
                removed: 0,
                edited: 0,
                outputs_only: true,
                readable: true
              }
            })
          ]
        })
      ];
      await renderTab(api);

      const files = within(region('Changes')).getByRole('list', {
        name: 'Changed files'
      });
      const rows = within(files).getAllByRole('listitem');
      expect(rows.map(row => row.textContent)).toEqual([
        'train.ipynbmodifiedCells: 1 added, 2 edited',
        'data.csvnew',
        'old.pydeleted',
        'plots.ipynbmodifiedOnly outputs or metadata changed; outputs are not committed.'
      ]);
      // The summary describes the file's checkbox to screen readers.
      expect(
        within(files).getByRole('checkbox', { name: 'train.ipynb' })
      ).toHaveProperty('checked', false);
      expect(
        within(files)
          .getByRole('checkbox', { name: 'train.ipynb' })
          .getAttribute('aria-describedby')
      ).toBeTruthy();
      expect(document.body.textContent).not.toContain('"cells"');
    });

    it('renders paths and server messages as text, never as HTML', async () => {
      const api = new ScriptedGit();
      const evil = '<img src=x onerror="alert(1)">.txt';
      api.statuses = [
        gitStatus({ files: [gitFile({ path: evil, notebook: null })] })
      ];
      api.commits = [gitError(400, '<b>bold</b> refusal')];
      const model = await renderTab(api);

      expect(screen.getByText(evil)).toBeTruthy();
      fireEvent.click(screen.getByRole('checkbox', { name: evil }));
      fireEvent.change(screen.getByLabelText('Commit message'), {
        target: { value: 'x' }
      });
      await click(model, screen.getByRole('button', { name: 'Commit' }));

      expect(screen.getByText('<b>bold</b> refusal')).toBeTruthy();
      expect(document.querySelector('img, b')).toBeNull();
    });

    it('commits the picked files, outputs cleared, and says what was linked', async () => {
      const api = new ScriptedGit();
      api.commits = [
        commitResult({
          commit: 'feedbeef00112233',
          linked_runs: ['run-1', 'run-2']
        })
      ];
      const model = await renderTab(api);
      const changes = region('Changes');
      const commit = within(changes).getByRole('button', { name: 'Commit' });
      const outputs = within(changes).getByRole('checkbox', {
        name: 'Clear notebook outputs in the commit'
      });

      expect(outputs).toHaveProperty('checked', true);
      expect(commit).toHaveProperty('disabled', true);
      fireEvent.click(
        within(changes).getByRole('checkbox', { name: 'train.ipynb' })
      );
      expect(commit).toHaveProperty('disabled', true);
      fireEvent.change(within(changes).getByLabelText('Commit message'), {
        target: { value: 'First model' }
      });
      expect(commit).toHaveProperty('disabled', false);
      await click(model, commit);

      expect(api.callsOf('commit')).toEqual([
        ['churn', ['train.ipynb'], 'First model', true]
      ]);
      const done = within(changes).getByRole('status');
      expect(done.textContent).toContain('Committed feedbeef.');
      expect(done.textContent).toContain('Linked to 2 running MLflow runs');
      expect(within(changes).getByLabelText('Commit message')).toHaveProperty(
        'value',
        ''
      );
    });

    it('keeps the message and the picked files after a failed commit', async () => {
      const api = new ScriptedGit();
      api.commits = [
        gitError(409, 'Nothing to commit: the selected files have no changes.')
      ];
      const model = await renderTab(api);
      const changes = region('Changes');
      fireEvent.click(
        within(changes).getByRole('checkbox', { name: 'notes.txt' })
      );
      fireEvent.click(
        within(changes).getByRole('checkbox', {
          name: 'Clear notebook outputs in the commit'
        })
      );
      fireEvent.change(within(changes).getByLabelText('Commit message'), {
        target: { value: 'Explain the notes' }
      });

      await click(
        model,
        within(changes).getByRole('button', { name: 'Commit' })
      );

      const alert = within(changes).getByRole('alert');
      expect(alert.textContent).toContain(
        'Not committed. Your message and the picked files are kept.'
      );
      expect(alert.textContent).toContain(
        'Nothing to commit: the selected files have no changes.'
      );
      expect(within(changes).getByLabelText('Commit message')).toHaveProperty(
        'value',
        'Explain the notes'
      );
      expect(
        within(changes).getByRole('checkbox', { name: 'notes.txt' })
      ).toHaveProperty('checked', true);
      expect(api.callsOf('commit')).toEqual([
        ['churn', ['notes.txt'], 'Explain the notes', false]
      ]);
    });
  });

  describe('a folder outside any repository', () => {
    it('offers git init', async () => {
      const api = new ScriptedGit();
      api.statuses = [
        gitStatus({
          repository: null,
          branch: null,
          upstream: null,
          files: []
        }),
        gitStatus({ remote_url: null, upstream: null })
      ];
      api.inits = [gitStatus({ remote_url: null, upstream: null })];
      const model = await renderTab(api);

      expect(
        screen.getByText('“churn” is not in a git repository.')
      ).toBeTruthy();
      await click(
        model,
        screen.getByRole('button', { name: 'Initialise a repository here' })
      );

      expect(api.callsOf('init')).toEqual([['churn']]);
      expect(region('Branch').textContent).toContain('Repository created.');
      expect(region('Changes')).toBeTruthy();
    });

    it('names the home folder as such when no file is open', async () => {
      const api = new ScriptedGit();
      api.statuses = [
        gitStatus({ folder: '', repository: null, branch: null, files: [] })
      ];
      const model = new GitModel({ api, auto: false });
      models.push(model);
      model.panelVisible = true;
      render(<GitTab model={model} trans={english} />);
      await act(() => settled(model));

      expect(api.callsOf('status')[0]).toEqual(['']);
      expect(screen.getByLabelText('Folder')).toHaveProperty('value', '');
      expect(
        screen.getByText('Your home folder is not in a git repository.')
      ).toBeTruthy();
    });

    it('shows why a folder cannot be read, and lets the user type another', async () => {
      const api = new ScriptedGit();
      api.statuses = [
        gitError(
          403,
          "'../..' is outside your home folder; git works only inside it."
        ),
        gitStatus({ folder: 'projects', repository: 'projects' })
      ];
      const model = await renderTab(api);

      expect(screen.getByRole('alert').textContent).toContain(
        'outside your home folder'
      );
      const folder = screen.getByLabelText('Folder');
      fireEvent.change(folder, { target: { value: 'projects' } });
      await act(async () => {
        fireEvent.click(screen.getByRole('button', { name: 'Show' }));
        await settled(model);
      });

      expect(api.callsOf('status').pop()).toEqual(['projects']);
      expect(screen.getByText('Showing the folder you chose.')).toBeTruthy();
      expect(region('Changes')).toBeTruthy();
    });
  });

  describe('pull and push', () => {
    it('says where the branch stands and shows progress while pushing', async () => {
      const api = new ScriptedGit();
      api.statuses = [gitStatus({ ahead: 2, behind: 1 })];
      const push = held<ReturnType<typeof gitStatus>>();
      api.pushes = [push.answer];
      const model = await renderTab(api);
      const branch = region('Branch');

      expect(branch.textContent).toContain(
        'Commits to push: 2 · Commits to pull: 1'
      );
      const link = within(branch).getByRole('link', { name: 'alice/churn' });
      expect(link.getAttribute('href')).toBe(
        'http://gitlab.example/alice/churn'
      );
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toContain('noopener');

      await act(async () => {
        fireEvent.click(within(branch).getByRole('button', { name: 'Push' }));
      });
      expect(within(branch).getByRole('status').textContent).toBe('Pushing…');
      expect(
        within(branch).getByRole('button', { name: 'Pull' })
      ).toHaveProperty('disabled', true);
      expect(
        within(region('Changes')).getByRole('button', { name: 'Commit' })
      ).toHaveProperty('disabled', true);

      const reads = api.callsOf('status').length;
      await act(async () => {
        push.resolve(gitStatus());
        await settled(model);
      });
      expect(within(branch).getByRole('status').textContent).toBe(
        'Pushed to GitLab.'
      );
      // The push's own answer says where the branch stands now.
      expect(branch.textContent).toContain('Up to date with GitLab.');
      expect(api.callsOf('status')).toHaveLength(reads);
    });

    it('offers a pull after a rejected push, and force only after a confirmation', async () => {
      const api = new ScriptedGit();
      api.pushes = [gitError(409, NON_FAST_FORWARD)];
      const model = await renderTab(api);
      const branch = region('Branch');

      await click(model, within(branch).getByRole('button', { name: 'Push' }));
      const alert = within(branch).getByRole('alert');
      expect(alert.textContent).toContain(NON_FAST_FORWARD);
      expect(
        within(alert).getByRole('button', { name: 'Pull now' })
      ).toBeTruthy();

      // Cancelled: nothing forced.
      await act(async () => {
        fireEvent.click(
          within(alert).getByRole('button', { name: 'Push with force…' })
        );
      });
      expect(document.querySelector('.jp-Dialog')?.textContent).toContain(
        'Overwrite “main” on GitLab?'
      );
      await clickInDialog('Cancel');
      await act(() => settled(model));
      expect(api.callsOf('push')).toEqual([['churn', false]]);

      // Confirmed: forced once.
      api.pushes = [gitStatus()];
      await act(async () => {
        fireEvent.click(
          within(region('Branch')).getByRole('button', {
            name: 'Push with force…'
          })
        );
      });
      await clickInDialog('Overwrite GitLab’s commits');
      await act(() => settled(model));
      expect(api.callsOf('push')).toEqual([
        ['churn', false],
        ['churn', true]
      ]);
      expect(region('Branch').textContent).toContain('Pushed with force');
    });

    it('lists the files a pull left in conflict', async () => {
      const api = new ScriptedGit();
      api.pulls = [pullResult({ conflicts: ['notes.txt', 'src/model.py'] })];
      const model = await renderTab(api);

      await click(
        model,
        within(region('Branch')).getByRole('button', { name: 'Pull' })
      );

      const conflicts = screen.getByRole('list', {
        name: 'Files with conflicts'
      });
      expect(
        within(conflicts)
          .getAllByRole('listitem')
          .map(item => item.textContent)
      ).toEqual(['notes.txt', 'src/model.py']);
      expect(screen.getByRole('alert').textContent).toContain(
        'The pull left conflicts in these files:'
      );
    });

    it('switches branches from the select and creates new ones', async () => {
      const api = new ScriptedGit();
      api.branchLists = [
        gitBranches([
          { name: 'main', current: true },
          { name: 'origin/main', remote: true },
          { name: 'origin/feature', remote: true }
        ])
      ];
      const model = await renderTab(api);
      const branch = region('Branch');
      const select = within(branch).getByLabelText('Current branch');
      expect(
        Array.from((select as HTMLSelectElement).options).map(o => o.text)
      ).toEqual(['main', 'feature (on GitLab)']);

      await act(async () => {
        fireEvent.change(select, { target: { value: 'origin/feature' } });
        await settled(model);
      });
      expect(api.callsOf('checkout')).toEqual([['churn', 'feature']]);

      fireEvent.change(within(branch).getByLabelText('New branch'), {
        target: { value: 'tune' }
      });
      await click(
        model,
        within(branch).getByRole('button', { name: 'Create branch' })
      );
      expect(api.callsOf('createBranch')).toEqual([['churn', 'tune']]);
      expect(within(branch).getByLabelText('New branch')).toHaveProperty(
        'value',
        ''
      );
    });
  });

  describe('GitLab', () => {
    it('publishes a repository without a remote to a chosen group', async () => {
      const api = new ScriptedGit();
      api.statuses = [gitStatus({ remote_url: null, upstream: null })];
      api.publishes = [
        {
          project: {
            id: 2001,
            path_with_namespace: 'analytics/churn',
            web_url: 'http://gitlab.example/analytics/churn',
            http_url_to_repo: 'http://gitlab.example/analytics/churn.git',
            default_branch: 'main'
          },
          status: gitStatus({
            remote_url: 'http://gitlab.example/analytics/churn.git'
          })
        }
      ];
      const model = await renderTab(api);
      const publish = region('Publish to GitLab');

      expect(within(publish).getByLabelText('Project name')).toHaveProperty(
        'value',
        'churn'
      );
      const namespace = within(publish).getByLabelText(
        'Namespace'
      ) as HTMLSelectElement;
      expect(Array.from(namespace.options).map(o => o.text)).toEqual([
        'alice (your own)',
        'analytics'
      ]);
      fireEvent.change(namespace, { target: { value: '1002' } });
      api.statuses = [
        gitStatus({ remote_url: 'http://gitlab.example/analytics/churn.git' })
      ];
      await click(
        model,
        within(publish).getByRole('button', { name: 'Publish' })
      );

      expect(api.callsOf('publish')).toEqual([
        ['churn', { name: 'churn', namespace_id: 1002, visibility: 'private' }]
      ]);
      const link = within(region('GitLab')).getByRole('link', {
        name: 'analytics/churn'
      });
      expect(link.getAttribute('href')).toBe(
        'http://gitlab.example/analytics/churn'
      );
      expect(link.getAttribute('target')).toBe('_blank');
    });

    it('shows the merge requests of the branch and its latest pipeline', async () => {
      const api = new ScriptedGit();
      api.statuses = [gitStatus({ branch: 'tune', upstream: 'origin/tune' })];
      api.mergeRequestLists = [
        {
          merge_requests: [
            mergeRequest({
              pipeline: {
                id: 4002,
                status: 'failed',
                ref: 'tune',
                sha: 'abc',
                web_url: 'http://gitlab.example/alice/churn/-/pipelines/4002'
              }
            })
          ]
        }
      ];
      api.pipelines = [
        {
          pipeline: {
            id: 4003,
            status: 'success',
            ref: 'tune',
            sha: 'def',
            web_url: 'http://gitlab.example/alice/churn/-/pipelines/4003'
          }
        }
      ];
      await renderTab(api);
      const gitlab = region('GitLab');

      expect(gitlab.textContent).toContain('Latest pipeline of “tune”: passed');
      const pipeline = within(gitlab).getByRole('link', { name: 'passed' });
      expect(pipeline.getAttribute('href')).toBe(
        'http://gitlab.example/alice/churn/-/pipelines/4003'
      );
      const item = within(
        within(gitlab).getByRole('list', {
          name: 'Merge requests of this branch'
        })
      ).getByRole('listitem');
      expect(item.textContent).toContain('!3 Deeper trees');
      expect(item.textContent).toContain('open · into main');
      expect(item.textContent).toContain('failed');
      const link = within(item).getByRole('link', { name: '!3 Deeper trees' });
      expect(link.getAttribute('href')).toBe(
        'http://gitlab.example/alice/churn/-/merge_requests/3'
      );
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toContain('noopener');
      // One open merge request per branch: no form for a second one.
      expect(
        screen.queryByRole('form', { name: 'New merge request' })
      ).toBeNull();
      expect(gitlab.textContent).toContain(
        'A merge request from “tune” is open: push new commits to update it.'
      );
    });

    it('opens a merge request, and keeps the text when GitLab refuses', async () => {
      const api = new ScriptedGit();
      api.statuses = [gitStatus({ branch: 'tune', upstream: 'origin/tune' })];
      api.createdMergeRequests = [
        gitError(
          409,
          'Push tune first: GitLab does not have your latest commits.'
        ),
        mergeRequest()
      ];
      const model = await renderTab(api);
      const form = screen.getByRole('form', { name: 'New merge request' });
      fireEvent.change(within(form).getByLabelText('Title'), {
        target: { value: 'Deeper trees' }
      });
      fireEvent.change(within(form).getByLabelText('Description'), {
        target: { value: 'depth 4 beats 3' }
      });

      await click(
        model,
        within(form).getByRole('button', { name: 'Open merge request' })
      );
      expect(within(region('GitLab')).getByRole('alert').textContent).toContain(
        'Push tune first'
      );
      expect(within(form).getByLabelText('Title')).toHaveProperty(
        'value',
        'Deeper trees'
      );

      await click(
        model,
        within(form).getByRole('button', { name: 'Open merge request' })
      );
      expect(api.callsOf('createMergeRequest')[1]).toEqual([
        'churn',
        {
          title: 'Deeper trees',
          description: 'depth 4 beats 3',
          target_branch: 'main'
        }
      ]);
      // Said done, and listed with the branch's merge requests at once.
      const gitlab = region('GitLab');
      const done = within(within(gitlab).getByRole('status')).getByRole(
        'link',
        { name: '!3 Deeper trees' }
      );
      expect(done.getAttribute('href')).toBe(
        'http://gitlab.example/alice/churn/-/merge_requests/3'
      );
      const listed = within(gitlab).getByRole('list', {
        name: 'Merge requests of this branch'
      });
      expect(
        within(listed).getByRole('link', { name: '!3 Deeper trees' })
      ).toBeTruthy();
    });

    it('shows a link from GitLab only when it is http(s)', async () => {
      const api = new ScriptedGit();
      api.statuses = [gitStatus({ branch: 'tune', upstream: 'origin/tune' })];
      api.mergeRequestLists = [
        {
          merge_requests: [mergeRequest({ web_url: 'javascript:alert(1)' })]
        }
      ];
      await renderTab(api);

      expect(screen.getByText('!3 Deeper trees').closest('a')).toBeNull();
    });
  });

  describe('GitLab token', () => {
    it('never shows the token and clears the input once saved', async () => {
      const api = new ScriptedGit();
      api.accounts = [gitlabAccount({ token: null })];
      const model = await renderTab(api);
      const account = region('GitLab account');
      const input = within(account).getByLabelText(
        'Personal access token'
      ) as HTMLInputElement;

      expect(input.type).toBe('password');
      fireEvent.change(input, { target: { value: 'glpat-SECRET-abcd' } });
      await click(
        model,
        within(account).getByRole('button', { name: 'Save token' })
      );

      expect(api.callsOf('saveToken')).toEqual([['glpat-SECRET-abcd']]);
      expect(input.value).toBe('');
      expect(
        new XMLSerializer().serializeToString(document.body)
      ).not.toContain('SECRET');
      expect(account.textContent).toContain(
        'Token saved: GitLab knows you as alice.'
      );
      expect(account.textContent).toContain('ending in …abcd');
      expect(
        within(account).getByLabelText('Replace with a new token')
      ).toBeTruthy();
    });

    it('clears the input when GitLab refuses the token too, and says why', async () => {
      const api = new ScriptedGit();
      api.accounts = [gitlabAccount({ token: null })];
      api.savedTokens = [
        gitError(
          403,
          'GitLab refused your token: it is wrong, expired or revoked.'
        )
      ];
      const model = await renderTab(api);
      const account = region('GitLab account');
      const input = within(account).getByLabelText(
        'Personal access token'
      ) as HTMLInputElement;

      fireEvent.change(input, { target: { value: 'glpat-WRONG' } });
      await click(
        model,
        within(account).getByRole('button', { name: 'Save token' })
      );

      expect(input.value).toBe('');
      expect(within(account).getByRole('alert').textContent).toContain(
        'GitLab refused your token'
      );
      expect(
        new XMLSerializer().serializeToString(document.body)
      ).not.toContain('glpat-WRONG');
    });

    it('deletes the token only after a confirmation', async () => {
      const api = new ScriptedGit();
      const model = await renderTab(api);
      const account = region('GitLab account');

      expect(account.textContent).toContain('Token of alice saved');
      expect(account.textContent).toContain('ending in …x9Qz');
      await act(async () => {
        fireEvent.click(
          within(account).getByRole('button', { name: 'Delete token' })
        );
      });
      await clickInDialog('Cancel');
      expect(api.callsOf('deleteToken')).toEqual([]);

      await act(async () => {
        fireEvent.click(
          within(region('GitLab account')).getByRole('button', {
            name: 'Delete token'
          })
        );
      });
      await clickInDialog('Delete token');
      await act(() => settled(model));
      expect(api.callsOf('deleteToken')).toEqual([[]]);
      expect(region('GitLab account').textContent).toContain('Token deleted.');
    });

    it('points to the token form when none is saved', async () => {
      const api = new ScriptedGit();
      api.accounts = [gitlabAccount({ token: null })];
      await renderTab(api);

      expect(region('GitLab').textContent).toContain(
        'Save your GitLab personal access token below'
      );
      expect(api.callsOf('pipeline')).toEqual([]);
    });
  });
});
