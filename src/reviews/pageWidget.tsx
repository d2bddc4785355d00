import { MainAreaWidget } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { mlplatIcon } from '../shell/icons';
import { ReviewsModel } from './model';
import { PublicationView } from './page';

/** The main-area page of the publication a reviewer opened. */
export const REVIEW_PAGE_ID = 'jp-mlplat-review-page';

export interface IReviewPageProps {
  model: ReviewsModel;
  me: string;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
  onOpenRun: ((runId: string, name: string) => void) | null;
}

/** The publication the model has open, or a word that none is. */
export function ReviewPage(props: IReviewPageProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);
  if (!state.page) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__('Open a publication from the review queue.')}
      </p>
    );
  }
  return (
    <PublicationView {...props} page={state.page} me={state.me ?? props.me} />
  );
}

/**
 * A reviewer reads a card, two columns of metrics, a lineage chain and a
 * diff: the sidebar's width held none of them, so the page opens in the main
 * area beside the notebooks, and the tab keeps the queue. One page at a
 * time, as the model holds one; closing it closes the publication.
 */
export function createReviewPage(
  options: IReviewPageProps
): MainAreaWidget<ReactWidget> {
  const content = ReactWidget.create(<ReviewPage {...options} />);
  content.addClass('jp-mlplat-page');
  content.addClass('jp-mlplat-review-main');
  const widget = new MainAreaWidget({ content });
  widget.id = REVIEW_PAGE_ID;
  widget.title.label = options.trans.__('Review');
  widget.title.icon = mlplatIcon;
  widget.title.closable = true;
  return widget;
}

/** The page's tab title for the publication that is open. */
export function reviewTitle(
  page: ReviewsModel.IPage | null,
  trans: TranslationBundle
): string {
  const publication = page?.data?.publication;
  return publication
    ? trans.__('Review: %1 v%2', publication.model_name, publication.version)
    : trans.__('Review');
}
