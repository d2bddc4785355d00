import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';
import { MlflowClient } from './api';
import { CommandIDs } from './commandIds';
import { addExperimentCommands } from './commands';
import { reasonLabels } from './labels';
import { ExperimentsModel } from './model';
import { followDocument } from './sessionPath';
import { ExperimentsTab } from './tab';

/** The Experiments tab comes first. */
export const EXPERIMENTS_RANK = 100;

/** The Experiments tab as the sidebar adds it. */
export function experimentsTab(
  model: ExperimentsModel,
  commands: CommandRegistry
): IMLPlatformSidebar.ITab {
  return {
    id: 'experiments',
    rank: EXPERIMENTS_RANK,
    label: trans => trans.__('Experiments'),
    model,
    render: ({ trans }) =>
      React.createElement(ExperimentsTab, { model, commands, trans })
  };
}

/**
 * MLflow experiment tracking: the Experiments tab, the commands that track
 * the open notebook, log it to a run and open run and compare pages, and the
 * notebooks' sessions kept on their paths for the runs to name them.
 */
export const experimentsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:experiments',
  description:
    'The Experiments tab of the ML Platform sidebar: MLflow experiments, runs, run pages and comparisons, and notebook tracking commands.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator],
  optional: [ICommandPalette, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null
  ) => {
    const trans = translator.load(sidebar.translationDomain);
    const model = new ExperimentsModel({
      api: new MlflowClient(app.serviceManager.serverSettings)
    });
    const commands = addExperimentCommands({
      commands: app.commands,
      shell: app.shell,
      model,
      tracker: notebooks,
      trans,
      // The sidebar already knows who is signed in; ask only if it does not.
      userName: async () => (await sidebar.whoAmI()).name,
      pages: {
        runs: sidebar.pages('mlplat-run-pages', CommandIDs.openRun),
        compare: sidebar.pages('mlplat-compare-pages', CommandIDs.compareRuns)
      }
    });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(experimentsTab(model, app.commands));
    tab.disposed.connect(() => {
      commands.dispose();
      labels.dispose();
    });

    // a run names its notebook by the server's session of it
    notebooks?.forEach(panel => followDocument(panel.context));
    notebooks?.widgetAdded.connect((_, panel) => followDocument(panel.context));

    if (palette) {
      const category = trans.__('ML Platform');
      for (const command of [
        CommandIDs.trackNotebook,
        CommandIDs.logNotebook,
        CommandIDs.compareRuns
      ]) {
        palette.addItem({ command, category });
      }
    }
  }
};
