import { TranslationBundle } from '@jupyterlab/translation';
import { Button, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { FailureNote, Progress } from '../shell/notes';
import { useModelState } from '../shell/hooks';
import { LabelledInputRow } from '../shell/fields';
import { LoadingNote, LoadStatus } from '../shell/status';
import { AccountSection } from './account';
import { BranchSection } from './branch';
import { ChangesSection } from './changes';
import { GitLabSection } from './gitlab';
import { GitModel } from './model';

export interface IGitTabProps {
  model: GitModel;
  trans: TranslationBundle;
}

/**
 * The Git tab: the repository of the folder the user works in, its changes
 * and the commit being written, its branch on GitLab, and the GitLab token.
 *
 * While mounted it tells the model the tab is shown, so the model reads git
 * and GitLab only while someone is looking.
 */
export function GitTab(props: IGitTabProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);

  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  return (
    <div className="jp-mlplat-git-tab">
      <FolderBar model={model} state={state} trans={trans} />
      <RepositoryBody model={model} state={state} trans={trans} />
      <AccountSection model={model} state={state} trans={trans} />
    </div>
  );
}

interface IStateProps {
  model: GitModel;
  state: GitModel.IState;
  trans: TranslationBundle;
}

/**
 * Which folder is shown: the current document's, or one the user typed.
 * Typing a folder stops following documents until asked again.
 */
function FolderBar(props: IStateProps): JSX.Element {
  const { model, state, trans } = props;
  const [text, setText] = React.useState(state.folder);

  React.useEffect(() => setText(state.folder), [state.folder]);

  return (
    <form
      className="jp-mlplat-git-folder"
      aria-label={trans.__('Folder to show')}
      onSubmit={event => {
        event.preventDefault();
        void model.setFolder(text);
      }}
    >
      <LabelledInputRow
        label={trans.__('Folder')}
        value={text}
        placeholder={trans.__('(home folder)')}
        spellCheck={false}
        onChange={setText}
      >
        <Button small type="submit" title={trans.__('Show this folder')}>
          {trans.__('Show')}
        </Button>
        <Button
          small
          minimal
          type="button"
          aria-label={trans.__('Refresh')}
          title={trans.__('Read the status from git and GitLab again')}
          disabled={state.operation !== null}
          onClick={() => void model.refresh()}
        >
          <refreshIcon.react tag="span" />
        </Button>
      </LabelledInputRow>
      <p className="jp-mlplat-field-hint">
        {state.following ? (
          state.documentFolder === null ? (
            trans.__('Open a file to follow its folder, or type one.')
          ) : (
            trans.__('Following the folder of the open file.')
          )
        ) : (
          <>
            {trans.__('Showing the folder you chose.')}{' '}
            <button
              type="button"
              className="jp-mlplat-link"
              onClick={() => void model.followDocument()}
            >
              {trans.__('Follow the open file')}
            </button>
          </>
        )}
      </p>
    </form>
  );
}

/** The folder's repository, or why there is none to show. */
function RepositoryBody(props: IStateProps): JSX.Element {
  const { model, state, trans } = props;
  const { status, repo } = state;

  if (status.kind === 'loading' && !repo) {
    return <LoadingNote text={trans.__('Reading the folder…')} />;
  }
  if (status.kind === 'unavailable' || status.kind === 'error') {
    // The folder is in the input right above; the titles need not repeat it.
    return (
      <LoadStatus
        state={status}
        unavailable={trans.__('The folder cannot be read right now')}
        error={code =>
          code === 403
            ? trans.__('This folder cannot be shown')
            : code === 404
              ? trans.__('There is no such folder')
              : trans.__('The folder could not be read (HTTP %1)', code)
        }
        onRetry={() => void model.refresh()}
        trans={trans}
      />
    );
  }
  if (!repo) {
    return <></>;
  }
  if (repo.repository === null) {
    return <NotARepository model={model} state={state} trans={trans} />;
  }
  return (
    <>
      <BranchSection model={model} state={state} trans={trans} />
      <ChangesSection model={model} state={state} trans={trans} />
      <GitLabSection model={model} state={state} trans={trans} />
    </>
  );
}

/** A folder outside any repository: offer `git init`, or another folder. */
function NotARepository(props: IStateProps): JSX.Element {
  const { model, state, trans } = props;
  const outcome = state.outcomes.repository;
  return (
    <div className="jp-mlplat-git-section jp-mlplat-git-no-repo">
      <p className="jp-mlplat-git-text">
        {state.folder === ''
          ? trans.__('Your home folder is not in a git repository.')
          : trans.__('“%1” is not in a git repository.', state.folder)}
      </p>
      <p className="jp-mlplat-field-hint">
        {trans.__(
          'Initialise one to keep the history of this folder and publish it to GitLab, or show another folder above.'
        )}
      </p>
      <div className="jp-mlplat-toolbar">
        <Button
          small
          disabled={state.operation !== null}
          onClick={() => void model.init()}
        >
          {trans.__('Initialise a repository here')}
        </Button>
      </div>
      {state.operation === 'init' && (
        <Progress text={trans.__('Initialising…')} />
      )}
      {outcome?.kind === 'failed' && (
        <FailureNote
          failure={outcome}
          title={trans.__('The repository was not created')}
          onDismiss={() => model.dismiss('repository')}
          trans={trans}
        />
      )}
    </div>
  );
}
