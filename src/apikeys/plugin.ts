import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import * as React from 'react';

import { IMLPlatformApiKeys, IMLPlatformSidebar } from '../tokens';
import { ApiKeysClient } from './api';
import { ApiKeysPanel, IssuedSecretHolder } from './keys';

/**
 * The API keys panel as a service other tabs embed (the Deployments tab
 * shows it under the person's deployments): the keys feature has no tab of
 * its own, and the tabs know no other feature's code.
 */
export const apiKeysPlugin: JupyterFrontEndPlugin<IMLPlatformApiKeys> = {
  id: 'jupyterlab-mlplat:apikeys',
  description:
    'The API keys panel of the ML Platform sidebar: create, rotate and revoke the keys external systems call deployments and read the catalog with.',
  autoStart: true,
  // shown only inside the sidebar's tabs
  requires: [IMLPlatformSidebar],
  provides: IMLPlatformApiKeys,
  activate: (app: JupyterFrontEnd): IMLPlatformApiKeys => {
    const api = new ApiKeysClient(app.serviceManager.serverSettings);
    const issued = new IssuedSecretHolder();
    return {
      render: props =>
        React.createElement(ApiKeysPanel, { api, issued, ...props })
    };
  }
};
