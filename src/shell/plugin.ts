import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator } from '@jupyterlab/translation';

import { IMLPlatformSidebar } from '../tokens';
import { PlatformClient } from './api';
import { CommandIDs } from './commands';
import { TRANSLATION_DOMAIN } from './domain';
import { reasonLabels } from './errors';
import { mlplatIcon } from './icons';
import { PlatformModel } from './model';
import {
  announce,
  NotificationFeed,
  notificationTarget
} from './notifications';
import { trackPages } from './pages';
import { TabPages } from './tabPages';
import { PlatformPanel } from './panel';
import { TabRegistry } from './registry';
import { IIdentity } from './types';

/** Where the id of the newest announced notification is kept. */
const SEEN_KEY = 'jupyterlab-mlplat:notifications';
/** Where the sidebar's chosen tab is kept across reloads. */
const TAB_KEY = 'jupyterlab-mlplat:sidebar-tab';

/** Below the file browser, running sessions and table of contents; above extensions. */
export const SIDEBAR_RANK = 600;

/**
 * The sidebar shell: the panel with who is signed in, the platform's health
 * and the tab strip. It adds no tab of its own; the feature plugins do,
 * through the `IMLPlatformSidebar` it provides.
 */
export const shellPlugin: JupyterFrontEndPlugin<IMLPlatformSidebar> = {
  id: 'jupyterlab-mlplat:plugin',
  description:
    'The ML Platform sidebar: identity, roles, platform health and the tab strip the workbench tabs plug into.',
  autoStart: true,
  provides: IMLPlatformSidebar,
  requires: [ITranslator],
  optional: [ILayoutRestorer, ICommandPalette, IStateDB],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    stateDB: IStateDB | null = null
  ): IMLPlatformSidebar => {
    const trans = translator.load(TRANSLATION_DOMAIN);
    const platform = new PlatformClient(app.serviceManager.serverSettings);
    const model = new PlatformModel({ api: platform });
    const tabs = new TabRegistry();
    const pages = new TabPages({
      tabs,
      platform: model,
      shell: app.shell,
      trans,
      pages: trackPages(restorer, 'mlplat-tab-pages', CommandIDs.openInMainArea)
    });
    const panel = new PlatformPanel({ model, tabs, pages, translator });
    panel.id = 'jp-mlplat-sidebar';
    panel.title.icon = mlplatIcon;
    panel.title.caption = trans.__('ML Platform');
    const feed = new NotificationFeed({ api: platform, auto: false });
    panel.disposed.connect(() => {
      pages.dispose();
      tabs.dispose();
      model.dispose();
      feed.dispose();
    });
    feed.arrived.connect((_, items) => {
      announce(items, trans, item => {
        const target = notificationTarget(item, id =>
          app.commands.hasCommand(id)
        );
        if (target.kind === 'command') {
          void app.commands.execute(target.id, target.args);
          return;
        }
        if (target.kind === 'tab' && pages.isOpen(target.tab)) {
          pages.open(target.tab); // where the person reads it now
          return;
        }
        app.shell.activateById(panel.id);
        if (target.kind === 'tab') {
          tabs.select(target.tab);
        }
      });
      void stateDB?.save(SEEN_KEY, { seen: feed.seen });
    });
    // The tab chosen last is the one a reload shows (JupyterLab restores the
    // sidebar itself; which of its tabs was open is ours to keep).
    tabs.selectedChanged.connect((_, tab) => {
      void stateDB?.save(TAB_KEY, { tab });
    });
    void (stateDB?.fetch(TAB_KEY) ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .then(saved => {
        const tab = (saved as { tab?: unknown } | undefined)?.tab;
        if (typeof tab === 'string' && tabs.selected === null) {
          tabs.select(tab);
        }
      });
    // What was announced before a reload is not announced again.
    void (stateDB?.fetch(SEEN_KEY) ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .then(saved => {
        const seen = (saved as { seen?: unknown } | undefined)?.seen;
        feed.start(typeof seen === 'number' ? seen : null);
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
    app.commands.addCommand(CommandIDs.openInMainArea, {
      label: trans.__('Open ML Platform Section in the Main Area'),
      caption: trans.__(
        'Open a section of the ML Platform sidebar in the main area, beside the notebooks'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            id: {
              type: 'string',
              description: trans.__(
                'The section: admin, analytics, deployments or another tab'
              )
            }
          },
          required: ['id']
        }
      },
      isEnabled: args => typeof args['id'] === 'string',
      execute: args => {
        const page = pages.open(args['id'] as string);
        if (!page) {
          // refused, so a reload that finds the tab gone forgets its page
          throw new Error(`The sidebar has no tab ${String(args['id'])}.`);
        }
        return page;
      }
    });
    if (palette) {
      palette.addItem({
        command: CommandIDs.open,
        category: trans.__('ML Platform')
      });
    }

    return {
      addTab: tab => tabs.add(tab),
      addReasonLabels: labels => reasonLabels.add(labels),
      showTab: id => {
        if (pages.isOpen(id)) {
          pages.open(id); // where the person reads it now
          return;
        }
        app.shell.activateById(panel.id);
        tabs.select(id);
      },
      platform: model,
      notifications: feed,
      translationDomain: TRANSLATION_DOMAIN,
      pages: (namespace, command) => trackPages(restorer, namespace, command),
      whoAmI: async (): Promise<IIdentity> =>
        model.state.kind === 'ready'
          ? model.state.identity
          : await platform.identity()
    };
  }
};

export default shellPlugin;
