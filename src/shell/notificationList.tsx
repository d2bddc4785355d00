import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { INotificationFeed } from '../tokens';
import { useModelState } from './hooks';
import { formatDateTime } from './labels';
import { notificationText } from './notifications';
import { IPlatformNotification } from './types';

export interface INotificationListProps {
  feed: INotificationFeed;
  trans: TranslationBundle;
  /** Open the publication a notification is about. */
  onOpen: (item: IPlatformNotification) => void;
  /** Only some (the author's decisions in the Models tab, say); all when absent. */
  filter?: (item: IPlatformNotification) => boolean;
  /** The list's heading. */
  title?: string;
}

/**
 * The notifications the feed holds, newest first, each with its comment
 * (as text) and an Open button. The Reviews tab lists a reviewer's, the
 * Models tab an author's: one list, so both read alike.
 */
export function NotificationList(props: INotificationListProps): JSX.Element {
  const { feed, trans, onOpen, filter } = props;
  const state = useModelState(feed);
  const items = filter ? state.items.filter(filter) : state.items;
  const headingId = React.useId();
  return (
    <section className="jp-mlplat-notifications" aria-labelledby={headingId}>
      <h3 id={headingId} className="jp-mlplat-section-title">
        {props.title ?? trans.__('Notifications')}
      </h3>
      {items.length === 0 ? (
        <p className="jp-mlplat-empty">
          {state.status.kind === 'loading'
            ? trans.__('Reading notifications…')
            : trans.__('No notifications.')}
        </p>
      ) : (
        <ul className="jp-mlplat-notification-list">
          {items.map(item => (
            <li key={item.id} className="jp-mlplat-notification">
              <p className="jp-mlplat-notification-text">
                {notificationText(item, trans)}
              </p>
              {item.comment.trim() && (
                <blockquote className="jp-mlplat-notification-comment jp-mlplat-server-text">
                  {item.comment}
                </blockquote>
              )}
              <div className="jp-mlplat-notification-foot">
                <time dateTime={item.at} className="jp-mlplat-notification-at">
                  {formatDateTime(item.at)}
                </time>
                <button
                  type="button"
                  className="jp-mlplat-link-button"
                  aria-label={trans.__(
                    'Open %1 version %2',
                    item.model_name,
                    item.version
                  )}
                  onClick={() => onOpen(item)}
                >
                  {trans.__('Open')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
