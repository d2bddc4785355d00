import { ILabStatus, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import {
  DisposableDelegate,
  DisposableSet,
  IDisposable
} from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { errorText } from '../shell/errors';
import { IPageTracker } from '../shell/pages';
import { IPlatformNotification } from '../shell/types';
import { INotificationFeed } from '../tokens';
import { mlplatIcon } from '../shell/icons';
import { IKeptCards } from './card';
import { CommandIDs } from './commandIds';
import { ModelsModel } from './model';
import { registerModel, IRegisterOptions } from './registerDialog';
import { createVersionPage, versionPageId } from './versionPage';

export interface IModelCommandsOptions {
  commands: CommandRegistry;
  shell: JupyterFrontEnd.IShell;
  model: ModelsModel;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
  /** The lab's notifications: news of a version refreshes its open page. */
  notifications?: INotificationFeed | null;
  /** Answers the register dialog (tests). */
  ask?: IRegisterOptions['ask'];
  /** Follow the version pages, so a reload opens them again. */
  pages?: IPageTracker | null;
  /** The lab's status: a card with unsaved changes marks it dirty. */
  status?: ILabStatus | null;
  /** Where a card typed but not saved is kept, to be offered back. */
  kept?: IKeptCards | null;
  /** Ask before closing a page whose card cannot be saved (tests answer). */
  confirmClose?: (title: string, body: string) => Promise<boolean>;
}

/**
 * Register a run's model and open a version's page. The run page of the
 * Experiments tab runs the first by its id; the Models tab the second.
 */
export function addModelCommands(options: IModelCommandsOptions): IDisposable {
  const { commands, shell, model, trans } = options;
  const disposables = new DisposableSet();
  const pages = new Map<string, MainAreaWidget>();

  const outdated = new Map<string, Signal<unknown, void>>();
  const openVersion = (name: string, version: string) => {
    const id = versionPageId(name, version);
    let page = pages.get(id);
    if (!page || page.isDisposed) {
      const signal = new Signal<unknown, void>(model);
      page = createVersionPage({
        api: model.api,
        name,
        version,
        commands,
        rendermime: options.rendermime,
        trans,
        outdated: signal,
        status: options.status,
        kept: options.kept,
        confirmClose: options.confirmClose
      });
      pages.set(id, page);
      outdated.set(id, signal);
      page.disposed.connect(() => {
        pages.delete(id);
        outdated.delete(id);
      });
      options.pages?.track(page, { name, version }); // before the layout has it
      shell.add(page, 'main');
    }
    shell.activateById(page.id);
    return page;
  };

  // A reviewer's decision or a publish changes the open page of its version.
  const onNews = (_: unknown, items: IPlatformNotification[]) => {
    for (const item of items) {
      if (item.kind !== 'submitted') {
        outdated.get(versionPageId(item.model_name, item.version))?.emit();
      }
    }
  };
  if (options.notifications) {
    const feed = options.notifications;
    feed.arrived.connect(onNews);
    disposables.add(
      new DisposableDelegate(() => feed.arrived.disconnect(onNews))
    );
  }

  disposables.add(
    commands.addCommand(CommandIDs.openVersion, {
      label: trans.__('Open Model Version'),
      caption: trans.__('Open the page of a registered model version'),
      icon: args => (args['isPalette'] ? undefined : mlplatIcon),
      isEnabled: args =>
        typeof args['name'] === 'string' && typeof args['version'] === 'string',
      execute: args =>
        openVersion(args['name'] as string, args['version'] as string)
    })
  );

  disposables.add(
    commands.addCommand(CommandIDs.registerModel, {
      label: trans.__('Register Model'),
      caption: trans.__(
        'Register a model this run logged as a version of one of your registered models'
      ),
      icon: args => (args['isPalette'] ? undefined : mlplatIcon),
      isEnabled: args => typeof args['runId'] === 'string',
      execute: async args => {
        const runId = args['runId'] as string;
        try {
          if (model.state.models === null) {
            await model.refresh();
          }
          const registered = await registerModel({
            api: model.api,
            runId,
            runName:
              typeof args['runName'] === 'string' ? args['runName'] : undefined,
            myModels: model.modelNames,
            trans,
            ask: options.ask
          });
          if (!registered) {
            return null;
          }
          void model.refresh();
          Notification.success(
            trans.__(
              'Registered version %2 of the model “%1”.',
              registered.name,
              registered.version
            ),
            {
              autoClose: 8000,
              actions: [
                {
                  label: trans.__('Open'),
                  callback: () =>
                    openVersion(registered.name, registered.version)
                }
              ]
            }
          );
          return { name: registered.name, version: registered.version };
        } catch (error) {
          Notification.error(
            trans.__(
              'Could not register the model: %1',
              errorText(trans, error)
            ),
            { autoClose: false }
          );
          return null;
        }
      }
    })
  );
  return disposables;
}
