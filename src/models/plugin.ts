import {
  ILabStatus,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IMLPlatformSidebar, INotificationFeed } from '../tokens';
import { ModelsClient } from './api';
import { keptCards } from './card';
import { CommandIDs } from './commandIds';
import { addModelCommands } from './commands';
import { reasonLabels } from './labels';
import { ModelsModel } from './model';
import { ModelsTab } from './tab';

/** After Experiments and Git. */
export const MODELS_RANK = 300;

/** The Models tab as the sidebar adds it. */
export function modelsTab(
  model: ModelsModel,
  commands: CommandRegistry,
  notifications: INotificationFeed | null = null
): IMLPlatformSidebar.ITab {
  return {
    id: 'models',
    rank: MODELS_RANK,
    label: trans => trans.__('Models'),
    model,
    render: ({ trans }) =>
      React.createElement(ModelsTab, { model, commands, notifications, trans })
  };
}

/**
 * The person's registered models: the Models tab, a page per version with
 * its lineage and model card, and the command that registers a run's
 * model (the run page's "Register model").
 */
export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:models',
  description:
    'The Models tab of the ML Platform sidebar: your registered models and versions, their lineage, model cards and publication.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator, IRenderMimeRegistry],
  optional: [ILabStatus, IStateDB],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    rendermime: IRenderMimeRegistry,
    status: ILabStatus | null,
    state: IStateDB | null
  ) => {
    const trans = translator.load(sidebar.translationDomain);
    const model = new ModelsModel({
      api: new ModelsClient(app.serviceManager.serverSettings)
    });
    const commands = addModelCommands({
      commands: app.commands,
      shell: app.shell,
      model,
      rendermime,
      trans,
      notifications: sidebar.notifications,
      pages: sidebar.pages('mlplat-version-pages', CommandIDs.openVersion),
      status,
      kept: state ? keptCards(state) : null
    });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(
      modelsTab(model, app.commands, sidebar.notifications)
    );
    tab.disposed.connect(() => {
      commands.dispose();
      labels.dispose();
    });
  }
};
