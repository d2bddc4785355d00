import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  InputDialog,
  MainAreaWidget,
  Notification
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import {
  DisposableDelegate,
  DisposableSet,
  IDisposable
} from '@lumino/disposable';

import { CommandIDs } from './commandIds';
import { mlplatIcon } from '../shell/icons';
import { compareKey, createComparePage } from './compare';
import { errorText } from '../shell/errors';
import { IPageTracker } from '../shell/pages';
import { ExperimentsModel } from './model';
import { createRunPage } from './runPage';
import {
  defaultExperimentName,
  notebookFolder,
  isTrackingCell,
  trackingCellIndex,
  trackingCellSource
} from './tracking';

export interface IExperimentCommandsOptions {
  commands: CommandRegistry;
  shell: JupyterFrontEnd.IShell;
  model: ExperimentsModel;
  /** Null when the notebook plugin is absent: the notebook commands stay disabled. */
  tracker: INotebookTracker | null;
  trans: TranslationBundle;
  /** The hub user (`GET /me`), for the default experiment name. */
  userName: () => Promise<string>;
  /**
   * Ask for the experiment name, pre-filled with the default; null when the
   * user cancels. Defaults to a JupyterLab input dialog; tests answer it.
   */
  askExperimentName?: (defaultName: string) => Promise<string | null>;
  /** Follow the run and compare pages, so a reload opens them again. */
  pages?: { runs: IPageTracker; compare: IPageTracker } | null;
}

/**
 * The MLflow commands: track and log the current notebook, open a run page,
 * compare runs. The sidebar buttons execute these, so the palette, keyboard
 * shortcuts and the buttons behave the same.
 */
export function addExperimentCommands(
  options: IExperimentCommandsOptions
): IDisposable {
  const { commands, shell, model, tracker, trans } = options;
  const api = model.api;
  const disposables = new DisposableSet();
  const runPages = new Map<string, MainAreaWidget>();
  const comparePages = new Map<string, MainAreaWidget>();
  const ask =
    options.askExperimentName ??
    ((defaultName: string) => askExperimentName(defaultName, trans));

  /**
   * The notebook the buttons act on: the tracker's current notebook, but
   * only while it is also the shell's current widget, so a button never
   * writes into a notebook the user is not looking at.
   */
  const currentNotebook = (): NotebookPanel | null => {
    const panel = tracker?.currentWidget ?? null;
    if (!panel) {
      return null;
    }
    const current = shell.currentWidget;
    return current === null || current === panel ? panel : null;
  };

  const selectionCount = () => model.state.selection.length;

  disposables.add(
    commands.addCommand(CommandIDs.trackNotebook, {
      label: trans.__('Track This Notebook in MLflow'),
      caption: () =>
        currentNotebook()
          ? trans.__(
              'Add a cell at the top of the notebook that logs its runs to an MLflow experiment'
            )
          : trans.__('Open a notebook to track it in MLflow'),
      icon: args => (args['isPalette'] ? undefined : mlplatIcon),
      isEnabled: () => currentNotebook() !== null,
      execute: async () => {
        const panel = currentNotebook();
        if (!panel) {
          return null;
        }
        try {
          await panel.context.ready;
          const user = await options.userName();
          const path = panel.context.localPath || panel.context.path;
          const suggested = defaultExperimentName(user, path);
          const name = await ask(suggested);
          if (name === null) {
            return null;
          }
          if (!name.trim()) {
            // the dialog closed on an empty name: say why nothing happened
            Notification.warning(
              trans.__(
                'An experiment needs a name: no tracking cell was added.'
              ),
              { autoClose: 8000 }
            );
            return null;
          }
          insertTrackingCell(
            panel,
            name.trim(),
            name.trim() !== suggested
              ? trans.__('the experiment this notebook logs to; edit freely')
              : notebookFolder(path)
                ? trans.__('named after this notebook’s folder; edit freely')
                : trans.__('named after this notebook; edit freely')
          );
          Notification.success(
            trans.__(
              'Tracking cell added: run it to log this notebook to the experiment “%1”.',
              name
            ),
            { autoClose: 5000 }
          );
          return name;
        } catch (error) {
          Notification.error(
            trans.__(
              'Could not add the tracking cell: %1',
              errorText(trans, error)
            ),
            { autoClose: false }
          );
          return null;
        }
      }
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.logNotebook, {
      label: trans.__('Log Notebook to MLflow Run'),
      caption: args => {
        if (!currentNotebook()) {
          return trans.__('Open a notebook to log it to an MLflow run');
        }
        if (typeof args['runId'] === 'string' || selectionCount() === 1) {
          return trans.__('Save the notebook and log it to the selected run');
        }
        if (selectionCount() > 1) {
          return trans.__('Select a single run to log the notebook to');
        }
        if (model.state.view !== 'runs') {
          return trans.__(
            'Open an experiment (or select a run) to log the notebook to'
          );
        }
        return trans.__(
          'Save the notebook and log it to your newest run in this experiment'
        );
      },
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runId: {
              type: 'string',
              description: trans.__(
                'The run to log to; by default the selected run, or your newest run in the open experiment'
              )
            }
          }
        }
      },
      isEnabled: args =>
        currentNotebook() !== null &&
        (typeof args['runId'] === 'string' ||
          selectionCount() === 1 ||
          (selectionCount() === 0 && model.state.view === 'runs')),
      execute: async args => {
        const panel = currentNotebook();
        if (!panel) {
          return null;
        }
        try {
          // The server reads the file from disk: log what the user sees.
          await panel.context.save();
          let runId = typeof args['runId'] === 'string' ? args['runId'] : null;
          let runName = runId ?? '';
          if (!runId) {
            const target = await model.logTarget();
            if (!target) {
              Notification.warning(
                trans.__(
                  'No run of yours in this experiment yet: run the notebook first, or select a run in the table.'
                ),
                { autoClose: 8000 }
              );
              return null;
            }
            runId = target.id;
            runName = target.name || target.id;
          }
          const path = panel.context.localPath || panel.context.path;
          const logged = await api.logNotebook(runId, path);
          const openId = runId;
          Notification.success(
            trans.__(
              'Notebook logged to the run “%1” as %2.',
              runName,
              logged.artifact_path
            ),
            {
              autoClose: 8000,
              actions: [
                {
                  label: trans.__('Open run'),
                  callback: () =>
                    void commands.execute(CommandIDs.openRun, {
                      runId: openId,
                      name: runName
                    })
                }
              ]
            }
          );
          void model.refresh();
          return logged.artifact_path;
        } catch (error) {
          Notification.error(
            trans.__('Could not log the notebook: %1', errorText(trans, error)),
            { autoClose: false }
          );
          return null;
        }
      }
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.openRun, {
      label: trans.__('Open MLflow Run'),
      caption: trans.__(
        'Show a run with its params, metrics, charts and artifacts'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runId: { type: 'string', description: trans.__('The run id') },
            name: {
              type: 'string',
              description: trans.__('The run name, for the tab title')
            }
          },
          required: ['runId']
        }
      },
      isEnabled: args => typeof args['runId'] === 'string',
      execute: args => {
        const runId = args['runId'] as string;
        const name = typeof args['name'] === 'string' ? args['name'] : '';
        return openOnce(
          runPages,
          runId,
          () => createRunPage({ api, runId, name, commands, trans }),
          widget => options.pages?.runs.track(widget, { runId, name })
        );
      }
    })
  );

  const compareIds = (args: { [key: string]: unknown }): string[] =>
    Array.isArray(args['runIds'])
      ? (args['runIds'] as unknown[]).filter(
          (id): id is string => typeof id === 'string'
        )
      : model.state.selection.map(run => run.id);

  disposables.add(
    commands.addCommand(CommandIDs.compareRuns, {
      label: trans.__('Compare MLflow Runs'),
      caption: trans.__(
        'Params and metrics of 2 to 5 runs side by side, with their metric charts'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            runIds: {
              type: 'array',
              items: { type: 'string' },
              description: trans.__(
                'The runs to compare; by default those selected in the table'
              )
            }
          }
        }
      },
      isEnabled: args => {
        const count = new Set(compareIds(args)).size;
        return (
          count >= ExperimentsModel.COMPARE_MIN &&
          count <= ExperimentsModel.COMPARE_MAX
        );
      },
      execute: args => {
        const runIds = [...new Set(compareIds(args))];
        if (
          runIds.length < ExperimentsModel.COMPARE_MIN ||
          runIds.length > ExperimentsModel.COMPARE_MAX
        ) {
          return null;
        }
        return openOnce(
          comparePages,
          compareKey(runIds),
          () => createComparePage({ api, runIds, commands, trans }),
          widget => options.pages?.compare.track(widget, { runIds })
        );
      }
    })
  );

  /** Show the page already open under a key, or add a new one. */
  function openOnce(
    pages: Map<string, MainAreaWidget>,
    key: string,
    create: () => MainAreaWidget,
    follow: (widget: MainAreaWidget) => void
  ): MainAreaWidget {
    const open = pages.get(key);
    if (open && !open.isDisposed) {
      shell.activateById(open.id);
      return open;
    }
    const widget = create();
    pages.set(key, widget);
    widget.disposed.connect(() => {
      if (pages.get(key) === widget) {
        pages.delete(key);
      }
    });
    follow(widget); // named before the shell saves the layout with it
    shell.add(widget, 'main');
    shell.activateById(widget.id);
    return widget;
  }

  // Buttons follow the commands: tell them when what they depend on changes.
  const notifyNotebook = () => {
    commands.notifyCommandChanged(CommandIDs.trackNotebook);
    commands.notifyCommandChanged(CommandIDs.logNotebook);
  };
  let lastKey = '';
  const onModel = () => {
    const key = `${model.state.view}:${selectionCount()}`;
    if (key !== lastKey) {
      lastKey = key;
      commands.notifyCommandChanged(CommandIDs.logNotebook);
      commands.notifyCommandChanged(CommandIDs.compareRuns);
    }
  };
  model.stateChanged.connect(onModel);
  tracker?.currentChanged.connect(notifyNotebook);
  shell.currentChanged?.connect(notifyNotebook);
  disposables.add(
    new DisposableDelegate(() => {
      model.stateChanged.disconnect(onModel);
      tracker?.currentChanged.disconnect(notifyNotebook);
      shell.currentChanged?.disconnect(notifyNotebook);
      for (const page of [...runPages.values(), ...comparePages.values()]) {
        page.dispose();
      }
    })
  );
  return disposables;
}

/**
 * Put the tracking cell after the notebook's leading Markdown, or rewrite
 * the tracking cell already there (tracking twice must not stack cells).
 */
export function insertTrackingCell(
  panel: NotebookPanel,
  name: string,
  comment?: string
): number {
  const notebook = panel.content;
  const shared = notebook.model?.sharedModel;
  if (!shared) {
    throw new Error('The notebook is not loaded');
  }
  const source = trackingCellSource(name, comment);
  const cells = shared.cells;
  const existing = cells.findIndex(
    cell => cell.cell_type === 'code' && isTrackingCell(cell.getSource())
  );
  if (existing !== -1) {
    cells[existing].setSource(source);
    notebook.activeCellIndex = existing;
    return existing;
  }
  const index = trackingCellIndex(cells.map(cell => cell.cell_type));
  shared.insertCell(index, { cell_type: 'code', source, metadata: {} });
  notebook.activeCellIndex = index;
  return index;
}

/** A JupyterLab input dialog asking for the experiment name. */
async function askExperimentName(
  defaultName: string,
  trans: TranslationBundle
): Promise<string | null> {
  const result = await InputDialog.getText({
    title: trans.__('Track this notebook in MLflow'),
    label: trans.__(
      'Experiment name (runs of this notebook are logged there):'
    ),
    text: defaultName,
    okLabel: trans.__('Add tracking cell'),
    cancelLabel: trans.__('Cancel')
  });
  // null: cancelled; an empty name accepted is the caller's to refuse
  return result.button.accept ? (result.value ?? '').trim() : null;
}
