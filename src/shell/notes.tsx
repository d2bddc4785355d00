import { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { describeError } from './errors';
import { PlatformModel } from './model';

/*
 * Notes next to the button that started an action: its progress, its
 * failure, its success. Server strings go into text nodes only.
 */

/** A failed action as the tabs keep it. */
export interface IFailure extends PlatformModel.IServerSaid {
  /** HTTP status; 0 when no answer came. */
  status: number;
}

/** "Pushing…" with a spinner, announced to screen readers. */
export function Progress(props: { text: string }): JSX.Element {
  return (
    <p className="jp-mlplat-progress" role="status">
      <span className="jp-mlplat-spinner" aria-hidden="true" />
      {props.text}
    </p>
  );
}

/** The server's words, or what to say when it had none. */
export function failureText(
  failure: IFailure,
  trans: TranslationBundle
): string {
  const said = describeError(trans, failure);
  if (said) {
    return said;
  }
  return failure.status === 0
    ? trans.__(
        'No answer from your Jupyter server: check the connection and try again.'
      )
    : trans.__('The server gave no reason (HTTP %1).', failure.status);
}

export interface IFailureNoteProps {
  failure: IFailure;
  /** What was tried, e.g. "Commit failed". */
  title: string;
  trans: TranslationBundle;
  onDismiss?: () => void;
  children?: React.ReactNode;
}

/** Why an action failed, in the server's words, next to its button. */
export function FailureNote(props: IFailureNoteProps): JSX.Element {
  const { failure, trans } = props;
  return (
    <div
      className="jp-mlplat-status jp-mlplat-status-error jp-mlplat-note"
      role="alert"
    >
      <div className="jp-mlplat-note-head">
        <p className="jp-mlplat-status-title">{props.title}</p>
        {props.onDismiss && (
          <DismissButton onClick={props.onDismiss} trans={trans} />
        )}
      </div>
      <p className="jp-mlplat-status-message jp-mlplat-server-text">
        {failureText(failure, trans)}
      </p>
      {failure.requestId && (
        <p className="jp-mlplat-status-request">
          {trans.__('Request ID: %1', failure.requestId)}
        </p>
      )}
      {props.children}
    </div>
  );
}

/** A success note next to the button that did it. */
export function DoneNote(props: {
  children: React.ReactNode;
  onDismiss?: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <div className="jp-mlplat-done" role="status">
      <div className="jp-mlplat-done-text">{props.children}</div>
      {props.onDismiss && (
        <DismissButton onClick={props.onDismiss} trans={props.trans} />
      )}
    </div>
  );
}

function DismissButton(props: {
  onClick: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const label = props.trans.__('Dismiss');
  return (
    <button
      type="button"
      className="jp-mlplat-dismiss"
      aria-label={label}
      title={label}
      onClick={props.onClick}
    >
      <closeIcon.react tag="span" />
    </button>
  );
}
