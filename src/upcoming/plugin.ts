import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';

/**
 * A tab of a feature still being built, said plainly so nobody mistakes an
 * empty tab for a bug. A feature that ships removes its entry here and
 * adds its own plugin.
 */
export function upcomingTabs(): IMLPlatformSidebar.ITab[] {
  const notYet =
    (text: (trans: TranslationBundle) => string) =>
    ({ trans }: IMLPlatformSidebar.ITabProps) =>
      React.createElement('p', { className: 'jp-mlplat-not-yet' }, text(trans));
  return [
    {
      id: 'instructions',
      rank: 600,
      label: trans => trans.__('Instructions'),
      render: notYet(trans =>
        trans.__(
          'Instructions are not available yet: this part of the workbench is still being built.'
        )
      )
    }
  ];
}

/** The tabs of the features that are not built yet. */
export const upcomingPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:upcoming',
  description:
    'Placeholder tabs of the ML Platform sidebar for the features still being built.',
  autoStart: true,
  requires: [IMLPlatformSidebar],
  activate: (app: JupyterFrontEnd, sidebar: IMLPlatformSidebar) => {
    for (const tab of upcomingTabs()) {
      sidebar.addTab(tab);
    }
  }
};
