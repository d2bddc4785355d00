import { Clipboard } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { PlatformModel } from '../shell/model';
import { FailureNote, Progress } from '../shell/notes';
import { LoadStatus, NotLoaded } from '../shell/status';
import { DeploymentsModel } from './model';
import {
  curlLine,
  invocationsUrl,
  ITryDraft,
  ITryForm,
  parsedJson,
  payloadOf,
  startingForm
} from './request';
import { IDeployment, IDeploymentsAPI, IInvocation } from './types';

export interface ITryItProps {
  api: IDeploymentsAPI;
  data: IDeployment;
  /** The version whose signature and example build the form: the primary. */
  version: string;
  /** Where external systems reach the gateway (no trailing slash). */
  gatewayBase: string;
  /** Where the request typed and its answer outlive this view (the tab's model). */
  drafts: Map<string, ITryDraft>;
  trans: TranslationBundle;
}

/**
 * Try it: a form built from the version's signature and input example, the
 * model's answer and how long it took, and the curl line that makes the
 * same call from outside with an API key.
 */
export function TryIt(props: ITryItProps): JSX.Element {
  const { api, data, version, trans } = props;
  const modelName = data.spec.model_name;
  const [facts, setFacts] = React.useState<
    NotLoaded | { kind: 'ready'; form: ITryForm }
  >({ kind: 'loading' });
  const [generation, setGeneration] = React.useState(0);
  React.useEffect(() => {
    let live = true;
    setFacts({ kind: 'loading' });
    api.facts(modelName, version).then(
      found => live && setFacts({ kind: 'ready', form: startingForm(found) }),
      error => live && setFacts(PlatformModel.stateFromError(error))
    );
    return () => {
      live = false;
    };
  }, [api, modelName, version, generation]);

  return (
    <section className="jp-mlplat-try" aria-label={trans.__('Try it')}>
      <h4>{trans.__('Try it')}</h4>
      {facts.kind === 'ready' ? (
        // one form per deployment and version: another's typing is not carried over
        <TryForm
          key={`${data.name}\n${version}`}
          {...props}
          start={facts.form}
        />
      ) : (
        <LoadStatus
          state={facts}
          loading={trans.__('Reading the model’s signature…')}
          unavailable={trans.__('The model registry is unavailable')}
          error={() => trans.__('Could not read the model’s signature')}
          onRetry={() => setGeneration(generation + 1)}
          trans={trans}
        />
      )}
    </section>
  );
}

function TryForm(props: ITryItProps & { start: ITryForm }): JSX.Element {
  const { api, data, drafts, trans } = props;
  const key = `${data.name}\n${props.version}`;
  const kept = drafts.get(key);
  const [form, setForm] = React.useState(kept?.form ?? props.start);
  const [asJson, setAsJson] = React.useState(
    kept?.asJson ?? props.start.columns.length === 0
  );
  const [sending, setSending] = React.useState(false);
  const [answer, setAnswer] = React.useState<IInvocation | null>(
    kept?.answer ?? null
  );
  React.useEffect(() => {
    drafts.set(key, { form, asJson, answer });
  }, [drafts, key, form, asJson, answer]);
  const [failure, setFailure] = React.useState<ReturnType<
    typeof DeploymentsModel.failureOf
  > | null>(null);
  const [copied, setCopied] = React.useState(false);
  const jsonId = React.useId();

  const payload = asJson ? parsedJson(form.json) : payloadOf(form);
  // no line for a body that is not JSON: "-d '{}'" would be a call nobody asked for
  const curl =
    payload === null
      ? null
      : curlLine(invocationsUrl(props.gatewayBase, data.name), payload);

  const send = async () => {
    if (payload === null) {
      return;
    }
    setSending(true);
    setFailure(null);
    try {
      const got = await api.invoke(data.name, payload);
      // kept at once: the view may have been remade while the model answered;
      // a draft gone meanwhile went with its deployment, deleted: not brought back
      const kept = drafts.get(key);
      if (kept) {
        drafts.set(key, { ...kept, answer: got });
      }
      setAnswer(got);
    } catch (error) {
      setAnswer(null);
      setFailure(DeploymentsModel.failureOf(error));
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      className="jp-mlplat-try-form"
      onSubmit={event => {
        event.preventDefault();
        void send();
      }}
    >
      {asJson ? (
        <div className="jp-mlplat-field">
          <label htmlFor={jsonId} className="jp-mlplat-field-label">
            {trans.__('Request body (JSON)')}
          </label>
          <textarea
            id={jsonId}
            className="jp-mlplat-textarea jp-mlplat-code"
            rows={8}
            spellCheck={false}
            value={form.json}
            aria-invalid={payload === null ? true : undefined}
            onChange={event =>
              setForm({ ...form, json: event.currentTarget.value })
            }
          />
          {payload === null && (
            <p className="jp-mlplat-field-error" role="alert">
              {trans.__('This is not valid JSON.')}
            </p>
          )}
        </div>
      ) : (
        <table className="jp-mlplat-table jp-mlplat-try-row">
          <tbody>
            {form.columns.map(column => (
              <TryColumn
                key={column.name}
                name={column.name}
                type={column.type}
                value={form.row[column.name] ?? ''}
                onChange={value =>
                  setForm({
                    ...form,
                    row: { ...form.row, [column.name]: value }
                  })
                }
              />
            ))}
          </tbody>
        </table>
      )}
      <div className="jp-mlplat-toolbar">
        <Button type="submit" disabled={sending || payload === null}>
          {trans.__('Send')}
        </Button>
        {form.columns.length > 0 && (
          <Button
            type="button"
            small
            minimal
            onClick={() => {
              if (!asJson) {
                setForm({
                  ...form,
                  json: JSON.stringify(payloadOf(form), null, 2)
                });
              }
              setAsJson(!asJson);
            }}
          >
            {asJson ? trans.__('Edit as a form') : trans.__('Edit as JSON')}
          </Button>
        )}
      </div>
      {sending && <Progress text={trans.__('Asking the model…')} />}
      {failure && (
        <FailureNote
          failure={failure}
          title={
            failure.status >= 400 && failure.status < 500
              ? trans.__('The request was refused')
              : trans.__('The model did not answer')
          }
          trans={trans}
          onDismiss={() => setFailure(null)}
        />
      )}
      {answer && <Answer answer={answer} trans={trans} />}
      <div className="jp-mlplat-try-curl">
        <p className="jp-mlplat-field-label">
          {trans.__('The same call from outside, with an API key')}
        </p>
        {curl === null ? (
          <p className="jp-mlplat-hint">
            {trans.__('Once the request body is valid JSON, its call is here.')}
          </p>
        ) : (
          <>
            <pre className="jp-mlplat-code">
              <code>{curl}</code>
            </pre>
            <div className="jp-mlplat-toolbar">
              <Button
                type="button"
                small
                onClick={() => {
                  Clipboard.copyToSystem(curl);
                  setCopied(true);
                }}
              >
                {trans.__('Copy')}
              </Button>
              {copied && (
                <span className="jp-mlplat-said" role="status">
                  {trans.__('Copied. Replace mlp_… with one of your API keys.')}
                </span>
              )}
            </div>
          </>
        )}
      </div>
    </form>
  );
}

function TryColumn(props: {
  name: string;
  type: string;
  value: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const id = React.useId();
  return (
    <tr>
      <th scope="row">
        <label htmlFor={id}>{props.name}</label>
        <span className="jp-mlplat-try-type">{props.type}</span>
      </th>
      <td>
        <input
          id={id}
          type="text"
          className="jp-mod-styled"
          spellCheck={false}
          value={props.value}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
      </td>
    </tr>
  );
}

/** The model's answer as text (never HTML), with its status and latency. */
function Answer(props: {
  answer: IInvocation;
  trans: TranslationBundle;
}): JSX.Element {
  const { answer, trans } = props;
  const text =
    typeof answer.body === 'string'
      ? answer.body
      : JSON.stringify(answer.body, null, 2);
  return (
    <div className="jp-mlplat-try-answer" role="status">
      <p className="jp-mlplat-try-latency">
        {trans.__(
          'Answer in %1 ms (HTTP %2)',
          answer.latency_ms.toFixed(1),
          answer.status
        )}
      </p>
      <pre className="jp-mlplat-code">
        <code>{text}</code>
      </pre>
    </div>
  );
}
