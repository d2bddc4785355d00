import { MainAreaWidget } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { mlplatIcon } from '../shell/icons';
import { IPageTracker } from '../shell/pages';
import { IIdentity } from '../shell/types';
import { CatalogModel } from './model';
import { ModelPage } from './modelPage';

/** The main-area page of the catalog model that is open. */
export const CATALOG_PAGE_ID = 'jp-mlplat-catalog-page';

export interface ICatalogPageProps {
  model: CatalogModel;
  whoAmI: () => Promise<IIdentity>;
  rendermime: IRenderMimeRegistry | null;
  /** Put code into the active notebook's next cell; false without a notebook. */
  insertCode: (source: string) => boolean;
  /**
   * Deploy a published version (the Deployments tab's command), when there;
   * resolves true once a deployment was made.
   */
  deploy?: ((mlflowName: string, version: number) => Promise<boolean>) | null;
  /** Whether `deploy` can run now (the Deployments tab is loaded). */
  canDeploy?: () => boolean;
  /** Open a deployment's page (the Deployments tab's command), when there. */
  openDeployment?: ((name: string) => void) | null;
  /** Whether `openDeployment` can run now. */
  canOpenDeployment?: () => boolean;
  trans: TranslationBundle;
}

/** The catalog model the tab opened, or a word that none is. */
export function CatalogPage(props: ICatalogPageProps): JSX.Element {
  const { model, whoAmI, trans } = props;
  const state = useModelState(model);
  const [identity, setIdentity] = React.useState<IIdentity | null>(null);
  React.useEffect(() => {
    let live = true;
    whoAmI()
      .then(found => live && setIdentity(found))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [whoAmI]);
  if (state.view !== 'model' || !state.page || !identity) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__('Open a model from the catalog.')}
      </p>
    );
  }
  return (
    <div className="jp-mlplat-catalog-tab">
      <ModelPage {...props} identity={identity} page={state.page} />
    </div>
  );
}

/**
 * A model's card, versions, lineage and alias history are read like a
 * document, beside the notebook that will load the model: the sidebar's
 * width held them badly, so the page opens in the main area and the tab
 * keeps the search. One page at a time, as the model holds one; closing it
 * goes back to the search.
 */
export function createCatalogPage(
  options: ICatalogPageProps
): MainAreaWidget<ReactWidget> {
  const content = ReactWidget.create(<CatalogPage {...options} />);
  content.addClass('jp-mlplat-page');
  const widget = new MainAreaWidget({ content });
  widget.id = CATALOG_PAGE_ID;
  widget.title.label = options.trans.__('Catalog');
  widget.title.icon = mlplatIcon;
  widget.title.closable = true;
  return widget;
}

/**
 * Keeps the main-area page in step with the model the catalog has open:
 * opened (or brought forward) when one opens, closed on the way back to the
 * search, and closing the page goes back to the search.
 */
export function followCatalogPage(
  options: ICatalogPageProps & {
    shell: {
      add(widget: MainAreaWidget, area: 'main'): void;
      activateById(id: string): void;
    };
    /** Follow the page, so a reload opens the model shown then. */
    pages?: IPageTracker | null;
  }
): { current(): MainAreaWidget | null } {
  const { model, shell, trans } = options;
  let widget: MainAreaWidget | null = null;
  let shown: string | null = null;
  model.stateChanged.connect((_, state) => {
    const page = state.view === 'model' ? state.page : null;
    if (!page) {
      shown = null;
      widget?.dispose();
      return;
    }
    const fresh = !widget;
    if (!widget) {
      widget = createCatalogPage(options);
      widget.disposed.connect(() => {
        widget = null;
        if (model.state.view === 'model') {
          void model.backToSearch();
        }
      });
    }
    widget.title.label = trans.__('Catalog: %1', page.name);
    if (page.name !== shown) {
      shown = page.name;
      // named before the shell saves the layout with it
      options.pages?.track(widget, { name: page.name });
      if (fresh) {
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
    }
  });
  return { current: () => widget };
}
