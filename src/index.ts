import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator } from '@jupyterlab/translation';

import { mlplatIcon } from './icons';
import { PlatformModel } from './model';
import { PlatformClient } from './request';
import { PlatformPanel, TRANSLATION_DOMAIN } from './widgets/panel';

export { PlatformModel } from './model';
export { PlatformClient, PlatformRequestError, requestAPI } from './request';
export * from './tokens';

/** Command ids, one place so palette, menus and tests agree. */
export enum CommandIDs {
  open = 'mlplat:open'
}

/** Below the file browser, running sessions and table of contents; above extensions. */
const SIDEBAR_RANK = 600;

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:plugin',
  description:
    'The ML Platform sidebar: identity, roles, platform health and the workbench tabs.',
  autoStart: true,
  requires: [ITranslator],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const trans = translator.load(TRANSLATION_DOMAIN);
    const model = new PlatformModel({
      api: new PlatformClient(app.serviceManager.serverSettings)
    });
    const panel = new PlatformPanel({ model, translator });
    panel.id = 'jp-mlplat-sidebar';
    panel.title.icon = mlplatIcon;
    panel.title.caption = trans.__('ML Platform');
    panel.disposed.connect(() => model.dispose());

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
      palette.addItem({
        command: CommandIDs.open,
        category: trans.__('ML Platform')
      });
    }
  }
};

export default plugin;
