import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { formatDateTime, roleLabel } from '../shell/labels';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { IPeople, peopleRows } from './people';
import { ReadModel } from './readModel';

/** Who uses the workbench, read from the hub; changed in the hub. */
export function PeopleSection(props: {
  model: ReadModel<IPeople>;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);
  React.useEffect(() => {
    void model.refresh();
  }, [model]);
  const people = state.value;
  return (
    <section className="jp-mlplat-people" aria-label={trans.__('People')}>
      <div className="jp-mlplat-runs-header">
        <h3 className="jp-mlplat-runs-title">{trans.__('People')}</h3>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the people again')}
          onClick={() => void model.refresh()}
        />
      </div>
      <p className="jp-mlplat-hint">
        {trans.__(
          'Read-only: people, groups and roles are the hub’s. On a cluster the groups come from the sign-in provider (SSO) at each login; change them there.'
        )}{' '}
        {people?.admin_url && (
          <a href={people.admin_url} target="_blank" rel="noopener noreferrer">
            {trans.__('Open the hub’s admin page')}
          </a>
        )}
      </p>
      {state.status.kind !== 'ready' && (
        <LoadStatus
          state={state.status}
          loading={trans.__('Reading the people…')}
          unavailable={trans.__('The hub or the platform is unavailable')}
          error={() => trans.__('The people could not be read')}
          onRetry={() => void model.refresh()}
          trans={trans}
        />
      )}
      {people && (
        <div className="jp-mlplat-audit-scroll">
          <table
            className="jp-mlplat-audit-table"
            aria-label={trans.__('People')}
          >
            <thead>
              <tr>
                <th scope="col">{trans.__('Name')}</th>
                <th scope="col">{trans.__('Groups')}</th>
                <th scope="col">{trans.__('Platform roles')}</th>
                <th scope="col">{trans.__('Hub roles')}</th>
                <th scope="col">{trans.__('Last activity')}</th>
              </tr>
            </thead>
            <tbody>
              {peopleRows(people.people).map(person => (
                <tr key={person.name}>
                  <td>
                    {person.name}
                    {person.hub_admin && (
                      <span className="jp-mlplat-badge">
                        {trans.__('hub admin')}
                      </span>
                    )}
                  </td>
                  <td>{person.groups.join(', ')}</td>
                  <td>
                    {person.roles === null
                      ? trans.__('not seen yet')
                      : person.roles.map(r => roleLabel(r, trans)).join(', ')}
                  </td>
                  <td className="jp-mlplat-code">
                    {person.hub_roles.join(', ')}
                  </td>
                  <td>
                    {person.last_activity ? (
                      <time dateTime={person.last_activity}>
                        {formatDateTime(person.last_activity)}
                      </time>
                    ) : (
                      trans.__('never')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
