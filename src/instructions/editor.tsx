import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { confirmDiscardInDialog } from '../shell/discard';
import { describeFields } from '../shell/errors';
import { formatDateTime } from '../shell/labels';
import { DoneNote, failureText, FailureNote, Progress } from '../shell/notes';
import { LoadStatus } from '../shell/status';
import { IActionRunner } from './actions';
import {
  addTask,
  ArticleField,
  AudienceKind,
  IArticleDraft,
  ITaskDraft,
  Language,
  LANGUAGES,
  moveTask,
  pickText,
  removeTask,
  setTaskText,
  setText,
  TaskField
} from './draft';
import { articleFieldLabel, audienceLabel, revisionLabel } from './labels';
import { InstructionsModel } from './model';
import { ArticleMarkdown, articleRendermime } from './render';

export interface IArticleEditorProps {
  model: InstructionsModel;
  editor: InstructionsModel.IEditor;
  rendermime: IRenderMimeRegistry;
  runner: IActionRunner;
  trans: TranslationBundle;
  /** Ask before closing over words not saved (tests answer); a dialog otherwise. */
  confirm?: (title: string, body: string) => Promise<boolean>;
}

/** Where an uploaded image's Markdown goes: the text last typed in. */
type Target =
  { field: 'introduction' | 'conclusion' } | { task: string; field: TaskField };

const AUDIENCES: AudienceKind[] = ['everyone', 'groups', 'profiles'];

/**
 * An article as an instructor writes it: one language at a time (the
 * switch keeps both), tasks added, moved and removed, images uploaded into
 * the text, a preview through the same renderer readers get, and the
 * revisions. A refused save keeps every word; a save another instructor
 * beat says who and offers both ways on.
 */
export function ArticleEditor(props: IArticleEditorProps): JSX.Element {
  const { model, editor, trans } = props;
  const { draft, language } = editor;
  const [target, setTarget] = React.useState<Target>({
    field: 'introduction'
  });
  const change = (next: IArticleDraft) => model.setDraft(next);
  const busy = editor.busy !== null;
  const saved = draft.slug !== null;
  const rendermime = React.useMemo(
    () =>
      articleRendermime(props.rendermime, reference =>
        draft.slug ? model.api.imageURL(draft.slug, reference) : null
      ),
    [props.rendermime, model, draft.slug]
  );

  const insertImage = async (file: File) => {
    const snippet = await model.uploadImage(file);
    if (!snippet) {
      return;
    }
    // The draft may have changed while the image was sent: insert into the newest.
    const now = model.state.editor?.draft;
    if (!now) {
      return;
    }
    const append = (text: string) => (text ? `${text}\n\n${snippet}` : snippet);
    if ('task' in target) {
      const task = now.tasks.find(one => one.id === target.task);
      if (task) {
        change(
          setTaskText(
            now,
            task.id,
            target.field,
            language,
            append(task[target.field][language])
          )
        );
        return;
      }
    }
    const field = 'task' in target ? 'introduction' : target.field;
    change(setText(now, field, language, append(now[field][language])));
  };

  const text = (field: ArticleField, label: string, rows = 0) => (
    <EditorText
      label={label}
      value={draft[field][language]}
      rows={rows}
      disabled={busy}
      onFocus={
        field === 'introduction' || field === 'conclusion'
          ? () => setTarget({ field })
          : undefined
      }
      onChange={value => change(setText(draft, field, language, value))}
    />
  );

  return (
    <section
      className="jp-mlplat-instructions-editor"
      aria-label={trans.__('Article editor')}
    >
      <Button
        small
        minimal
        className="jp-mlplat-back"
        onClick={async () => {
          if (model.unsavedEdits) {
            const ask =
              props.confirm ??
              confirmDiscardInDialog(trans, trans.__('Discard'));
            const title = pickText(draft.title, language);
            const sure = await ask(
              trans.__('Discard your changes?'),
              saved
                ? trans.__(
                    'Your changes to the article “%1” are not saved.',
                    title || draft.slug!
                  )
                : trans.__('The new article is not saved.')
            );
            if (!sure) {
              return;
            }
          }
          model.closeEditor();
        }}
      >
        {trans.__('← Close the editor')}
      </Button>
      <h2 className="jp-mlplat-article-title">
        {saved
          ? trans.__(
              'Editing “%1”',
              pickText(draft.title, language) || draft.slug!
            )
          : trans.__('New article')}
      </h2>
      {editor.state && (
        <p className="jp-mlplat-article-meta">
          {editor.state === 'published'
            ? trans.__('Published, revision %1', editor.revision ?? '')
            : trans.__('Draft, revision %1', editor.revision ?? '')}
        </p>
      )}
      <LanguageSwitch
        language={language}
        onChange={next => model.setEditorLanguage(next)}
        trans={trans}
      />
      <div className="jp-mlplat-editor-bar">
        <Button
          small
          aria-pressed={editor.preview}
          onClick={() => model.setPreview(!editor.preview)}
        >
          {editor.preview ? trans.__('Back to editing') : trans.__('Preview')}
        </Button>
      </div>
      {editor.busy === 'load' && (
        <Progress text={trans.__('Reading the article…')} />
      )}
      {editor.preview ? (
        <Preview
          draft={draft}
          language={language}
          rendermime={rendermime}
          runner={props.runner}
          trans={trans}
        />
      ) : (
        <>
          {!saved && (
            <EditorText
              label={trans.__(
                'Name in addresses (lower-case letters, digits, dashes)'
              )}
              value={draft.newSlug}
              disabled={busy}
              onChange={value => change({ ...draft, newSlug: value })}
            />
          )}
          {text('title', trans.__('Title'))}
          {text('summary', trans.__('Summary (one line for the list)'))}
          {text('introduction', trans.__('Introduction (Markdown)'), 5)}
          <TaskList
            draft={draft}
            language={language}
            disabled={busy}
            onChange={change}
            onFocus={setTarget}
            trans={trans}
          />
          {text('conclusion', trans.__('Conclusion (Markdown)'), 4)}
          <ImageUpload
            editor={editor}
            onFile={file => void insertImage(file)}
            trans={trans}
          />
          <div className="jp-mlplat-editor-numbers">
            <EditorText
              label={trans.__('Minutes it takes')}
              value={draft.minutes}
              disabled={busy}
              onChange={value => change({ ...draft, minutes: value })}
            />
            <EditorText
              label={trans.__('Place in the list')}
              value={draft.position}
              disabled={busy}
              onChange={value => change({ ...draft, position: value })}
            />
          </div>
          <EditorText
            label={trans.__('Next article (its name in addresses)')}
            value={draft.next}
            disabled={busy}
            onChange={value => change({ ...draft, next: value })}
          />
          <AudienceFields
            draft={draft}
            disabled={busy}
            onChange={change}
            trans={trans}
          />
        </>
      )}
      {editor.conflict ? (
        <ConflictNote model={model} editor={editor} trans={trans} />
      ) : (
        editor.failure && (
          <FailureNote
            failure={editor.failure}
            title={failureTitle(editor.failed, trans)}
            trans={trans}
          >
            {editor.problems && (
              <FieldProblems problems={editor.problems} trans={trans} />
            )}
          </FailureNote>
        )
      )}
      {editor.justSaved && (
        <DoneNote trans={trans}>{trans.__('Saved.')}</DoneNote>
      )}
      {editor.busy === 'save' && <Progress text={trans.__('Saving…')} />}
      <div className="jp-mlplat-editor-actions">
        <Button disabled={busy} onClick={() => void model.save()}>
          {trans.__('Save')}
        </Button>
        {saved &&
          (editor.state === 'published' ? (
            <Button
              minimal
              disabled={busy || !editor.saved}
              title={editor.saved ? undefined : trans.__('Save first')}
              onClick={() => void model.setPublished(false)}
            >
              {trans.__('Take back to a draft')}
            </Button>
          ) : (
            <Button
              disabled={busy || !editor.saved}
              title={editor.saved ? undefined : trans.__('Save first')}
              onClick={() => void model.setPublished(true)}
            >
              {trans.__('Publish')}
            </Button>
          ))}
        {saved && (
          <Button
            minimal
            disabled={busy}
            onClick={() => void model.readRevisions()}
          >
            {trans.__('Revisions')}
          </Button>
        )}
      </div>
      {editor.revisions && (
        <Revisions editor={editor} model={model} trans={trans} />
      )}
    </section>
  );
}

/** What did not happen, over the reason why. */
function failureTitle(
  failed: InstructionsModel.EditorBusy | null,
  trans: TranslationBundle
): string {
  switch (failed) {
    case 'upload':
      return trans.__('The image was not added');
    case 'publish':
      return trans.__('Not published');
    case 'unpublish':
      return trans.__('Still published');
    case 'load':
      return trans.__('The article could not be read');
    default:
      return trans.__('Not saved');
  }
}

function LanguageSwitch(props: {
  language: Language;
  onChange: (language: Language) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const names: Record<Language, string> = {
    en: trans.__('English'),
    ru: trans.__('Russian')
  };
  return (
    <fieldset className="jp-mlplat-language-switch">
      <legend>{trans.__('Language of the texts')}</legend>
      {LANGUAGES.map(language => (
        <label key={language}>
          <input
            type="radio"
            name="jp-mlplat-editor-language"
            checked={props.language === language}
            onChange={() => props.onChange(language)}
          />
          {names[language]}
        </label>
      ))}
    </fieldset>
  );
}

function EditorText(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  disabled?: boolean;
  onFocus?: () => void;
}): JSX.Element {
  const id = React.useId();
  return (
    <div className="jp-mlplat-field">
      <label htmlFor={id} className="jp-mlplat-field-label">
        {props.label}
      </label>
      {props.rows ? (
        <textarea
          id={id}
          className="jp-mlplat-textarea"
          rows={props.rows}
          value={props.value}
          disabled={props.disabled}
          onFocus={props.onFocus}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
      ) : (
        <input
          id={id}
          type="text"
          className="jp-mod-styled"
          value={props.value}
          disabled={props.disabled}
          spellCheck={false}
          onFocus={props.onFocus}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
      )}
    </div>
  );
}

function TaskList(props: {
  draft: IArticleDraft;
  language: Language;
  disabled: boolean;
  onChange: (draft: IArticleDraft) => void;
  onFocus: (target: Target) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { draft, trans } = props;
  const count = draft.tasks.length;
  return (
    <section className="jp-mlplat-editor-tasks" aria-label={trans.__('Tasks')}>
      <h3>{trans.__('Tasks')}</h3>
      {draft.tasks.map((task, index) => (
        <TaskFields
          key={task.id}
          task={task}
          index={index}
          count={count}
          {...props}
        />
      ))}
      <Button
        small
        disabled={props.disabled}
        onClick={() => props.onChange(addTask(draft))}
      >
        {trans.__('Add a task')}
      </Button>
      {count === 0 && (
        <p className="jp-mlplat-field-hint">
          {trans.__(
            'A task is one step with a way to check it: readers tick it when done.'
          )}
        </p>
      )}
    </section>
  );
}

function TaskFields(props: {
  task: ITaskDraft;
  index: number;
  count: number;
  draft: IArticleDraft;
  language: Language;
  disabled: boolean;
  onChange: (draft: IArticleDraft) => void;
  onFocus: (target: Target) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { task, index, draft, language, trans } = props;
  const field = (name: TaskField, label: string, rows = 0) => (
    <EditorText
      label={label}
      value={task[name][language]}
      rows={rows}
      disabled={props.disabled}
      onFocus={
        name === 'title'
          ? undefined
          : () => props.onFocus({ task: task.id, field: name })
      }
      onChange={value =>
        props.onChange(setTaskText(draft, task.id, name, language, value))
      }
    />
  );
  return (
    <fieldset className="jp-mlplat-editor-task">
      <legend>{trans.__('Task %1', index + 1)}</legend>
      {field('title', trans.__('Task title'))}
      {field('body', trans.__('What to do (Markdown)'), 4)}
      {field('check', trans.__('Check your work (Markdown)'), 3)}
      {field('help', trans.__('Help if it did not work (Markdown)'), 3)}
      <div className="jp-mlplat-editor-task-actions">
        <Button
          small
          minimal
          disabled={props.disabled || index === 0}
          aria-label={trans.__('Move task %1 up', index + 1)}
          onClick={() => props.onChange(moveTask(draft, task.id, -1))}
        >
          {trans.__('Up')}
        </Button>
        <Button
          small
          minimal
          disabled={props.disabled || index === props.count - 1}
          aria-label={trans.__('Move task %1 down', index + 1)}
          onClick={() => props.onChange(moveTask(draft, task.id, 1))}
        >
          {trans.__('Down')}
        </Button>
        <Button
          small
          minimal
          disabled={props.disabled}
          aria-label={trans.__('Remove task %1', index + 1)}
          onClick={() => props.onChange(removeTask(draft, task.id))}
        >
          {trans.__('Remove')}
        </Button>
      </div>
    </fieldset>
  );
}

function AudienceFields(props: {
  draft: IArticleDraft;
  disabled: boolean;
  onChange: (draft: IArticleDraft) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { draft, trans } = props;
  const id = React.useId();
  return (
    <>
      <div className="jp-mlplat-field">
        <label htmlFor={id} className="jp-mlplat-field-label">
          {trans.__('Who reads it')}
        </label>
        <select
          id={id}
          className="jp-mod-styled"
          value={draft.audience}
          disabled={props.disabled}
          onChange={event =>
            props.onChange({
              ...draft,
              audience: event.currentTarget.value as AudienceKind
            })
          }
        >
          {AUDIENCES.map(kind => (
            <option key={kind} value={kind}>
              {audienceLabel(kind, trans)}
            </option>
          ))}
        </select>
      </div>
      {draft.audience !== 'everyone' && (
        <EditorText
          label={
            draft.audience === 'groups'
              ? trans.__('Groups (separated by commas)')
              : trans.__('Workspace profiles (separated by commas)')
          }
          value={draft.names}
          disabled={props.disabled}
          onChange={value => props.onChange({ ...draft, names: value })}
        />
      )}
    </>
  );
}

function ImageUpload(props: {
  editor: InstructionsModel.IEditor;
  onFile: (file: File) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { editor, trans } = props;
  const id = React.useId();
  const upload = editor.upload;
  if (editor.draft.slug === null) {
    return (
      <p className="jp-mlplat-field-hint">
        {trans.__('Save the article once to add images to it.')}
      </p>
    );
  }
  const percent =
    upload && upload.total > 0
      ? Math.round((100 * upload.loaded) / upload.total)
      : 0;
  return (
    <div className="jp-mlplat-field jp-mlplat-editor-image">
      <label htmlFor={id} className="jp-mlplat-field-label">
        {trans.__('Add an image (PNG, JPEG, GIF or WebP) where you last typed')}
      </label>
      <input
        id={id}
        type="file"
        accept="image/png,image/jpeg,image/gif,image/webp"
        disabled={editor.busy !== null}
        onChange={event => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (file) {
            props.onFile(file);
          }
        }}
      />
      {upload && (
        <div role="status" className="jp-mlplat-upload">
          <progress
            max={100}
            value={percent}
            aria-label={trans.__('Uploading %1', upload.name)}
          />
          <span>{trans.__('Uploading %1… %2%', upload.name, percent)}</span>
        </div>
      )}
    </div>
  );
}

function ConflictNote(props: {
  model: InstructionsModel;
  editor: InstructionsModel.IEditor;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, editor, trans } = props;
  const conflict = editor.conflict!;
  return (
    <div
      className="jp-mlplat-status jp-mlplat-status-error jp-mlplat-note"
      role="alert"
    >
      <p className="jp-mlplat-status-title">
        {trans.__('Someone else saved this article')}
      </p>
      <p className="jp-mlplat-status-message jp-mlplat-server-text">
        {editor.failure
          ? failureText(editor.failure, trans)
          : trans.__('%1 saved it after you opened it.', conflict.by)}
      </p>
      <div className="jp-mlplat-editor-actions">
        <Button
          small
          disabled={editor.busy !== null}
          onClick={() => void model.reloadTheirs()}
        >
          {trans.__('Reload theirs')}
        </Button>
        <Button
          small
          disabled={editor.busy !== null}
          onClick={() => void model.keepMineAndRetry()}
        >
          {trans.__('Keep mine and retry')}
        </Button>
      </div>
    </div>
  );
}

function Revisions(props: {
  model: InstructionsModel;
  editor: InstructionsModel.IEditor;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, editor, trans } = props;
  const revisions = editor.revisions!;
  return (
    <section
      className="jp-mlplat-editor-revisions"
      aria-label={trans.__('Revisions')}
    >
      <h3>{trans.__('Revisions')}</h3>
      {revisions.status.kind !== 'ready' ? (
        <LoadStatus
          state={revisions.status}
          loading={trans.__('Reading the revisions…')}
          unavailable={trans.__('Instructions are unavailable — retrying')}
          error={() => trans.__('The revisions could not be read')}
          onRetry={() => void model.readRevisions()}
          trans={trans}
        />
      ) : (
        <ol className="jp-mlplat-revisions" reversed>
          {revisions.items.map(revision => (
            <li key={revision.number}>
              {trans.__(
                '%1 %2 at %3',
                revision.by,
                revisionLabel(revision.action, trans),
                formatDateTime(revision.at)
              )}
              {revision.changed.length > 0 && (
                <span className="jp-mlplat-revision-changed">
                  {' '}
                  {trans.__('(changed: %1)', revision.changed.join(', '))}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The draft as readers of the editor's language will see it. */
function Preview(props: {
  draft: IArticleDraft;
  language: Language;
  rendermime: IRenderMimeRegistry;
  runner: IActionRunner;
  trans: TranslationBundle;
}): JSX.Element {
  const { draft, language, trans, rendermime, runner } = props;
  const md = (source: string) => (
    <ArticleMarkdown
      source={source}
      rendermime={rendermime}
      runner={runner}
      className="jp-mlplat-article-text"
    />
  );
  return (
    <article
      className="jp-mlplat-instructions-article jp-mlplat-preview"
      aria-label={trans.__('Preview')}
    >
      <h2 className="jp-mlplat-article-title">
        {pickText(draft.title, language)}
      </h2>
      {md(pickText(draft.introduction, language))}
      <ol className="jp-mlplat-tasks">
        {draft.tasks.map(task => (
          <li key={task.id} className="jp-mlplat-task">
            <p className="jp-mlplat-task-title">
              {pickText(task.title, language)}
            </p>
            {md(pickText(task.body, language))}
            {pickText(task.check, language).trim() && (
              <section className="jp-mlplat-task-check">
                <h4>{trans.__('Check your work')}</h4>
                {md(pickText(task.check, language))}
              </section>
            )}
            {pickText(task.help, language).trim() && (
              <details className="jp-mlplat-task-help">
                <summary>{trans.__('If it did not work')}</summary>
                {md(pickText(task.help, language))}
              </details>
            )}
          </li>
        ))}
      </ol>
      {md(pickText(draft.conclusion, language))}
    </article>
  );
}

/**
 * Every field a refused save named, each with what is wrong, in the user's
 * language: one Save shows every mistake, not the first only.
 */
function FieldProblems(props: {
  problems: InstructionsModel.IFieldProblems;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { problems, trans } = props;
  const described = describeFields(
    trans,
    problems.fields,
    problems.fieldReasons
  );
  const paths = Object.keys(described);
  if (paths.length < 2) {
    return null; // the note's own sentence says the one
  }
  return (
    <ul
      className="jp-mlplat-field-problems"
      aria-label={trans.__('What to correct')}
    >
      {paths.map(path => (
        <li key={path}>
          <strong>{articleFieldLabel(path, trans)}</strong>
          {': '}
          {described[path]}
        </li>
      ))}
    </ul>
  );
}
