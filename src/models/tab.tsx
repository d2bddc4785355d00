import { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { notificationText } from '../shell/notifications';
import { INotificationFeed } from '../tokens';
import { Pager } from '../shell/pager';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { CommandIDs } from './commandIds';
import { formatValue, formatWhen } from './labels';
import { ModelsModel } from './model';
import { IModelRow, IVersionRow } from './types';

export interface IModelsTabProps {
  model: ModelsModel;
  /** The lab's notification feed: the news about the person's versions. */
  notifications: INotificationFeed | null;
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/**
 * The Models tab: the person's own registered models, each with its
 * versions, their key metrics and where their publication stands. A
 * version opens its page (lineage, card, publication).
 */
export function ModelsTab(props: IModelsTabProps): JSX.Element {
  const { model, commands, trans } = props;
  const state = useModelState(model);
  const models = state.models;

  // Shown, the model reads the person's models (again each time they come back to it).
  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  // Another page starts at its top, not where the pager left the person.
  const top = React.useRef<HTMLDivElement>(null);
  const shownPage = React.useRef(state.page);
  React.useEffect(() => {
    if (shownPage.current !== state.page) {
      shownPage.current = state.page;
      top.current?.scrollIntoView?.({ block: 'start' });
    }
  }, [state.page]);
  return (
    <div className="jp-mlplat-models" aria-busy={state.busy}>
      <div className="jp-mlplat-toolbar" ref={top}>
        <h3 className="jp-mlplat-section-title">{trans.__('My models')}</h3>
        <RefreshButton
          trans={trans}
          title={trans.__('Read your registered models again from MLflow')}
          onClick={() => void model.refresh()}
        />
      </div>
      {props.notifications && (
        <News feed={props.notifications} commands={commands} trans={trans} />
      )}
      {state.status.kind !== 'ready' && (
        <LoadStatus
          state={state.status}
          loading={trans.__('Loading your models…')}
          unavailable={trans.__('The model registry is unavailable')}
          error={() => trans.__('Could not read your models')}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      )}
      {models && models.length === 0 && (
        <p className="jp-mlplat-empty">
          {trans.__(
            'You have no registered models yet. Open a run in the Experiments tab and register its model, or call mlflow.register_model(…) in a notebook.'
          )}
        </p>
      )}
      {models && models.length > 0 && (
        <ul className="jp-mlplat-model-list" aria-label={trans.__('My models')}>
          {models.map(registered => (
            <ModelItem
              key={registered.name}
              registered={registered}
              commands={commands}
              trans={trans}
            />
          ))}
        </ul>
      )}
      {models && (
        <Pager
          page={state.page}
          pages={null}
          hasNext={state.nextPageToken !== null}
          busy={state.busy}
          label={trans.__('Pages of my models')}
          onPage={page => void model.setPage(page)}
          trans={trans}
        />
      )}
    </div>
  );
}

function ModelItem(props: {
  registered: IModelRow;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { registered, commands, trans } = props;
  const [open, setOpen] = React.useState(true);
  const Caret = open ? caretDownIcon : caretRightIcon;
  return (
    <li className="jp-mlplat-model">
      <button
        type="button"
        className="jp-mlplat-link jp-mlplat-model-name"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">
          <Caret.react tag="span" />
        </span>
        {registered.name}
      </button>
      <span className="jp-mlplat-model-count">
        {trans.__('Versions: %1', registered.versions.length)}
      </span>
      {open && registered.versions.length > 0 && (
        <table
          className="jp-mlplat-table jp-mlplat-versions"
          aria-label={trans.__('Versions of %1', registered.name)}
        >
          <thead>
            <tr>
              <th scope="col">{trans.__('Version')}</th>
              <th scope="col">{trans.__('Key metrics')}</th>
            </tr>
          </thead>
          <tbody>
            {registered.versions.map(row => (
              <VersionItem
                key={row.version.version}
                row={row}
                commands={commands}
                trans={trans}
              />
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}

function VersionItem(props: {
  row: IVersionRow;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { row, commands, trans } = props;
  const version = row.version;
  const metrics = Object.entries(row.metrics).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  return (
    <tr>
      <td>
        <button
          type="button"
          className="jp-mlplat-link"
          title={trans.__('Registered %1', formatWhen(version.created_at))}
          onClick={() =>
            void commands.execute(CommandIDs.openVersion, {
              name: version.name,
              version: version.version
            })
          }
        >
          {trans.__('v%1', version.version)}
        </button>
      </td>
      <td className="jp-mlplat-key-metrics">
        {metrics.length === 0 ? (
          <span className="jp-mlplat-empty">—</span>
        ) : (
          metrics.map(([key, value]) => (
            <span
              key={key}
              className="jp-mlplat-key-metric"
              title={String(value)}
            >
              {key} = {formatValue(value)}
            </span>
          ))
        )}
      </td>
    </tr>
  );
}

/** What happened to the person's submissions, newest first; at most this many. */
const NEWS_SHOWN = 8;

/** The kinds of notification that are news for an author. */
const AUTHOR_NEWS = ['decided', 'published', 'publish_failed'];

/**
 * The reviewers' decisions on the person's versions and their publishing,
 * as the lab's notification feed holds them; each opens its version.
 */
function News(props: {
  feed: INotificationFeed;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { commands, trans } = props;
  const state = useModelState(props.feed);
  const items = state.items
    .filter(item => AUTHOR_NEWS.includes(item.kind))
    .slice(0, NEWS_SHOWN);
  if (items.length === 0) {
    return null;
  }
  return (
    <section
      className="jp-mlplat-models-news"
      aria-label={trans.__('News about your models')}
    >
      <h3 className="jp-mlplat-section-title">
        {trans.__('News about your models')}
      </h3>
      <ul>
        {items.map(item => (
          <li key={item.id}>
            <button
              type="button"
              className="jp-mlplat-link"
              title={formatWhen(item.at)}
              onClick={() =>
                void commands.execute(CommandIDs.openVersion, {
                  name: item.model_name,
                  version: item.version
                })
              }
            >
              {notificationText(item, trans)}
            </button>
            {item.comment && (
              <p className="jp-mlplat-review-comment">{item.comment}</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
