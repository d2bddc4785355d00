import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { ProfilesModel } from '../admin/model';
import { AdminTab } from '../admin/tab';
import { ExperimentsModel } from '../experiments/model';
import { ExperimentsTab } from '../experiments/tab';
import { GitModel } from '../git/model';
import { GitTab } from '../git/tab';
import { useModelState } from '../hooks';
import { PlatformModel } from '../model';
import { HealthLine } from './health';
import { IdentityHeader } from './identity';
import { StatusMessage } from './status';
import { PlatformTabs, TabId, visibleTabs } from './tabs';

/** The translation domain; matches locale/<lang>/LC_MESSAGES/<domain>.json. */
export const TRANSLATION_DOMAIN = 'jupyterlab_mlplat';

/**
 * The ML Platform sidebar.
 *
 * It tells the model when it is seen, so the model polls only for a panel
 * someone is looking at.
 */
export class PlatformPanel extends ReactWidget {
  constructor(options: PlatformPanel.IOptions) {
    super();
    this._model = options.model;
    this._experiments = options.experiments ?? null;
    this._profiles = options.profiles ?? null;
    this._git = options.git ?? null;
    this._trans = options.translator.load(TRANSLATION_DOMAIN);
    this._commands = options.commands ?? null;
    this.addClass('jp-mlplat-panel');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('ML Platform'));
    this._setVisible(false);
  }

  get model(): PlatformModel {
    return this._model;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._setVisible(true);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._setVisible(this.isVisible);
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this._setVisible(false);
  }

  protected onBeforeDetach(msg: Message): void {
    this._setVisible(false);
    super.onBeforeDetach(msg);
  }

  render(): JSX.Element {
    return (
      <PlatformView
        model={this._model}
        experiments={this._experiments}
        profiles={this._profiles}
        git={this._git}
        commands={this._commands}
        trans={this._trans}
      />
    );
  }

  /** The models poll only while the panel is seen. */
  private _setVisible(visible: boolean): void {
    this._model.visible = visible;
    if (this._experiments) {
      this._experiments.panelVisible = visible;
    }
    if (this._git) {
      this._git.panelVisible = visible;
    }
  }

  private _model: PlatformModel;
  private _experiments: ExperimentsModel | null;
  private _profiles: ProfilesModel | null;
  private _git: GitModel | null;
  private _commands: CommandRegistry | null;
  private _trans: TranslationBundle;
}

export namespace PlatformPanel {
  export interface IOptions {
    model: PlatformModel;
    translator: ITranslator;
    /** The Experiments tab's model; without it the tab stays empty. */
    experiments?: ExperimentsModel;
    /** The Admin tab's model; without it the tab stays empty. */
    profiles?: ProfilesModel;
    /** The Git tab's model; without it the tab stays empty. */
    git?: GitModel;
    /** The application's commands, which the tabs' buttons execute. */
    commands?: CommandRegistry;
  }
}

export interface IPlatformViewProps {
  model: PlatformModel;
  experiments?: ExperimentsModel | null;
  profiles?: ProfilesModel | null;
  git?: GitModel | null;
  commands?: CommandRegistry | null;
  trans: TranslationBundle;
}

/**
 * The sidebar's content. Kept mounted across outages so the selected tab
 * survives the platform going away and coming back.
 */
export function PlatformView(props: IPlatformViewProps): JSX.Element {
  const { model, experiments, profiles, git, commands, trans } = props;
  const state = useModelState(model);
  const [selected, setSelected] = React.useState<TabId>('experiments');

  let body: JSX.Element;
  switch (state.kind) {
    case 'loading':
      body = (
        <p className="jp-mlplat-status" role="status">
          {trans.__('Connecting to the platform…')}
        </p>
      );
      break;
    case 'unavailable':
      body = (
        <StatusMessage
          title={trans.__('Platform unavailable — retrying')}
          message={state.message}
          requestId={state.requestId}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      );
      break;
    case 'error':
      body = (
        <StatusMessage
          title={
            state.status > 0
              ? trans.__(
                  'The platform answered with an error (HTTP %1)',
                  state.status
                )
              : trans.__('Could not read the platform status')
          }
          message={state.message}
          requestId={state.requestId}
          onRetry={() => void model.refresh()}
          trans={trans}
          isError
        />
      );
      break;
    case 'ready':
      body = (
        <>
          <IdentityHeader identity={state.identity} trans={trans} />
          <HealthLine health={state.health} trans={trans} />
          <PlatformTabs
            tabs={visibleTabs(state.identity.roles, trans)}
            selected={selected}
            onSelect={setSelected}
            renderPanel={id => {
              if (id === 'experiments' && experiments && commands) {
                return (
                  <ExperimentsTab
                    model={experiments}
                    commands={commands}
                    trans={trans}
                  />
                );
              }
              if (id === 'git' && git) {
                return <GitTab model={git} trans={trans} />;
              }
              if (id === 'admin' && profiles) {
                return <AdminTab model={profiles} trans={trans} />;
              }
              return null;
            }}
            trans={trans}
          />
        </>
      );
      break;
  }

  return (
    <div className="jp-mlplat-view">
      <header className="jp-mlplat-header">
        <h2 className="jp-mlplat-title">{trans.__('ML Platform')}</h2>
      </header>
      {body}
    </div>
  );
}
