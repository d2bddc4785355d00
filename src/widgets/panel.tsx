import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { PlatformModel } from '../model';
import { HealthLine } from './health';
import { IdentityHeader } from './identity';
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
    this._trans = options.translator.load(TRANSLATION_DOMAIN);
    this.addClass('jp-mlplat-panel');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('ML Platform'));
    this._model.visible = false;
  }

  get model(): PlatformModel {
    return this._model;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.visible = true;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._model.visible = this.isVisible;
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this._model.visible = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this._model.visible = false;
    super.onBeforeDetach(msg);
  }

  render(): JSX.Element {
    return <PlatformView model={this._model} trans={this._trans} />;
  }

  private _model: PlatformModel;
  private _trans: TranslationBundle;
}

export namespace PlatformPanel {
  export interface IOptions {
    model: PlatformModel;
    translator: ITranslator;
  }
}

/** Follow a model's state from React. */
function usePlatformState(model: PlatformModel): PlatformModel.State {
  const [state, setState] = React.useState(model.state);
  React.useEffect(() => {
    const onChange = (_: PlatformModel, next: PlatformModel.State) =>
      setState(next);
    model.stateChanged.connect(onChange);
    // The state may have changed between render and subscription.
    setState(model.state);
    return () => {
      model.stateChanged.disconnect(onChange);
    };
  }, [model]);
  return state;
}

export interface IPlatformViewProps {
  model: PlatformModel;
  trans: TranslationBundle;
}

/**
 * The sidebar's content. Kept mounted across outages so the selected tab
 * survives the platform going away and coming back.
 */
export function PlatformView(props: IPlatformViewProps): JSX.Element {
  const { model, trans } = props;
  const state = usePlatformState(model);
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

interface IStatusMessageProps {
  title: string;
  message: string | null;
  requestId: string | null;
  onRetry: () => void;
  trans: TranslationBundle;
  isError?: boolean;
}

/** Why the sidebar has nothing to show, with the server's words as text. */
function StatusMessage(props: IStatusMessageProps): JSX.Element {
  const { trans } = props;
  return (
    <div
      className={`jp-mlplat-status ${
        props.isError
          ? 'jp-mlplat-status-error'
          : 'jp-mlplat-status-unavailable'
      }`}
      role={props.isError ? 'alert' : 'status'}
    >
      <p className="jp-mlplat-status-title">{props.title}</p>
      {props.message && (
        <p className="jp-mlplat-status-message">{props.message}</p>
      )}
      {props.requestId && (
        <p className="jp-mlplat-status-request">
          {trans.__('Request ID: %1', props.requestId)}
        </p>
      )}
      <button
        type="button"
        className="jp-mlplat-retry jp-mod-styled"
        onClick={props.onRetry}
      >
        {trans.__('Retry now')}
      </button>
    </div>
  );
}
