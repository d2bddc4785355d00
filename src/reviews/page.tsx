import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { DoneNote, FailureNote, Progress } from '../shell/notes';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { stateLabel } from './labels';
import { ReviewsModel } from './model';
import {
  CardView,
  CodeChanges,
  History,
  LineageChain,
  MetricsCompare,
  SignatureView
} from './parts';
import { Decision, IPublicationPage } from './types';

export interface IPublicationViewProps {
  model: ReviewsModel;
  page: ReviewsModel.IPage;
  me: string;
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
  onOpenRun: ((runId: string, name: string) => void) | null;
}

/**
 * A publication as a reviewer judges it: the card, the metrics beside the
 * champion's, the signature and example, the lineage, the code changes,
 * the history, and the decision.
 */
export function PublicationView(props: IPublicationViewProps): JSX.Element {
  const { model, page, trans } = props;
  const data = page.data;
  const back = (
    <button
      type="button"
      className="jp-mlplat-link-button jp-mlplat-back"
      onClick={() => model.close()}
    >
      {trans.__('← Back to the queue')}
    </button>
  );
  if (!data) {
    return (
      <div className="jp-mlplat-review-page">
        {back}
        {page.status.kind !== 'ready' && (
          <LoadStatus
            state={page.status}
            loading={trans.__('Reading the publication…')}
            unavailable={trans.__(
              'The platform is unavailable — retry shortly'
            )}
            error={() => trans.__('The publication could not be read')}
            onRetry={() => void model.reload()}
            trans={trans}
          />
        )}
      </div>
    );
  }
  const { publication } = data;
  const facts = publication.snapshot?.facts ?? null;
  return (
    <article
      className="jp-mlplat-review-page"
      aria-label={trans.__(
        'Publication of %1 version %2',
        publication.model_name,
        publication.version
      )}
    >
      <div className="jp-mlplat-review-bar">
        {back}
        <RefreshButton
          trans={trans}
          onClick={() => void model.reload()}
          title={trans.__('Read the publication again')}
        />
      </div>
      <header className="jp-mlplat-review-head">
        <h2 className="jp-mlplat-review-title">
          {trans.__(
            '%1 version %2',
            publication.model_name,
            publication.version
          )}
        </h2>
        <p className="jp-mlplat-review-hint">
          <span
            className={`jp-mlplat-state jp-mlplat-state-${publication.state}`}
          >
            {stateLabel(publication.state, trans)}
          </span>{' '}
          {trans.__(
            'author %1 · to catalog.%2 · approvals %3 of %4',
            publication.author,
            publication.catalog_name ?? '',
            publication.approvals.length,
            data.approvals_required
          )}
        </p>
        {publication.publish_error && (
          <p className="jp-mlplat-status jp-mlplat-status-error">
            {trans.__('Publishing failed: %1', publication.publish_error)}
          </p>
        )}
      </header>
      <DecisionForm {...props} data={data} />
      <CardView
        card={publication.card}
        rendermime={props.rendermime}
        trans={trans}
      />
      <MetricsCompare
        rows={data.metrics}
        champion={data.champion}
        trans={trans}
      />
      <SignatureView facts={facts} trans={trans} />
      <LineageChain
        publication={publication}
        trans={trans}
        onOpenRun={props.onOpenRun}
      />
      <CodeChanges diff={publication.snapshot?.diff ?? null} trans={trans} />
      <History publication={publication} trans={trans} />
    </article>
  );
}

/** Why the reviewer cannot decide here, when they cannot. */
function cannotDecide(
  data: IPublicationPage,
  me: string,
  trans: TranslationBundle
): string | null {
  const decisions = data.allowed.filter(
    action =>
      action === 'approve' ||
      action === 'request_changes' ||
      action === 'reject'
  );
  if (decisions.length > 0) {
    return null;
  }
  const { publication } = data;
  if (publication.author === me && publication.state === 'in_review') {
    return trans.__(
      'This is your own work: nobody reviews their own. Another reviewer must decide.'
    );
  }
  if (publication.approvals.includes(me) && publication.state === 'in_review') {
    return trans.__(
      'You approved it; it waits for another reviewer’s approval.'
    );
  }
  return trans.__(
    'Nothing to decide here. State: %1.',
    stateLabel(publication.state, trans)
  );
}

/** Approve, request changes or reject, each with the comment typed above. */
function DecisionForm(
  props: IPublicationViewProps & { data: IPublicationPage }
): JSX.Element {
  const { model, page, data, me, trans } = props;
  const id = React.useId();
  const busy = page.busy !== null;
  const refused = cannotDecide(data, me, trans);
  const allowed = (action: string) =>
    data.allowed.includes(action as IPublicationPage['allowed'][number]);
  const hasComment = page.comment.trim() !== '';
  const failure = page.failure;
  const decide = (decision: Decision) => void model.decide(decision);

  return (
    <section
      className="jp-mlplat-decision"
      aria-label={trans.__('Your decision')}
    >
      {refused ? (
        <p className="jp-mlplat-review-hint jp-mlplat-decision-none">
          {refused}
        </p>
      ) : (
        <>
          <label htmlFor={id} className="jp-mlplat-field-label">
            {trans.__('Comment')}
          </label>
          <textarea
            id={id}
            className="jp-mlplat-textarea"
            rows={3}
            value={page.comment}
            disabled={busy}
            placeholder={trans.__(
              'What you checked, and what must change: every decision says why'
            )}
            onChange={event => model.setComment(event.currentTarget.value)}
          />
          <div className="jp-mlplat-decision-buttons">
            {allowed('approve') && (
              <button
                type="button"
                className="jp-mod-styled jp-mod-accept"
                disabled={busy || !hasComment}
                title={
                  hasComment
                    ? undefined
                    : trans.__('Write what you checked first.')
                }
                onClick={() => decide('approve')}
              >
                {trans.__('Approve')}
              </button>
            )}
            {allowed('request_changes') && (
              <button
                type="button"
                // a way back to the author, not an end: the plain style; the
                // red one is for Reject, which ends the publication
                className="jp-mod-styled jp-mod-reject"
                disabled={busy || !hasComment}
                title={
                  hasComment
                    ? undefined
                    : trans.__('Write what must change first.')
                }
                onClick={() => decide('request_changes')}
              >
                {trans.__('Request changes')}
              </button>
            )}
            {allowed('reject') && (
              <button
                type="button"
                className="jp-mod-styled jp-mod-warn"
                disabled={busy || !hasComment}
                title={hasComment ? undefined : trans.__('Write why first.')}
                onClick={() => decide('reject')}
              >
                {trans.__('Reject')}
              </button>
            )}
          </div>
          {!hasComment &&
            (allowed('approve') ||
              allowed('request_changes') ||
              allowed('reject')) && (
              <p className="jp-mlplat-field-hint">
                {trans.__(
                  'Every decision needs a comment that says why: the author reads it.'
                )}
              </p>
            )}
        </>
      )}
      {allowed('publish') && (
        <button
          type="button"
          className="jp-mod-styled"
          disabled={busy}
          onClick={() => void model.publish()}
        >
          {trans.__('Publish again')}
        </button>
      )}
      {busy && <Progress text={trans.__('Sending…')} />}
      {failure && (
        <FailureNote
          failure={failure}
          title={trans.__('Not sent. Your comment is kept.')}
          trans={trans}
        >
          {failure.status === 409 && (
            <button
              type="button"
              className="jp-mod-styled"
              onClick={() => void model.reload()}
            >
              {trans.__('Reload the publication')}
            </button>
          )}
        </FailureNote>
      )}
      {page.done && !failure && (
        <DoneNote trans={trans}>
          <p>{doneText(page.done, trans)}</p>
        </DoneNote>
      )}
    </section>
  );
}

function doneText(done: ReviewsModel.Busy, trans: TranslationBundle): string {
  switch (done) {
    case 'approve':
      return trans.__('Approved. The author is told.');
    case 'request_changes':
      return trans.__('Changes requested. The author is told.');
    case 'reject':
      return trans.__('Rejected. The author is told.');
    case 'publish':
      return trans.__('Published.');
  }
}
