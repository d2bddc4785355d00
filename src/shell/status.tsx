import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { describeError } from './errors';
import { PlatformModel } from './model';

export interface IStatusMessageProps {
  title: string;
  /** What the server said, already in the user's language (`describeError`). */
  message: string | null;
  requestId: string | null;
  onRetry: () => void;
  trans: TranslationBundle;
  isError?: boolean;
  /** More actions next to "Retry now" (for instance "Back"). */
  children?: React.ReactNode;
}

/** Why the sidebar has nothing to show, with the server's words as text. */
export function StatusMessage(props: IStatusMessageProps): JSX.Element {
  const { trans } = props;
  return (
    <div
      className={`jp-mlplat-status ${
        props.isError
          ? 'jp-mlplat-status-error'
          : 'jp-mlplat-status-unavailable'
      }`}
      role={props.isError ? 'alert' : 'status'}
    >
      <p className="jp-mlplat-status-title">{props.title}</p>
      {props.message && (
        <p className="jp-mlplat-status-message">{props.message}</p>
      )}
      {props.requestId && (
        <p className="jp-mlplat-status-request">
          {trans.__('Request ID: %1', props.requestId)}
        </p>
      )}
      <button
        type="button"
        className="jp-mlplat-retry jp-mod-styled"
        onClick={props.onRetry}
      >
        {trans.__('Retry now')}
      </button>
      {props.children}
    </div>
  );
}

/** "Connecting…": a quiet line announced to screen readers. */
export function LoadingNote(props: { text: string }): JSX.Element {
  return (
    <p className="jp-mlplat-status" role="status">
      {props.text}
    </p>
  );
}

/** A read that has not succeeded (yet). */
export type NotLoaded =
  { kind: 'loading' } | PlatformModel.IUnavailable | PlatformModel.IError;

export interface ILoadStatusProps {
  state: NotLoaded;
  /** Shown while loading; nothing when absent. */
  loading?: string;
  /** The title while the server is unavailable (the poll retries). */
  unavailable: string;
  /** The title of a failure, by HTTP status (-1: no request was made). */
  error: (status: number) => string;
  onRetry: () => void;
  trans: TranslationBundle;
  /** More actions of a failure next to "Retry now" (for instance "Back"). */
  children?: React.ReactNode;
}

/**
 * The status switch of every read: loading, unavailable (retrying) or
 * failed, with the server's message in the user's language and the
 * request id to quote.
 */
export function LoadStatus(props: ILoadStatusProps): JSX.Element | null {
  const { state, trans } = props;
  switch (state.kind) {
    case 'loading':
      return props.loading ? <LoadingNote text={props.loading} /> : null;
    case 'unavailable':
      return (
        <StatusMessage
          title={props.unavailable}
          message={describeError(trans, state)}
          requestId={state.requestId}
          onRetry={props.onRetry}
          trans={trans}
        />
      );
    case 'error':
      return (
        <StatusMessage
          title={props.error(state.status)}
          message={describeError(trans, state)}
          requestId={state.requestId}
          onRetry={props.onRetry}
          trans={trans}
          isError
        >
          {props.children}
        </StatusMessage>
      );
  }
}

/**
 * The platform's own state while it is not ready: connecting, unavailable
 * (retrying), or an error, with a retry. The sidebar and a tab opened in the
 * main area both say it in these words.
 */
export function PlatformStatus(props: {
  model: PlatformModel;
  state: Exclude<PlatformModel.State, { kind: 'ready' }>;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, state, trans } = props;
  return (
    <LoadStatus
      state={state}
      loading={trans.__('Connecting to the platform…')}
      unavailable={trans.__('Platform unavailable — retrying')}
      error={status =>
        status > 0
          ? trans.__('The platform answered with an error (HTTP %1)', status)
          : trans.__('Could not read the platform status')
      }
      onRetry={() => void model.refresh()}
      trans={trans}
    />
  );
}
