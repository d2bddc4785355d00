import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';
import { AnalyticsClient } from './api';
import { reasonLabels } from './labels';
import { AnalyticsModel } from './model';
import { AnalyticsTab } from './tab';

/** After Instructions, before the Admin tab: everybody's, looking back. */
export const ANALYTICS_RANK = 700;

/** The Analytics tab as the sidebar adds it; everybody sees it. */
export function analyticsTab(model: AnalyticsModel): IMLPlatformSidebar.ITab {
  return {
    id: 'analytics',
    rank: ANALYTICS_RANK,
    wide: true,
    label: trans => trans.__('Analytics'),
    model,
    render: ({ trans, identity }) =>
      React.createElement(AnalyticsTab, { model, trans, identity })
  };
}

/**
 * The Analytics tab: how the cluster's resources are used (efficiency,
 * idle GPU hours, the most idle servers) and how the teams work (runs,
 * publications, deployments), over a range of days, with CSV export.
 */
export const analyticsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:analytics',
  description:
    'The Analytics tab of the ML Platform sidebar: resource efficiency, idle GPU hours, the most idle servers and the team figures over a range of days, with CSV export.',
  autoStart: true,
  requires: [IMLPlatformSidebar],
  activate: (app: JupyterFrontEnd, sidebar: IMLPlatformSidebar) => {
    // Reads nothing until someone opens the tab.
    const model = new AnalyticsModel({
      api: new AnalyticsClient(app.serviceManager.serverSettings)
    });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(analyticsTab(model));
    tab.disposed.connect(() => labels.dispose());
  }
};
