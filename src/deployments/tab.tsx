import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { formatDateTime } from '../shell/labels';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { DriftSection } from './charts';
import { TrafficSection } from './traffic';
import { Controls, History } from './controls';
import {
  phaseLabel,
  sizeOptionLabel,
  stageLabel,
  trafficLabel
} from './labels';
import { DeploymentsModel, served } from './model';
import { TryIt } from './tryIt';
import { IDeployment, IWorkloadStatus } from './types';

export interface IDeploymentsTabProps {
  model: DeploymentsModel;
  trans: TranslationBundle;
  /** Where external systems reach the gateway (for Try it's curl line). */
  gatewayBase: string;
  /** The versions of a model the person may pick for a canary or a shadow. */
  versionsOf: (modelName: string) => Promise<string[]>;
  /** The API keys panel, scoped to these deployments; absent without its plugin. */
  renderKeys?:
    | ((
        deployments: string[],
        trans: TranslationBundle,
        admin: boolean
      ) => React.ReactNode)
    | null;
  confirm?: (title: string, body: string, accept: string) => Promise<boolean>;
}

/** The Deployments tab: the list, or one deployment with its controls. */
export function DeploymentsTab(props: IDeploymentsTabProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);
  // The model polls the status only while someone sees the tab.
  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  if (state.open) {
    return <DeploymentView {...props} open={state.open} />;
  }
  const mine = (state.items ?? []).filter(item => item.owner === state.me);
  return (
    <div className="jp-mlplat-deployments-tab">
      <div className="jp-mlplat-review-bar">
        <h3 className="jp-mlplat-review-heading">
          {state.showAll
            ? trans.__('All deployments')
            : trans.__('My deployments')}
        </h3>
        <RefreshButton
          trans={trans}
          onClick={() => void model.refresh()}
          title={trans.__('Read the deployments again')}
        />
      </div>
      {state.admin && (
        <label className="jp-mlplat-deploy-all">
          <input
            type="checkbox"
            checked={state.showAll}
            onChange={event => model.setShowAll(event.currentTarget.checked)}
          />
          {trans.__('Show everyone’s deployments')}
        </label>
      )}
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
      {state.items && (
        <DeploymentList
          items={state.items}
          showOwner={state.showAll}
          onOpen={name => void model.open(name)}
          trans={trans}
        />
      )}
      {props.renderKeys && state.items && (
        <section
          className="jp-mlplat-deploy-keys"
          aria-label={trans.__('API keys')}
        >
          {props.renderKeys(
            mine.map(item => item.name),
            trans,
            state.admin
          )}
        </section>
      )}
    </div>
  );
}

function DeploymentList(props: {
  items: IDeployment[];
  showOwner: boolean;
  onOpen: (name: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { items, trans } = props;
  if (items.length === 0) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__(
          'No deployments yet. Deploy a version from its page in the Models tab, or a published model from the Catalog.'
        )}
      </p>
    );
  }
  return (
    <ul className="jp-mlplat-deploy-list" aria-label={trans.__('Deployments')}>
      {items.map(item => (
        <li key={item.name} className="jp-mlplat-deploy-item">
          <button
            type="button"
            className="jp-mlplat-queue-open"
            onClick={() => props.onOpen(item.name)}
          >
            <span className="jp-mlplat-queue-name">{item.name}</span>
            <span className="jp-mlplat-queue-meta">
              {props.showOwner
                ? trans.__(
                    '%1 · %2 · by %3',
                    item.spec.model_name,
                    stageLabel(item.stage, trans),
                    item.owner
                  )
                : trans.__(
                    '%1 · %2',
                    item.spec.model_name,
                    stageLabel(item.stage, trans)
                  )}
            </span>
            <span className="jp-mlplat-queue-meta">
              {servedText(item, trans)}
            </span>
          </button>
          <PhaseBadge phase={item.phase} trans={trans} />
        </li>
      ))}
    </ul>
  );
}

/** "version 3 80 % · version 4 canary 20 % · version 5 shadow". */
export function servedText(
  item: IDeployment,
  trans: TranslationBundle
): string {
  return item.spec.versions
    .map(v =>
      v.traffic === 'primary'
        ? trans.__('version %1: %2 %', v.version, v.percent)
        : v.traffic === 'canary'
          ? trans.__('version %1 canary: %2 %', v.version, v.percent)
          : trans.__('version %1 shadow', v.version)
    )
    .join(' · ');
}

export function PhaseBadge(props: {
  phase: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-mlplat-phase jp-mlplat-phase-${props.phase}`}
      data-phase={props.phase}
    >
      {phaseLabel(props.phase, props.trans)}
    </span>
  );
}

/** One deployment: status of each served version, controls, Try it, logs. */
function DeploymentView(
  props: IDeploymentsTabProps & { open: DeploymentsModel.IOpen }
): JSX.Element {
  const { model, open, trans } = props;
  const data = open.data;
  const back = (
    <Button
      small
      minimal
      className="jp-mlplat-back"
      onClick={() => model.close()}
    >
      {trans.__('← All deployments')}
    </Button>
  );
  const modelName = data?.spec.model_name ?? null;
  // null while the registry is asked: the pickers wait rather than offer a text input
  const [versions, setVersions] = React.useState<string[] | null>(null);
  React.useEffect(() => {
    let live = true;
    if (modelName) {
      props
        .versionsOf(modelName)
        .then(found => live && setVersions(found))
        .catch(() => live && setVersions([]));
    }
    return () => {
      live = false;
    };
  }, [modelName]);

  if (!data) {
    return (
      <div className="jp-mlplat-deployments-tab">
        {back}
        {open.status.kind !== 'ready' && (
          <LoadStatus
            state={open.status}
            loading={trans.__('Reading the deployment…')}
            unavailable={trans.__('The platform is unavailable — retrying')}
            error={() => trans.__('The deployment could not be read')}
            onRetry={() => void model.open(open.name)}
            trans={trans}
          >
            {back}
          </LoadStatus>
        )}
      </div>
    );
  }
  const primary = served(data.spec, 'primary');
  return (
    <article
      className="jp-mlplat-deployments-tab jp-mlplat-deployment"
      aria-label={trans.__('Deployment %1', data.name)}
    >
      <div className="jp-mlplat-page-header">
        {back}
        <RefreshButton
          trans={trans}
          title={trans.__('Read this deployment again')}
          onClick={() => void model.open(data.name)}
        />
      </div>
      <h3 className="jp-mlplat-page-title">
        {data.name} <PhaseBadge phase={data.phase} trans={trans} />
      </h3>
      {open.status.kind !== 'ready' && (
        <LoadStatus
          state={open.status}
          unavailable={trans.__('The platform is unavailable — retrying')}
          error={() => trans.__('The deployment could not be read')}
          onRetry={() => void model.open(open.name)}
          trans={trans}
        />
      )}
      <dl className="jp-mlplat-facts">
        <dt>{trans.__('Model')}</dt>
        <dd>{data.spec.model_name}</dd>
        <dt>{trans.__('Stage')}</dt>
        <dd>{stageLabel(data.stage, trans)}</dd>
        <dt>{trans.__('Owner')}</dt>
        <dd>{data.owner}</dd>
        <dt>{trans.__('Size')}</dt>
        <dd>
          {
            // as the deploy dialog offered it: the size's title, what it serves with
            sizeOptionLabel(
              {
                name: data.spec.size,
                title:
                  model.state.sizes?.find(size => size.name === data.spec.size)
                    ?.title ?? '',
                resources: data.spec.resources
              },
              trans
            )
          }
        </dd>
        <dt>{trans.__('Revision')}</dt>
        <dd>
          {trans.__('%1, %2', data.revision, formatDateTime(data.updated_at))}
        </dd>
      </dl>
      <ServedVersions
        data={data}
        trans={trans}
        onLogs={v => void model.readLogs(v)}
      />
      {open.logs && <LogTail logs={open.logs} model={model} trans={trans} />}
      <Controls
        model={model}
        open={open}
        data={data}
        versions={versions}
        trans={trans}
        confirm={props.confirm}
      />
      <History
        revisions={open.revisions}
        trans={trans}
        formatWhen={formatDateTime}
      />
      <TrafficSection
        api={model.api}
        name={data.name}
        served={data.spec.versions}
        trans={trans}
      />
      <DriftSection api={model.api} name={data.name} trans={trans} />
      {primary && (
        <TryIt
          api={model.api}
          data={data}
          version={primary.version}
          gatewayBase={props.gatewayBase}
          drafts={model.tryDrafts}
          trans={trans}
        />
      )}
    </article>
  );
}

/** Each served version with its traffic share and its workload's status. */
function ServedVersions(props: {
  data: IDeployment;
  trans: TranslationBundle;
  onLogs: (version: string) => void;
}): JSX.Element {
  const { data, trans } = props;
  const workloadOf = (version: string): IWorkloadStatus | null =>
    data.workloads.find(w => w.name === `${data.name}-v${version}`) ?? null;
  return (
    <section aria-label={trans.__('Served versions')}>
      <h4>{trans.__('Served versions')}</h4>
      <ul className="jp-mlplat-deploy-versions">
        {data.spec.versions.map(v => {
          const workload = workloadOf(v.version);
          return (
            <li
              key={`${v.traffic}-${v.version}`}
              className="jp-mlplat-deploy-version"
            >
              <div className="jp-mlplat-deploy-version-head">
                <strong>{trans.__('version %1', v.version)}</strong>
                <span
                  className={`jp-mlplat-traffic jp-mlplat-traffic-${v.traffic}`}
                >
                  {v.traffic === 'shadow'
                    ? trafficLabel(v.traffic, trans)
                    : trans.__(
                        '%1: %2 %',
                        trafficLabel(v.traffic, trans),
                        v.percent
                      )}
                </span>
                <PhaseBadge
                  phase={workload?.phase ?? 'pending'}
                  trans={trans}
                />
              </div>
              {v.traffic !== 'shadow' && (
                <div
                  className="jp-mlplat-deploy-share"
                  role="img"
                  aria-label={trans.__('%1 % of the traffic', v.percent)}
                >
                  <span
                    style={{
                      width: `${Math.max(0, Math.min(100, v.percent))}%`
                    }}
                  />
                </div>
              )}
              {workload && (
                <p className="jp-mlplat-deploy-replicas">
                  {trans.__(
                    'Replicas ready: %1 of %2 · restarts: %3',
                    workload.ready_replicas,
                    workload.replicas,
                    workload.restarts
                  )}
                </p>
              )}
              {workload?.last_error && (
                <p className="jp-mlplat-field-error jp-mlplat-server-text">
                  {trans.__('Last error: %1', workload.last_error)}
                </p>
              )}
              <Button small minimal onClick={() => props.onLogs(v.version)}>
                {trans.__('Show the log')}
              </Button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The last lines of a version's replicas, as text. */
function LogTail(props: {
  logs: DeploymentsModel.ILogs;
  model: DeploymentsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { logs, model, trans } = props;
  return (
    <section
      className="jp-mlplat-deploy-logs"
      aria-label={trans.__('Log of version %1', logs.version)}
    >
      <div className="jp-mlplat-review-bar">
        <h4>{trans.__('Log of version %1', logs.version)}</h4>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the log again')}
          onClick={() => void model.readLogs(logs.version)}
        />
      </div>
      {logs.status.kind !== 'ready' ? (
        <LoadStatus
          state={logs.status}
          loading={trans.__('Reading the log…')}
          unavailable={trans.__('The platform is unavailable')}
          error={() => trans.__('The log could not be read')}
          onRetry={() => void model.readLogs(logs.version)}
          trans={trans}
        />
      ) : logs.text ? (
        <pre className="jp-mlplat-code jp-mlplat-deploy-log">{logs.text}</pre>
      ) : (
        <p className="jp-mlplat-empty">{trans.__('The log is empty.')}</p>
      )}
    </section>
  );
}
