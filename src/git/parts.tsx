import { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { safeHttpUrl } from '../experiments/labels';
import { GitModel } from './model';

/*
 * Small pieces every section of the Git tab uses. Server, git and GitLab
 * strings go into React text nodes only, never into HTML.
 */

export interface ISectionProps {
  title: string;
  className?: string;
  children: React.ReactNode;
}

/** A titled region, so screen readers and UI tests can find it by name. */
export function Section(props: ISectionProps): JSX.Element {
  const id = React.useId();
  return (
    <section
      className={`jp-mlplat-git-section ${props.className ?? ''}`.trim()}
      aria-labelledby={id}
    >
      <h3 id={id} className="jp-mlplat-git-heading">
        {props.title}
      </h3>
      {props.children}
    </section>
  );
}

/** A form's toolbar with its primary submit button, and anything after it. */
export function SubmitBar(props: {
  label: string;
  disabled: boolean;
  title?: string;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-mlplat-toolbar">
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept jp-mlplat-git-primary"
        disabled={props.disabled}
        title={props.title}
      >
        {props.label}
      </button>
      {props.children}
    </div>
  );
}

/** "Pushing…" with a spinner, announced to screen readers. */
export function Progress(props: { text: string }): JSX.Element {
  return (
    <p className="jp-mlplat-git-progress" role="status">
      <span className="jp-mlplat-spinner" aria-hidden="true" />
      {props.text}
    </p>
  );
}

/**
 * A link from the server or GitLab: opened in a new browser tab, and only
 * when it is http(s); anything else is shown as text.
 */
export function ExternalLink(props: {
  href: string | null | undefined;
  children: React.ReactNode;
  className?: string;
  title?: string;
}): JSX.Element {
  const href = safeHttpUrl(props.href);
  if (!href) {
    return <span className={props.className}>{props.children}</span>;
  }
  return (
    <a
      className={`jp-mlplat-git-link ${props.className ?? ''}`.trim()}
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      title={props.title}
    >
      {props.children}
    </a>
  );
}

/** The server's words, or what to say when it had none. */
export function failureText(
  failure: GitModel.IFailure,
  trans: TranslationBundle
): string {
  if (failure.message) {
    return failure.message;
  }
  return failure.status === 0
    ? trans.__(
        'No answer from your Jupyter server: check the connection and try again.'
      )
    : trans.__('The server gave no reason (HTTP %1).', failure.status);
}

export interface IFailureNoteProps {
  failure: GitModel.IFailure;
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
      className="jp-mlplat-status jp-mlplat-status-error jp-mlplat-git-note"
      role="alert"
    >
      <div className="jp-mlplat-git-note-head">
        <p className="jp-mlplat-status-title">{props.title}</p>
        {props.onDismiss && (
          <DismissButton onClick={props.onDismiss} trans={trans} />
        )}
      </div>
      <p className="jp-mlplat-status-message jp-mlplat-git-server-text">
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
    <div className="jp-mlplat-git-done" role="status">
      <div className="jp-mlplat-git-done-text">{props.children}</div>
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
      className="jp-mlplat-git-dismiss"
      aria-label={label}
      title={label}
      onClick={props.onClick}
    >
      <closeIcon.react tag="span" />
    </button>
  );
}
