import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { DoneNote, FailureNote, Progress } from '../shell/notes';
import { IGitFile } from './types';
import {
  fileState,
  fileStateLabel,
  notebookSummary,
  shortCommit
} from './labels';
import { GitModel } from './model';
import { Section, SubmitBar } from './parts';

export interface IChangesSectionProps {
  model: GitModel;
  state: GitModel.IState;
  trans: TranslationBundle;
}

/**
 * The changed files, each notebook with a summary in cells, and the commit
 * form. A failed commit leaves the message and the picked files as they
 * were, so nothing typed is lost.
 */
export function ChangesSection(props: IChangesSectionProps): JSX.Element {
  const { model, state, trans } = props;
  const files = state.repo?.files ?? [];
  const { selection } = state.draft;
  const busy = state.operation !== null;
  const outcome = state.outcomes.commit;

  return (
    <Section title={trans.__('Changes')} className="jp-mlplat-git-changes">
      {files.length === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__('No changes: everything is committed.')}
        </p>
      ) : (
        <FileList
          files={files}
          selection={selection}
          disabled={busy}
          onToggle={path => model.toggleFile(path)}
          onSelectAll={all =>
            model.setSelection(all ? files.map(f => f.path) : [])
          }
          clearOutputs={state.clearOutputs}
          trans={trans}
        />
      )}
      {(files.length > 0 || outcome) && (
        <CommitForm model={model} state={state} trans={trans} />
      )}
      {outcome?.kind === 'failed' && (
        <FailureNote
          failure={outcome}
          title={trans.__(
            'Not committed. Your message and the picked files are kept.'
          )}
          onDismiss={() => model.dismiss('commit')}
          trans={trans}
        />
      )}
      {outcome?.kind === 'committed' && (
        <DoneNote onDismiss={() => model.dismiss('commit')} trans={trans}>
          <p className="jp-mlplat-git-text">
            {trans.__('Committed %1.', shortCommit(outcome.commit))}
          </p>
          {outcome.linkedRuns.length > 0 && (
            <p className="jp-mlplat-git-text">
              {trans.__(
                'Linked to %1 running MLflow runs: they are tagged with this commit.',
                outcome.linkedRuns.length
              )}
            </p>
          )}
        </DoneNote>
      )}
    </Section>
  );
}

interface IFileListProps {
  files: IGitFile[];
  selection: readonly string[];
  disabled: boolean;
  onToggle: (path: string) => void;
  onSelectAll: (all: boolean) => void;
  clearOutputs: boolean;
  trans: TranslationBundle;
}

/** One checkbox per changed file, named by its path. */
function FileList(props: IFileListProps): JSX.Element {
  const { files, selection, trans } = props;
  const all = files.length > 0 && files.every(f => selection.includes(f.path));
  const some = !all && files.some(f => selection.includes(f.path));
  const allRef = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => {
    if (allRef.current) {
      allRef.current.indeterminate = some;
    }
  }, [some]);

  return (
    <>
      <label className="jp-mlplat-check jp-mlplat-git-all">
        <input
          ref={allRef}
          type="checkbox"
          checked={all}
          disabled={props.disabled}
          onChange={event => props.onSelectAll(event.currentTarget.checked)}
        />
        <span>
          {trans.__(
            'All changed files (%1 of %2 picked)',
            files.filter(f => selection.includes(f.path)).length,
            files.length
          )}
        </span>
      </label>
      <ul
        className="jp-mlplat-git-files"
        aria-label={trans.__('Changed files')}
      >
        {files.map(file => (
          <FileRow
            key={file.path}
            file={file}
            checked={selection.includes(file.path)}
            disabled={props.disabled}
            onToggle={() => props.onToggle(file.path)}
            clearOutputs={props.clearOutputs}
            trans={trans}
          />
        ))}
      </ul>
    </>
  );
}

interface IFileRowProps {
  file: IGitFile;
  checked: boolean;
  disabled: boolean;
  onToggle: () => void;
  clearOutputs: boolean;
  trans: TranslationBundle;
}

function FileRow(props: IFileRowProps): JSX.Element {
  const { file, trans } = props;
  const state = fileState(file);
  const summaryId = React.useId();
  const summary = file.notebook
    ? notebookSummary(file.notebook, trans, props.clearOutputs)
    : null;
  return (
    <li className={`jp-mlplat-git-file jp-mlplat-git-file-${state}`}>
      <label className="jp-mlplat-check jp-mlplat-git-file-label">
        <input
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          aria-describedby={summary ? summaryId : undefined}
          onChange={props.onToggle}
        />
        <span className="jp-mlplat-git-path" title={file.path}>
          {file.path}
        </span>
      </label>
      <span className={`jp-mlplat-git-state jp-mlplat-git-state-${state}`}>
        {fileStateLabel(state, trans)}
      </span>
      {summary && (
        <span id={summaryId} className="jp-mlplat-git-summary">
          {summary}
        </span>
      )}
    </li>
  );
}

/** The message, the outputs option and the Commit button. */
function CommitForm(props: IChangesSectionProps): JSX.Element {
  const { model, state, trans } = props;
  const { draft, clearOutputs } = state;
  const busy = state.operation !== null;
  const id = React.useId();
  const hasNotebooks = (state.repo?.files ?? []).some(
    f => draft.selection.includes(f.path) && f.path.endsWith('.ipynb')
  );
  const missing =
    draft.selection.length === 0
      ? trans.__('Pick the files to commit.')
      : draft.message.trim() === ''
        ? trans.__('Write what changed and why.')
        : null;

  return (
    <form
      className="jp-mlplat-git-commit"
      aria-label={trans.__('Commit')}
      onSubmit={event => {
        event.preventDefault();
        void model.commit();
      }}
    >
      <label htmlFor={id} className="jp-mlplat-field-label">
        {trans.__('Commit message')}
      </label>
      <textarea
        id={id}
        className="jp-mlplat-textarea"
        rows={3}
        value={draft.message}
        disabled={busy}
        placeholder={trans.__('What changed, and why')}
        onChange={event => model.setMessage(event.currentTarget.value)}
        onKeyDown={event => {
          // Ctrl/Cmd+Enter commits, as in most git tools.
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void model.commit();
          }
        }}
      />
      <label className="jp-mlplat-check">
        <input
          type="checkbox"
          checked={clearOutputs}
          disabled={busy}
          onChange={event => model.setClearOutputs(event.currentTarget.checked)}
        />
        <span>{trans.__('Clear notebook outputs in the commit')}</span>
      </label>
      <p className="jp-mlplat-field-hint">
        {clearOutputs
          ? trans.__(
              'The notebooks on disk keep their outputs; only the commit goes without them.'
            )
          : hasNotebooks
            ? trans.__(
                'Outputs are committed too: images and data in them end up on GitLab.'
              )
            : trans.__('Outputs are committed as they are.')}
      </p>
      <SubmitBar
        label={trans.__('Commit')}
        disabled={busy || missing !== null}
        title={missing ?? trans.__('Commit the picked files')}
      >
        {missing && !busy && (
          <span className="jp-mlplat-field-hint">{missing}</span>
        )}
      </SubmitBar>
      {state.operation === 'commit' && (
        <Progress text={trans.__('Committing…')} />
      )}
    </form>
  );
}
