import { Clipboard } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { askInDialog } from '../shell/discard';
import { PlatformRequestError } from '../api/request';
import { reasonLabels as registry } from '../shell/errors';
import { formatDateTime } from '../shell/labels';
import { PlatformModel } from '../shell/model';
import { FailureNote, IFailure, Progress } from '../shell/notes';
import { keyStateLabel, reasonLabels } from './labels';
import { IApiKey, IApiKeyCreate, IApiKeysAPI, IIssuedKey } from './types';

export interface IApiKeysPanelProps {
  api: IApiKeysAPI;
  /** Where a new secret waits until the person says they copied it. */
  issued: IssuedSecretHolder;
  trans: TranslationBundle;
  /** The person's own deployments: the names a new key may call. */
  deployments: string[];
  /** Admins may list everybody's keys (and revoke them). */
  admin?: boolean;
  /** Ask before revoking (tests answer it); JupyterLab's dialog otherwise. */
  confirm?: (title: string, body: string, accept: string) => Promise<boolean>;
  /** Put text on the clipboard (tests record it); the system's otherwise. */
  copy?: (text: string) => void;
  /** The time a chosen lifetime counts from (tests fix it). */
  now?: () => Date;
}

/**
 * The secret of the key just created or rotated, until the person says they
 * copied it. It is shown only once and the platform keeps no copy, so it
 * must not go with the view that showed it: the admin console's sections,
 * a tab moved to the main area and back, all draw the panel anew. One holder
 * for the lab (the plugin's), so every panel drawn shows the same secret and
 * putting it away in one puts it away in all.
 */
export class IssuedSecretHolder {
  /** Emitted when a secret is kept or put away. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get value(): IIssuedKey | null {
    return this._value;
  }

  set value(value: IIssuedKey | null) {
    if (value !== this._value) {
      this._value = value;
      this._changed.emit();
    }
  }

  private _value: IIssuedKey | null = null;
  private _changed = new Signal<this, void>(this);
}

/** The holder's secret, drawn again whenever it changes. */
function useIssued(holder: IssuedSecretHolder): IIssuedKey | null {
  const subscribe = React.useCallback(
    (changed: () => void) => {
      holder.changed.connect(changed);
      return () => {
        holder.changed.disconnect(changed);
      };
    },
    [holder]
  );
  return React.useSyncExternalStore(subscribe, () => holder.value);
}

/** How long a new key lives: a number of days, or the platform's limit. */
const LIFETIMES = ['30', '90', 'max'] as const;
/** How long a rotated key keeps working beside its successor, in seconds. */
const OVERLAPS = [0, 3600, 86400] as const;

/**
 * A person's API keys, for the Deployments tab to embed: the list (prefix,
 * scopes, expiry, last use), a form that creates one with a name, the
 * deployments it may call, catalog reading and an expiry; the new secret
 * shown once, with a copy button and a warning; rotation with an overlap
 * window; revocation after a confirmation. Server strings are text nodes.
 */
export function ApiKeysPanel(props: IApiKeysPanelProps): JSX.Element {
  const { api, trans } = props;
  const [keys, setKeys] = React.useState<IApiKey[] | null>(null);
  const [showAll, setShowAll] = React.useState(false);
  const [busy, setBusy] = React.useState<string | null>(null);
  const [failure, setFailure] = React.useState<{
    title: string;
    failure: IFailure;
  } | null>(null);
  const issued = useIssued(props.issued);
  const setIssued = (value: IIssuedKey | null) => {
    props.issued.value = value;
  };
  const [rotating, setRotating] = React.useState<number | null>(null);

  // the panel has no plugin of its own: its reasons join the sidebar's labels
  React.useEffect(() => {
    const added = registry.add(reasonLabels);
    return () => added.dispose();
  }, []);

  const load = React.useCallback(
    async (all: boolean) => {
      try {
        setKeys((await api.list(all)).keys);
      } catch (error) {
        setFailure({
          title: trans.__('The API keys could not be read'),
          failure: failureOf(error)
        });
      }
    },
    [api, trans]
  );
  React.useEffect(() => {
    void load(showAll);
  }, [load, showAll]);

  /** Run one change; its failure is shown under the title it names. */
  const act = async (
    what: string,
    title: string,
    change: () => Promise<void>
  ) => {
    setBusy(what);
    setFailure(null);
    try {
      await change();
      await load(showAll);
    } catch (error) {
      setFailure({ title, failure: failureOf(error) });
    } finally {
      setBusy(null);
    }
  };

  const revoke = async (key: IApiKey) => {
    const confirm = props.confirm ?? confirmInDialog(trans);
    const sure = await confirm(
      trans.__('Revoke API key %1?', key.prefix),
      trans.__(
        'Systems using “%1” are refused from now on. This cannot be undone.',
        key.name
      ),
      trans.__('Revoke')
    );
    if (sure) {
      await act(
        'revoke',
        trans.__('The key could not be revoked'),
        async () => {
          await api.revoke(key.id);
          if (props.issued.value?.key.id === key.id) {
            setIssued(null); // its secret works no more: nothing to copy
          }
        }
      );
    }
  };

  const rotate = (key: IApiKey, overlap: number) =>
    act('rotate', trans.__('The key could not be rotated'), async () => {
      setIssued(await api.rotate(key.id, overlap));
      setRotating(null);
    });

  const shown = keys ?? [];
  return (
    <div className="jp-mlplat-apikeys">
      <div className="jp-mlplat-review-bar">
        <h3 className="jp-mlplat-review-heading">{trans.__('API keys')}</h3>
      </div>
      <p className="jp-mlplat-hint">
        {trans.__(
          'External systems call your deployments and read the catalog with an API key, as you.'
        )}
      </p>
      {props.admin && (
        <label className="jp-mlplat-deploy-all">
          <input
            type="checkbox"
            checked={showAll}
            onChange={event => setShowAll(event.currentTarget.checked)}
          />
          {trans.__('Show everyone’s keys')}
        </label>
      )}
      {issued && (
        <IssuedSecret
          issued={issued}
          trans={trans}
          copy={props.copy ?? (text => Clipboard.copyToSystem(text))}
          onDone={() => setIssued(null)}
        />
      )}
      {failure && (
        <FailureNote
          failure={failure.failure}
          title={failure.title}
          trans={trans}
          onDismiss={() => setFailure(null)}
        />
      )}
      {busy && <Progress text={trans.__('Asking the platform…')} />}
      {keys === null && !failure && (
        <Progress text={trans.__('Reading the API keys…')} />
      )}
      {keys !== null && shown.length === 0 && (
        <p className="jp-mlplat-empty">{trans.__('No API keys yet.')}</p>
      )}
      {shown.length > 0 && (
        <ul className="jp-mlplat-apikey-list" aria-label={trans.__('API keys')}>
          {shown.map(key => (
            <KeyItem
              key={key.id}
              apiKey={key}
              showOwner={showAll}
              rotating={rotating === key.id}
              disabled={busy !== null}
              trans={trans}
              onRotate={() => setRotating(key.id)}
              onRotateCancel={() => setRotating(null)}
              onRotateConfirm={overlap => void rotate(key, overlap)}
              onRevoke={() => void revoke(key)}
            />
          ))}
        </ul>
      )}
      <CreateForm
        deployments={props.deployments}
        disabled={busy !== null}
        trans={trans}
        now={props.now ?? (() => new Date())}
        onCreate={body =>
          act('create', trans.__('The key could not be created'), async () => {
            setIssued(await api.create(body));
          })
        }
      />
    </div>
  );
}

/** The secret of a new or rotated key: shown here once, then forgotten. */
function IssuedSecret(props: {
  issued: IIssuedKey;
  trans: TranslationBundle;
  copy: (text: string) => void;
  onDone: () => void;
}): JSX.Element {
  const { issued, trans } = props;
  const [copied, setCopied] = React.useState(false);
  return (
    <div
      className="jp-mlplat-status jp-mlplat-status-warning jp-mlplat-note"
      role="region"
      aria-label={trans.__('New API key')}
    >
      <p className="jp-mlplat-status-title">
        {trans.__('Your new API key “%1”', issued.key.name)}
      </p>
      <p>
        {trans.__(
          'Copy it now and keep it somewhere safe: it is shown only this once, and the platform keeps no copy.'
        )}
      </p>
      <pre className="jp-mlplat-code">
        <code>{issued.secret}</code>
      </pre>
      <div className="jp-mlplat-toolbar">
        <Button
          type="button"
          small
          onClick={() => {
            props.copy(issued.secret);
            setCopied(true);
          }}
        >
          {trans.__('Copy the key')}
        </Button>
        <Button type="button" small minimal onClick={props.onDone}>
          {trans.__('I have copied it')}
        </Button>
        {copied && (
          <span className="jp-mlplat-said" role="status">
            {trans.__('Copied.')}
          </span>
        )}
      </div>
    </div>
  );
}

function KeyItem(props: {
  apiKey: IApiKey;
  showOwner: boolean;
  rotating: boolean;
  disabled: boolean;
  trans: TranslationBundle;
  onRotate: () => void;
  onRotateCancel: () => void;
  onRotateConfirm: (overlap: number) => void;
  onRevoke: () => void;
}): JSX.Element {
  const { apiKey: key, trans } = props;
  const [overlap, setOverlap] = React.useState<number>(3600);
  const usable = key.state === 'active' || key.state === 'rotating';
  const scopes = [
    ...key.scopes.deployments,
    ...(key.scopes.catalog_read ? [trans.__('catalog (read)')] : [])
  ];
  return (
    <li className="jp-mlplat-apikey" aria-label={key.name}>
      <div className="jp-mlplat-apikey-head">
        <span className="jp-mlplat-queue-name">{key.name}</span>{' '}
        <code>{key.prefix}</code>{' '}
        <span className="jp-mlplat-queue-meta">
          {keyStateLabel(key.state, trans)}
        </span>
      </div>
      <div className="jp-mlplat-queue-meta">
        {props.showOwner && <>{trans.__('Owner: %1.', key.owner)} </>}
        {scopes.length > 0
          ? trans.__('May call: %1.', scopes.join(', '))
          : trans.__('May call nothing yet.')}
      </div>
      <div className="jp-mlplat-queue-meta">
        {key.expires_at
          ? trans.__('Works until %1.', formatDateTime(key.expires_at))
          : trans.__('Does not expire.')}{' '}
        {key.last_used_at
          ? trans.__(
              'Last used %1 from %2.',
              formatDateTime(key.last_used_at),
              key.last_used_from ?? '?'
            )
          : trans.__('Never used.')}
      </div>
      {usable && !props.rotating && (
        <div className="jp-mlplat-toolbar">
          {key.state === 'active' && (
            <Button
              type="button"
              small
              disabled={props.disabled}
              onClick={props.onRotate}
            >
              {trans.__('Rotate…')}
            </Button>
          )}
          <Button
            type="button"
            small
            className="jp-mod-warn"
            disabled={props.disabled}
            onClick={props.onRevoke}
          >
            {trans.__('Revoke…')}
          </Button>
        </div>
      )}
      {props.rotating && (
        <div className="jp-mlplat-toolbar">
          <label>
            {trans.__('The old key keeps working for')}{' '}
            <HTMLSelect
              value={String(overlap)}
              onChange={event => setOverlap(Number(event.currentTarget.value))}
            >
              {OVERLAPS.map(seconds => (
                <option key={seconds} value={String(seconds)}>
                  {overlapLabel(seconds, trans)}
                </option>
              ))}
            </HTMLSelect>
          </label>
          <Button
            type="button"
            small
            disabled={props.disabled}
            onClick={() => props.onRotateConfirm(overlap)}
          >
            {trans.__('Rotate')}
          </Button>
          <Button type="button" small minimal onClick={props.onRotateCancel}>
            {trans.__('Cancel')}
          </Button>
        </div>
      )}
    </li>
  );
}

function overlapLabel(seconds: number, trans: TranslationBundle): string {
  if (seconds === 0) {
    return trans.__('no time: it stops now');
  }
  return seconds === 3600 ? trans.__('one hour') : trans.__('one day');
}

function CreateForm(props: {
  deployments: string[];
  disabled: boolean;
  trans: TranslationBundle;
  now: () => Date;
  onCreate: (body: IApiKeyCreate) => Promise<void>;
}): JSX.Element {
  const { trans } = props;
  const nameId = React.useId();
  const [name, setName] = React.useState('');
  const [picked, setPicked] = React.useState<string[]>([]);
  const [catalogRead, setCatalogRead] = React.useState(false);
  const mayDoSomething = catalogRead || picked.length > 0;
  const [lifetime, setLifetime] = React.useState<string>('90');

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const days = lifetime === 'max' ? null : Number(lifetime);
    const expires =
      days === null
        ? null
        : new Date(props.now().getTime() + days * 86_400_000).toISOString();
    await props.onCreate({
      name,
      deployments: picked,
      catalog_read: catalogRead,
      expires_at: expires,
      rate_limit: null
    });
    setName('');
    setPicked([]);
    setCatalogRead(false);
  };

  return (
    <form
      className="jp-mlplat-apikey-form"
      aria-label={trans.__('New API key')}
      onSubmit={event => void submit(event)}
    >
      <h4>{trans.__('New API key')}</h4>
      <label className="jp-mlplat-field-label" htmlFor={nameId}>
        {trans.__('Name')}
      </label>
      <input
        id={nameId}
        type="text"
        className="jp-mod-styled"
        maxLength={100}
        placeholder={trans.__('e.g. nightly scoring job')}
        value={name}
        onChange={event => setName(event.currentTarget.value)}
      />
      <fieldset className="jp-mlplat-apikey-scopes">
        <legend>{trans.__('What it may do')}</legend>
        {props.deployments.length === 0 && (
          <p className="jp-mlplat-hint">
            {trans.__(
              'You have no deployments yet; a key may still read the catalog.'
            )}
          </p>
        )}
        {props.deployments.map(deployment => (
          <label key={deployment} className="jp-mlplat-check">
            <input
              type="checkbox"
              checked={picked.includes(deployment)}
              onChange={event =>
                setPicked(
                  event.currentTarget.checked
                    ? [...picked, deployment]
                    : picked.filter(one => one !== deployment)
                )
              }
            />
            {trans.__('Call the deployment %1', deployment)}
          </label>
        ))}
        <label className="jp-mlplat-check">
          <input
            type="checkbox"
            checked={catalogRead}
            onChange={event => setCatalogRead(event.currentTarget.checked)}
          />
          {trans.__('Read the catalog')}
        </label>
      </fieldset>
      <label className="jp-mlplat-field-label">
        {trans.__('Expires after')}{' '}
        <HTMLSelect
          value={lifetime}
          onChange={event => setLifetime(event.currentTarget.value)}
        >
          {LIFETIMES.map(choice => (
            <option key={choice} value={choice}>
              {choice === 'max'
                ? trans.__('the longest the platform allows')
                : trans.__('%1 days', choice)}
            </option>
          ))}
        </HTMLSelect>
      </label>
      <div className="jp-mlplat-toolbar">
        <Button
          type="submit"
          small
          disabled={props.disabled || name.trim() === '' || !mayDoSomething}
        >
          {trans.__('Create key')}
        </Button>
        {name.trim() !== '' && !mayDoSomething && (
          // a key's scopes are fixed when it is made: one with none could never be used
          <span className="jp-mlplat-hint">
            {trans.__('Choose what the key may do first.')}
          </span>
        )}
      </div>
    </form>
  );
}

/** Ask in JupyterLab's dialog ("Cancel" or the action). */
function confirmInDialog(trans: TranslationBundle) {
  return askInDialog(trans.__('Cancel'));
}

/** A failed request as a note keeps it. */
function failureOf(error: unknown): IFailure {
  if (error instanceof PlatformRequestError) {
    return { status: error.status, ...PlatformModel.said(error) };
  }
  return {
    status: -1,
    message: error instanceof Error ? error.message : String(error),
    requestId: null
  };
}
