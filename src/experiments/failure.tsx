import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { PlatformModel } from '../model';
import { PlatformRequestError } from '../request';
import { StatusMessage } from '../widgets/status';

export interface ILoadFailureProps {
  state: PlatformModel.IUnavailable | PlatformModel.IError;
  onRetry: () => void;
  trans: TranslationBundle;
}

/** Why a page could not load, in the server's words, shown as text. */
export function LoadFailure(props: ILoadFailureProps): JSX.Element {
  const { state, trans } = props;
  const title =
    state.kind === 'unavailable'
      ? trans.__('MLflow unavailable')
      : state.status === 404
        ? trans.__('Not found in MLflow (HTTP 404)')
        : state.status === 403
          ? trans.__('MLflow refused access (HTTP 403)')
          : state.status > 0
            ? trans.__('MLflow answered with an error (HTTP %1)', state.status)
            : trans.__('Could not read from MLflow');
  return (
    <StatusMessage
      title={title}
      message={state.message}
      requestId={state.requestId}
      onRetry={props.onRetry}
      trans={trans}
      isError={state.kind === 'error'}
    />
  );
}

/** What to tell the user about a failure: the server's words if it had some. */
export function errorText(error: unknown): string {
  if (error instanceof PlatformRequestError) {
    return error.serverMessage ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
