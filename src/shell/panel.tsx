import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { TRANSLATION_DOMAIN } from './domain';
import { HealthLine } from './health';
import { useModelState } from './hooks';
import { IdentityHeader } from './identity';
import { PlatformModel } from './model';
import { TabRegistry } from './registry';
import { LoadStatus } from './status';
import { PlatformTabs } from './tabs';

export { TRANSLATION_DOMAIN } from './domain';

/**
 * The ML Platform sidebar.
 *
 * It tells the platform model and every tab's model when it is seen, so
 * they poll only for a panel someone is looking at.
 */
export class PlatformPanel extends ReactWidget {
  constructor(options: PlatformPanel.IOptions) {
    super();
    this._model = options.model;
    this._tabs = options.tabs ?? new TabRegistry();
    this._trans = options.translator.load(TRANSLATION_DOMAIN);
    this.addClass('jp-mlplat-panel');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('ML Platform'));
    this._tabs.changed.connect(this._onTabsChanged, this);
    this._setVisible(false);
  }

  get model(): PlatformModel {
    return this._model;
  }

  /** The tabs the plugins added. */
  get tabs(): TabRegistry {
    return this._tabs;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._tabs.changed.disconnect(this._onTabsChanged, this);
    super.dispose();
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
      <PlatformView model={this._model} tabs={this._tabs} trans={this._trans} />
    );
  }

  /** A tab added later learns at once whether the panel is shown. */
  private _onTabsChanged(): void {
    this._setVisible(this._visible);
  }

  /** The models poll only while the panel is seen. */
  private _setVisible(visible: boolean): void {
    this._visible = visible;
    this._model.visible = visible;
    for (const model of this._tabs.models) {
      if ('panelVisible' in model) {
        model.panelVisible = visible;
      }
    }
  }

  private _model: PlatformModel;
  private _tabs: TabRegistry;
  private _trans: TranslationBundle;
  private _visible = false;
}

export namespace PlatformPanel {
  export interface IOptions {
    model: PlatformModel;
    translator: ITranslator;
    /** The tabs to show; plugins add them through `IMLPlatformSidebar`. */
    tabs?: TabRegistry;
  }
}

export interface IPlatformViewProps {
  model: PlatformModel;
  tabs: TabRegistry;
  trans: TranslationBundle;
}

/** Follow the registry's tabs from React. */
function useTabs(tabs: TabRegistry): TabRegistry['tabs'] {
  const [list, setList] = React.useState(tabs.tabs.slice());
  React.useEffect(() => {
    const onChange = () => setList(tabs.tabs.slice());
    tabs.changed.connect(onChange);
    onChange();
    return () => {
      tabs.changed.disconnect(onChange);
    };
  }, [tabs]);
  return list;
}

/**
 * The sidebar's content. Kept mounted across outages so the selected tab
 * survives the platform going away and coming back.
 */
export function PlatformView(props: IPlatformViewProps): JSX.Element {
  const { model, tabs, trans } = props;
  const state = useModelState(model);
  // Re-render when a plugin adds or removes a tab.
  useTabs(tabs);
  const [selected, setSelected] = React.useState<string | null>(null);
  React.useEffect(() => {
    // A tab the user may not see keeps the selection where it was.
    const onSelect = (_: TabRegistry, id: string) => {
      const roles: readonly string[] | null =
        model.state.kind === 'ready' ? model.state.identity.roles : null;
      const tab = tabs.tabs.find(one => one.id === id);
      if (tab && (!roles || !tab.role || roles.includes(tab.role))) {
        setSelected(id);
      }
    };
    tabs.selectRequested.connect(onSelect);
    return () => {
      tabs.selectRequested.disconnect(onSelect);
    };
  }, [tabs, model]);

  let body: JSX.Element;
  if (state.kind === 'ready') {
    const { identity } = state;
    body = (
      <>
        <IdentityHeader identity={identity} trans={trans} />
        <HealthLine health={state.health} trans={trans} />
        <PlatformTabs
          tabs={tabs.visible(identity.roles, trans)}
          selected={selected}
          onSelect={setSelected}
          renderPanel={tab => tab.render({ trans, identity })}
          trans={trans}
        />
      </>
    );
  } else {
    body = (
      <LoadStatus
        state={state}
        loading={trans.__('Connecting to the platform…')}
        unavailable={trans.__('Platform unavailable — retrying')}
        error={status =>
          status > 0
            ? trans.__('The platform answered with an error (HTTP %1)', status)
            : trans.__('Could not read the platform status')
        }
        onRetry={() => void model.refresh()}
        trans={trans}
      />
    );
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
