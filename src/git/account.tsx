import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { DoneNote, FailureNote, Progress } from '../shell/notes';
import { gitlabTokenPage } from './api';
import { LabelledInputRow } from '../shell/fields';
import { formatDateTime } from '../shell/labels';
import { confirmDeleteToken } from './dialogs';
import { GitModel } from './model';
import { ExternalLink, Section } from './parts';

export interface IAccountSectionProps {
  model: GitModel;
  state: GitModel.IState;
  trans: TranslationBundle;
}

/**
 * The user's GitLab personal access token: saved once here, checked by
 * GitLab, kept by the platform. The browser only ever learns whose token it
 * is and its last characters.
 */
export function AccountSection(
  props: IAccountSectionProps
): JSX.Element | null {
  const { model, state, trans } = props;
  const { account } = state;
  const busy = state.operation !== null;
  const outcome = state.outcomes.account;

  if (account.kind === 'loading') {
    return null;
  }
  if (account.kind !== 'ready') {
    return (
      <Section title={trans.__('GitLab account')}>
        <FailureNote
          failure={{
            status: account.kind === 'error' ? account.status : 503,
            message: account.message,
            reason: account.reason,
            params: account.params,
            requestId: account.requestId
          }}
          title={trans.__('Your GitLab account could not be read')}
          trans={trans}
        >
          <button
            type="button"
            className="jp-mlplat-retry jp-mod-styled"
            onClick={() => void model.refresh()}
          >
            {trans.__('Retry now')}
          </button>
        </FailureNote>
      </Section>
    );
  }
  if (!account.value.configured) {
    return null;
  }
  const { token, url } = account.value;
  return (
    <Section
      title={trans.__('GitLab account')}
      className="jp-mlplat-git-account"
    >
      {token ? (
        <p className="jp-mlplat-git-text">
          {trans.__(
            'Token of %1 saved %2, ending in …%3.',
            token.gitlab_username,
            formatDateTime(token.saved_at),
            token.hint
          )}
        </p>
      ) : (
        <p className="jp-mlplat-git-text">
          {trans.__(
            'No token saved yet. GitLab needs one to let the workbench publish, pull and push for you.'
          )}
        </p>
      )}
      <TokenForm
        replacing={token !== null}
        disabled={busy}
        onSave={value => model.saveToken(value)}
        trans={trans}
      />
      <p className="jp-mlplat-field-hint">
        {trans.__(
          'Create a token in GitLab with the scopes api and write_repository.'
        )}{' '}
        <ExternalLink href={gitlabTokenPage(url)}>
          {trans.__('Open GitLab’s token page')}
        </ExternalLink>
      </p>
      {token && (
        <div className="jp-mlplat-toolbar">
          <Button
            small
            minimal
            className="jp-mlplat-git-danger"
            disabled={busy}
            onClick={() =>
              void confirmDeleteToken(trans).then(
                yes => yes && model.deleteToken()
              )
            }
          >
            {trans.__('Delete token')}
          </Button>
        </div>
      )}
      {state.operation === 'save-token' && (
        <Progress text={trans.__('GitLab is checking the token…')} />
      )}
      {state.operation === 'delete-token' && (
        <Progress text={trans.__('Deleting the token…')} />
      )}
      {outcome?.kind === 'failed' && (
        <FailureNote
          failure={outcome}
          title={
            outcome.operation === 'delete-token'
              ? trans.__('The token was not deleted')
              : trans.__('The token was not saved')
          }
          onDismiss={() => model.dismiss('account')}
          trans={trans}
        />
      )}
      {outcome?.kind === 'token-saved' && (
        <DoneNote onDismiss={() => model.dismiss('account')} trans={trans}>
          {trans.__('Token saved: GitLab knows you as %1.', outcome.username)}
        </DoneNote>
      )}
      {outcome?.kind === 'token-deleted' && (
        <DoneNote onDismiss={() => model.dismiss('account')} trans={trans}>
          {trans.__('Token deleted.')}
        </DoneNote>
      )}
    </Section>
  );
}

interface ITokenFormProps {
  replacing: boolean;
  disabled: boolean;
  onSave: (token: string) => Promise<boolean>;
  trans: TranslationBundle;
}

/**
 * A password input for the token. It is emptied as soon as the token is
 * sent, whatever GitLab answers, so the secret does not linger in the page.
 */
export function TokenForm(props: ITokenFormProps): JSX.Element {
  const { trans } = props;
  const [value, setValue] = React.useState('');
  return (
    <form
      className="jp-mlplat-git-inline-form"
      aria-label={trans.__('GitLab token')}
      autoComplete="off"
      onSubmit={event => {
        event.preventDefault();
        const token = value;
        setValue('');
        void props.onSave(token);
      }}
    >
      <LabelledInputRow
        label={
          props.replacing
            ? trans.__('Replace with a new token')
            : trans.__('Personal access token')
        }
        type="password"
        value={value}
        autoComplete="new-password"
        spellCheck={false}
        disabled={props.disabled}
        placeholder="glpat-…"
        onChange={setValue}
      >
        <Button
          small
          type="submit"
          disabled={props.disabled || value.trim() === ''}
        >
          {trans.__('Save token')}
        </Button>
      </LabelledInputRow>
    </form>
  );
}
