import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator } from '@jupyterlab/translation';

import { ProfilesModel } from './admin/model';
import { CommandIDs } from './commands';
import { addExperimentCommands } from './experiments/commands';
import { ExperimentsModel } from './experiments/model';
import { followCurrentFolder } from './git/follow';
import { GitModel } from './git/model';
import { mlplatIcon } from './icons';
import { PlatformModel } from './model';
import { GitClient, MlflowClient, PlatformClient } from './request';
import { PlatformPanel, TRANSLATION_DOMAIN } from './widgets/panel';

export { ProfilesModel } from './admin/model';
export { CommandIDs } from './commands';
export { ExperimentsModel } from './experiments/model';
export { GitModel } from './git/model';
export { PlatformModel } from './model';
export {
  GitClient,
  MlflowClient,
  PlatformClient,
  PlatformRequestError,
  requestAPI
} from './request';
export * from './tokens';

/** Below the file browser, running sessions and table of contents; above extensions. */
const SIDEBAR_RANK = 600;

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:plugin',
  description:
    'The ML Platform sidebar: identity, roles, platform health and the workbench tabs, with MLflow experiment tracking and git with GitLab.',
  autoStart: true,
  requires: [ITranslator],
  optional: [ILayoutRestorer, ICommandPalette, INotebookTracker, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null,
    labShell: ILabShell | null
  ) => {
    const trans = translator.load(TRANSLATION_DOMAIN);
    const platform = new PlatformClient(app.serviceManager.serverSettings);
    const model = new PlatformModel({ api: platform });
    const experiments = new ExperimentsModel({
      api: new MlflowClient(app.serviceManager.serverSettings)
    });
    // Reads nothing until an admin opens the Admin tab.
    const profiles = new ProfilesModel({ api: platform });
    const git = new GitModel({
      api: new GitClient(app.serviceManager.serverSettings)
    });
    const following = followCurrentFolder({
      model: git,
      shell: labShell ?? null,
      contents: app.serviceManager.contents
    });
    const panel = new PlatformPanel({
      model,
      experiments,
      profiles,
      git,
      commands: app.commands,
      translator
    });
    panel.id = 'jp-mlplat-sidebar';
    panel.title.icon = mlplatIcon;
    panel.title.caption = trans.__('ML Platform');

    const experimentCommands = addExperimentCommands({
      commands: app.commands,
      shell: app.shell,
      model: experiments,
      tracker: notebooks,
      trans,
      // The sidebar already knows who is signed in; ask only if it does not.
      userName: async () =>
        model.state.kind === 'ready'
          ? model.state.identity.name
          : (await platform.identity()).name
    });
    panel.disposed.connect(() => {
      experimentCommands.dispose();
      following.dispose();
      git.dispose();
      experiments.dispose();
      profiles.dispose();
      model.dispose();
    });

    app.shell.add(panel, 'left', { rank: SIDEBAR_RANK });
    if (restorer) {
      restorer.add(panel, 'jupyterlab-mlplat:sidebar');
    }

    app.commands.addCommand(CommandIDs.open, {
      label: trans.__('Open ML Platform'),
      caption: trans.__('Show the ML Platform sidebar'),
      icon: args => (args['isPalette'] ? undefined : mlplatIcon),
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    if (palette) {
      const category = trans.__('ML Platform');
      for (const command of [
        CommandIDs.open,
        CommandIDs.trackNotebook,
        CommandIDs.logNotebook,
        CommandIDs.compareRuns
      ]) {
        palette.addItem({ command, category });
      }
    }
  }
};

export default plugin;
