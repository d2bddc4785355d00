import { TranslationBundle } from '@jupyterlab/translation';
import { Button, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/**
 * The one Refresh button of every list and page, so they look and read alike; `title` says
 * what is read again and from where.
 */
export function RefreshButton(props: {
  trans: TranslationBundle;
  onClick: () => void;
  title?: string;
}): JSX.Element {
  const { trans, onClick, title } = props;
  return (
    <Button small minimal title={title} onClick={onClick}>
      <span aria-hidden="true">
        <refreshIcon.react tag="span" />
      </span>
      {trans.__('Refresh')}
    </Button>
  );
}
