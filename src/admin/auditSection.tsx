import { TranslationBundle } from '@jupyterlab/translation';
import { Button, downloadIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { DayField } from '../shell/dayField';
import { useModelState } from '../shell/hooks';
import { formatDateTime } from '../shell/labels';
import { FailureNote, Progress } from '../shell/notes';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { AuditModel, IAuditEntry, IAuditFilters } from './audit';

export interface IAuditSectionProps {
  model: AuditModel;
  trans: TranslationBundle;
}

/**
 * The audit log: who changed what, newest first. Every server string (a
 * name, an object, a detail) is shown as text.
 */
export function AuditSection(props: IAuditSectionProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);
  React.useEffect(() => {
    void model.refresh();
  }, [model]);
  return (
    <section className="jp-mlplat-audit" aria-label={trans.__('Audit log')}>
      <div className="jp-mlplat-runs-header">
        <h3 className="jp-mlplat-runs-title">{trans.__('Audit log')}</h3>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the audit log again')}
          onClick={() => void model.refresh()}
        />
      </div>
      <AuditFilters model={model} state={state} trans={trans} />
      {state.failure && (
        <FailureNote
          failure={state.failure}
          title={trans.__('The audit log could not be read')}
          trans={trans}
          onDismiss={() => model.dismissFailure()}
        />
      )}
      {state.status.kind !== 'ready' ? (
        <LoadStatus
          state={state.status}
          loading={trans.__('Reading the audit log…')}
          unavailable={trans.__('The platform is unavailable — retrying')}
          error={code =>
            code === 403
              ? trans.__(
                  'Only platform admins may read the audit log (HTTP 403)'
                )
              : trans.__('The audit log could not be read')
          }
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      ) : (
        state.page && (
          <>
            <AuditTable entries={state.page.entries} trans={trans} />
            <AuditPager model={model} state={state} trans={trans} />
          </>
        )
      )}
    </section>
  );
}

/**
 * The longest text each filter takes (``core/audit/rules.py``, ``LIMITS``):
 * typing stops there, instead of a refusal naming the request's field.
 */
const TEXT_LIMITS = { actor: 255, objectType: 100, objectId: 255 };

function AuditFilters(props: {
  model: AuditModel;
  state: AuditModel.IState;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, state, trans } = props;
  const { filters } = state;
  const id = React.useId();
  const rangeId = `${id}-range`;
  const text = (
    name: keyof IAuditFilters & keyof typeof TEXT_LIMITS,
    label: string,
    hint?: string
  ) => (
    <div className="jp-mlplat-audit-field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        type="text"
        className="jp-mod-styled"
        maxLength={TEXT_LIMITS[name]}
        value={filters[name]}
        placeholder={hint}
        onChange={event => model.setFilter(name, event.currentTarget.value)}
      />
    </div>
  );
  const day = (name: 'from' | 'until', label: string) => (
    <div className="jp-mlplat-audit-field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <DayField
        key={`${name}-${state.clears}`}
        id={`${id}-${name}`}
        value={filters[name]}
        invalid={state.rangeReversed}
        describedBy={state.rangeReversed ? rangeId : undefined}
        onChange={value => model.setFilter(name, value)}
        onReadableChange={readable => model.setReadable(name, readable)}
        trans={trans}
      />
    </div>
  );
  return (
    <form
      className="jp-mlplat-audit-filters"
      aria-label={trans.__('Audit log filters')}
      onSubmit={event => {
        event.preventDefault();
        void model.apply();
      }}
    >
      {text('actor', trans.__('Person'), 'alice')}
      <div className="jp-mlplat-audit-field">
        <label htmlFor={`${id}-action`}>{trans.__('Action')}</label>
        <select
          id={`${id}-action`}
          className="jp-mod-styled"
          value={filters.action}
          onChange={event =>
            model.setFilter('action', event.currentTarget.value)
          }
        >
          <option value="">{trans.__('Any action')}</option>
          {[...new Set([...state.actions, filters.action])]
            .filter(Boolean)
            .map(action => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
        </select>
      </div>
      {text('objectType', trans.__('Object type'), 'deployment')}
      {text('objectId', trans.__('Object'), 'churn-api')}
      {day('from', trans.__('From'))}
      {day('until', trans.__('Until'))}
      {state.rangeReversed && (
        <p id={rangeId} className="jp-mlplat-field-error" role="alert">
          {trans.__('“From” must not be later than “Until”.')}
        </p>
      )}
      <div className="jp-mlplat-toolbar" role="toolbar">
        <Button
          small
          type="submit"
          disabled={state.busy || state.rangeReversed || state.unreadable}
        >
          {trans.__('Filter')}
        </Button>
        <Button small type="button" minimal onClick={() => void model.clear()}>
          {trans.__('Clear filters')}
        </Button>
        <Button
          small
          type="button"
          disabled={state.exporting || state.page === null}
          onClick={() => void model.exportCsv()}
        >
          <span aria-hidden="true">
            <downloadIcon.react tag="span" />
          </span>
          {trans.__('Export CSV')}
        </Button>
      </div>
      {state.exporting && (
        <Progress text={trans.__('Exporting the audit log…')} />
      )}
    </form>
  );
}

/** The detail of a record as one line of `name: value` pairs. */
export function detailText(detail: IAuditEntry['detail']): string {
  return Object.entries(detail)
    .map(
      ([name, value]) =>
        `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`
    )
    .join('; ');
}

/** Past this, a record's detail (a whole model card, say) opens on request. */
export const DETAIL_SHOWN = 160;

/**
 * A record's detail, its start shown and the rest a click away: a card's
 * every field filled a row a screen high.
 */
function Detail(props: { text: string }): JSX.Element {
  const { text } = props;
  if (text.length <= DETAIL_SHOWN) {
    return <>{text}</>;
  }
  return (
    <details>
      <summary>{`${text.slice(0, DETAIL_SHOWN).trimEnd()}…`}</summary>
      {text}
    </details>
  );
}

function AuditTable(props: {
  entries: IAuditEntry[];
  trans: TranslationBundle;
}): JSX.Element {
  const { entries, trans } = props;
  if (entries.length === 0) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__('No record matches these filters.')}
      </p>
    );
  }
  return (
    <div className="jp-mlplat-audit-scroll">
      <table
        className="jp-mlplat-audit-table"
        aria-label={trans.__('Audit records')}
      >
        <thead>
          <tr>
            <th scope="col">{trans.__('When')}</th>
            <th scope="col">{trans.__('Person')}</th>
            <th scope="col">{trans.__('Action')}</th>
            <th scope="col">{trans.__('Object')}</th>
            <th scope="col">{trans.__('Detail')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(entry => (
            <tr key={entry.id}>
              <td>
                <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
              </td>
              <td>{entry.actor}</td>
              <td className="jp-mlplat-code">{entry.action}</td>
              <td>
                <span className="jp-mlplat-audit-type">
                  {entry.object_type}
                </span>{' '}
                {entry.object_id}
              </td>
              <td className="jp-mlplat-audit-detail">
                <Detail text={detailText(entry.detail)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AuditPager(props: {
  model: AuditModel;
  state: AuditModel.IState;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, state, trans } = props;
  const page = state.page;
  if (page === null) {
    return null;
  }
  return (
    <nav className="jp-mlplat-pager" aria-label={trans.__('Audit log pages')}>
      <Button
        small
        minimal
        disabled={page.page <= 1 || state.busy}
        onClick={() => void model.goTo(page.page - 1)}
      >
        {trans.__('Newer')}
      </Button>
      <span role="status">
        {trans.__(
          'Page %1 of %2 · %3 records',
          page.page,
          page.pages,
          page.total
        )}
      </span>
      <Button
        small
        minimal
        disabled={page.page >= page.pages || state.busy}
        onClick={() => void model.goTo(page.page + 1)}
      >
        {trans.__('Older')}
      </Button>
    </nav>
  );
}
