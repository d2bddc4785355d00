import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { uiLocale } from '../shell/labels';
import { mlplatIcon } from '../shell/icons';
import { IMLPlatformSidebar } from '../tokens';
import { IActionRunner } from './actions';
import { InstructionsClient } from './api';
import { CommandIDs } from './commandIds';
import { languageOf } from './draft';
import { reasonLabels } from './labels';
import { InstructionsModel } from './model';
import { InstructionsTab } from './tab';

/** After everybody's work tabs, before the admin's. */
export const INSTRUCTIONS_RANK = 600;

/** The id of the tab, also what `mlplat:open-tab/instructions` names. */
export const INSTRUCTIONS_TAB = 'instructions';

/** The role that writes articles (the platform's `custom:mlplat:instruct`). */
export const INSTRUCTOR_ROLE = 'instructor';

/** JupyterLab's command that opens a file of the home in the lab. */
const OPEN_FILE = 'docmanager:open';

export interface IInstructionsTabOptions {
  model: InstructionsModel;
  rendermime: IRenderMimeRegistry;
  runner: IActionRunner;
  openFile: (path: string) => void;
}

/** The Instructions tab as the sidebar adds it: everyone sees it. */
export function instructionsTab(
  options: IInstructionsTabOptions
): IMLPlatformSidebar.ITab {
  const { model } = options;
  return {
    id: INSTRUCTIONS_TAB,
    rank: INSTRUCTIONS_RANK,
    label: trans => trans.__('Instructions'),
    model,
    render: ({ trans }) =>
      React.createElement(InstructionsTab, { ...options, trans })
  };
}

/**
 * What an article's product links do in the lab: open a tab of the
 * sidebar, run another tab's command when its plugin is there, or copy
 * the article's notebook into the home and open it.
 */
export function labActionRunner(options: {
  sidebar: Pick<IMLPlatformSidebar, 'showTab'>;
  commands: CommandRegistry;
  model: InstructionsModel;
  openFile: (path: string) => void;
}): IActionRunner {
  const { sidebar, commands, model } = options;
  return {
    showTab: tab => sidebar.showTab(tab),
    execute: command => {
      if (commands.hasCommand(command)) {
        void commands.execute(command);
      }
    },
    openNotebook: () =>
      void model.copyNotebook().then(path => path && options.openFile(path))
  };
}

/** Add the tab's commands; the launcher, Help menu and palette show them. */
export function addCommands(options: {
  commands: CommandRegistry;
  sidebar: Pick<IMLPlatformSidebar, 'showTab'>;
  model: InstructionsModel;
  trans: TranslationBundle;
}): void {
  const { commands, sidebar, model, trans } = options;
  commands.addCommand(CommandIDs.open, {
    label: trans.__('Instructions'),
    caption: trans.__(
      'Quick starts for the workbench, written by your instructors'
    ),
    icon: args => (args['isPalette'] ? undefined : mlplatIcon),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          slug: {
            type: 'string',
            description: trans.__('The article to open')
          }
        }
      }
    },
    execute: async args => {
      sidebar.showTab(INSTRUCTIONS_TAB);
      const slug = args['slug'];
      if (typeof slug === 'string' && slug) {
        await model.open(slug);
      } else if (model.state.view === 'article') {
        model.back();
      }
    }
  });
  commands.addCommand(CommandIDs.openFirst, {
    label: trans.__('Getting Started with the ML Platform'),
    caption: trans.__('Open the first instruction article'),
    execute: async () => {
      sidebar.showTab(INSTRUCTIONS_TAB);
      await model.refresh();
      const first = model.state.items?.[0];
      if (first) {
        await model.open(first.slug);
      }
    }
  });
}

/**
 * The Instructions tab: articles to read with per-task progress, search,
 * product links and the example notebook; for instructors, the editor.
 * Also in the launcher, the Help menu and the command palette.
 */
export const instructionsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-mlplat:instructions',
  description:
    'The Instructions tab of the ML Platform sidebar: quick-start articles with tasks and progress, searched and read in your language, written by instructors; in the launcher, the Help menu and the command palette.',
  autoStart: true,
  requires: [IMLPlatformSidebar, ITranslator, IRenderMimeRegistry],
  optional: [ILauncher, IMainMenu, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    sidebar: IMLPlatformSidebar,
    translator: ITranslator,
    rendermime: IRenderMimeRegistry,
    launcher: ILauncher | null,
    mainMenu: IMainMenu | null,
    palette: ICommandPalette | null
  ) => {
    const trans = translator.load(sidebar.translationDomain);
    const model = new InstructionsModel({
      api: new InstructionsClient(app.serviceManager.serverSettings),
      language: languageOf(translator.languageCode || uiLocale())
    });
    const openFile = (path: string) =>
      void app.commands.execute(OPEN_FILE, { path });
    const runner = labActionRunner({
      sidebar,
      commands: app.commands,
      model,
      openFile
    });
    const labels = sidebar.addReasonLabels(reasonLabels);
    const tab = sidebar.addTab(
      instructionsTab({ model, rendermime, runner, openFile })
    );
    tab.disposed.connect(() => labels.dispose());

    void sidebar
      .whoAmI()
      .then(identity =>
        model.setIdentity(
          identity.name,
          (identity.roles as readonly string[]).includes(INSTRUCTOR_ROLE)
        )
      )
      .catch(() => undefined);

    addCommands({ commands: app.commands, sidebar, model, trans });
    const category = trans.__('ML Platform');
    launcher?.add({ command: CommandIDs.open, category, rank: 1 });
    mainMenu?.helpMenu.addGroup(
      [{ command: CommandIDs.open }, { command: CommandIDs.openFirst }],
      5
    );
    palette?.addItem({ command: CommandIDs.open, category });
    palette?.addItem({ command: CommandIDs.openFirst, category });
  }
};
