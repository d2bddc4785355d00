import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { Button, launchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { TRANSLATION_DOMAIN } from './domain';
import { HealthLine } from './health';
import { useModelState } from './hooks';
import { IdentityHeader } from './identity';
import { PlatformModel } from './model';
import { ITabSpec, TabRegistry } from './registry';
import { SeenWidget } from './seenWidget';
import { PlatformStatus } from './status';
import { TabPages } from './tabPages';
import { PlatformTabs } from './tabs';
import { IIdentity } from './types';

export { TRANSLATION_DOMAIN } from './domain';

/**
 * The ML Platform sidebar.
 *
 * It tells the platform model and every tab's model when it is seen, so
 * they poll only for a panel someone is looking at.
 */
export class PlatformPanel extends SeenWidget {
  constructor(options: PlatformPanel.IOptions) {
    super();
    this._model = options.model;
    this._tabs = options.tabs ?? new TabRegistry();
    this._pages = options.pages ?? null;
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

  protected onSeen(seen: boolean): void {
    this._setVisible(seen);
  }

  render(): JSX.Element {
    return (
      <PlatformView
        model={this._model}
        tabs={this._tabs}
        pages={this._pages}
        trans={this._trans}
      />
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
  private _pages: TabPages | null;
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
    /** The tabs opened in the main area; without it none can be. */
    pages?: TabPages | null;
  }
}

export interface IPlatformViewProps {
  model: PlatformModel;
  tabs: TabRegistry;
  pages?: TabPages | null;
  trans: TranslationBundle;
}

/** Follow which tabs are open in the main area. */
function usePages(pages: TabPages | null): void {
  const [, setCount] = React.useState(0);
  React.useEffect(() => {
    if (!pages) {
      return;
    }
    const onChange = () => setCount(count => count + 1);
    pages.changed.connect(onChange);
    return () => {
      pages.changed.disconnect(onChange);
    };
  }, [pages]);
}

/**
 * A tab's content in the sidebar: the tab itself, with an offer to open it
 * in the main area when it reads better wide; or, while it is open there, a
 * word that it is.
 */
export function TabPanel(props: {
  tab: ITabSpec;
  identity: IIdentity;
  pages: TabPages | null;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { tab, identity, pages, trans } = props;
  if (pages?.isOpen(tab.id)) {
    return (
      <div className="jp-mlplat-tab-elsewhere">
        <p>{trans.__('%1 is open in the main area.', tab.label)}</p>
        <div className="jp-mlplat-tab-elsewhere-actions">
          <Button
            className="jp-mlplat-button"
            onClick={() => void pages.open(tab.id)}
          >
            {trans.__('Show it')}
          </Button>
          <Button
            className="jp-mlplat-button"
            minimal
            onClick={() => pages.close(tab.id)}
          >
            {trans.__('Back to the sidebar')}
          </Button>
        </div>
      </div>
    );
  }
  return (
    <>
      {tab.wide && pages && (
        <div className="jp-mlplat-tab-tools">
          <button
            type="button"
            className="jp-mlplat-link-button"
            title={trans.__(
              'Open %1 in the main area, beside the notebooks',
              tab.label
            )}
            onClick={() => void pages.open(tab.id)}
          >
            <launchIcon.react tag="span" />
            {trans.__('Open in the main area')}
          </button>
        </div>
      )}
      {tab.render({ trans, identity })}
    </>
  );
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
  const pages = props.pages ?? null;
  const state = useModelState(model);
  // Re-render when a plugin adds or removes a tab, or one opens elsewhere.
  useTabs(tabs);
  usePages(pages);
  // a request made before the strip was drawn (the tab restored after a reload) counts
  const [selected, setSelected] = React.useState<string | null>(tabs.requested);
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
  React.useEffect(() => {
    if (selected !== null) {
      tabs.shown(selected);
    }
  }, [tabs, selected]);

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
          renderPanel={tab => (
            <TabPanel
              tab={tab}
              identity={identity}
              pages={pages}
              trans={trans}
            />
          )}
          trans={trans}
        />
      </>
    );
  } else {
    body = <PlatformStatus model={model} state={state} trans={trans} />;
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
