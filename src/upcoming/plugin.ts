import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';

/**
 * The content of a tab of a feature still being built, said plainly so
 * nobody mistakes an empty tab for a bug.
 */
export function notYet(
  text: (trans: TranslationBundle) => string
): IMLPlatformSidebar.ITab['render'] {
  return ({ trans }) =>
    React.createElement('p', { className: 'jp-mlplat-not-yet' }, text(trans));
}

/**
 * The placeholder tabs (`{id, rank, label, render: notYet(...)}`). A
 * feature that ships removes its entry here and adds its own plugin; every
 * feature planned so far has shipped.
 */
export function upcomingTabs(): IMLPlatformSidebar.ITab[] {
  return [];
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
