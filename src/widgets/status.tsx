import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface IStatusMessageProps {
  title: string;
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
