import { ILabStatus } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, launchIcon, ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { confirmDiscardInDialog } from '../shell/discard';
import { describeError, errorText } from '../shell/errors';
import { mlplatIcon } from '../shell/icons';
import {
  phaseLabel,
  safeHttpUrl,
  stageLabel,
  trafficLabel
} from '../shell/labels';
import { PlatformModel } from '../shell/model';
import { RefreshButton } from '../shell/refresh';
import { LoadingNote, LoadStatus } from '../shell/status';
import {
  CardDraft,
  cardLanguageOf,
  IKeptCards,
  isEditable,
  startingCard
} from './card';
import { CardEditor } from './cardEditor';
import {
  DEPLOY_COMMAND,
  OPEN_DEPLOYMENT_COMMAND,
  OPEN_FILE_COMMAND,
  OPEN_RUN_COMMAND
} from './commandIds';
import {
  decisionLabel,
  formatValue,
  formatWhen,
  publicationStateLabel
} from './labels';
import { uiLocale } from '../shell/labels';
import { ILineage, IModelsAPI, IPublication } from './types';

export interface IVersionPageOptions {
  api: IModelsAPI;
  name: string;
  version: string;
  commands: CommandRegistry;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
  /**
   * Emits when the page should read the version again: news about its
   * publication arrived (a reviewer decided, it was published).
   */
  outdated?: ISignal<unknown, void>;
  /**
   * The lab's status: marked dirty while the card holds changes not saved,
   * so that leaving or reloading the lab asks first, as for a notebook.
   */
  status?: ILabStatus | null;
  /** Where a card typed but not saved is kept, to be offered back. */
  kept?: IKeptCards | null;
  /** Ask before closing a page whose card cannot be saved (tests answer). */
  confirmClose?: (title: string, body: string) => Promise<boolean>;
  /** The card being edited on the page, for its close request (set by the page). */
  editing?: { current: CardDraft | null };
}

/** A version's page in the main area; one per version. */
export function createVersionPage(
  options: IVersionPageOptions
): MainAreaWidget<ReactWidget> {
  const editing: { current: CardDraft | null } = { current: null };
  const content = ReactWidget.create(
    <VersionView {...options} editing={editing} />
  );
  content.addClass('jp-mlplat-page');
  content.addClass('jp-mlplat-version-page');
  const widget = new VersionPage({ content }, editing, options);
  widget.id = versionPageId(options.name, options.version);
  widget.title.label = `${options.name} v${options.version}`;
  widget.title.caption = options.trans.__(
    'Version %2 of the model %1',
    options.name,
    options.version
  );
  widget.title.icon = mlplatIcon;
  widget.title.closable = true;
  return widget;
}

/**
 * A version's page that does not close over a card it cannot save. Closing
 * saves what is typed (the view does, as it goes); but a card the platform
 * refused (a field too long, a change made meanwhile) would go with the page,
 * so the author is asked first.
 */
class VersionPage extends MainAreaWidget<ReactWidget> {
  constructor(
    options: MainAreaWidget.IOptions<ReactWidget>,
    editing: { current: CardDraft | null },
    page: IVersionPageOptions
  ) {
    super(options);
    this._editing = editing;
    this._page = page;
  }

  protected onCloseRequest(msg: Message): void {
    if (this._asking) {
      return; // the question is on screen: a second close waits for its answer
    }
    const draft = this._editing.current;
    if (!draft || !draft.state.dirty) {
      super.onCloseRequest(msg);
      return;
    }
    // what is typed is saved first; only what the platform refuses is asked about
    this._asking = true;
    void this._saveOrAsk(draft)
      .then(close => {
        if (close) {
          super.onCloseRequest(msg);
        }
      })
      .finally(() => {
        this._asking = false;
      });
  }

  private async _saveOrAsk(draft: CardDraft): Promise<boolean> {
    if (!draft.state.conflict && (await draft.save())) {
      return true;
    }
    const { trans } = this._page;
    const confirm =
      this._page.confirmClose ??
      confirmDiscardInDialog(trans, trans.__('Close and discard'));
    return confirm(
      trans.__('Close without saving the model card?'),
      trans.__(
        'Your last changes to the card were not saved: %1',
        describeError(trans, draft.state.conflict ?? draft.state.failure) ??
          trans.__('The card could not be saved.')
      )
    );
  }

  private _editing: { current: CardDraft | null };
  private _page: IVersionPageOptions;
  private _asking = false;
}

/** The DOM id of a version's page; model names may hold any character. */
export function versionPageId(name: string, version: string): string {
  const safe = Array.from(`${name}\u0000${version}`)
    .map(c => (/[A-Za-z0-9_-]/.test(c) ? c : `_${c.codePointAt(0)}_`))
    .join('');
  return `jp-mlplat-version-${safe}`;
}

type Loaded<T> =
  | { kind: 'loading' }
  | { kind: 'ready'; value: T }
  | PlatformModel.IUnavailable
  | PlatformModel.IError;

/** Everything about one version, its lineage first; exported for tests. */
export function VersionView(props: IVersionPageOptions): JSX.Element {
  const { api, name, version, trans } = props;
  const [loaded, setLoaded] = React.useState<Loaded<ILineage>>({
    kind: 'loading'
  });
  const [generation, setGeneration] = React.useState(0);
  React.useEffect(() => {
    let current = true;
    setLoaded({ kind: 'loading' });
    versionAndPublications(api, name, version).then(
      value => current && setLoaded({ kind: 'ready', value }),
      error => current && setLoaded(PlatformModel.stateFromError(error))
    );
    return () => {
      current = false;
    };
  }, [api, name, version, generation]);
  const reload = () => setGeneration(generation + 1);
  React.useEffect(() => {
    const again = () => setGeneration(current => current + 1);
    props.outdated?.connect(again);
    return () => {
      props.outdated?.disconnect(again);
    };
  }, [props.outdated]);
  // the publication's state as its editor last saw it, for the chain
  const [liveState, setLiveState] = React.useState<string | null>(null);
  React.useEffect(() => setLiveState(null), [loaded]);

  if (loaded.kind !== 'ready') {
    return (
      <LoadStatus
        state={loaded}
        loading={trans.__('Loading the model version…')}
        unavailable={trans.__('The model registry is unavailable')}
        error={() => trans.__('Could not read the model version')}
        onRetry={reload}
        trans={trans}
      />
    );
  }
  const detail = loaded.value;
  return (
    <article
      className="jp-mlplat-version-view"
      aria-label={trans.__('Version %2 of the model %1', name, version)}
    >
      <header className="jp-mlplat-page-header">
        <h2 className="jp-mlplat-page-title">
          {trans.__('%1, version %2', name, version)}
        </h2>
        <span className="jp-mlplat-page-actions">
          <DeployButton {...props} detail={detail} onDeployed={reload} />
          <RefreshButton trans={trans} onClick={reload} />
        </span>
      </header>
      <Lineage {...props} detail={detail} liveState={liveState} />
      <RunFacts detail={detail} trans={trans} />
      <PublicationSection
        {...props}
        detail={detail}
        onChanged={reload}
        onState={setLiveState}
      />
    </article>
  );
}

interface IDetailProps extends IVersionPageOptions {
  detail: ILineage;
}

/**
 * Deploy this version (the Deployments tab's command, when its plugin is
 * there). A published version may also go to production, as the catalog
 * version it became, read from its publication when asked.
 */
function DeployButton(
  props: IDetailProps & {
    /** A deployment was made: the lineage's last link is read again. */
    onDeployed: () => void;
  }
): JSX.Element | null {
  const { api, commands, detail, name, version, trans } = props;
  const [failure, setFailure] = React.useState<string | null>(null);
  if (!commands.hasCommand(DEPLOY_COMMAND)) {
    return null;
  }
  const published =
    detail.publications.find(link => link.state === 'published') ?? null;
  const deploy = async () => {
    setFailure(null);
    try {
      const catalog = published
        ? (await api.publication(Number(published.id))).publication
        : null;
      const deployed = await commands.execute(DEPLOY_COMMAND, {
        modelName: name,
        version,
        published: !!catalog?.catalog_version,
        ...(catalog?.catalog_version
          ? {
              productionModelName: catalog.catalog_name ?? '',
              productionVersion: catalog.catalog_version
            }
          : {})
      });
      if (deployed) {
        props.onDeployed();
      }
    } catch (error) {
      setFailure(errorText(trans, error));
    }
  };
  return (
    <>
      <Button
        small
        className="jp-mlplat-version-deploy"
        title={trans.__('Serve this version behind an endpoint')}
        onClick={() => void deploy()}
      >
        {trans.__('Deploy…')}
      </Button>
      {failure && (
        <span className="jp-mlplat-field-error" role="alert">
          {failure}
        </span>
      )}
    </>
  );
}

/**
 * commit → notebook → run → version → publication → deployments: one chain,
 * each link opening the thing it names; a link the version lacks says so.
 */
function Lineage(
  props: IDetailProps & { liveState: string | null }
): JSX.Element {
  const { detail, commands, trans } = props;
  const commitUrl = safeHttpUrl(commitPage(detail.repository, detail.commit));
  const latest = detail.publications[0] ?? null;
  const notRecorded = (
    <span className="jp-mlplat-empty">{trans.__('Not recorded')}</span>
  );
  const step = (kind: string, label: string, body: React.ReactNode) => (
    <li className={`jp-mlplat-lineage-step jp-mlplat-lineage-${kind}`}>
      <span className="jp-mlplat-lineage-label">{label}</span>
      <span className="jp-mlplat-lineage-value">{body}</span>
    </li>
  );
  return (
    <section aria-label={trans.__('Lineage')}>
      <h3>{trans.__('Lineage')}</h3>
      <ol className="jp-mlplat-lineage">
        {step(
          'commit',
          trans.__('Git commit'),
          detail.commit ? (
            commitUrl ? (
              <a
                className="jp-mlplat-external jp-mlplat-code"
                href={commitUrl}
                target="_blank"
                rel="noopener noreferrer"
                title={trans.__(
                  'Open commit %1 in its repository',
                  detail.commit
                )}
              >
                <span aria-hidden="true">
                  <launchIcon.react tag="span" />
                </span>
                {detail.commit.slice(0, 12)}
              </a>
            ) : (
              <span className="jp-mlplat-code" title={detail.commit}>
                {detail.commit.slice(0, 12)}
              </span>
            )
          ) : (
            notRecorded
          )
        )}
        {step(
          'notebook',
          trans.__('Notebook'),
          detail.notebook ? (
            <button
              type="button"
              className="jp-mlplat-link jp-mlplat-code"
              title={trans.__('Open the notebook %1', detail.notebook)}
              onClick={() =>
                void commands
                  .execute(OPEN_FILE_COMMAND, { path: detail.notebook })
                  .catch(() => undefined)
              }
            >
              {detail.notebook}
            </button>
          ) : (
            notRecorded
          )
        )}
        {step(
          'run',
          trans.__('Run'),
          detail.run ? (
            <button
              type="button"
              className="jp-mlplat-link"
              title={trans.__('Open the run page of %1', detail.run.run_id)}
              disabled={!commands.hasCommand(OPEN_RUN_COMMAND)}
              onClick={() =>
                void commands.execute(OPEN_RUN_COMMAND, {
                  runId: detail.run!.run_id,
                  name: detail.run!.name
                })
              }
            >
              {detail.run.name || detail.run.run_id}
            </button>
          ) : (
            notRecorded
          )
        )}
        {step(
          'version',
          trans.__('Version'),
          <span title={detail.version.source}>
            {trans.__('%1, version %2', props.name, props.version)}
          </span>
        )}
        {step(
          'publication',
          trans.__('Publication'),
          latest ? (
            <a
              className="jp-mlplat-link"
              href={`#${publicationAnchor(detail)}`}
              onClick={event => {
                event.preventDefault();
                document
                  .getElementById(publicationAnchor(detail))
                  ?.scrollIntoView({ block: 'start' });
              }}
            >
              {publicationStateLabel(props.liveState ?? latest.state, trans)}
            </a>
          ) : (
            <span className="jp-mlplat-empty">
              {publicationStateLabel(null, trans)}
            </span>
          )
        )}
        {step(
          'deployments',
          trans.__('Deployments'),
          detail.deployments.length === 0 ? (
            <span className="jp-mlplat-empty">
              {trans.__('Not deployed anywhere')}
            </span>
          ) : (
            <ul>
              {detail.deployments.map(deployment => (
                <li key={`${deployment.name}/${deployment.version}`}>
                  {commands.hasCommand(OPEN_DEPLOYMENT_COMMAND) ? (
                    <button
                      type="button"
                      className="jp-mlplat-link"
                      title={trans.__('Open deployment %1', deployment.name)}
                      onClick={() =>
                        void commands
                          .execute(OPEN_DEPLOYMENT_COMMAND, {
                            name: deployment.name
                          })
                          .catch(() => undefined)
                      }
                    >
                      {deployment.name}
                    </button>
                  ) : (
                    deployment.name
                  )}{' '}
                  {trans.__(
                    '%1 version %2 (%3, %4, %5)',
                    deployment.model_name,
                    deployment.version,
                    stageLabel(deployment.stage, trans),
                    trafficLabel(deployment.traffic, trans),
                    phaseLabel(deployment.status, trans)
                  )}
                </li>
              ))}
            </ul>
          )
        )}
      </ol>
    </section>
  );
}

/**
 * A version's lineage with its publications as the platform lists the
 * person's own (newest first): the registry's chain names only those it
 * knows of, the platform knows them all. Without the platform the chain
 * keeps what the registry said.
 */
export async function versionAndPublications(
  api: IModelsAPI,
  name: string,
  version: string
): Promise<ILineage> {
  const [detail, mine] = await Promise.all([
    api.lineage(name, version),
    api.publicationsOf(name).catch(() => null)
  ]);
  const links = new Map(detail.publications.map(link => [link.id, link]));
  for (const summary of mine?.publications ?? []) {
    if (summary.version === version) {
      links.set(String(summary.id), {
        id: String(summary.id),
        state: summary.state,
        catalog_name: summary.catalog_name ?? '',
        updated_at: summary.updated_at,
        catalog_version: summary.catalog_version ?? ''
      });
    }
  }
  const publications = [...links.values()].sort(
    (a, b) => Number(b.id) - Number(a.id)
  );
  return { ...detail, publications };
}

function publicationAnchor(detail: ILineage): string {
  return `${versionPageId(detail.version.name, detail.version.version)}-publication`;
}

/**
 * The page of a commit in the repository the run recorded: GitLab's
 * `<project>/-/commit/<sha>`, from an https or an scp-like (`git@host:path`)
 * remote; null when the remote is neither or no commit was recorded.
 */
export function commitPage(repository: string, commit: string): string | null {
  if (!repository || !/^[0-9a-f]{7,64}$/i.test(commit)) {
    return null;
  }
  let base = repository.trim();
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(base);
  if (scp) {
    base = `https://${scp[1]}/${scp[2]}`;
  }
  if (!/^https?:\/\//i.test(base)) {
    return null;
  }
  try {
    const url = new URL(base);
    url.username = '';
    url.password = '';
    url.pathname = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
    url.search = '';
    url.hash = '';
    return `${url.href.replace(/\/+$/, '')}/-/commit/${commit}`;
  } catch {
    return null;
  }
}

/** The run's params and metrics, as the reviewers will see them. */
function RunFacts(props: {
  detail: ILineage;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { detail, trans } = props;
  if (!detail.run) {
    return null;
  }
  const rows = (entries: [string, string][]) =>
    entries
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => (
        <tr key={key}>
          <th scope="row">{key}</th>
          <td>{value}</td>
        </tr>
      ));
  const metrics = Object.entries(detail.run.metrics).map(
    ([key, value]) => [key, formatValue(value)] as [string, string]
  );
  const params = Object.entries(detail.run.params);
  return (
    <section aria-label={trans.__('Run')}>
      <h3>{trans.__('Metrics and parameters of the run')}</h3>
      {metrics.length + params.length === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__('The run logged no metrics or parameters.')}
        </p>
      ) : (
        <table className="jp-mlplat-table jp-mlplat-kv">
          <tbody>
            {rows(metrics)}
            {rows(params)}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * The version's publication: its state, the reviewers' decisions and the
 * model card (edited while it is the author's turn); or, when the version
 * was never submitted, a button to start its card.
 */
function PublicationSection(
  props: IDetailProps & {
    onChanged: () => void;
    onState: (state: string) => void;
  }
): JSX.Element {
  const { api, detail, trans } = props;
  const latest = detail.publications[0] ?? null;
  const [loaded, setLoaded] = React.useState<Loaded<IPublication> | null>(null);
  const [starting, setStarting] = React.useState<string | null>(null);
  const [generation, setGeneration] = React.useState(0);
  React.useEffect(() => {
    if (!latest) {
      setLoaded(null);
      return;
    }
    let current = true;
    setLoaded({ kind: 'loading' });
    api.publication(Number(latest.id)).then(
      page => current && setLoaded({ kind: 'ready', value: page.publication }),
      error => current && setLoaded(PlatformModel.stateFromError(error))
    );
    return () => {
      current = false;
    };
  }, [api, latest?.id, generation]);

  const start = async () => {
    setStarting('');
    try {
      const drafted = await api.cardDraft(props.name, props.version);
      await api.createPublication(
        props.name,
        props.version,
        startingCard(drafted.card, cardLanguageOf(uiLocale()))
      );
      setStarting(null);
      props.onChanged();
    } catch (error) {
      setStarting(errorText(trans, error));
    }
  };

  let body: React.ReactNode;
  if (!latest) {
    body = (
      <>
        <p className="jp-mlplat-empty">
          {trans.__(
            'This version was never submitted. Write its model card, then submit it for publication in the catalog.'
          )}
        </p>
        <Button
          type="button"
          className="jp-mlplat-card-start"
          disabled={starting === ''}
          onClick={() => void start()}
        >
          {trans.__('Write a model card')}
        </Button>
        {starting && (
          <p className="jp-mlplat-field-error" role="alert">
            {starting}
          </p>
        )}
      </>
    );
  } else if (!loaded || loaded.kind !== 'ready') {
    body = (
      <LoadStatus
        state={loaded ?? { kind: 'loading' }}
        loading={trans.__('Loading the publication…')}
        unavailable={trans.__('The platform is unavailable')}
        error={() => trans.__('Could not read the publication')}
        onRetry={() => setGeneration(generation + 1)}
        trans={trans}
      />
    );
  } else {
    const id = loaded.value.id;
    body = (
      <PublicationView
        {...props}
        publication={loaded.value}
        reload={() => api.publication(id).then(page => page.publication)}
      />
    );
  }
  return (
    <section
      id={publicationAnchor(detail)}
      className="jp-mlplat-publication"
      aria-label={trans.__('Publication')}
    >
      <h3>{trans.__('Publication')}</h3>
      {body}
    </section>
  );
}

/** One publication: state, decisions, and its card in the editor. */
function PublicationView(
  props: IDetailProps & {
    onState: (state: string) => void;
    publication: IPublication;
    reload: () => Promise<IPublication>;
  }
): JSX.Element {
  const { api, detail, trans } = props;
  const [draft, setDraft] = React.useState<CardDraft | null>(null);
  React.useEffect(() => {
    const created = new CardDraft({
      api,
      publication: props.publication,
      load: props.reload,
      status: props.status,
      kept: props.kept
    });
    setDraft(created);
    if (props.editing) {
      props.editing.current = created;
    }
    return () => {
      if (props.editing?.current === created) {
        props.editing.current = null;
      }
      // what is typed is saved before the page goes
      void created.save().finally(() => created.dispose());
    };
  }, [api, props.publication]);
  const [state, setState] = React.useState(props.publication.state);
  React.useEffect(() => {
    if (!draft) {
      return;
    }
    const follow = (_: CardDraft, next: CardDraft.IState) => {
      setState(next.publication.state);
      props.onState(next.publication.state);
    };
    draft.stateChanged.connect(follow);
    return () => {
      draft.stateChanged.disconnect(follow);
    };
  }, [draft]);
  if (!draft) {
    return <LoadingNote text={trans.__('Loading the publication…')} />;
  }
  const publication = draft.state.publication;
  return (
    <>
      <dl className="jp-mlplat-facts">
        <dt>{trans.__('State')}</dt>
        <dd>
          <span
            className={`jp-mlplat-publication-state jp-mlplat-publication-${state}`}
          >
            {publicationStateLabel(state, trans)}
          </span>
        </dd>
        {publication.updated_at && (
          <>
            <dt>{trans.__('Last change')}</dt>
            <dd>
              {publication.updated_by
                ? trans.__(
                    '%1 by %2',
                    formatWhen(publication.updated_at),
                    publication.updated_by
                  )
                : formatWhen(publication.updated_at)}
            </dd>
          </>
        )}
        {publication.publish_error && (
          <>
            <dt>{trans.__('Publishing failed')}</dt>
            <dd className="jp-mlplat-field-error">
              {publication.publish_error}
            </dd>
          </>
        )}
      </dl>
      <Reviews publication={publication} trans={trans} />
      {!isEditable(state) && state !== 'in_review' && (
        <p className="jp-mlplat-field-hint">
          {trans.__('The card cannot be changed in this state.')}
        </p>
      )}
      <CardEditor
        draft={draft}
        runMetrics={detail.run?.metrics ?? {}}
        title={props.name}
        rendermime={props.rendermime}
        trans={trans}
      />
    </>
  );
}

/** The decisions a reviewer takes, among the steps of a publication. */
const DECISIONS = ['approve', 'request_changes', 'reject'];

/** The reviewers' decisions, each with its comment, as text. */
function Reviews(props: {
  publication: IPublication;
  trans: TranslationBundle;
}): JSX.Element {
  const { publication, trans } = props;
  const decisions = publication.steps.filter(step =>
    DECISIONS.includes(step.action)
  );
  return (
    <section
      className="jp-mlplat-reviews-list"
      aria-label={trans.__('Reviews')}
    >
      <h4>{trans.__('Reviews')}</h4>
      {decisions.length === 0 ? (
        <p className="jp-mlplat-empty">{trans.__('No reviews yet.')}</p>
      ) : (
        <ul>
          {decisions.map(step => (
            <li key={step.id} className="jp-mlplat-review">
              <strong>{decisionLabel(step.action, trans)}</strong>{' '}
              {trans.__('%1, %2', step.actor, formatWhen(step.at))}
              {step.comment && (
                <p className="jp-mlplat-review-comment">{step.comment}</p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
