import { TranslationBundle } from '@jupyterlab/translation';
import { Button, InputGroup } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { CommandIDs } from '../commands';
import { StatusMessage } from '../widgets/status';
import { useCommand, useExperimentsState } from './hooks';
import { ExperimentsModel } from './model';
import { PrivateMark, ReadOnlyMark, RunsTable } from './runsTable';

export interface IExperimentsTabProps {
  model: ExperimentsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/**
 * The Experiments tab of the sidebar: track the open notebook, log it to a
 * run, browse experiments and their runs.
 *
 * While mounted it tells the model the tab is shown, so the model polls
 * MLflow only while someone is looking at this tab.
 */
export function ExperimentsTab(props: IExperimentsTabProps): JSX.Element {
  const { model, commands, trans } = props;
  const state = useExperimentsState(model);

  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  const { status } = state;
  switch (status.kind) {
    case 'loading':
      return (
        <p className="jp-mlplat-status" role="status">
          {trans.__('Connecting to MLflow…')}
        </p>
      );
    case 'disabled':
      return (
        <p className="jp-mlplat-status" role="status">
          {trans.__(
            'MLflow is not configured for this server. Ask an administrator to set up experiment tracking.'
          )}
        </p>
      );
    case 'unavailable':
      return (
        <StatusMessage
          title={trans.__('MLflow unavailable — retrying')}
          message={status.message}
          requestId={status.requestId}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      );
    case 'error':
      return (
        <StatusMessage
          title={
            status.status === 404
              ? trans.__('Not found in MLflow (HTTP 404)')
              : status.status === 403
                ? trans.__('MLflow refused access (HTTP 403)')
                : status.status > 0
                  ? trans.__(
                      'MLflow answered with an error (HTTP %1)',
                      status.status
                    )
                  : trans.__('Could not read from MLflow')
          }
          message={status.message}
          requestId={status.requestId}
          onRetry={() => void model.refresh()}
          trans={trans}
          isError
        >
          {state.view === 'runs' && (
            <button
              type="button"
              className="jp-mlplat-retry jp-mod-styled"
              onClick={() => void model.backToList()}
            >
              {trans.__('Back to experiments')}
            </button>
          )}
        </StatusMessage>
      );
    case 'ready':
      break;
  }

  return (
    <div className="jp-mlplat-experiments-tab">
      <NotebookActions commands={commands} trans={trans} />
      {state.view === 'runs' && state.runs ? (
        <RunsTable
          model={model}
          runs={state.runs}
          selection={state.selection}
          busy={state.busy}
          commands={commands}
          trans={trans}
        />
      ) : (
        <ExperimentList model={model} state={state} trans={trans} />
      )}
    </div>
  );
}

interface INotebookActionsProps {
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/**
 * The two notebook buttons. They mirror their commands: enabled when a
 * notebook is the current document, captions saying why not otherwise.
 */
function NotebookActions(props: INotebookActionsProps): JSX.Element {
  const { commands, trans } = props;
  const track = useCommand(commands, CommandIDs.trackNotebook);
  const log = useCommand(commands, CommandIDs.logNotebook);
  return (
    <div
      className="jp-mlplat-toolbar"
      role="toolbar"
      aria-label={trans.__('Notebook tracking')}
    >
      <Button
        small
        disabled={!track.enabled}
        title={track.caption}
        onClick={() => void commands.execute(CommandIDs.trackNotebook)}
      >
        {trans.__('Track this notebook')}
      </Button>
      <Button
        small
        disabled={!log.enabled}
        title={log.caption}
        onClick={() => void commands.execute(CommandIDs.logNotebook)}
      >
        {trans.__('Log notebook to run')}
      </Button>
    </div>
  );
}

interface IExperimentListProps {
  model: ExperimentsModel;
  state: ExperimentsModel.IState;
  trans: TranslationBundle;
}

/** The searchable list of experiments; a click opens its runs. */
function ExperimentList(props: IExperimentListProps): JSX.Element {
  const { model, state, trans } = props;
  const { filter, experiments, nextPageToken } = state.list;
  return (
    <section
      className="jp-mlplat-experiment-list"
      aria-label={trans.__('Experiments')}
    >
      <InputGroup
        type="search"
        className="jp-mlplat-search"
        rightIcon="ui-components:search"
        aria-label={trans.__('Search experiments')}
        placeholder={trans.__('Search experiments by name')}
        value={filter}
        onChange={event => void model.setFilter(event.currentTarget.value)}
      />
      {experiments === null ? (
        <p className="jp-mlplat-status" role="status">
          {trans.__('Loading experiments…')}
        </p>
      ) : experiments.length === 0 ? (
        <p className="jp-mlplat-empty">
          {filter
            ? trans.__('No experiment matches “%1”.', filter)
            : trans.__(
                'No experiments yet. Track a notebook to create the first one.'
              )}
        </p>
      ) : (
        <ul
          className="jp-mlplat-experiments"
          aria-label={trans.__('Experiment list')}
          aria-busy={state.busy}
        >
          {experiments.map(experiment => (
            <li key={experiment.id} className="jp-mlplat-experiment">
              <button
                type="button"
                className="jp-mlplat-link jp-mlplat-experiment-name"
                title={trans.__('Show the runs of this experiment')}
                onClick={() => void model.openExperiment(experiment)}
              >
                {experiment.name}
              </button>
              <span className="jp-mlplat-experiment-owner">
                {experiment.owner ?? ''}
              </span>
              {experiment.private && <PrivateMark trans={trans} />}
              {!experiment.can_write && (
                <ReadOnlyMark
                  trans={trans}
                  title={trans.__(
                    'MLflow does not let you change this experiment.'
                  )}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {nextPageToken && (
        <Button small minimal onClick={() => void model.loadMoreExperiments()}>
          {trans.__('Show more')}
        </Button>
      )}
    </section>
  );
}
