import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import { errorText } from '../shell/errors';
import { IMLPlatformApiKeys, IMLPlatformSidebar } from '../tokens';
import { DeploymentsClient } from './api';
import { CommandIDs } from './commandIds';
import { deployVersion, IDeployOptions } from './deployDialog';
import { reasonLabels } from './labels';
import { DeploymentsModel } from './model';
import { DeploymentsTab, IDeploymentsTabProps } from './tab';

/** After the Catalog: where a version goes once it is good enough. */
export const DEPLOYMENTS_RANK = 500;

/** The role that may see everyone's deployments. */
export const ADMIN_ROLE = 'admin';

/**
 * Where external systems reach the gateway: the hub's `deployments`
 * service, beside the hub (`/services/deployments`), on this page's origin.
 */
export function gatewayBase(): string {
  const hubPrefix = PageConfig.getOption('hubPrefix') || '/hub/';
  const root = hubPrefix.replace(/hub\/?$/, '');
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return `${origin}${root.endsWith('/') ? root : `${root}/`}services/deployments`;
}

/** The Deployments tab as the sidebar adds it. */
export function deploymentsTab(
  model: DeploymentsModel,
  options: Omit<IDeploymentsTabProps, 'model' | 'trans'>
): IMLPlatformSidebar.ITab {
  return {
    id: 'deployments',
    rank: DEPLOYMENTS_RANK,
    wide: true,
    label: trans => trans.__('Deployments'),
    model,
    render: ({ trans }) =>
      React.createElement(DeploymentsTab, { ...options, model, trans })
  };
}

export interface IDeployCommandOptions {
  commands: CommandRegistry;
  model: DeploymentsModel;
  sidebar: Pick<IMLPlatformSidebar, 'showTab'>;
  trans: TranslationBundle;
  /** Answers the deploy dialog (tests). */
  ask?: IDeployOptions['ask'];
}

/**
 * "Deploy" of a version (the Models tab's version page, the Catalog's
 * model page, which know only its id) and "Open Deployment".
 */
export function addDeployCommands(
  options: IDeployCommandOptions
): IDisposable[] {
  const { commands, model, sidebar, trans } = options;
  const open = async (name: string) => {
    sidebar.showTab('deployments');
    await model.open(name);
  };
  return [
    commands.addCommand(CommandIDs.deploy, {
      label: trans.__('Deploy…'),
      caption: trans.__(
        'Serve this model version behind an endpoint: staging, or production for published versions'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            modelName: {
              type: 'string',
              description: trans.__('The registered model')
            },
            version: {
              type: 'string',
              description: trans.__('The model version')
            },
            published: {
              type: 'boolean',
              description: trans.__('Whether the version is published')
            }
          },
          required: ['modelName', 'version']
        }
      },
      isEnabled: args =>
        typeof args['modelName'] === 'string' &&
        typeof args['version'] === 'string',
      execute: async args => {
        const productionName = args['productionModelName'];
        const productionVersion = args['productionVersion'];
        try {
          const created = await deployVersion({
            api: model.api,
            target: {
              modelName: args['modelName'] as string,
              version: String(args['version']),
              published: args['published'] === true,
              production:
                typeof productionName === 'string' &&
                productionVersion !== undefined
                  ? {
                      modelName: productionName,
                      version: String(productionVersion)
                    }
                  : null
            },
            trans,
            ask: options.ask
          });
          if (!created) {
            return null;
          }
          void model.refresh();
          Notification.success(
            trans.__(
              'Deploying “%1”: it answers once its replicas are ready.',
              created.name
            ),
            {
              autoClose: 8000,
              actions: [
                {
                  label: trans.__('Open'),
                  callback: () => void open(created.name)
                }
              ]
            }
          );
          await open(created.name);
          return { name: created.name };
        } catch (error) {
          Notification.error(
            trans.__('Could not deploy: %1', errorText(trans, error)),
            { autoClose: false }
          );
          return null;
        }
      }
    }),
    commands.addCommand(CommandIDs.open, {
      label: trans.__('Open Deployment'),
      caption: trans.__('Show a deployment in the Deployments tab'),
      isEnabled: args => typeof args['name'] === 'string',
      execute: args => open(args['name'] as string)
    })
  ];
}

/**
 * The Deployments tab: the person's deployments with their status, canary,
 * shadow, rollback, logs and Try it; and the Deploy command of the Models
 * and Catalog pages.
 */
export const deploymentsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:deployments',
  description:
    'The Deployments tab of the ML Platform sidebar: deploy model versions, watch their status, change their traffic, roll back and try them.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator],
  optional: [IMLPlatformApiKeys],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    keys: IMLPlatformApiKeys | null
  ) => {
    const trans = translator.load(sidebar.translationDomain);
    const client = new DeploymentsClient(app.serviceManager.serverSettings);
    const model = new DeploymentsModel({ api: client });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(
      deploymentsTab(model, {
        gatewayBase: gatewayBase(),
        versionsOf: name => client.versionsOf(name),
        renderKeys: keys
          ? (deployments, trans, admin) =>
              keys.render({ deployments, trans, admin })
          : null
      })
    );
    const commands = addDeployCommands({
      commands: app.commands,
      model,
      sidebar,
      trans
    });
    tab.disposed.connect(() => {
      labels.dispose();
      commands.forEach(command => command.dispose());
    });
    void sidebar
      .whoAmI()
      .then(identity =>
        model.setIdentity(
          identity.name,
          (identity.roles as readonly string[]).includes(ADMIN_ROLE)
        )
      )
      .catch(() => undefined);
  }
};
