import { Clipboard } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { describeError } from '../shell/errors';
import {
  formatDateTime,
  phaseLabel,
  safeHttpUrl,
  stageLabel,
  trafficLabel
} from '../shell/labels';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { IIdentity } from '../shell/types';
import {
  aliasLabel,
  facetLabel,
  facetValueLabel,
  formatMetric,
  statusLabel
} from './labels';
import { ModelCardView } from './card';
import { CatalogModel } from './model';
import { CHAMPION } from './snippet';
import {
  FacetName,
  IAliasMove,
  ICatalogLineage,
  ICatalogModel,
  ICatalogVersion
} from './types';

export interface IModelPageProps {
  model: CatalogModel;
  page: CatalogModel.IModelPage;
  identity: IIdentity;
  rendermime: IRenderMimeRegistry | null;
  /** Put code into the active notebook's next cell; false without a notebook. */
  insertCode: (source: string) => boolean;
  /**
   * Deploy a published version to production (the Deployments tab's
   * command); null without that tab. Resolves true once a deployment was
   * made (false: cancelled or refused).
   */
  deploy?: ((mlflowName: string, version: number) => Promise<boolean>) | null;
  /** Whether `deploy` can run now (the Deployments tab is loaded). */
  canDeploy?: () => boolean;
  /** Open a deployment's page in the Deployments tab; null without that tab. */
  openDeployment?: ((name: string) => void) | null;
  /** Whether `openDeployment` can run now. */
  canOpenDeployment?: () => boolean;
  trans: TranslationBundle;
}

/** Whether someone may deprecate versions and move the champion. */
export function canCurate(identity: IIdentity): boolean {
  return identity.roles.some(role => role === 'reviewer' || role === 'admin');
}

/** One catalog model: its card, versions, lineage, alias history and how to use it. */
export function ModelPage(props: IModelPageProps): JSX.Element {
  const { model, page, trans } = props;
  const back = (
    <Button
      small
      minimal
      className="jp-mlplat-back"
      onClick={() => void model.backToSearch()}
    >
      {trans.__('← Back to the catalog')}
    </Button>
  );
  if (!page.model || page.status.kind !== 'ready') {
    return (
      <section className="jp-mlplat-catalog-model">
        {back}
        {page.status.kind !== 'ready' && (
          <LoadStatus
            state={page.status}
            loading={trans.__('Loading the model…')}
            unavailable={trans.__('The catalog is unavailable — retrying')}
            error={() => trans.__('The model could not be read')}
            onRetry={() => void model.refresh()}
            trans={trans}
          />
        )}
      </section>
    );
  }
  const entry = page.model;
  return (
    <article
      className="jp-mlplat-catalog-model"
      aria-label={trans.__('Catalog model %1', entry.name)}
    >
      <div className="jp-mlplat-page-header">
        {back}
        <RefreshButton
          trans={trans}
          title={trans.__('Read this model from the catalog again')}
          onClick={() => void model.refresh()}
        />
      </div>
      <h3 className="jp-mlplat-page-title">{entry.name}</h3>
      <p className="jp-mlplat-catalog-registered">
        {trans.__('MLflow model: %1', entry.mlflow_name)}
      </p>
      <Facts entry={entry} trans={trans} />
      <UseInNotebook {...props} entry={entry} />
      <h4>{trans.__('Model card')}</h4>
      <ModelCardView
        card={entry.card}
        rendermime={props.rendermime}
        trans={trans}
      />
      {page.actionError && (
        <p className="jp-mlplat-catalog-error" role="alert">
          {describeError(trans, page.actionError) ??
            trans.__('The action failed.')}
        </p>
      )}
      <Versions {...props} entry={entry} />
      <AliasHistory history={entry.alias_history} trans={trans} />
      <h4>{trans.__('Deployments')}</h4>
      {entry.deployments.length === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__('None of the deployments you can see serves this model.')}
        </p>
      ) : (
        <ul className="jp-mlplat-catalog-deployments">
          {entry.deployments.map(deployment => (
            <li key={`${deployment.name}/${deployment.version}`}>
              {props.openDeployment && props.canOpenDeployment?.() ? (
                <button
                  type="button"
                  className="jp-mlplat-link"
                  title={trans.__('Open deployment %1', deployment.name)}
                  onClick={() => props.openDeployment!(deployment.name)}
                >
                  {deployment.name}
                </button>
              ) : (
                deployment.name
              )}{' '}
              {trans.__(
                'serves version %1 (%2, %3, %4)',
                deployment.version,
                stageLabel(deployment.stage, trans),
                trafficLabel(deployment.traffic, trans),
                phaseLabel(deployment.status, trans)
              )}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

const FACT_FIELDS: FacetName[] = [
  'task',
  'framework',
  'team',
  'license',
  'status'
];

function Facts(props: {
  entry: ICatalogModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { entry, trans } = props;
  return (
    <dl className="jp-mlplat-catalog-facts-list">
      {FACT_FIELDS.filter(field => entry[field]).map(field => (
        <React.Fragment key={field}>
          <dt>{facetLabel(field, trans)}</dt>
          <dd>{facetValueLabel(field, entry[field] as string, trans)}</dd>
        </React.Fragment>
      ))}
      {entry.tags.length > 0 && (
        <>
          <dt>{trans.__('Tags')}</dt>
          <dd>{entry.tags.join(', ')}</dd>
        </>
      )}
    </dl>
  );
}

/**
 * The code that loads the champion, as the catalog writes it (the one
 * place it is written), with Copy and Insert into the notebook.
 */
function UseInNotebook(
  props: IModelPageProps & { entry: ICatalogModel }
): JSX.Element {
  const { entry, insertCode, trans } = props;
  const code = entry.snippet.trimEnd();
  const [said, setSaid] = React.useState<string | null>(null);
  return (
    <section
      className="jp-mlplat-catalog-snippet"
      aria-label={trans.__('Use in a notebook')}
    >
      <h4>{trans.__('Use in a notebook')}</h4>
      {entry.champion_version === null ? (
        <p className="jp-mlplat-empty">
          {trans.__('No version is the champion now: nothing to load.')}
        </p>
      ) : (
        <>
          <pre className="jp-mlplat-code">
            <code>{code}</code>
          </pre>
          <div className="jp-mlplat-toolbar">
            <Button
              small
              onClick={() => {
                Clipboard.copyToSystem(code);
                setSaid(trans.__('Copied.'));
              }}
            >
              {trans.__('Copy')}
            </Button>
            <Button
              small
              onClick={() =>
                setSaid(
                  insertCode(code)
                    ? trans.__('Inserted after the active cell.')
                    : trans.__('Open a notebook first.')
                )
              }
            >
              {trans.__('Insert into the notebook')}
            </Button>
            {said && (
              <span className="jp-mlplat-said" role="status">
                {said}
              </span>
            )}
          </div>
        </>
      )}
    </section>
  );
}

/** What a reviewer is about to do, and the comment it will carry. */
interface IPending {
  kind: 'deprecate' | 'champion';
  version: number;
  publicationId: number;
  /** The version is the champion now (a deprecation leaves the alias on it). */
  isChampion?: boolean;
}

function Versions(
  props: IModelPageProps & { entry: ICatalogModel }
): JSX.Element {
  const { entry, model, page, identity, trans } = props;
  const [pending, setPending] = React.useState<IPending | null>(null);
  const curator = canCurate(identity);
  const champion = entry.champion_version;
  return (
    <section
      className="jp-mlplat-catalog-versions"
      aria-label={trans.__('Versions')}
    >
      <h4>{trans.__('Versions')}</h4>
      <ul className="jp-mlplat-catalog-version-list">
        {entry.versions.map(version => (
          <li key={version.version} className="jp-mlplat-catalog-version">
            <div className="jp-mlplat-catalog-version-title">
              <strong>{trans.__('Version %1', version.version)}</strong>{' '}
              <span className="jp-mlplat-catalog-status">
                {statusLabel(version.state, trans)}
              </span>
              {version.version === champion && (
                <span className="jp-mlplat-catalog-champion">
                  {aliasLabel(CHAMPION, trans)}
                </span>
              )}
            </div>
            <p className="jp-mlplat-catalog-published">
              {trans.__(
                'Published %1 by %2',
                formatDateTime(version.published_at),
                version.published_by
              )}
              {version.deprecated_at &&
                ' · ' +
                  trans.__(
                    'deprecated %1',
                    formatDateTime(version.deprecated_at)
                  )}
            </p>
            <Metrics metrics={version.metrics} trans={trans} />
            <Lineage lineage={version.lineage} trans={trans} />
            {props.deploy &&
              props.canDeploy?.() &&
              version.state === 'published' && (
                <div className="jp-mlplat-toolbar">
                  <Button
                    small
                    className="jp-mlplat-catalog-deploy"
                    title={trans.__(
                      'Serve version %1 in production',
                      version.version
                    )}
                    onClick={async () => {
                      const made = await props.deploy!(
                        entry.mlflow_name,
                        version.version
                      );
                      if (made) {
                        // the page lists the deployments serving the model: one more now
                        await props.model.refresh();
                      }
                    }}
                  >
                    {trans.__('Deploy…')}
                  </Button>
                </div>
              )}
            {curator && version.state === 'published' && (
              <div className="jp-mlplat-toolbar">
                <Button
                  small
                  disabled={page.acting}
                  onClick={() =>
                    setPending({
                      kind: 'deprecate',
                      version: version.version,
                      publicationId: version.publication_id,
                      isChampion: version.version === champion
                    })
                  }
                >
                  {trans.__('Deprecate…')}
                </Button>
                {champion !== null && version.version < champion && (
                  <Button
                    small
                    disabled={page.acting}
                    onClick={() =>
                      setPending({
                        kind: 'champion',
                        version: version.version,
                        publicationId: version.publication_id
                      })
                    }
                  >
                    {trans.__('Make champion again…')}
                  </Button>
                )}
              </div>
            )}
            {pending?.version === version.version && (
              <ActionForm
                pending={pending}
                busy={page.acting}
                trans={trans}
                onCancel={() => setPending(null)}
                onConfirm={async comment => {
                  const done =
                    pending.kind === 'deprecate'
                      ? await model.deprecate(pending.publicationId, comment)
                      : await model.moveChampion(
                          pending.publicationId,
                          comment
                        );
                  if (done) {
                    setPending(null);
                  }
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The comment every reviewer's action carries, asked before it is done. */
function ActionForm(props: {
  pending: IPending;
  busy: boolean;
  trans: TranslationBundle;
  onCancel: () => void;
  onConfirm: (comment: string) => Promise<void>;
}): JSX.Element {
  const { pending, busy, trans } = props;
  const [comment, setComment] = React.useState('');
  const title =
    pending.kind === 'deprecate'
      ? trans.__('Deprecate version %1', pending.version)
      : trans.__('Make version %1 the champion again', pending.version);
  return (
    <form
      className="jp-mlplat-catalog-action"
      aria-label={title}
      onSubmit={event => {
        event.preventDefault();
        void props.onConfirm(comment.trim());
      }}
    >
      <p className="jp-mlplat-catalog-action-title">{title}</p>
      {pending.kind === 'deprecate' && pending.isChampion && (
        <p className="jp-mlplat-status jp-mlplat-status-warning">
          {trans.__(
            'Version %1 is the champion: notebooks and systems that load “@champion” keep getting it, deprecated, until another version is made the champion.',
            pending.version
          )}
        </p>
      )}
      <label>
        {trans.__('Comment (required)')}
        <textarea
          className="jp-mod-styled"
          value={comment}
          required
          onChange={event => setComment(event.currentTarget.value)}
        />
      </label>
      <div className="jp-mlplat-toolbar">
        <Button small type="submit" disabled={busy || !comment.trim()}>
          {pending.kind === 'deprecate'
            ? trans.__('Deprecate')
            : trans.__('Move the champion')}
        </Button>
        <Button small minimal type="button" onClick={props.onCancel}>
          {trans.__('Cancel')}
        </Button>
      </div>
    </form>
  );
}

function Metrics(props: {
  metrics: ICatalogVersion['metrics'];
  trans: TranslationBundle;
}): JSX.Element | null {
  const keys = Object.keys(props.metrics).sort();
  if (keys.length === 0) {
    return null;
  }
  return (
    <dl
      className="jp-mlplat-catalog-metrics"
      aria-label={props.trans.__('Key metrics')}
    >
      {keys.map(key => (
        <React.Fragment key={key}>
          <dt>{key}</dt>
          <dd title={String(props.metrics[key])}>
            {formatMetric(props.metrics[key])}
          </dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

/** Where a version came from, as recorded when it was published. */
function Lineage(props: {
  lineage: ICatalogLineage;
  trans: TranslationBundle;
}): JSX.Element {
  const { lineage, trans } = props;
  const repository = safeHttpUrl(lineage.repository_url);
  const params = Object.keys(lineage.params).sort();
  const rows: [string, React.ReactNode][] = [];
  if (lineage.source_model) {
    rows.push([
      trans.__('Registered as'),
      trans.__('%1, version %2', lineage.source_model, lineage.source_version)
    ]);
  }
  if (lineage.run_id) {
    rows.push([
      trans.__('Run'),
      lineage.run_name
        ? trans.__('%1 (%2)', lineage.run_name, lineage.run_id)
        : lineage.run_id
    ]);
  }
  if (lineage.notebook) {
    rows.push([trans.__('Notebook'), lineage.notebook]);
  }
  if (lineage.commit) {
    rows.push([
      trans.__('Git commit'),
      repository ? (
        <a href={repository} target="_blank" rel="noopener noreferrer">
          {lineage.commit.slice(0, 12)}
        </a>
      ) : (
        lineage.commit.slice(0, 12)
      )
    ]);
  }
  if (params.length > 0) {
    rows.push([
      trans.__('Parameters'),
      params.map(key => `${key}=${lineage.params[key]}`).join(', ')
    ]);
  }
  return (
    <details className="jp-mlplat-catalog-lineage">
      <summary>{trans.__('Lineage')}</summary>
      {rows.length === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__('Nothing was recorded about where it came from.')}
        </p>
      ) : (
        <dl>
          {rows.map(([name, value]) => (
            <React.Fragment key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </React.Fragment>
          ))}
        </dl>
      )}
    </details>
  );
}

function AliasHistory(props: {
  history: IAliasMove[];
  trans: TranslationBundle;
}): JSX.Element {
  const { history, trans } = props;
  const version = (value: number | null) =>
    value === null ? trans.__('none') : trans.__('version %1', value);
  return (
    <section
      className="jp-mlplat-catalog-aliases"
      aria-label={trans.__('Alias history')}
    >
      <h4>{trans.__('Alias history')}</h4>
      {history.length === 0 ? (
        <p className="jp-mlplat-empty">{trans.__('No alias has moved yet.')}</p>
      ) : (
        <ol className="jp-mlplat-catalog-moves">
          {history.map((move, index) => (
            <li key={index} className="jp-mlplat-catalog-move">
              <span className="jp-mlplat-catalog-move-what">
                {trans.__(
                  '%1: %2 → %3',
                  aliasLabel(move.alias, trans),
                  version(move.from_version),
                  version(move.to_version)
                )}
              </span>
              <span className="jp-mlplat-catalog-move-who">
                {trans.__(
                  '%1, %2, %3',
                  move.moved_by,
                  formatDateTime(move.moved_at),
                  move.publication_id !== null
                    ? trans.__('through publication %1', move.publication_id)
                    : trans.__('moved by hand')
                )}
              </span>
              {move.comment && (
                <q className="jp-mlplat-catalog-move-comment">{move.comment}</q>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
