import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { LoadStatus, NotLoaded } from '../shell/status';
import { mlflowErrorTitle } from './labels';

/** Why a part of the page could not load, in the user's words. */
export function LoadFailure(props: {
  state: NotLoaded;
  onRetry: () => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  return (
    <LoadStatus
      state={props.state}
      unavailable={trans.__('MLflow unavailable')}
      error={status => mlflowErrorTitle(status, trans)}
      onRetry={props.onRetry}
      trans={trans}
    />
  );
}
