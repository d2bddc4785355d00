import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

export interface IPagerProps {
  /** One-based. */
  page: number;
  /**
   * How many pages there are, when the server counts them (the catalog);
   * null when it only says whether another follows (MLflow's page tokens).
   */
  pages: number | null;
  /** Whether a page follows; by default, when `page` is before `pages`. */
  hasNext?: boolean;
  /** Go to a page; the caller reads it. */
  onPage: (page: number) => void;
  /** A page is being read: the buttons wait. */
  busy?: boolean;
  /** What the navigation is called; “Pages” by default. */
  label?: string;
  trans: TranslationBundle;
}

/**
 * Previous and Next around the page number, the one paging control of the
 * sidebar's lists (the catalog's hits, my models). Drawn only when there
 * is more than one page.
 */
export function Pager(props: IPagerProps): JSX.Element | null {
  const { page, pages, trans } = props;
  const hasNext = props.hasNext ?? (pages !== null && page < pages);
  if (page <= 1 && !hasNext) {
    return null;
  }
  return (
    <nav
      className="jp-mlplat-pager"
      aria-label={props.label ?? trans.__('Pages')}
    >
      <Button
        small
        minimal
        disabled={page <= 1 || props.busy}
        onClick={() => props.onPage(page - 1)}
      >
        {trans.__('Previous')}
      </Button>
      <span className="jp-mlplat-page-number">
        {pages === null
          ? trans.__('Page %1', page)
          : trans.__('Page %1 of %2', page, pages)}
      </span>
      <Button
        small
        minimal
        disabled={!hasNext || props.busy}
        onClick={() => props.onPage(page + 1)}
      >
        {trans.__('Next')}
      </Button>
    </nav>
  );
}
