import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { DoneNote, FailureNote, Progress } from '../shell/notes';
import { gitlabProjectPage } from './api';
import { IGitBranch } from './types';
import { LabelledInputRow, LabelledSelect } from '../shell/fields';
import { confirmForcePush } from './dialogs';
import { GitModel } from './model';
import { ExternalLink, Section } from './parts';

export interface IBranchSectionProps {
  model: GitModel;
  state: GitModel.IState;
  trans: TranslationBundle;
}

/**
 * The current branch, switching and creating branches, and where the
 * branch stands against GitLab, with Pull and Push.
 */
export function BranchSection(props: IBranchSectionProps): JSX.Element {
  const { model, state, trans } = props;
  const repo = state.repo!;
  const busy = state.operation !== null;
  const branchOutcome = state.outcomes.branch;

  return (
    <Section title={trans.__('Branch')} className="jp-mlplat-git-branch">
      {state.outcomes.repository?.kind === 'initialised' && (
        <DoneNote onDismiss={() => model.dismiss('repository')} trans={trans}>
          {trans.__(
            'Repository created. Pick the files to keep below and commit them.'
          )}
        </DoneNote>
      )}
      <BranchPicker
        current={repo.branch}
        branches={state.branches}
        disabled={busy}
        onPick={name => void model.checkout(name)}
        trans={trans}
      />
      <NewBranchForm
        disabled={busy}
        onCreate={name => model.createBranch(name)}
        trans={trans}
      />
      {state.operation === 'branch' && (
        <Progress text={trans.__('Creating the branch…')} />
      )}
      {state.operation === 'checkout' && (
        <Progress text={trans.__('Switching branches…')} />
      )}
      {branchOutcome?.kind === 'failed' && (
        <FailureNote
          failure={branchOutcome}
          title={
            branchOutcome.operation === 'checkout'
              ? trans.__('Could not switch branches')
              : trans.__('Could not create the branch')
          }
          onDismiss={() => model.dismiss('branch')}
          trans={trans}
        />
      )}
      {branchOutcome?.kind === 'branch-created' && (
        <DoneNote onDismiss={() => model.dismiss('branch')} trans={trans}>
          {trans.__(
            'Created the branch “%1” and switched to it.',
            branchOutcome.name
          )}
        </DoneNote>
      )}
      {branchOutcome?.kind === 'switched' && (
        <DoneNote onDismiss={() => model.dismiss('branch')} trans={trans}>
          {trans.__('Switched to “%1”.', branchOutcome.name)}
        </DoneNote>
      )}
      <SyncPanel model={model} state={state} trans={trans} />
    </Section>
  );
}

interface IBranchPickerProps {
  current: string | null;
  branches: IGitBranch[] | null;
  disabled: boolean;
  onPick: (name: string) => void;
  trans: TranslationBundle;
}

/**
 * The branch select: local branches, then GitLab's branches that have no
 * local copy yet (picking one checks it out to follow GitLab's).
 */
function BranchPicker(props: IBranchPickerProps): JSX.Element {
  const { current, trans } = props;
  const branches = props.branches ?? [];
  const local = branches.filter(b => !b.remote).map(b => b.name);
  if (current && !local.includes(current)) {
    // A new repository's branch has no commit, so git lists no ref for it.
    local.unshift(current);
  }
  const remoteOnly = branches
    .filter(b => b.remote && b.name.startsWith('origin/'))
    .filter(b => !local.includes(b.name.slice('origin/'.length)));
  const options = [
    ...(current === null
      ? [{ value: '', label: trans.__('(no branch: a commit is checked out)') }]
      : []),
    ...local.map(name => ({ value: name, label: name })),
    ...remoteOnly.map(b => ({
      value: b.name,
      label: trans.__('%1 (on GitLab)', b.name.slice('origin/'.length))
    }))
  ];
  return (
    <LabelledSelect
      label={trans.__('Current branch')}
      value={current ?? ''}
      options={options}
      disabled={props.disabled}
      onChange={name => {
        if (name && name !== current) {
          props.onPick(name);
        }
      }}
    />
  );
}

interface INewBranchFormProps {
  disabled: boolean;
  onCreate: (name: string) => Promise<boolean>;
  trans: TranslationBundle;
}

/** A new branch from the current commit; the name stays if git refuses it. */
function NewBranchForm(props: INewBranchFormProps): JSX.Element {
  const { trans } = props;
  const [name, setName] = React.useState('');
  return (
    <form
      className="jp-mlplat-git-inline-form"
      onSubmit={event => {
        event.preventDefault();
        void props.onCreate(name).then(created => {
          if (created) {
            setName('');
          }
        });
      }}
    >
      <LabelledInputRow
        label={trans.__('New branch')}
        value={name}
        placeholder={trans.__('tune-depth')}
        spellCheck={false}
        disabled={props.disabled}
        onChange={setName}
      >
        <Button
          small
          type="submit"
          disabled={props.disabled || name.trim() === ''}
        >
          {trans.__('Create branch')}
        </Button>
      </LabelledInputRow>
    </form>
  );
}

/** Where the branch stands on GitLab, Pull and Push, and how they went. */
function SyncPanel(props: IBranchSectionProps): JSX.Element {
  const { model, state, trans } = props;
  const repo = state.repo!;
  const busy = state.operation !== null;
  const project = gitlabProjectPage(repo.remote_url);
  const outcome = state.outcomes.sync;

  if (!repo.remote_url) {
    return (
      <p className="jp-mlplat-field-hint jp-mlplat-git-sync">
        {trans.__('No GitLab remote yet: publish the repository below.')}
      </p>
    );
  }

  let standing: string;
  if (!repo.branch) {
    standing = trans.__('Check out a branch to pull or push.');
  } else if (!repo.upstream) {
    standing = trans.__('“%1” is not on GitLab yet: push it.', repo.branch);
  } else if (repo.ahead === 0 && repo.behind === 0) {
    standing = trans.__('Up to date with GitLab.');
  } else {
    standing = [
      repo.ahead > 0 ? trans.__('Commits to push: %1', repo.ahead) : '',
      repo.behind > 0 ? trans.__('Commits to pull: %1', repo.behind) : ''
    ]
      .filter(Boolean)
      .join(' · ');
  }

  const forcePush = () =>
    void model.forcePush(() => confirmForcePush(repo.branch ?? '', trans));

  return (
    <div className="jp-mlplat-git-sync">
      <p className="jp-mlplat-git-text">
        {trans.__('GitLab:')}{' '}
        <ExternalLink href={project?.webUrl} className="jp-mlplat-code">
          {project?.path ?? repo.remote_url}
        </ExternalLink>
      </p>
      <p className="jp-mlplat-git-text jp-mlplat-git-standing">{standing}</p>
      <div className="jp-mlplat-toolbar">
        <Button
          small
          disabled={busy || !repo.upstream}
          title={
            repo.upstream
              ? trans.__('Bring GitLab’s new commits into this branch')
              : trans.__('The branch is not on GitLab yet: nothing to pull')
          }
          onClick={() => void model.pull()}
        >
          {trans.__('Pull')}
        </Button>
        <Button
          small
          disabled={busy || !repo.branch}
          title={trans.__('Send your commits to GitLab')}
          onClick={() => void model.push()}
        >
          {trans.__('Push')}
        </Button>
      </div>
      {state.operation === 'pull' && <Progress text={trans.__('Pulling…')} />}
      {state.operation === 'push' && <Progress text={trans.__('Pushing…')} />}
      {state.operation === 'force-push' && (
        <Progress text={trans.__('Pushing with force…')} />
      )}
      {outcome?.kind === 'push-rejected' && (
        <FailureNote
          failure={{
            status: 409,
            message: outcome.message,
            reason: outcome.reason,
            params: outcome.params,
            requestId: outcome.requestId
          }}
          title={trans.__('GitLab did not take the push')}
          trans={trans}
        >
          <p className="jp-mlplat-status-message">
            {trans.__(
              'Pull to bring GitLab’s commits in, then push again. Overwrite them only if you are sure nobody needs them.'
            )}
          </p>
          <div className="jp-mlplat-toolbar">
            <Button small disabled={busy} onClick={() => void model.pull()}>
              {trans.__('Pull now')}
            </Button>
            <Button
              small
              minimal
              className="jp-mlplat-git-danger"
              disabled={busy}
              onClick={forcePush}
            >
              {trans.__('Push with force…')}
            </Button>
          </div>
        </FailureNote>
      )}
      {outcome?.kind === 'pulled' && outcome.conflicts.length > 0 && (
        <div
          className="jp-mlplat-status jp-mlplat-status-error jp-mlplat-note"
          role="alert"
        >
          <p className="jp-mlplat-status-title">
            {trans.__('The pull left conflicts in these files:')}
          </p>
          <ul
            className="jp-mlplat-git-conflicts"
            aria-label={trans.__('Files with conflicts')}
          >
            {outcome.conflicts.map(path => (
              <li key={path} className="jp-mlplat-code">
                {path}
              </li>
            ))}
          </ul>
          <p className="jp-mlplat-status-message">
            {trans.__(
              'Nothing is lost: git marked both versions inside each file between <<<<<<< and >>>>>>>. Keep what is right, remove the markers, then commit these files.'
            )}
          </p>
        </div>
      )}
      {outcome?.kind === 'pulled' && outcome.conflicts.length === 0 && (
        <DoneNote onDismiss={() => model.dismiss('sync')} trans={trans}>
          {outcome.updated
            ? trans.__('Pulled GitLab’s new commits.')
            : trans.__('Already up to date: GitLab had nothing new.')}
        </DoneNote>
      )}
      {outcome?.kind === 'pushed' && (
        <DoneNote onDismiss={() => model.dismiss('sync')} trans={trans}>
          {outcome.forced
            ? trans.__('Pushed with force: GitLab’s branch is now yours.')
            : trans.__('Pushed to GitLab.')}
        </DoneNote>
      )}
      {outcome?.kind === 'failed' && (
        <FailureNote
          failure={outcome}
          title={
            outcome.operation === 'pull'
              ? trans.__('The pull failed')
              : trans.__('The push failed')
          }
          onDismiss={() => model.dismiss('sync')}
          trans={trans}
        />
      )}
    </div>
  );
}
