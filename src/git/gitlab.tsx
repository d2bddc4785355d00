import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { describeError } from '../shell/errors';
import { DoneNote, FailureNote, Progress } from '../shell/notes';
import {
  IGitLabNamespace,
  IGitLabPipeline,
  IMergeRequest,
  ProjectVisibility
} from './types';
import {
  LabelledInput,
  LabelledSelect,
  LabelledTextArea
} from '../shell/fields';
import {
  mergeRequestStateLabel,
  pipelineStatusLabel,
  pipelineTone,
  visibilityLabel
} from './labels';
import { GitModel } from './model';
import { ExternalLink, Section, SubmitBar } from './parts';

export interface IGitLabSectionProps {
  model: GitModel;
  state: GitModel.IState;
  trans: TranslationBundle;
}

/**
 * The repository on GitLab: publish it when it has no remote; otherwise
 * the branch's merge requests and its latest pipeline, and a form to open
 * a merge request.
 */
export function GitLabSection(props: IGitLabSectionProps): JSX.Element | null {
  const { state, trans } = props;
  const { account, repo } = state;
  if (account.kind !== 'ready') {
    // The account section says why GitLab cannot be reached.
    return null;
  }
  if (!account.value.configured) {
    return (
      <Section title={trans.__('GitLab')}>
        <p className="jp-mlplat-field-hint">
          {trans.__(
            'This workbench has no GitLab: commits stay in this folder. Ask an administrator to connect one.'
          )}
        </p>
      </Section>
    );
  }
  if (!account.value.token) {
    return (
      <Section title={trans.__('GitLab')}>
        <p className="jp-mlplat-field-hint">
          {trans.__(
            'Save your GitLab personal access token below to publish, pull, push and open merge requests.'
          )}
        </p>
      </Section>
    );
  }
  if (!repo?.remote_url) {
    return <PublishForm {...props} />;
  }
  return <MergeRequests {...props} />;
}

/** Create the GitLab project for a repository without a remote, and push. */
function PublishForm(props: IGitLabSectionProps): JSX.Element {
  const { model, state, trans } = props;
  const repo = state.repo!;
  const busy = state.operation !== null;
  const outcome = state.outcomes.publish;
  const suggested = projectName(repo.repository ?? state.folder);
  const [name, setName] = React.useState(suggested);
  const [namespace, setNamespace] = React.useState('');
  const [visibility, setVisibility] =
    React.useState<ProjectVisibility>('private');

  React.useEffect(() => setName(suggested), [suggested]);
  React.useEffect(() => {
    void model.loadNamespaces();
  }, [model]);

  const namespaces =
    state.namespaces.kind === 'ready' ? state.namespaces.value : [];
  const own = namespaces.find(n => n.kind === 'user');

  return (
    <Section title={trans.__('Publish to GitLab')}>
      <p className="jp-mlplat-field-hint">
        {trans.__(
          'This repository has no GitLab remote. Publishing creates a GitLab project for it and pushes the current branch.'
        )}
      </p>
      <form
        className="jp-mlplat-git-form"
        aria-label={trans.__('Publish to GitLab')}
        onSubmit={event => {
          event.preventDefault();
          void model.publish({
            name: name.trim(),
            namespace_id: namespace === '' ? null : Number(namespace),
            visibility
          });
        }}
      >
        <LabelledInput
          label={trans.__('Project name')}
          value={name}
          disabled={busy}
          spellCheck={false}
          onChange={setName}
        />
        <LabelledSelect
          label={trans.__('Namespace')}
          value={namespace}
          disabled={busy}
          options={namespaceOptions(namespaces, own, trans)}
          onChange={setNamespace}
        >
          {(state.namespaces.kind === 'unavailable' ||
            state.namespaces.kind === 'error') && (
            <p className="jp-mlplat-field-error">
              {trans.__(
                'Your groups could not be read: %1',
                describeError(trans, state.namespaces) ?? ''
              )}{' '}
              <button
                type="button"
                className="jp-mlplat-link"
                onClick={() => void model.loadNamespaces(true)}
              >
                {trans.__('Try again')}
              </button>
            </p>
          )}
        </LabelledSelect>
        <LabelledSelect
          label={trans.__('Visibility')}
          value={visibility}
          disabled={busy}
          options={(['private', 'internal', 'public'] as const).map(v => ({
            value: v,
            label: visibilityLabel(v, trans)
          }))}
          onChange={value => setVisibility(value as ProjectVisibility)}
        />
        <SubmitBar
          label={trans.__('Publish')}
          disabled={busy || name.trim() === ''}
        />
      </form>
      {state.operation === 'publish' && (
        <Progress text={trans.__('Publishing to GitLab…')} />
      )}
      {outcome?.kind === 'failed' && (
        <FailureNote
          failure={outcome}
          title={trans.__('Not published')}
          onDismiss={() => model.dismiss('publish')}
          trans={trans}
        />
      )}
    </Section>
  );
}

/** The options of the namespace select: the user's own first, then groups. */
function namespaceOptions(
  namespaces: IGitLabNamespace[],
  own: IGitLabNamespace | undefined,
  trans: TranslationBundle
): { value: string; label: string }[] {
  return [
    {
      value: '',
      label: own
        ? trans.__('%1 (your own)', own.path)
        : trans.__('Your own namespace')
    },
    ...namespaces
      .filter(n => n.kind !== 'user')
      .map(n => ({ value: String(n.id), label: n.path }))
  ];
}

/** A project name from the repository folder; the home folder has none. */
function projectName(folder: string): string {
  return PathExt.basename(folder) || 'workbench';
}

/** The branch's merge requests, its latest pipeline, and a new request. */
function MergeRequests(props: IGitLabSectionProps): JSX.Element {
  const { model, state, trans } = props;
  const { remote, repo } = state;
  const published = state.outcomes.publish;
  const opened = state.outcomes.mergeRequest;

  return (
    <Section title={trans.__('GitLab')} className="jp-mlplat-git-gitlab">
      {published?.kind === 'published' && (
        <DoneNote onDismiss={() => model.dismiss('publish')} trans={trans}>
          {trans.__('Published as')}{' '}
          <ExternalLink href={published.project.web_url}>
            {published.project.path_with_namespace}
          </ExternalLink>
        </DoneNote>
      )}
      {remote.failure && (
        <FailureNote
          failure={remote.failure}
          title={trans.__('GitLab could not be asked about this branch')}
          trans={trans}
        />
      )}
      <PipelineLine
        branch={repo?.branch ?? null}
        pipeline={remote.pipeline}
        loaded={remote.mergeRequests !== null}
        trans={trans}
      />
      {remote.mergeRequests && remote.mergeRequests.length > 0 && (
        <ul
          className="jp-mlplat-git-mrs"
          aria-label={trans.__('Merge requests of this branch')}
        >
          {remote.mergeRequests.map(request => (
            <MergeRequestItem
              key={request.iid}
              request={request}
              trans={trans}
            />
          ))}
        </ul>
      )}
      {remote.mergeRequests?.length === 0 && (
        <p className="jp-mlplat-field-hint">
          {trans.__('No merge request from this branch yet.')}
        </p>
      )}
      <MergeRequestForm {...props} />
      {state.operation === 'merge-request' && (
        <Progress text={trans.__('Opening the merge request…')} />
      )}
      {opened?.kind === 'failed' && (
        <FailureNote
          failure={opened}
          title={trans.__('The merge request was not opened')}
          onDismiss={() => model.dismiss('mergeRequest')}
          trans={trans}
        />
      )}
      {opened?.kind === 'merge-request-opened' && (
        <DoneNote onDismiss={() => model.dismiss('mergeRequest')} trans={trans}>
          {trans.__('Merge request opened:')}{' '}
          <ExternalLink href={opened.mergeRequest.web_url}>
            {`!${opened.mergeRequest.iid} ${opened.mergeRequest.title}`}
          </ExternalLink>
        </DoneNote>
      )}
    </Section>
  );
}

function PipelineLine(props: {
  branch: string | null;
  pipeline: IGitLabPipeline | null;
  loaded: boolean;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { branch, pipeline, trans } = props;
  if (!branch || !props.loaded) {
    return null;
  }
  if (!pipeline) {
    return (
      <p className="jp-mlplat-field-hint">
        {trans.__('No pipeline has run for “%1” yet.', branch)}
      </p>
    );
  }
  return (
    <p className="jp-mlplat-git-text jp-mlplat-git-pipeline">
      {trans.__('Latest pipeline of “%1”:', branch)}{' '}
      <ExternalLink
        href={pipeline.web_url}
        title={trans.__('Open the pipeline in GitLab')}
      >
        <PipelineBadge status={pipeline.status} trans={trans} />
      </ExternalLink>
    </p>
  );
}

function PipelineBadge(props: {
  status: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-mlplat-git-pipeline-badge jp-mlplat-git-tone-${pipelineTone(
        props.status
      )}`}
    >
      {pipelineStatusLabel(props.status, props.trans)}
    </span>
  );
}

function MergeRequestItem(props: {
  request: IMergeRequest;
  trans: TranslationBundle;
}): JSX.Element {
  const { request, trans } = props;
  return (
    <li className="jp-mlplat-git-mr">
      <ExternalLink href={request.web_url} className="jp-mlplat-git-mr-title">
        {`!${request.iid} ${request.title}`}
      </ExternalLink>
      <span className="jp-mlplat-git-mr-meta">
        {trans.__(
          '%1 · into %2',
          mergeRequestStateLabel(request.state, trans),
          request.target_branch
        )}
        {request.pipeline && (
          <>
            {' · '}
            <PipelineBadge status={request.pipeline.status} trans={trans} />
          </>
        )}
      </span>
    </li>
  );
}

/**
 * Open a merge request from the current branch. The text stays when GitLab
 * refuses, so the user can push first and try again.
 */
function MergeRequestForm(props: IGitLabSectionProps): JSX.Element | null {
  const { model, state, trans } = props;
  const repo = state.repo!;
  const busy = state.operation !== null;
  const targets = targetBranches(state.branches ?? [], repo.branch);
  const [title, setTitle] = React.useState('');
  const [description, setDescription] = React.useState('');
  const [target, setTarget] = React.useState('');
  const chosen = targets.includes(target)
    ? target
    : targets.includes('main')
      ? 'main'
      : (targets[0] ?? '');
  const open = (state.remote.mergeRequests ?? []).find(
    m => m.state === 'opened' && m.source_branch === repo.branch
  );

  if (!repo.branch) {
    return null;
  }
  if (open) {
    // GitLab takes one open merge request per branch; pushes update it.
    return (
      <p className="jp-mlplat-field-hint">
        {trans.__(
          'A merge request from “%1” is open: push new commits to update it.',
          repo.branch
        )}
      </p>
    );
  }
  if (targets.length === 0) {
    return (
      <p className="jp-mlplat-field-hint">
        {trans.__(
          'To open a merge request, create a branch, commit on it and push it.'
        )}
      </p>
    );
  }
  return (
    <form
      className="jp-mlplat-git-form"
      aria-label={trans.__('New merge request')}
      onSubmit={event => {
        event.preventDefault();
        void model
          .createMergeRequest({
            title: title.trim(),
            description,
            target_branch: chosen
          })
          .then(done => {
            if (done) {
              setTitle('');
              setDescription('');
            }
          });
      }}
    >
      <h4 className="jp-mlplat-git-subheading">
        {trans.__('New merge request from “%1”', repo.branch)}
      </h4>
      <LabelledInput
        label={trans.__('Title')}
        value={title}
        disabled={busy}
        onChange={setTitle}
      />
      <LabelledTextArea
        label={trans.__('Description')}
        value={description}
        disabled={busy}
        onChange={setDescription}
      />
      <LabelledSelect
        label={trans.__('Into branch')}
        value={chosen}
        disabled={busy}
        options={targets}
        onChange={setTarget}
      />
      <SubmitBar
        label={trans.__('Open merge request')}
        disabled={busy || title.trim() === ''}
      />
    </form>
  );
}

/**
 * Branches a merge request can go into: GitLab's branches (without the
 * `origin/` prefix), else local ones, never the current branch.
 */
function targetBranches(
  branches: { name: string; remote: boolean }[],
  current: string | null
): string[] {
  const remote = branches
    .filter(b => b.remote && b.name.startsWith('origin/'))
    .map(b => b.name.slice('origin/'.length));
  const names = remote.length > 0 ? remote : branches.map(b => b.name);
  return [...new Set(names)].filter(name => name !== current);
}
