import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, caretLeftIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { confirmDiscardInDialog } from '../shell/discard';
import { describeError, describeFields } from '../shell/errors';
import { formatDateTime } from '../shell/labels';
import { IDraftProblem, toBody } from './draft';
import { focusPath } from './fields';
import { fieldLabel, problemText } from './labels';
import { ProfilesModel } from './model';
import { PodPreview } from './preview';
import {
  AccessSection,
  EnvironmentSection,
  GeneralSection,
  ISectionProps,
  ResourcesSection,
  SchedulingSection
} from './sections';

export interface IProfileEditorProps {
  model: ProfilesModel;
  editor: ProfilesModel.IEditor;
  knownGroups: string[];
  trans: TranslationBundle;
}

/**
 * One profile in the editor: the form, what is wrong with it, the pod it
 * gives, and Save / Cancel / Delete. Nothing typed is lost when a save
 * fails; the form is only locked while a request is under way.
 */
export function ProfileEditor(props: IProfileEditorProps): JSX.Element {
  const { model, trans } = props;
  // The platform's field messages, in the user's language from here on.
  const editor = React.useMemo(
    () => ({
      ...props.editor,
      fields: describeFields(
        trans,
        props.editor.fields,
        props.editor.fieldReasons
      )
    }),
    [props.editor, trans]
  );
  const { base, draft } = editor;
  const busy = editor.saving || editor.deleting || editor.reloading;
  const problems = React.useMemo(
    () => toBody(draft).problems,
    [draft.environment, draft.node_selector]
  );
  const shown = problems.filter(
    p => editor.submitted || editor.touched.includes(p.path)
  );
  const name = base?.profile.display_name ?? draft.display_name;
  const root = React.useRef<HTMLElement>(null);

  const section: ISectionProps = {
    editor,
    set: (field, value) => model.setField(field, value),
    error: path => ProfilesModel.shownError(editor, path),
    at: path => ({ path, error: ProfilesModel.shownError(editor, path) }),
    problems: shown,
    trans
  };

  // Save and Delete sit at the bottom, the reasons they failed at the top. The
  // focus moves once React has rendered the failure (an effect, not a timer:
  // under load the render can come later than the next frame).
  const [failures, setFailures] = React.useState(0);
  const showFailure = () => setFailures(count => count + 1);
  React.useEffect(() => {
    if (failures === 0) {
      return;
    }
    const alert = root.current?.querySelector<HTMLElement>('[role="alert"]');
    alert?.focus();
    alert?.scrollIntoView?.({ block: 'nearest' });
  }, [failures]);

  const save = async (): Promise<void> => {
    const record = await model.save();
    if (!record) {
      showFailure();
      return;
    }
    Notification.success(
      trans.__(
        'Profile “%1” saved: servers started from now on use it.',
        record.profile.display_name
      ),
      { autoClose: 5000 }
    );
  };

  const cancel = async (): Promise<void> => {
    if (editor.dirty && !(await confirmDiscard(name, trans))) {
      return;
    }
    model.close();
  };

  const remove = async (): Promise<void> => {
    if (!(await confirmDelete(name, trans))) {
      return;
    }
    if (await model.remove()) {
      Notification.success(trans.__('Profile “%1” deleted.', name), {
        autoClose: 5000
      });
    } else {
      showFailure();
    }
  };

  return (
    <section
      ref={root}
      className="jp-mlplat-profile-editor"
      aria-label={base ? trans.__('Edit “%1”', name) : trans.__('New profile')}
    >
      <div className="jp-mlplat-editor-header">
        <Button
          small
          minimal
          type="button"
          className="jp-mlplat-back"
          onClick={() => void cancel()}
        >
          <span aria-hidden="true">
            <caretLeftIcon.react tag="span" />
          </span>
          {trans.__('Back to profiles')}
        </Button>
        <h3 className="jp-mlplat-editor-title">
          {base ? trans.__('Edit “%1”', name) : trans.__('New profile')}
        </h3>
        {base && (
          <p className="jp-mlplat-profile-meta">
            {trans.__(
              'Revision %1, updated by %2 on %3',
              base.revision,
              base.updated_by,
              formatDateTime(base.updated_at)
            )}
          </p>
        )}
      </div>

      <FailureBanner model={model} editor={editor} trans={trans} />
      <ErrorSummary
        editor={editor}
        problems={shown}
        onPick={path => focusPath(root.current, path)}
        trans={trans}
      />

      <form
        className="jp-mlplat-profile-form"
        noValidate
        onSubmit={event => {
          event.preventDefault();
          void save();
        }}
      >
        <div className="jp-mlplat-editor-body">
          <fieldset className="jp-mlplat-form-fields" disabled={busy}>
            <GeneralSection {...section} />
            <ResourcesSection {...section} />
            <SchedulingSection {...section} />
            <EnvironmentSection {...section} />
            <AccessSection {...section} knownGroups={props.knownGroups} />
          </fieldset>
          <PodPreview
            preview={editor.preview}
            problems={problems}
            trans={trans}
          />
        </div>
        <div className="jp-mlplat-editor-actions">
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept"
            disabled={busy}
          >
            {editor.saving ? trans.__('Saving…') : trans.__('Save')}
          </button>
          <button
            type="button"
            className="jp-mod-styled jp-mod-reject"
            disabled={busy}
            onClick={() => void cancel()}
          >
            {trans.__('Cancel')}
          </button>
          {base && (
            <button
              type="button"
              className="jp-mod-styled jp-mod-warn jp-mlplat-delete"
              disabled={busy}
              onClick={() => void remove()}
            >
              {editor.deleting ? trans.__('Deleting…') : trans.__('Delete')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

interface IFailureBannerProps {
  model: ProfilesModel;
  editor: ProfilesModel.IEditor;
  trans: TranslationBundle;
}

/**
 * Why the last save, delete or reload failed, in the platform's words. A
 * conflict offers the stored version; the draft stays until it is taken.
 */
function FailureBanner(props: IFailureBannerProps): JSX.Element | null {
  const { model, editor, trans } = props;
  const failure = editor.failure;
  const message = failure ? describeError(trans, failure) : null;
  if (!failure || failure.kind === 'invalid') {
    return null;
  }
  let title: string;
  switch (failure.kind) {
    case 'conflict':
      title = trans.__('Not saved: somebody changed this profile meanwhile');
      break;
    case 'gone':
      title = trans.__('This profile no longer exists');
      break;
    case 'unavailable':
      title = trans.__(
        'The platform is unavailable; nothing was changed. Your edits are still here: try again.'
      );
      break;
    default:
      title =
        failure.status === 403
          ? trans.__('Only platform admins may change profiles (HTTP 403)')
          : failure.status > 0
            ? trans.__('The platform refused (HTTP %1)', failure.status)
            : trans.__('The request failed');
  }
  return (
    <div
      className="jp-mlplat-status jp-mlplat-status-error jp-mlplat-form-failure"
      role="alert"
      tabIndex={-1}
    >
      <p className="jp-mlplat-status-title">{title}</p>
      {message && <p className="jp-mlplat-status-message">{message}</p>}
      {failure.requestId && (
        <p className="jp-mlplat-status-request">
          {trans.__('Request ID: %1', failure.requestId)}
        </p>
      )}
      {failure.kind === 'conflict' && (
        <>
          <p className="jp-mlplat-status-message">
            {trans.__(
              'Your edits stay on screen until you reload; note what you want to keep.'
            )}
          </p>
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-mlplat-retry"
            disabled={editor.reloading}
            onClick={() => void model.reload()}
          >
            {trans.__('Reload')}
          </button>
        </>
      )}
    </div>
  );
}

interface IErrorSummaryProps {
  editor: ProfilesModel.IEditor;
  problems: IDraftProblem[];
  /** Take the user to the input of a message. */
  onPick: (path: string) => void;
  trans: TranslationBundle;
}

/**
 * After a refused save: every message at the top of the form, each label a
 * button to its input (the form is long and the sidebar narrow).
 */
function ErrorSummary(props: IErrorSummaryProps): JSX.Element | null {
  const { editor, problems, onPick, trans } = props;
  const entries = Object.entries(editor.fields);
  if (!editor.submitted || (entries.length === 0 && problems.length === 0)) {
    return null;
  }
  return (
    <div
      className="jp-mlplat-status jp-mlplat-status-error jp-mlplat-error-summary"
      role="alert"
      tabIndex={-1}
    >
      <p className="jp-mlplat-status-title">
        {trans.__('Not saved: fix these and save again.')}
      </p>
      <ul>
        {entries.map(([path, message]) => (
          <li key={path}>
            <button
              type="button"
              className="jp-mlplat-link jp-mlplat-error-field"
              onClick={() => onPick(path)}
            >
              {fieldLabel(path, trans)}
            </button>
            {': '}
            {message}
          </li>
        ))}
        {problems.map(problem => (
          <li key={`${problem.path}:${problem.key}`}>
            <button
              type="button"
              className="jp-mlplat-link jp-mlplat-error-field"
              onClick={() => onPick(problem.path)}
            >
              {fieldLabel(problem.path, trans)}
            </button>
            {': '}
            {problemText(problem, trans)}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Ask before dropping unsaved edits. */
async function confirmDiscard(
  name: string,
  trans: TranslationBundle
): Promise<boolean> {
  return confirmDiscardInDialog(trans, trans.__('Discard'))(
    trans.__('Discard your changes?'),
    name
      ? trans.__('Your changes to “%1” are not saved.', name)
      : trans.__('The new profile is not saved.')
  );
}

/** Ask before deleting: people lose the choice on the spawn page at once. */
async function confirmDelete(
  name: string,
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Delete the profile “%1”?', name),
    body: trans.__(
      'Nobody can start a new server from it any more. Servers running now keep going.'
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return result.button.accept;
}
