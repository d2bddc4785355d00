import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';
import { CatalogClient } from './api';
import { CommandIDs } from './commandIds';
import { reasonLabels } from './labels';
import { CatalogModel } from './model';
import { followCatalogPage } from './pageWidget';
import { insertIntoNotebook } from './snippet';
import { CatalogTab } from './tab';

/**
 * The Deployments tab's commands, known by id only: deploy a version (args:
 * modelName, version, published), and open a deployment's page (args: name).
 */
const DEPLOY_COMMAND = 'mlplat:deploy-model-version';
const OPEN_DEPLOYMENT_COMMAND = 'mlplat:open-deployment';

/** After Models and Reviews: what their work ends in. */
export const CATALOG_RANK = 450;

/** The Catalog tab as the sidebar adds it. */
export function catalogTab(model: CatalogModel): IMLPlatformSidebar.ITab {
  return {
    id: 'catalog',
    rank: CATALOG_RANK,
    label: trans => trans.__('Catalog'),
    model,
    render: ({ trans }) => React.createElement(CatalogTab, { model, trans })
  };
}

/**
 * The catalog of published models, for everyone: full-text search with
 * facets, a page per model with its card, versions, lineage and alias
 * history, the code that loads it, and the reviewers' deprecate and
 * move-the-champion actions.
 */
export const catalogPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:catalog',
  description:
    'The Catalog tab of the ML Platform sidebar: search published models, read their cards and load them in a notebook.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator],
  optional: [IRenderMimeRegistry, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    rendermime: IRenderMimeRegistry | null,
    notebooks: INotebookTracker | null
  ) => {
    const model = new CatalogModel({
      api: new CatalogClient(app.serviceManager.serverSettings)
    });
    const trans = translator.load(sidebar.translationDomain);
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(catalogTab(model));
    const command = app.commands.addCommand(CommandIDs.openModel, {
      label: trans.__('Open Catalog Model'),
      caption: trans.__('Open the catalog page of a published model'),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              description: trans.__('The name of the model in the catalog')
            }
          },
          required: ['name']
        }
      },
      isEnabled: args => typeof args['name'] === 'string',
      execute: args => {
        // the page opens at once and reads the model itself: a reload does
        // not wait for the platform to lay the notebooks out
        void model.openModel(args['name'] as string);
        const opened = page.current();
        if (!opened) {
          throw new Error('The catalog page did not open.');
        }
        return opened;
      }
    });
    tab.disposed.connect(() => {
      labels.dispose();
      command.dispose();
    });
    const page = followCatalogPage({
      model,
      whoAmI: () => sidebar.whoAmI(),
      rendermime,
      insertCode: source => insertIntoNotebook(notebooks, source),
      // the Deployments tab's plugin may load after this one, or not at all
      canDeploy: () => app.commands.hasCommand(DEPLOY_COMMAND),
      // the command says what it could not do itself; here only whether one was made
      deploy: (mlflowName, version) =>
        app.commands
          .execute(DEPLOY_COMMAND, {
            modelName: mlflowName,
            version: String(version),
            published: true
          })
          .then(
            created => created !== null && created !== undefined,
            () => false
          ),
      canOpenDeployment: () => app.commands.hasCommand(OPEN_DEPLOYMENT_COMMAND),
      openDeployment: name =>
        void app.commands.execute(OPEN_DEPLOYMENT_COMMAND, { name }),
      trans,
      shell: app.shell,
      pages: sidebar.pages('mlplat-catalog-page', CommandIDs.openModel)
    });
  }
};
