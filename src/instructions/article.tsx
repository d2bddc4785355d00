import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { FailureNote, Progress } from '../shell/notes';
import { LoadStatus } from '../shell/status';
import { IActionRunner } from './actions';
import { InstructionsModel } from './model';
import { ArticleMarkdown, articleRendermime } from './render';
import { IArticleView, ITaskView } from './types';

export interface IArticlePageProps {
  model: InstructionsModel;
  article: InstructionsModel.IArticlePage;
  rendermime: IRenderMimeRegistry;
  runner: IActionRunner;
  /** Open the copied notebook in the lab. */
  openFile: (path: string) => void;
  trans: TranslationBundle;
}

/** "2 of 5 done", or nothing for an article without tasks. */
export function progressText(
  progress: { done: number; total: number },
  trans: TranslationBundle
): string {
  return progress.total > 0
    ? trans.__('%1 of %2 done', progress.done, progress.total)
    : '';
}

/** One article as a reader reads it: a quick start with ticks. */
export function ArticlePage(props: IArticlePageProps): JSX.Element {
  const { model, article, trans } = props;
  const data = article.data;
  const rendermime = React.useMemo(
    () =>
      articleRendermime(props.rendermime, reference =>
        model.api.imageURL(article.slug, reference)
      ),
    [props.rendermime, model, article.slug]
  );
  const back = (
    <Button
      small
      minimal
      className="jp-mlplat-back"
      onClick={() => model.back()}
    >
      {trans.__('← All instructions')}
    </Button>
  );
  if (!data) {
    return (
      <section className="jp-mlplat-instructions-article">
        {back}
        {article.status.kind !== 'ready' && (
          <LoadStatus
            state={article.status}
            loading={trans.__('Opening the article…')}
            unavailable={trans.__('Instructions are unavailable — retrying')}
            error={() => trans.__('The article could not be opened')}
            onRetry={() => void model.open(article.slug)}
            trans={trans}
          />
        )}
      </section>
    );
  }
  const progress = InstructionsModel.progressOf(data);
  return (
    <article
      className="jp-mlplat-instructions-article"
      aria-labelledby="jp-mlplat-article-title"
    >
      {back}
      <h2 id="jp-mlplat-article-title" className="jp-mlplat-article-title">
        {data.title}
      </h2>
      <p className="jp-mlplat-article-meta">
        {trans.__('About %1 min', data.minutes)}
        {progress.total > 0 && (
          <>
            {' · '}
            <span className="jp-mlplat-article-progress" role="status">
              {progressText(progress, trans)}
            </span>
          </>
        )}
        {data.state === 'draft' && (
          <>
            {' · '}
            <span className="jp-mlplat-badge-draft">{trans.__('Draft')}</span>
          </>
        )}
      </p>
      {data.language !== model.state.language && (
        <p className="jp-mlplat-article-language">
          {data.language === 'ru'
            ? trans.__('This article is written in Russian only.')
            : trans.__('This article is written in English only.')}
        </p>
      )}
      {data.editable && (
        <Button
          small
          className="jp-mlplat-article-edit"
          onClick={() => void model.edit(data.slug)}
        >
          {trans.__('Edit the article')}
        </Button>
      )}
      <ArticleMarkdown
        source={data.introduction}
        rendermime={rendermime}
        runner={props.runner}
        className="jp-mlplat-article-text"
      />
      {data.notebook && <NotebookOffer {...props} data={data} />}
      {article.failure && (
        <FailureNote
          failure={article.failure}
          title={trans.__('That did not work')}
          trans={trans}
          onDismiss={() => model.dismissFailure()}
        />
      )}
      {data.tasks.length > 0 && (
        <ol className="jp-mlplat-tasks" aria-label={trans.__('Tasks')}>
          {data.tasks.map(task => (
            <TaskItem
              key={task.key}
              task={task}
              busy={article.ticking === task.key}
              onTick={done => void model.tick(task.key, done)}
              rendermime={rendermime}
              runner={props.runner}
              trans={trans}
            />
          ))}
        </ol>
      )}
      <ArticleMarkdown
        source={data.conclusion}
        rendermime={rendermime}
        runner={props.runner}
        className="jp-mlplat-article-text"
      />
      {data.next_article && (
        <p className="jp-mlplat-article-next">
          {trans.__('Next:')}{' '}
          <button
            type="button"
            className="jp-mlplat-link-button"
            onClick={() => void model.open(data.next_article!.slug)}
          >
            {data.next_article.title}
          </button>
        </p>
      )}
    </article>
  );
}

function NotebookOffer(
  props: IArticlePageProps & { data: IArticleView }
): JSX.Element {
  const { model, article, trans, data } = props;
  return (
    <div className="jp-mlplat-article-notebook">
      <span>{trans.__('Example notebook: %1', data.notebook?.name ?? '')}</span>
      <Button
        small
        disabled={article.copying}
        onClick={() =>
          void model.copyNotebook().then(path => path && props.openFile(path))
        }
      >
        {trans.__('Open in my workspace')}
      </Button>
      {article.copying && <Progress text={trans.__('Copying the notebook…')} />}
      {article.copied && (
        <p className="jp-mlplat-done" role="status">
          {trans.__('Copied to %1 in your home.', article.copied)}
        </p>
      )}
    </div>
  );
}

interface ITaskItemProps {
  task: ITaskView;
  busy: boolean;
  onTick: (done: boolean) => void;
  rendermime: IRenderMimeRegistry;
  runner: IActionRunner;
  trans: TranslationBundle;
}

/** A task: what to do, the check, help behind a disclosure, and its tick. */
function TaskItem(props: ITaskItemProps): JSX.Element {
  const { task, trans, rendermime, runner } = props;
  const id = React.useId();
  return (
    <li
      className={`jp-mlplat-task ${task.done ? 'jp-mod-done' : ''}`.trim()}
      aria-labelledby={`${id}-title`}
    >
      <div className="jp-mlplat-task-head">
        <input
          id={`${id}-tick`}
          type="checkbox"
          checked={task.done}
          disabled={props.busy}
          onChange={event => props.onTick(event.currentTarget.checked)}
        />
        <label
          id={`${id}-title`}
          htmlFor={`${id}-tick`}
          className="jp-mlplat-task-title"
        >
          {task.title}
        </label>
      </div>
      <ArticleMarkdown
        source={task.body}
        rendermime={rendermime}
        runner={runner}
        className="jp-mlplat-article-text"
      />
      {task.check.trim() && (
        <section className="jp-mlplat-task-check">
          <h4>{trans.__('Check your work')}</h4>
          <ArticleMarkdown
            source={task.check}
            rendermime={rendermime}
            runner={runner}
            className="jp-mlplat-article-text"
          />
        </section>
      )}
      {task.help.trim() && (
        <details className="jp-mlplat-task-help">
          <summary>{trans.__('If it did not work')}</summary>
          <ArticleMarkdown
            source={task.help}
            rendermime={rendermime}
            runner={runner}
            className="jp-mlplat-article-text"
          />
        </details>
      )}
    </li>
  );
}
