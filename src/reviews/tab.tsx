import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { formatDateTime } from '../shell/labels';
import { NotificationList } from '../shell/notificationList';
import { isPublicationNews } from '../shell/notifications';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { INotificationFeed } from '../tokens';
import { stateLabel } from './labels';
import { ReviewsModel } from './model';
import { IPublicationSummary } from './types';

export interface IReviewsTabProps {
  model: ReviewsModel;
  feed: INotificationFeed;
  me: string;
  trans: TranslationBundle;
}

/** The Reviews tab: the queue and the notifications. */
export function ReviewsTab(props: IReviewsTabProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);
  // The model polls its page only while someone sees the tab.
  React.useEffect(() => {
    model.tabVisible = true;
    return () => {
      model.tabVisible = false;
    };
  }, [model]);

  // An open publication is on its own page in the main area (pageWidget.tsx).
  return (
    <div className="jp-mlplat-reviews-tab">
      <div className="jp-mlplat-review-bar">
        <h3 className="jp-mlplat-review-heading">{trans.__('Review queue')}</h3>
        <RefreshButton
          trans={trans}
          onClick={() => void model.refresh()}
          title={trans.__('Read the queue again')}
        />
      </div>
      {state.queue.kind !== 'ready' && (
        <LoadStatus
          state={state.queue}
          loading={trans.__('Reading the queue…')}
          unavailable={trans.__('The platform is unavailable — retrying')}
          error={() => trans.__('The queue could not be read')}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      )}
      {state.items && (
        <Queue
          items={state.items}
          me={props.me}
          onOpen={id => void model.open(id)}
          trans={trans}
        />
      )}
      <NotificationList
        feed={props.feed}
        trans={trans}
        filter={isPublicationNews}
        onOpen={item =>
          item.publication_id !== null && void model.open(item.publication_id)
        }
      />
    </div>
  );
}

function Queue(props: {
  items: IPublicationSummary[];
  me: string;
  onOpen: (id: number) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { items, me, trans } = props;
  if (items.length === 0) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__('Nothing waits for a review.')}
      </p>
    );
  }
  return (
    <ul className="jp-mlplat-queue" aria-label={trans.__('Review queue')}>
      {items.map(item => (
        <li key={item.id} className="jp-mlplat-queue-item">
          <button
            type="button"
            className="jp-mlplat-queue-open"
            onClick={() => props.onOpen(item.id)}
          >
            <span className="jp-mlplat-queue-name">
              {trans.__('%1 version %2', item.model_name, item.version)}
            </span>
            <span className="jp-mlplat-queue-meta">
              {trans.__(
                'by %1 · to catalog.%2 · %3',
                item.author,
                item.catalog_name ?? '',
                formatDateTime(item.updated_at)
              )}
            </span>
          </button>
          <span className={`jp-mlplat-state jp-mlplat-state-${item.state}`}>
            {stateLabel(item.state, trans)}
          </span>
          {item.author === me && (
            <span className="jp-mlplat-queue-own">
              {trans.__('yours: another reviewer decides')}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
