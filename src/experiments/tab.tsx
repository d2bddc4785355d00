import { TranslationBundle } from '@jupyterlab/translation';
import { Button, InputGroup } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { loadChartJs } from '../shell/charts';
import { CommandIDs } from './commandIds';
import { LoadingNote, LoadStatus } from '../shell/status';
import { useCommand, useExperimentsState } from './hooks';
import { mlflowErrorTitle } from './labels';
import { ExperimentsModel } from './model';
import { PrivateMark, ReadOnlyMark, RunsTable } from './runsTable';
import { RefreshButton } from '../shell/refresh';

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
    // Chart.js is a lazy chunk; fetched while the tab is looked at, it is
    // there before the first run page needs it.
    const idle =
      window.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 0));
    idle(() => void loadChartJs().catch(() => undefined));
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  const { status } = state;
  if (status.kind === 'disabled') {
    return (
      <LoadingNote
        text={trans.__(
          'MLflow is not configured for this server. Ask an administrator to set up experiment tracking.'
        )}
      />
    );
  }
  if (status.kind !== 'ready') {
    return (
      <LoadStatus
        state={status}
        loading={trans.__('Connecting to MLflow…')}
        unavailable={trans.__('MLflow unavailable — retrying')}
        error={code => mlflowErrorTitle(code, trans)}
        onRetry={() => void model.refresh()}
        trans={trans}
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
      </LoadStatus>
    );
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
      <div className="jp-mlplat-list-toolbar">
        <InputGroup
          type="search"
          className="jp-mlplat-search"
          rightIcon="ui-components:search"
          aria-label={trans.__('Search experiments')}
          placeholder={trans.__('Search experiments by name')}
          value={filter}
          onChange={event => void model.setFilter(event.currentTarget.value)}
        />
        <RefreshButton
          trans={trans}
          title={trans.__('Reload the experiments from MLflow')}
          onClick={() => void model.refresh()}
        />
      </div>
      {experiments === null ? (
        <LoadingNote text={trans.__('Loading experiments…')} />
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
