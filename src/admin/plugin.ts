import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';
import { ProfilesClient } from './api';
import { reasonLabels } from './labels';
import { ProfilesModel } from './model';
import { SizesClient, SizesModel } from './sizes';
import { AdminTab } from './tab';

/** Last: the admin's tools after everybody's tabs. */
export const ADMIN_RANK = 900;

/** The Admin tab as the sidebar adds it; only admins see it. */
export function adminTab(
  model: ProfilesModel,
  sizes: SizesModel | null = null
): IMLPlatformSidebar.ITab {
  return {
    id: 'admin',
    rank: ADMIN_RANK,
    label: trans => trans.__('Admin'),
    role: 'admin',
    model,
    render: ({ trans }) =>
      React.createElement(AdminTab, { model, sizes, trans })
  };
}

/** The Admin tab: workspace profiles, edited live, and deployment sizes. */
export const adminPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:admin',
  description:
    'The Admin tab of the ML Platform sidebar: the workspace profiles of the spawn page, edited live, and the deployment sizes people deploy with.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator
  ) => {
    // Reads nothing until an admin opens the Admin tab.
    const model = new ProfilesModel({
      api: new ProfilesClient(app.serviceManager.serverSettings)
    });
    const sizes = new SizesModel({
      api: new SizesClient(app.serviceManager.serverSettings)
    });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(adminTab(model, sizes));
    tab.disposed.connect(() => {
      labels.dispose();
      sizes.dispose();
    });
  }
};
