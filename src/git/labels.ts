import { TranslationBundle } from '@jupyterlab/translation';

import { IGitFile, INotebookChanges } from './types';
import { param, ReasonLabels } from '../shell/errors';

/*
 * Display texts of git and GitLab values. Each label is a literal
 * `trans.__()` call so the catalogue test sees it. Counts are written as
 * "3 added" rather than "3 cells were added", which reads right in Russian
 * for every number without plural forms.
 */

export type FileState =
  'conflict' | 'untracked' | 'added' | 'deleted' | 'renamed' | 'modified';

/**
 * What happened to a file, from git's two letters: a conflict wins, then
 * the working tree (what the user did last), then the index.
 */
export function fileState(file: IGitFile): FileState {
  const { index, worktree } = file;
  if (index === 'U' || worktree === 'U') {
    return 'conflict';
  }
  if (index === '?' || worktree === '?') {
    return 'untracked';
  }
  const letter = worktree !== '.' && worktree !== ' ' ? worktree : index;
  switch (letter) {
    case 'A':
      return 'added';
    case 'D':
      return 'deleted';
    case 'R':
    case 'C':
      return 'renamed';
    default:
      return 'modified';
  }
}

export function fileStateLabel(
  state: FileState,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'conflict':
      return trans.__('conflict');
    case 'untracked':
      return trans.__('new');
    case 'added':
      return trans.__('added');
    case 'deleted':
      return trans.__('deleted');
    case 'renamed':
      return trans.__('renamed');
    default:
      return trans.__('modified');
  }
}

/**
 * A notebook's change in cells ("Cells: 1 added, 2 edited"), the way people
 * talk about notebooks, instead of a JSON diff.
 */
export function notebookSummary(
  changes: INotebookChanges,
  trans: TranslationBundle,
  clearOutputs = false
): string {
  if (!changes.readable) {
    return trans.__('Not a notebook the server can read: committed as a file.');
  }
  if (changes.outputs_only) {
    // A notebook committed without outputs differs from its file by them
    // until the next edit: say why it is listed, and that it need not be.
    return clearOutputs
      ? trans.__('Only outputs or metadata changed; outputs are not committed.')
      : trans.__('Only outputs or metadata changed.');
  }
  const parts: string[] = [];
  if (changes.added > 0) {
    parts.push(trans.__('%1 added', changes.added));
  }
  if (changes.edited > 0) {
    parts.push(trans.__('%1 edited', changes.edited));
  }
  if (changes.removed > 0) {
    parts.push(trans.__('%1 removed', changes.removed));
  }
  return parts.length > 0
    ? trans.__('Cells: %1', parts.join(', '))
    : trans.__('No cell changed.');
}

/** A GitLab pipeline status in the user's language; unknown ones as sent. */
export function pipelineStatusLabel(
  status: string,
  trans: TranslationBundle
): string {
  switch (status) {
    case 'created':
      return trans.__('created');
    case 'waiting_for_resource':
      return trans.__('waiting for resources');
    case 'preparing':
      return trans.__('preparing');
    case 'pending':
      return trans.__('pending');
    case 'running':
      return trans.__('running');
    case 'success':
      return trans.__('passed');
    case 'failed':
      return trans.__('failed');
    case 'canceled':
      return trans.__('canceled');
    case 'skipped':
      return trans.__('skipped');
    case 'manual':
      return trans.__('waiting for a manual action');
    case 'scheduled':
      return trans.__('scheduled');
    default:
      return status;
  }
}

/** The colour family of a pipeline status, for its badge. */
export function pipelineTone(status: string): 'ok' | 'bad' | 'busy' | 'idle' {
  switch (status) {
    case 'success':
      return 'ok';
    case 'failed':
      return 'bad';
    case 'running':
    case 'pending':
    case 'created':
    case 'preparing':
    case 'waiting_for_resource':
    case 'scheduled':
      return 'busy';
    default:
      return 'idle';
  }
}

export function mergeRequestStateLabel(
  state: string,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'opened':
      return trans.__('open');
    case 'merged':
      return trans.__('merged');
    case 'closed':
      return trans.__('closed');
    case 'locked':
      return trans.__('locked');
    default:
      return state;
  }
}

export function visibilityLabel(
  visibility: string,
  trans: TranslationBundle
): string {
  switch (visibility) {
    case 'private':
      return trans.__('Private: only members');
    case 'internal':
      return trans.__('Internal: everyone signed in to GitLab');
    case 'public':
      return trans.__('Public: everyone');
    default:
      return visibility;
  }
}

/** A commit id as people quote it. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 8);
}

/**
 * What git was asked to do, as the middle of “git cannot …”: the server
 * names the git subcommand (`params.command`), the person reads the action.
 */
export function gitActionLabel(
  command: string,
  trans: TranslationBundle
): string {
  switch (command) {
    case 'switch':
      return trans.__('switch branches');
    case 'commit':
      return trans.__('commit');
    case 'pull':
      return trans.__('pull');
    case 'push':
      return trans.__('push');
    case 'merge':
      return trans.__('merge');
    case 'add':
      return trans.__('add the files');
    case 'init':
      return trans.__('initialise the repository');
    default:
      return trans.__('run git %1', command);
  }
}

/**
 * Labels of the reason codes the git and GitLab routes answer with (the Git
 * tab shows them all); the generic ones (`conflict`, `unavailable`, ...)
 * are the shell's. Params are those the raise sites name
 * (`core/git/rules.py`, `core/gitlab/errors.py`).
 */
export const reasonLabels: ReasonLabels = {
  // Folders and repositories
  git_outside_home: (trans, params) =>
    trans.__(
      '“%1” is outside your home folder; git works only inside it.',
      param(params, 'path')
    ),
  git_outside_repository: (trans, params) =>
    trans.__('“%1” is outside this repository.', param(params, 'path')),
  git_no_such_folder: (trans, params) =>
    trans.__('There is no folder “%1”.', param(params, 'folder')),
  git_not_a_repository: (trans, params) =>
    param(params, 'folder')
      ? trans.__(
          '“%1” is not in a git repository; initialise one.',
          param(params, 'folder')
        )
      : trans.__(
          'Your home folder is not in a git repository; initialise one.'
        ),
  git_already_a_repository: (trans, params) =>
    param(params, 'folder')
      ? trans.__(
          '“%1” is already inside a git repository.',
          param(params, 'folder')
        )
      : trans.__('Your home folder is already inside a git repository.'),

  // Commits and branches
  git_commit_message_missing: trans =>
    trans.__('Write a commit message: say what changed and why.'),
  git_no_such_file: (trans, params) =>
    trans.__(
      'There is no file “%1” to commit, nor one git knows.',
      param(params, 'path')
    ),
  git_no_files_selected: trans =>
    trans.__('Select at least one file to commit.'),
  git_unreadable_notebook: (trans, params) =>
    trans.__('“%1” is not a readable notebook.', param(params, 'path')),
  git_nothing_to_commit: trans =>
    trans.__('Nothing to commit: the selected files have no changes.'),
  git_bad_branch_name: (trans, params) =>
    trans.__(
      '“%1” is not a branch name git accepts (letters, digits, “.”, “_”, “-”, “/”).',
      param(params, 'name')
    ),
  git_no_such_branch: (trans, params) =>
    trans.__('There is no branch “%1”.', param(params, 'name')),
  git_branch_exists: (trans, params) =>
    trans.__('A branch named “%1” already exists.', param(params, 'name')),
  git_detached_head: trans =>
    trans.__('Check out a branch first (HEAD is detached).'),
  git_changes_would_be_overwritten: (trans, params) =>
    param(params, 'files')
      ? trans.__(
          'git cannot %1: your uncommitted changes to %2 would be overwritten. Commit them first.',
          gitActionLabel(param(params, 'command'), trans),
          param(params, 'files')
        )
      : trans.__(
          'git cannot %1: your uncommitted changes would be overwritten. Commit them first.',
          gitActionLabel(param(params, 'command'), trans)
        ),
  git_merge_conflicts: (trans, params) =>
    trans.__(
      'git cannot %1: resolve the conflicts in %2 and commit them first.',
      gitActionLabel(param(params, 'command'), trans),
      param(params, 'files')
    ),
  git_failed: (trans, params) =>
    param(params, 'detail')
      ? trans.__(
          'git could not %1: %2',
          gitActionLabel(param(params, 'command'), trans),
          param(params, 'detail')
        )
      : trans.__(
          'git could not %1.',
          gitActionLabel(param(params, 'command'), trans)
        ),
  git_not_runnable: (trans, params) =>
    param(params, 'detail')
      ? trans.__('git cannot run here (%1).', param(params, 'detail'))
      : trans.__('git cannot run here.'),
  git_timed_out: (trans, params) =>
    trans.__('git %1 took too long and was stopped.', param(params, 'command')),

  // The GitLab remote, through git
  git_no_remote: trans =>
    trans.__('This repository has no remote. Publish it to GitLab first.'),
  git_remote_exists: (trans, params) =>
    trans.__(
      'This repository already has a remote: %1',
      param(params, 'remote')
    ),
  git_no_commits: trans => trans.__('Commit something first; then publish it.'),
  git_branch_not_pushed: (trans, params) =>
    trans.__(
      'Push “%1” first: GitLab does not have your latest commits.',
      param(params, 'branch')
    ),
  git_no_token_saved: trans => noTokenSaved(trans),
  git_token_refused: trans => tokenRefused(trans),
  git_push_rejected: trans =>
    trans.__(
      'GitLab has commits your branch does not have. Pull first; push with force only if you mean to overwrite them.'
    ),
  git_remote_unreachable: (trans, params) =>
    param(params, 'detail')
      ? trans.__(
          'GitLab is not reachable right now (%1).',
          param(params, 'detail')
        )
      : trans.__('GitLab is not reachable right now.'),

  // GitLab itself
  gitlab_not_configured: trans =>
    trans.__(
      'No GitLab is configured for this workbench; an administrator sets it up (PlatformApp.gitlab_url).'
    ),
  gitlab_unreachable: (trans, params) =>
    trans.__('GitLab at %1 is not reachable right now.', param(params, 'url')),
  gitlab_failed: (trans, params) =>
    param(params, 'said')
      ? trans.__(
          'GitLab failed (HTTP %1): %2',
          param(params, 'status'),
          param(params, 'said')
        )
      : trans.__('GitLab failed (HTTP %1).', param(params, 'status')),
  gitlab_refused: (trans, params) =>
    trans.__('GitLab refused the request: %1', param(params, 'said')),
  gitlab_forbidden: (trans, params) =>
    param(params, 'said')
      ? trans.__(
          'GitLab does not allow this with your token: %1',
          param(params, 'said')
        )
      : trans.__('GitLab does not allow this with your token.'),
  gitlab_not_found: trans =>
    trans.__(
      'GitLab cannot find that project or branch (or your token may not see it).'
    ),
  gitlab_conflict: (trans, params) =>
    trans.__('GitLab reports a conflict: %1', param(params, 'said')),
  gitlab_name_taken: trans =>
    trans.__(
      'A project with that name already exists there; choose another name.'
    ),
  gitlab_token_refused: trans => tokenRefused(trans),
  gitlab_token_malformed: trans =>
    trans.__('Paste the whole personal access token (no spaces).'),
  gitlab_token_missing: trans => noTokenSaved(trans),
  gitlab_token_unreadable: trans =>
    trans.__(
      'Your saved GitLab token can no longer be read (the platform’s key changed). Save it again in the Git tab.'
    ),
  remote_not_on_gitlab: (trans, params) =>
    trans.__(
      'This repository’s remote is not on %1; merge requests and pipelines are available for projects there.',
      param(params, 'gitlab')
    ),
  remote_not_a_project: (trans, params) =>
    trans.__('“%1” does not name a GitLab project.', param(params, 'remote')),
  project_name_invalid: (trans, params) =>
    trans.__(
      '“%1” is not a project name: it starts with a letter or digit and uses letters, digits, “_”, “-”, “.” and spaces.',
      param(params, 'name')
    ),
  merge_request_title_missing: trans =>
    trans.__('A merge request needs a title.'),
  merge_request_into_itself: (trans, params) =>
    trans.__(
      'The merge request would merge “%1” into itself; create a branch for your change first.',
      param(params, 'branch')
    )
};

function noTokenSaved(trans: TranslationBundle): string {
  return trans.__(
    'Save a GitLab personal access token in the Git tab first (scopes api and write_repository).'
  );
}

function tokenRefused(trans: TranslationBundle): string {
  return trans.__(
    'GitLab refused your token: it is wrong, expired or revoked. Replace it in the Git tab.'
  );
}
