import { TranslationBundle } from '@jupyterlab/translation';

import { IGitFile, INotebookChanges } from './types';
import { ReasonLabels } from '../shell/errors';

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
 * Labels of the reason codes only the git and GitLab routes answer with;
 * the generic ones (`conflict`, `unavailable`, ...) are the shell's. None
 * yet: the git routes answer with the generic codes today.
 */
export const reasonLabels: ReasonLabels = {};
