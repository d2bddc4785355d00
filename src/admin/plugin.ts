import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformApiKeys, IMLPlatformSidebar } from '../tokens';
import { ProfilesClient } from './api';
import { AuditClient, AuditModel } from './audit';
import { IAdminConsole, SectionId } from './console';
import { readEveryDeployment } from './everyDeployment';
import { reasonLabels } from './labels';
import { ProfilesModel } from './model';
import { readPeople } from './people';
import { ReadModel } from './readModel';
import { SettingsClient, SettingsModel } from './settings';
import { SizesClient, SizesModel } from './sizes';
import { AdminTab } from './tab';

/** The Deployments tab's command that opens a deployment's page (its plugin owns it). */
const OPEN_DEPLOYMENT = 'mlplat:open-deployment';

/** Last: the admin's tools after everybody's tabs. */
export const ADMIN_RANK = 900;

/** The Admin tab as the sidebar adds it; only admins see it. */
export function adminTab(
  model: ProfilesModel,
  sizes: SizesModel | null = null,
  console: IAdminConsole | null = null
): IMLPlatformSidebar.ITab {
  const section: { current: SectionId } = { current: 'profiles' };
  return {
    id: 'admin',
    rank: ADMIN_RANK,
    wide: true,
    label: trans => trans.__('Admin'),
    role: 'admin',
    model,
    render: ({ trans }) =>
      React.createElement(AdminTab, { model, sizes, console, section, trans })
  };
}

/**
 * The Admin tab, one console: workspace profiles (edited live), deployment
 * sizes, people, every deployment, everybody's API keys, the audit log and
 * the live settings.
 */
export const adminPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:admin',
  description:
    'The Admin tab of the ML Platform sidebar, one console: the workspace profiles of the spawn page, the deployment sizes, people, every deployment, everybody’s API keys, the audit log and the live settings.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator],
  optional: [IMLPlatformApiKeys],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    apiKeys: IMLPlatformApiKeys | null
  ) => {
    // Reads nothing until an admin opens the Admin tab.
    const model = new ProfilesModel({
      api: new ProfilesClient(app.serviceManager.serverSettings)
    });
    const sizes = new SizesModel({
      api: new SizesClient(app.serviceManager.serverSettings)
    });
    const settings = app.serviceManager.serverSettings;
    const console: IAdminConsole = {
      audit: new AuditModel({ api: new AuditClient(settings) }),
      settings: new SettingsModel({ api: new SettingsClient(settings) }),
      people: new ReadModel(() => readPeople(settings)),
      deployments: new ReadModel(() => readEveryDeployment(settings)),
      openDeployment: name => {
        if (app.commands.hasCommand(OPEN_DEPLOYMENT)) {
          void app.commands.execute(OPEN_DEPLOYMENT, { name });
        }
      },
      apiKeys: apiKeys ?? null
    };
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(adminTab(model, sizes, console));
    tab.disposed.connect(() => {
      labels.dispose();
      sizes.dispose();
      console.audit.dispose();
      console.settings.dispose();
      console.people.dispose();
      console.deployments.dispose();
    });
  }
};
