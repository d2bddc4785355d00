import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';
import { GitClient } from './api';
import { followCurrentFolder } from './follow';
import { reasonLabels } from './labels';
import { GitModel } from './model';
import { GitTab } from './tab';

/** After Experiments. */
export const GIT_RANK = 200;

/** The Git tab as the sidebar adds it. */
export function gitTab(model: GitModel): IMLPlatformSidebar.ITab {
  return {
    id: 'git',
    rank: GIT_RANK,
    label: trans => trans.__('Git'),
    model,
    render: ({ trans }) => React.createElement(GitTab, { model, trans })
  };
}

/**
 * git and GitLab: the Git tab, following the folder of the document the
 * user works in.
 */
export const gitPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:git',
  description:
    'The Git tab of the ML Platform sidebar: status, commits, branches, pull and push, GitLab publishing and merge requests.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator],
  optional: [ILabShell],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    labShell: ILabShell | null
  ) => {
    const model = new GitModel({
      api: new GitClient(app.serviceManager.serverSettings)
    });
    const following = followCurrentFolder({
      model,
      shell: labShell ?? null,
      contents: app.serviceManager.contents
    });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(gitTab(model));
    tab.disposed.connect(() => {
      following.dispose();
      labels.dispose();
    });
  }
};
