import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, InputGroup } from '@jupyterlab/ui-components';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { IActionRunner } from './actions';
import { ArticlePage, progressText } from './article';
import { ArticleEditor } from './editor';
import { InstructionsModel } from './model';
import { IArticleSummary } from './types';

/** The longest search the instructions (core/instructions/service.py) takes: typing stops there. */
const MAX_QUERY = 200;

export interface IInstructionsTabProps {
  model: InstructionsModel;
  rendermime: IRenderMimeRegistry;
  runner: IActionRunner;
  openFile: (path: string) => void;
  trans: TranslationBundle;
  /** Ask before the editor closes over words not saved (tests answer). */
  confirm?: (title: string, body: string) => Promise<boolean>;
}

/**
 * The Instructions tab: the articles, one article to read, or (for
 * instructors) one being written. While mounted it tells the model it is
 * shown, so the list and the ticks are read again each time someone comes
 * back to it.
 */
export function InstructionsTab(props: IInstructionsTabProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);

  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  return (
    <div className="jp-mlplat-instructions-tab">
      {state.view === 'editor' && state.editor ? (
        <ArticleEditor
          model={model}
          editor={state.editor}
          rendermime={props.rendermime}
          runner={props.runner}
          trans={trans}
          confirm={props.confirm}
        />
      ) : state.view === 'article' && state.article ? (
        <ArticlePage
          model={model}
          article={state.article}
          rendermime={props.rendermime}
          runner={props.runner}
          openFile={props.openFile}
          trans={trans}
        />
      ) : (
        <ArticleList model={model} state={state} trans={trans} />
      )}
    </div>
  );
}

function ArticleList(props: {
  model: InstructionsModel;
  state: InstructionsModel.IState;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, state, trans } = props;
  const items = state.items;
  return (
    <section
      className="jp-mlplat-instructions-list"
      aria-label={trans.__('Instructions')}
    >
      <div className="jp-mlplat-list-toolbar">
        <InputGroup
          type="search"
          className="jp-mlplat-search"
          rightIcon="ui-components:search"
          aria-label={trans.__('Search the instructions')}
          maxLength={MAX_QUERY}
          placeholder={trans.__('Search titles, texts and tasks')}
          value={state.query}
          onChange={event => void model.setQuery(event.currentTarget.value)}
        />
        <RefreshButton
          trans={trans}
          title={trans.__('Read the instructions again')}
          onClick={() => void model.refresh()}
        />
      </div>
      {state.canEdit && (
        <Button
          small
          className="jp-mlplat-instructions-new"
          onClick={() => model.newArticle()}
        >
          {trans.__('New article')}
        </Button>
      )}
      {state.list.kind !== 'ready' && (
        <LoadStatus
          state={state.list}
          loading={items === null ? trans.__('Reading the instructions…') : ''}
          unavailable={trans.__('Instructions are unavailable — retrying')}
          error={() => trans.__('The instructions could not be read')}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      )}
      {items !== null &&
        (items.length === 0 ? (
          <p className="jp-mlplat-empty">
            {state.query.trim()
              ? trans.__('No article matches “%1”.', state.query)
              : trans.__('There are no instructions for you yet.')}
          </p>
        ) : (
          <ul className="jp-mlplat-articles">
            {items.map(item => (
              <ArticleRow
                key={item.slug}
                item={item}
                onOpen={() => void model.open(item.slug)}
                trans={trans}
              />
            ))}
          </ul>
        ))}
    </section>
  );
}

function ArticleRow(props: {
  item: IArticleSummary;
  onOpen: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { item, trans } = props;
  const progress = { done: item.progress.count, total: item.progress.total };
  const finished = progress.total > 0 && progress.done >= progress.total;
  return (
    <li className="jp-mlplat-article-row">
      <button
        type="button"
        className="jp-mlplat-article-open"
        onClick={props.onOpen}
      >
        <span className="jp-mlplat-article-row-title">{item.title}</span>
        {item.state === 'draft' && (
          <span className="jp-mlplat-badge-draft">{trans.__('Draft')}</span>
        )}
      </button>
      {item.summary && (
        <p className="jp-mlplat-article-summary">{item.summary}</p>
      )}
      <p className="jp-mlplat-article-meta">
        {trans.__('About %1 min', item.minutes)}
        {progress.total > 0 && (
          <>
            {' · '}
            <span className={finished ? 'jp-mlplat-article-finished' : ''}>
              {progressText(progress, trans)}
            </span>
          </>
        )}
      </p>
    </li>
  );
}
