import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { SanitizedMarkdown } from '../shell/markdown';
import { formatDateTime, taskLabel } from '../shell/labels';
import { actionLabel, stateLabel } from './labels';
import {
  ICodeDiff,
  IMetricRow,
  IModelCard,
  IPublication,
  IVersionFacts
} from './types';

/*
 * The sections of a publication page. Everything the server sends (names,
 * card text, params, diffs) is drawn as text; the card's Markdown only
 * through JupyterLab's sanitizer.
 */

/** A titled part of the page, reachable by its heading. */
export function PageSection(props: {
  title: string;
  className?: string;
  children: React.ReactNode;
}): JSX.Element {
  const id = React.useId();
  return (
    <section
      className={`jp-mlplat-review-section ${props.className ?? ''}`.trim()}
      aria-labelledby={id}
    >
      <h3 id={id} className="jp-mlplat-review-heading">
        {props.title}
      </h3>
      {props.children}
    </section>
  );
}

/** A number as a reviewer reads it: six significant digits at most. */
export function numberText(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '—';
  }
  return Number.isInteger(value)
    ? String(value)
    : String(+value.toPrecision(6));
}

// ------------------------------------------------------------------ card

/** The card's text sections, in the order Hugging Face's card has them. */
function cardSections(trans: TranslationBundle): [keyof IModelCard, string][] {
  return [
    ['description', trans.__('Overview and intended use')],
    ['out_of_scope', trans.__('Out-of-scope use')],
    ['training_data', trans.__('Training data')],
    ['evaluation_data', trans.__('Evaluation data')],
    ['limitations', trans.__('Limitations and known failure modes')],
    ['risks', trans.__('Risks and ethical considerations')]
  ];
}

/** The model card: its facts as a list, its sections as sanitized Markdown. */
export function CardView(props: {
  card: Partial<IModelCard>;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { card, rendermime, trans } = props;
  const facts: [string, string][] = [
    [trans.__('Catalog name'), card.catalog_name ?? ''],
    [trans.__('Task'), card.task ? taskLabel(card.task, trans) : ''],
    [trans.__('Framework'), card.framework ?? ''],
    [trans.__('License'), card.license ?? ''],
    [trans.__('Owners'), (card.owners ?? []).join(', ')],
    [trans.__('Contact'), card.contact ?? ''],
    [trans.__('Tags'), (card.tags ?? []).join(', ')]
  ];
  return (
    <PageSection title={trans.__('Model card')} className="jp-mlplat-card">
      <dl className="jp-mlplat-facts">
        {facts
          .filter(([, value]) => value)
          .map(([name, value]) => (
            <React.Fragment key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </React.Fragment>
          ))}
      </dl>
      {cardSections(trans).map(([field, title]) => {
        const text = (card[field] as string | undefined) ?? '';
        return (
          <div key={field} className="jp-mlplat-card-part">
            <h4 className="jp-mlplat-card-title">{title}</h4>
            {text.trim() ? (
              <SanitizedMarkdown source={text} rendermime={rendermime} />
            ) : (
              <p className="jp-mlplat-empty">{trans.__('Not stated.')}</p>
            )}
          </div>
        );
      })}
      {(card.metrics ?? []).length > 0 && (
        <table className="jp-mlplat-table">
          <caption>{trans.__('Metrics the author chose')}</caption>
          <thead>
            <tr>
              <th scope="col">{trans.__('Metric')}</th>
              <th scope="col">{trans.__('Value')}</th>
              <th scope="col">{trans.__('Note')}</th>
            </tr>
          </thead>
          <tbody>
            {(card.metrics ?? []).map(metric => (
              <tr key={metric.key}>
                <th scope="row">{metric.key}</th>
                <td>{numberText(metric.value)}</td>
                <td>{metric.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PageSection>
  );
}

// --------------------------------------------------------------- metrics

/** Keys whose smaller values are the better ones: losses and errors. */
const LOWER_IS_BETTER = /(loss|error|mae|mse|rmse|mape|brier|perplexity)/i;

/** How a candidate's value compares with the champion's, in words. */
export function differenceOf(
  row: IMetricRow,
  trans: TranslationBundle
): { mark: string; words: string; kind: string } {
  if (row.candidate === null) {
    return {
      mark: '',
      words: trans.__('only the champion has it'),
      kind: 'missing'
    };
  }
  if (row.champion === null) {
    return {
      mark: '',
      words: trans.__('new: the champion has none'),
      kind: 'new'
    };
  }
  const difference = row.difference ?? row.candidate - row.champion;
  if (difference === 0) {
    return { mark: '=', words: trans.__('the same'), kind: 'same' };
  }
  const up = difference > 0;
  const sign = up ? '+' : '−';
  const mark = `${up ? '▲' : '▼'} ${sign}${numberText(Math.abs(difference))}`;
  const lowerBetter = LOWER_IS_BETTER.test(row.key);
  const better = up !== lowerBetter;
  return {
    mark,
    words: better
      ? up
        ? trans.__('higher: better')
        : trans.__('lower: better')
      : up
        ? trans.__('higher: worse')
        : trans.__('lower: worse'),
    kind: better ? 'better' : 'worse'
  };
}

/** The candidate's metrics beside the champion's on the same keys. */
export function MetricsCompare(props: {
  rows: IMetricRow[];
  champion: IPublication | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { rows, champion, trans } = props;
  return (
    <PageSection
      title={trans.__('Metrics against the champion')}
      className="jp-mlplat-compare-metrics"
    >
      {champion ? (
        <p className="jp-mlplat-review-hint">
          {trans.__(
            'The champion of catalog.%1 is version %2 (from %3 version %4, by %5).',
            champion.catalog_name ?? '',
            champion.catalog_version ?? '?',
            champion.model_name,
            champion.version,
            champion.author
          )}
        </p>
      ) : (
        <p className="jp-mlplat-review-hint">
          {trans.__(
            'The catalog model has no champion yet: this would be its first.'
          )}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__('The run logged no metrics.')}
        </p>
      ) : (
        <div className="jp-mlplat-table-scroll">
          <table className="jp-mlplat-table jp-mlplat-metrics-table">
            <thead>
              <tr>
                <th scope="col">{trans.__('Metric')}</th>
                <th scope="col">{trans.__('This version')}</th>
                <th scope="col">{trans.__('Champion')}</th>
                <th scope="col">{trans.__('Difference')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(row => {
                const diff = differenceOf(row, trans);
                return (
                  <tr key={row.key} className={`jp-mlplat-metric-${diff.kind}`}>
                    <th scope="row">{row.key}</th>
                    <td>{numberText(row.candidate)}</td>
                    <td>{numberText(row.champion)}</td>
                    <td>
                      {diff.mark && (
                        <span
                          aria-hidden="true"
                          className="jp-mlplat-metric-mark"
                        >
                          {diff.mark}{' '}
                        </span>
                      )}
                      <span className="jp-mlplat-metric-words">
                        {diff.words}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </PageSection>
  );
}

// ------------------------------------------------------------- signature

/** MLflow's column specs (a JSON text of `[{name, type}]`), or null. */
function columns(spec: unknown): { name: string; type: string }[] | null {
  let value = spec;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(value)) {
    return null;
  }
  return value.map((column, index) => {
    const record =
      typeof column === 'object' && column !== null
        ? (column as Record<string, unknown>)
        : {};
    const name =
      typeof record['name'] === 'string' ? record['name'] : `#${index}`;
    const type =
      typeof record['type'] === 'string'
        ? record['type']
        : JSON.stringify(record['tensor-spec'] ?? record);
    return { name, type };
  });
}

function SpecTable(props: {
  caption: string;
  spec: unknown;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { spec, trans } = props;
  if (spec === undefined || spec === null) {
    return null;
  }
  const list = columns(spec);
  if (!list) {
    return (
      <>
        <h4 className="jp-mlplat-card-title">{props.caption}</h4>
        <pre className="jp-mlplat-code">
          {typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2)}
        </pre>
      </>
    );
  }
  return (
    <table className="jp-mlplat-table">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{trans.__('Name')}</th>
          <th scope="col">{trans.__('Type')}</th>
        </tr>
      </thead>
      <tbody>
        {list.map((column, index) => (
          <tr key={`${column.name}-${index}`}>
            <th scope="row">{column.name}</th>
            <td>{column.type}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** An input example pretty-printed when it is JSON, as sent otherwise. */
function exampleText(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The model's signature and input example, as MLflow logged them. */
export function SignatureView(props: {
  facts: IVersionFacts | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { facts, trans } = props;
  const signature = facts?.signature ?? null;
  return (
    <PageSection
      title={trans.__('Signature and input example')}
      className="jp-mlplat-signature"
    >
      {signature ? (
        <>
          <SpecTable
            caption={trans.__('Inputs')}
            spec={signature['inputs']}
            trans={trans}
          />
          <SpecTable
            caption={trans.__('Outputs')}
            spec={signature['outputs']}
            trans={trans}
          />
        </>
      ) : (
        <p className="jp-mlplat-empty">
          {trans.__('The model was logged without a signature.')}
        </p>
      )}
      <h4 className="jp-mlplat-card-title">{trans.__('Input example')}</h4>
      {facts?.input_example ? (
        <pre className="jp-mlplat-code">{exampleText(facts.input_example)}</pre>
      ) : (
        <p className="jp-mlplat-empty">
          {trans.__('The model was logged without an input example.')}
        </p>
      )}
    </PageSection>
  );
}

// --------------------------------------------------------------- lineage

/** A link to a commit on the repository's host, for http(s) repositories only. */
export function commitURL(
  repository: string | null,
  commit: string | null
): string | null {
  if (!repository || !commit || !/^[0-9a-f]{7,64}$/i.test(commit)) {
    return null;
  }
  let url: URL;
  try {
    url = new URL(repository);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return null;
  }
  url.username = '';
  url.password = '';
  const path = url.pathname.replace(/\.git$/, '').replace(/\/+$/, '');
  return `${url.origin}${path}/-/commit/${commit}`;
}

/**
 * The lineage chain, one link after another: commit → notebook → run →
 * model version → publication → catalog. Each names what it is, and opens
 * it where the reviewer can (the commit on GitLab, the run page).
 */
export function LineageChain(props: {
  publication: IPublication;
  trans: TranslationBundle;
  /** Open the run page, when the Experiments tab is there. */
  onOpenRun: ((runId: string, name: string) => void) | null;
}): JSX.Element {
  const { publication, trans, onOpenRun } = props;
  const facts = publication.snapshot?.facts ?? null;
  const link = commitURL(facts?.repository ?? null, facts?.commit ?? null);
  const params = Object.entries(facts?.params ?? {});
  const metrics = Object.entries(facts?.metrics ?? {});
  return (
    <PageSection title={trans.__('Lineage')} className="jp-mlplat-lineage">
      <ol className="jp-mlplat-chain">
        <li className="jp-mlplat-chain-link">
          <span className="jp-mlplat-chain-kind">{trans.__('Git commit')}</span>
          {facts?.commit ? (
            link ? (
              <a href={link} target="_blank" rel="noopener noreferrer">
                {facts.commit.slice(0, 8)}
              </a>
            ) : (
              <code>{facts.commit.slice(0, 8)}</code>
            )
          ) : (
            <span className="jp-mlplat-empty">
              {trans.__(
                'not recorded: the run was not made from a git repository'
              )}
            </span>
          )}
          {facts?.repository && (
            <span className="jp-mlplat-chain-detail">{facts.repository}</span>
          )}
        </li>
        <li className="jp-mlplat-chain-link">
          <span className="jp-mlplat-chain-kind">{trans.__('Notebook')}</span>
          {facts?.notebook ? (
            <code>{facts.notebook}</code>
          ) : (
            <span className="jp-mlplat-empty">{trans.__('not recorded')}</span>
          )}
        </li>
        <li className="jp-mlplat-chain-link">
          <span className="jp-mlplat-chain-kind">{trans.__('Run')}</span>
          {facts?.run_id ? (
            onOpenRun ? (
              <button
                type="button"
                className="jp-mlplat-link-button"
                title={trans.__('Open the run page')}
                onClick={() =>
                  onOpenRun(facts.run_id!, facts.run_name ?? facts.run_id!)
                }
              >
                {facts.run_name || facts.run_id}
              </button>
            ) : (
              <code>{facts.run_name || facts.run_id}</code>
            )
          ) : (
            <span className="jp-mlplat-empty">{trans.__('not recorded')}</span>
          )}
          {(params.length > 0 || metrics.length > 0) && (
            <details className="jp-mlplat-chain-detail">
              <summary>
                {trans.__(
                  '%1 params, %2 metrics',
                  params.length,
                  metrics.length
                )}
              </summary>
              <table className="jp-mlplat-table">
                <tbody>
                  {params.map(([key, value]) => (
                    <tr key={`p-${key}`}>
                      <th scope="row">{key}</th>
                      <td>{value}</td>
                    </tr>
                  ))}
                  {metrics.map(([key, value]) => (
                    <tr key={`m-${key}`}>
                      <th scope="row">{key}</th>
                      <td>{numberText(value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </li>
        <li className="jp-mlplat-chain-link">
          <span className="jp-mlplat-chain-kind">
            {trans.__('Model version')}
          </span>
          <span>
            {trans.__(
              '%1 version %2',
              publication.model_name,
              publication.version
            )}
          </span>
          {(facts?.framework || facts?.task) && (
            <span className="jp-mlplat-chain-detail">
              {[facts?.framework, facts?.task && taskLabel(facts.task, trans)]
                .filter(Boolean)
                .join(' · ')}
            </span>
          )}
        </li>
        <li className="jp-mlplat-chain-link">
          <span className="jp-mlplat-chain-kind">
            {trans.__('Publication')}
          </span>
          <span>
            {trans.__(
              '#%1, %2, round %3',
              publication.id,
              stateLabel(publication.state, trans),
              publication.round
            )}
          </span>
        </li>
        <li className="jp-mlplat-chain-link">
          <span className="jp-mlplat-chain-kind">{trans.__('Catalog')}</span>
          {publication.catalog_version ? (
            <span>
              {trans.__(
                'catalog.%1 version %2',
                publication.catalog_name ?? '',
                publication.catalog_version
              )}
              {publication.champion && ` (${trans.__('champion')})`}
            </span>
          ) : (
            <span className="jp-mlplat-empty">
              {trans.__(
                'this version is not in catalog.%1 yet',
                publication.catalog_name ?? ''
              )}
            </span>
          )}
        </li>
      </ol>
    </PageSection>
  );
}

// ------------------------------------------------------------------ diff

interface IFileDiff {
  path: string;
  lines: string[];
  added: number;
  removed: number;
  /** A notebook's cells counted (added, removed, edited); null for other files. */
  cells: { added: number; removed: number; edited: number } | null;
  /** A notebook the author's workspace could not read as one. */
  unreadable: boolean;
}

/**
 * The author's diff split by file: git's `diff --git` parts, and the
 * notebook parts `core/git` writes (`notebook PATH: N cell(s) added, …`,
 * then a unified diff of the cells' sources), each with its lines counted.
 */
export function splitDiff(text: string): IFileDiff[] {
  const files: IFileDiff[] = [];
  let current: IFileDiff | null = null;
  const start = (path: string): IFileDiff => {
    const file: IFileDiff = {
      path,
      lines: [],
      added: 0,
      removed: 0,
      cells: null,
      unreadable: false
    };
    files.push(file);
    return file;
  };
  for (const line of text.split('\n')) {
    const git = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (git) {
      current = start(git[2]);
      continue;
    }
    const notebook =
      /^notebook (.+?): (not readable as a notebook; )?(\d+) cell\(s\) added, (\d+) removed, (\d+) edited$/.exec(
        line
      );
    if (notebook) {
      current = start(notebook[1]);
      current.unreadable = !!notebook[2];
      current.cells = {
        added: +notebook[3],
        removed: +notebook[4],
        edited: +notebook[5]
      };
      continue;
    }
    if (!current) {
      current = start('');
    }
    if (line.startsWith('+') && !line.startsWith('+++')) {
      current.added++;
    } else if (line.startsWith('-') && !line.startsWith('---')) {
      current.removed++;
    }
    current.lines.push(line);
  }
  return files.filter(
    file => file.path || file.lines.some(line => line.trim())
  );
}

/** A notebook's counted cells in the user's words, as the Git tab says them. */
function cellsText(file: IFileDiff, trans: TranslationBundle): string | null {
  if (file.unreadable) {
    return trans.__('Not a notebook the author’s workspace could read.');
  }
  if (!file.cells) {
    return null;
  }
  return trans.__(
    'Cells: %1 added, %2 removed, %3 edited',
    file.cells.added,
    file.cells.removed,
    file.cells.edited
  );
}

function lineKind(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) {
    return 'file';
  }
  if (line.startsWith('@@') || line.startsWith('##')) {
    return 'hunk';
  }
  if (line.startsWith('+')) {
    return 'added';
  }
  if (line.startsWith('-')) {
    return 'removed';
  }
  return 'context';
}

/**
 * What changed in the code since the champion's commit, as the author's
 * workspace computed it (notebooks compared cell by cell, as the Git tab
 * counts them), one collapsible part per file.
 */
export function CodeChanges(props: {
  diff: ICodeDiff | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { diff, trans } = props;
  const files = diff ? splitDiff(diff.text) : [];
  return (
    <PageSection
      title={trans.__('Code changes since the champion')}
      className="jp-mlplat-diff"
    >
      {!diff ? (
        <p className="jp-mlplat-empty">
          {trans.__(
            'No code changes came with this submission: there is no champion yet, or the model was not made in a git repository.'
          )}
        </p>
      ) : (
        <>
          <p className="jp-mlplat-review-hint">
            {diff.base_commit
              ? trans.__(
                  'From the champion’s commit %1 to this version’s %2, as the author’s workspace computed it.',
                  diff.base_commit.slice(0, 8),
                  (diff.head_commit ?? '').slice(0, 8)
                )
              : trans.__(
                  'The whole code of commit %1, as the author’s workspace read it.',
                  (diff.head_commit ?? '').slice(0, 8)
                )}
          </p>
          {files.length === 0 ? (
            <p className="jp-mlplat-empty">
              {trans.__('The code is the same as the champion’s.')}
            </p>
          ) : (
            files.map((file, index) => (
              <details
                key={`${file.path}-${index}`}
                className="jp-mlplat-diff-file"
                open={index < 3}
              >
                <summary>
                  <span className="jp-mlplat-git-path">
                    {file.path || trans.__('(changes)')}
                  </span>{' '}
                  <span className="jp-mlplat-diff-count">
                    {cellsText(file, trans) ??
                      trans.__('+%1 −%2', file.added, file.removed)}
                  </span>
                </summary>
                <pre className="jp-mlplat-code jp-mlplat-diff-text">
                  {file.lines.map((line, at) => (
                    <span
                      key={at}
                      className={`jp-mlplat-diff-${lineKind(line)}`}
                    >
                      {line}
                      {'\n'}
                    </span>
                  ))}
                </pre>
              </details>
            ))
          )}
        </>
      )}
    </PageSection>
  );
}

// --------------------------------------------------------------- history

/** Every step taken on the publication, with its comment, oldest first. */
export function History(props: {
  publication: IPublication;
  trans: TranslationBundle;
}): JSX.Element {
  const { publication, trans } = props;
  const steps = publication.steps.filter(step => step.action !== 'save_card');
  return (
    <PageSection title={trans.__('History')} className="jp-mlplat-history">
      {steps.length === 0 ? (
        <p className="jp-mlplat-empty">{trans.__('Nothing happened yet.')}</p>
      ) : (
        <ol className="jp-mlplat-steps">
          {steps.map(step => (
            <li key={step.id} className="jp-mlplat-step">
              <p>
                <strong>{step.actor}</strong> {actionLabel(step.action, trans)}{' '}
                <time dateTime={step.at} className="jp-mlplat-review-hint">
                  {formatDateTime(step.at)}
                </time>
              </p>
              {step.comment.trim() && (
                <blockquote className="jp-mlplat-server-text">
                  {step.comment}
                </blockquote>
              )}
            </li>
          ))}
        </ol>
      )}
    </PageSection>
  );
}
