import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { phaseLabel, stageLabel } from '../shell/labels';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { IAnyDeployment, phaseCounts } from './everyDeployment';
import { ReadModel } from './readModel';

/** Every deployment on the platform, each a link to its page in the Deployments tab. */
export function DeploymentsSection(props: {
  model: ReadModel<IAnyDeployment[]>;
  trans: TranslationBundle;
  /** Opens a deployment's page; absent when the Deployments tab is not installed. */
  open: ((name: string) => void) | null;
}): JSX.Element {
  const { model, trans, open } = props;
  const state = useModelState(model);
  React.useEffect(() => {
    void model.refresh();
  }, [model]);
  const found = state.value;
  return (
    <section
      className="jp-mlplat-every-deployment"
      aria-label={trans.__('Every deployment')}
    >
      <div className="jp-mlplat-runs-header">
        <h3 className="jp-mlplat-runs-title">{trans.__('Every deployment')}</h3>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the deployments again')}
          onClick={() => void model.refresh()}
        />
      </div>
      {state.status.kind !== 'ready' && (
        <LoadStatus
          state={state.status}
          loading={trans.__('Reading the deployments…')}
          unavailable={trans.__('The platform is unavailable — retrying')}
          error={() => trans.__('The deployments could not be read')}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      )}
      {found && found.length === 0 && (
        <p className="jp-mlplat-empty">
          {trans.__('Nobody has deployed a model yet.')}
        </p>
      )}
      {found && found.length > 0 && (
        <>
          <p className="jp-mlplat-hint">
            {phaseCounts(found)
              .map(([phase, count]) => `${phaseLabel(phase, trans)}: ${count}`)
              .join(' · ')}
          </p>
          <div className="jp-mlplat-audit-scroll">
            <table
              className="jp-mlplat-audit-table"
              aria-label={trans.__('Every deployment')}
            >
              <thead>
                <tr>
                  <th scope="col">{trans.__('Name')}</th>
                  <th scope="col">{trans.__('Owner')}</th>
                  <th scope="col">{trans.__('Stage')}</th>
                  <th scope="col">{trans.__('Status')}</th>
                  <th scope="col">{trans.__('Model')}</th>
                </tr>
              </thead>
              <tbody>
                {found.map(deployment => (
                  <tr key={deployment.name}>
                    <td>
                      {open ? (
                        <button
                          type="button"
                          className="jp-mlplat-link"
                          title={trans.__('Open in the Deployments tab')}
                          onClick={() => open(deployment.name)}
                        >
                          {deployment.name}
                        </button>
                      ) : (
                        deployment.name
                      )}
                    </td>
                    <td>{deployment.owner}</td>
                    <td>{stageLabel(deployment.stage, trans)}</td>
                    <td>{phaseLabel(deployment.phase, trans)}</td>
                    <td>{deployment.model_name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
