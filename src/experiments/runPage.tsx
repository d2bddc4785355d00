import { MainAreaWidget } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  Button,
  caretDownIcon,
  caretRightIcon,
  downloadIcon,
  fileIcon,
  folderIcon,
  launchIcon,
  ReactWidget
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { LoadingNote } from '../shell/status';
import { safeHttpUrl } from '../shell/labels';
import { mlplatIcon } from '../shell/icons';
import {
  IArtifactContent,
  IArtifactFile,
  IMetricHistories,
  IMetricPoint,
  IMlflowAPI,
  IRunDetail
} from './types';
import { ISeries, loadChartJs, MetricChart } from '../shell/charts';
import { Loaded, useLoad } from './hooks';
import {
  formatDuration,
  formatMetric,
  formatSize,
  formatTime,
  runStatusLabel
} from './labels';
import { ReadOnlyMark } from './runsTable';
import { LoadFailure } from './status';
import { RefreshButton } from '../shell/refresh';

/**
 * Charts drawn at once on a run page; more would fetch too many histories.
 * The server picks them (`metric-histories`); this is its limit, for text.
 */
export const MAX_RUN_CHARTS = 12;

/** Artifacts larger than this are offered for download only. */
export const MAX_PREVIEW_BYTES = 2 * 1024 * 1024;

/** The JupyterLab command that opens a file in the workspace. */
const OPEN_FILE_COMMAND = 'docmanager:open';

/**
 * The Models tab's command that registers a model the run logged (args:
 * runId, runName); the page offers it only when that tab is installed.
 */
export const REGISTER_MODEL_COMMAND = 'mlplat:register-model';

export interface IRunPageOptions {
  api: IMlflowAPI;
  runId: string;
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/** Content of a run page: everything MLflow knows about one run. */
export class RunPage extends ReactWidget {
  constructor(options: IRunPageOptions) {
    super();
    this._options = options;
    // Asked for now, not once React has drawn the page a frame or two
    // later: the click on a run starts its requests at once.
    this._prefetched = {
      run: options.api.run(options.runId),
      histories: options.api.metricHistories(options.runId)
    };
    // A failure is shown by the view; never an unhandled rejection here.
    this._prefetched.run.catch(() => undefined);
    this._prefetched.histories.catch(() => undefined);
    // Chart.js is a lazy chunk: fetched while the data is on its way
    loadChartJs().catch(() => undefined);
    this.addClass('jp-mlplat-page');
    this.addClass('jp-mlplat-run-page');
  }

  get runId(): string {
    return this._options.runId;
  }

  render(): JSX.Element {
    return (
      <RunView
        {...this._options}
        prefetched={this._prefetched}
        onLoaded={run => {
          // The tab shows the run's name once MLflow has told it.
          const parent = this.parent;
          if (parent && run.name) {
            parent.title.label = run.name;
          }
        }}
      />
    );
  }

  private _options: IRunPageOptions;
  private _prefetched: IRunViewProps['prefetched'];
}

/**
 * A run page in the main area. One per run: the `mlplat:open-run` command
 * reuses it, so the id is derived from the run id.
 */
export function createRunPage(
  options: IRunPageOptions & { name?: string }
): MainAreaWidget<RunPage> {
  const content = new RunPage(options);
  const widget = new MainAreaWidget({ content });
  widget.id = runPageId(options.runId);
  widget.title.label = options.name || options.runId;
  widget.title.caption = options.trans.__('MLflow run %1', options.runId);
  widget.title.icon = mlplatIcon;
  widget.title.closable = true;
  return widget;
}

/** The DOM id of a run's page; MLflow ids are hex, anything else is replaced. */
export function runPageId(runId: string): string {
  return `jp-mlplat-run-${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export interface IRunViewProps extends IRunPageOptions {
  onLoaded?: (run: IRunDetail) => void;
  /** The first answers, already asked for by the page. */
  prefetched?: {
    run: Promise<IRunDetail>;
    histories: Promise<IMetricHistories>;
  };
}

/** Everything about one run; exported for tests. */
export function RunView(props: IRunViewProps): JSX.Element {
  const { api, runId, commands, trans } = props;
  const [loaded, reloadRun] = useLoad(
    () => api.run(runId),
    [api, runId],
    props.prefetched?.run
  );
  // Asked for with the run, not after it: the first chart waits for one
  // round trip, not two (the server knows which metrics the page charts).
  const [histories, reloadHistories] = useLoad(
    () => api.metricHistories(runId),
    [api, runId],
    props.prefetched?.histories
  );
  const reload = () => {
    reloadRun();
    reloadHistories();
  };

  React.useEffect(() => {
    if (loaded.kind === 'ready') {
      props.onLoaded?.(loaded.value);
    }
  }, [loaded]);

  if (loaded.kind === 'loading') {
    return <LoadingNote text={trans.__('Loading the run…')} />;
  }
  if (loaded.kind !== 'ready') {
    return <LoadFailure state={loaded} onRetry={reload} trans={trans} />;
  }
  const run = loaded.value;
  const mlflowUrl = safeHttpUrl(run.ui_url);
  const canOpen =
    !!run.source_notebook && commands.hasCommand(OPEN_FILE_COMMAND);

  return (
    <article
      className="jp-mlplat-run-view"
      aria-label={trans.__('Run %1', run.name || run.id)}
    >
      <header className="jp-mlplat-page-header">
        <h2 className="jp-mlplat-page-title">{run.name || run.id}</h2>
        <span
          className={`jp-mlplat-run-status jp-mlplat-run-status-${run.status.toLowerCase()}`}
        >
          {runStatusLabel(run.status, trans)}
        </span>
        {!run.can_write && (
          <ReadOnlyMark
            trans={trans}
            title={trans.__('MLflow does not let you change this run.')}
          />
        )}
        <span className="jp-mlplat-page-actions">
          <RefreshButton trans={trans} onClick={reload} />
          {commands.hasCommand(REGISTER_MODEL_COMMAND) && (
            <Button
              small
              minimal
              className="jp-mlplat-register-model"
              title={trans.__(
                'Register a model this run logged as a version of one of your registered models'
              )}
              onClick={() =>
                void commands.execute(REGISTER_MODEL_COMMAND, {
                  runId: run.id,
                  runName: run.name
                })
              }
            >
              {trans.__('Register model')}
            </Button>
          )}
          {mlflowUrl && (
            <a
              className="jp-mlplat-external"
              href={mlflowUrl}
              target="_blank"
              rel="noopener noreferrer"
            >
              <span aria-hidden="true">
                <launchIcon.react tag="span" />
              </span>
              {trans.__('Open in MLflow')}
            </a>
          )}
        </span>
      </header>

      <section aria-label={trans.__('Overview')}>
        <h3>{trans.__('Overview')}</h3>
        <dl className="jp-mlplat-facts">
          <dt>{trans.__('Run ID')}</dt>
          <dd className="jp-mlplat-code">{run.id}</dd>
          <dt>{trans.__('User')}</dt>
          <dd>{run.user}</dd>
          <dt>{trans.__('Started')}</dt>
          <dd>{formatTime(run.start_time)}</dd>
          <dt>{trans.__('Duration')}</dt>
          <dd>{formatDuration(run.duration_ms, trans)}</dd>
          <dt>{trans.__('Notebook')}</dt>
          <dd>
            {run.source_notebook ? (
              <NotebookFact
                api={api}
                path={run.source_notebook}
                canOpen={canOpen}
                commands={commands}
                trans={trans}
              />
            ) : (
              trans.__('Not recorded')
            )}
          </dd>
          <dt>{trans.__('Git commit')}</dt>
          <dd className="jp-mlplat-code" title={run.git_commit ?? undefined}>
            {run.git_commit
              ? run.git_commit.slice(0, 12)
              : trans.__('Not recorded')}
          </dd>
        </dl>
      </section>

      <KeyValueSection
        title={trans.__('Parameters')}
        entries={Object.entries(run.params)}
        empty={trans.__('No parameters logged.')}
        trans={trans}
      />

      <KeyValueSection
        title={trans.__('Metrics')}
        entries={Object.entries(run.metrics).map(([key, value]) => [
          key,
          formatMetric(value)
        ])}
        empty={trans.__('No metrics logged.')}
        trans={trans}
      />
      <MetricHistories
        run={run}
        loaded={histories}
        reload={reloadHistories}
        trans={trans}
      />

      <KeyValueSection
        title={trans.__('Tags')}
        entries={Object.entries(run.tags)}
        empty={trans.__('No tags.')}
        trans={trans}
      />

      {/* Listed once the charts' histories are in: MLflow answers one
          request at a time, and the charts come first. */}
      {histories.kind === 'loading' ? (
        <LoadingNote text={trans.__('Loading artifacts…')} />
      ) : (
        <ArtifactBrowser api={api} runId={run.id} trans={trans} />
      )}
    </article>
  );
}

interface IKeyValueSectionProps {
  title: string;
  entries: [string, string][];
  empty: string;
  trans: TranslationBundle;
}

/** A two-column table of keys and values, sorted by key. */
function KeyValueSection(props: IKeyValueSectionProps): JSX.Element {
  const { title, trans } = props;
  const entries = [...props.entries].sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p className="jp-mlplat-empty">{props.empty}</p>
      ) : (
        <table className="jp-mlplat-table jp-mlplat-kv" aria-label={title}>
          <thead>
            <tr>
              <th scope="col">{trans.__('Key')}</th>
              <th scope="col">{trans.__('Value')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface INotebookFactProps {
  api: IMlflowAPI;
  path: string;
  canOpen: boolean;
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/**
 * The run's notebook and a button to open it; or, when the file is no longer
 * there (renamed, moved or deleted since the run), a note that says so.
 * Opening a missing file would only fail in the background.
 */
function NotebookFact(props: INotebookFactProps): JSX.Element {
  const { api, path, canOpen, commands, trans } = props;
  const [gone, setGone] = React.useState(false);
  React.useEffect(() => {
    let current = true;
    setGone(false);
    api.notebookExists(path).then(
      exists => current && setGone(!exists),
      () => undefined // unknown: keep offering to open it
    );
    return () => {
      current = false;
    };
  }, [api, path]);
  const open = async () => {
    // checked again: the file may have gone since the page was drawn
    if (!(await api.notebookExists(path).catch(() => true))) {
      setGone(true);
      return;
    }
    await commands.execute(OPEN_FILE_COMMAND, { path });
  };
  return (
    <>
      <span className="jp-mlplat-code">{path}</span>
      {gone ? (
        <span className="jp-mlplat-notebook-gone" role="status">
          {trans.__(
            'This notebook is no longer there: it was renamed, moved or deleted since the run.'
          )}
        </span>
      ) : (
        canOpen && (
          <Button small minimal onClick={() => void open()}>
            {trans.__('Open notebook')}
          </Button>
        )
      )}
    </>
  );
}

interface IMetricHistoriesProps {
  run: IRunDetail;
  loaded: Loaded<IMetricHistories>;
  reload: () => void;
  trans: TranslationBundle;
}

/**
 * A chart of each metric's history (the first few metrics): a line for a
 * history, a bar for a value logged once.
 */
function MetricHistories(props: IMetricHistoriesProps): JSX.Element | null {
  const { run, loaded, reload, trans } = props;
  if (Object.keys(run.metrics).length === 0) {
    return null;
  }
  const keys =
    loaded.kind === 'ready' ? Object.keys(loaded.value.histories).sort() : [];
  const total =
    loaded.kind === 'ready'
      ? loaded.value.total
      : Object.keys(run.metrics).length;
  return (
    <section
      className="jp-mlplat-charts-section"
      aria-label={trans.__('Metric history')}
    >
      <h3>{trans.__('Metric history')}</h3>
      {loaded.kind === 'ready' && total > keys.length && (
        <p className="jp-mlplat-empty">
          {trans.__(
            'Charts of the first %1 metrics of %2; open the run in MLflow for all of them.',
            keys.length,
            total
          )}
        </p>
      )}
      {loaded.kind === 'loading' ? (
        <LoadingNote text={trans.__('Loading metric history…')} />
      ) : loaded.kind === 'ready' ? (
        <div className="jp-mlplat-charts">
          {keys.map(key => (
            <HistoryChart
              key={key}
              metric={key}
              label={run.name || run.id}
              points={loaded.value.histories[key]}
              trans={trans}
            />
          ))}
        </div>
      ) : (
        <LoadFailure state={loaded} onRetry={reload} trans={trans} />
      )}
    </section>
  );
}

/** Memoises the series so the chart is not rebuilt on every render. */
function HistoryChart(props: {
  metric: string;
  label: string;
  points: IMetricPoint[];
  trans: TranslationBundle;
}): JSX.Element {
  const series: ISeries[] = React.useMemo(
    () => [{ label: props.label, points: props.points }],
    [props.label, props.points]
  );
  return (
    <MetricChart metric={props.metric} series={series} trans={props.trans} />
  );
}

interface IArtifactBrowserProps {
  api: IMlflowAPI;
  runId: string;
  trans: TranslationBundle;
}

/**
 * The run's artifacts as a folder tree; folders load when opened, a file
 * click shows a preview (text or image) next to its download link.
 */
export function ArtifactBrowser(props: IArtifactBrowserProps): JSX.Element {
  const { api, runId, trans } = props;
  const [selected, setSelected] = React.useState<IArtifactFile | null>(null);
  return (
    <section className="jp-mlplat-artifacts" aria-label={trans.__('Artifacts')}>
      <h3>{trans.__('Artifacts')}</h3>
      <div className="jp-mlplat-artifacts-body">
        <ArtifactFolder
          api={api}
          runId={runId}
          path=""
          selected={selected}
          onSelect={setSelected}
          trans={trans}
        />
        {selected && (
          <ArtifactPreview
            api={api}
            runId={runId}
            file={selected}
            trans={trans}
          />
        )}
      </div>
    </section>
  );
}

interface IArtifactFolderProps {
  api: IMlflowAPI;
  runId: string;
  path: string;
  selected: IArtifactFile | null;
  onSelect: (file: IArtifactFile) => void;
  trans: TranslationBundle;
}

function ArtifactFolder(props: IArtifactFolderProps): JSX.Element {
  const { api, runId, path, trans } = props;
  const [loaded, reload] = useLoad(
    () => api.artifacts(runId, path),
    [api, runId, path]
  );
  if (loaded.kind === 'loading') {
    return <LoadingNote text={trans.__('Loading artifacts…')} />;
  }
  if (loaded.kind !== 'ready') {
    return <LoadFailure state={loaded} onRetry={reload} trans={trans} />;
  }
  const files = [...loaded.value.files].sort(
    (a, b) =>
      Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path)
  );
  if (files.length === 0) {
    return (
      <p className="jp-mlplat-empty">
        {path
          ? trans.__('Empty folder.')
          : trans.__(
              'No files logged to the run itself. Models logged with MLflow 3 are kept apart from its files: “Register model” lists them.'
            )}
      </p>
    );
  }
  return (
    <ul
      className="jp-mlplat-artifact-list"
      aria-label={path ? path : trans.__('Artifact files')}
    >
      {files.map(file =>
        file.is_dir ? (
          <ArtifactFolderItem key={file.path} {...props} file={file} />
        ) : (
          <li key={file.path} className="jp-mlplat-artifact">
            <button
              type="button"
              className="jp-mlplat-link"
              aria-pressed={props.selected?.path === file.path}
              title={trans.__('Preview %1', file.path)}
              onClick={() => props.onSelect(file)}
            >
              <span aria-hidden="true">
                <fileIcon.react tag="span" />
              </span>
              {PathExt.basename(file.path)}
            </button>
            <span className="jp-mlplat-artifact-size">
              {formatSize(file.file_size, trans)}
            </span>
            <a
              className="jp-mlplat-download"
              href={api.artifactDownloadUrl(runId, file.path)}
              download={PathExt.basename(file.path)}
              aria-label={trans.__('Download %1', file.path)}
            >
              <span aria-hidden="true">
                <downloadIcon.react tag="span" />
              </span>
            </a>
          </li>
        )
      )}
    </ul>
  );
}

function ArtifactFolderItem(
  props: IArtifactFolderProps & { file: IArtifactFile }
): JSX.Element {
  const { file, trans } = props;
  const [open, setOpen] = React.useState(false);
  const Caret = open ? caretDownIcon : caretRightIcon;
  return (
    <li className="jp-mlplat-artifact jp-mlplat-artifact-dir">
      <button
        type="button"
        className="jp-mlplat-link"
        aria-expanded={open}
        title={trans.__('Folder %1', file.path)}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">
          <Caret.react tag="span" />
          <folderIcon.react tag="span" />
        </span>
        {PathExt.basename(file.path)}
      </button>
      {open && <ArtifactFolder {...props} path={file.path} />}
    </li>
  );
}

interface IArtifactPreviewProps {
  api: IMlflowAPI;
  runId: string;
  file: IArtifactFile;
  trans: TranslationBundle;
}

/**
 * A text or image artifact shown in place. Text goes into a `<pre>` as
 * text; images are shown from an object URL made from the fetched bytes
 * (the fetch carries the user's credentials, an `<img src>` would not).
 */
function ArtifactPreview(props: IArtifactPreviewProps): JSX.Element {
  const { api, runId, file, trans } = props;
  const tooLarge = (file.file_size ?? 0) > MAX_PREVIEW_BYTES;
  const [loaded, reload] = useLoad<IArtifactContent | null>(
    () => (tooLarge ? Promise.resolve(null) : api.artifact(runId, file.path)),
    [api, runId, file.path, tooLarge]
  );
  const blob =
    loaded.kind === 'ready' && loaded.value?.contentType.startsWith('image/')
      ? loaded.value.blob
      : null;
  const imageUrl = useObjectUrl(blob);

  let body: JSX.Element;
  if (tooLarge) {
    body = (
      <p className="jp-mlplat-empty">
        {trans.__(
          'Too large to preview (%1). Download it instead.',
          formatSize(file.file_size, trans)
        )}
      </p>
    );
  } else if (loaded.kind === 'loading') {
    body = <LoadingNote text={trans.__('Loading the preview…')} />;
  } else if (loaded.kind !== 'ready') {
    body = <LoadFailure state={loaded} onRetry={reload} trans={trans} />;
  } else if (loaded.value?.text !== null && loaded.value?.text !== undefined) {
    body = <pre className="jp-mlplat-preview-text">{loaded.value.text}</pre>;
  } else if (imageUrl) {
    body = (
      <img
        className="jp-mlplat-preview-image"
        src={imageUrl}
        alt={trans.__('Image artifact %1', file.path)}
      />
    );
  } else {
    body = (
      <p className="jp-mlplat-empty">
        {trans.__('No preview for this type of file. Download it instead.')}
      </p>
    );
  }
  return (
    <section
      className="jp-mlplat-preview"
      aria-label={trans.__('Preview of %1', file.path)}
    >
      <h4 className="jp-mlplat-preview-title">{file.path}</h4>
      {body}
    </section>
  );
}

/** An object URL for a blob, revoked when the blob changes or goes away. */
function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = React.useState<string | null>(null);
  React.useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const created = URL.createObjectURL(blob);
    setUrl(created);
    return () => URL.revokeObjectURL(created);
  }, [blob]);
  return url;
}
