import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { LoadStatus } from '../shell/status';
import { CatalogModel } from './model';
import { CatalogSearch } from './search';

export interface ICatalogTabProps {
  model: CatalogModel;
  trans: TranslationBundle;
}

/**
 * The Catalog tab: every published model, searched by what its card says. While mounted it tells the model it is shown, so it
 * reads the catalog again each time someone comes back to it.
 */
export function CatalogTab(props: ICatalogTabProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);

  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  // An open model is on its own page in the main area (pageWidget.tsx).
  return (
    <div className="jp-mlplat-catalog-tab">
      {state.status.kind !== 'ready' && state.results === null ? (
        <LoadStatus
          state={state.status}
          loading={trans.__('Searching the catalog…')}
          unavailable={trans.__('The catalog is unavailable — retrying')}
          error={() => trans.__('The catalog could not be searched')}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      ) : (
        <>
          {state.status.kind !== 'ready' && (
            <LoadStatus
              state={state.status}
              unavailable={trans.__('The catalog is unavailable — retrying')}
              error={() => trans.__('The catalog could not be searched')}
              onRetry={() => void model.refresh()}
              trans={trans}
            />
          )}
          <CatalogSearch model={model} state={state} trans={trans} />
        </>
      )}
    </div>
  );
}
