import { ServerConnection } from '@jupyterlab/services';

import type { components } from '../api/generated/sidebar';
import { requestAPI } from '../api/request';

/* ------------------------------------------------------------------------
 * The hub's people, read-only (`core/people/`): groups and hub roles as
 * the hub has them, the platform roles each person's token carried at
 * their last visit. People are changed in the hub (its admin page), and on
 * a cluster their groups come from the sign-in provider at each login.
 * ---------------------------------------------------------------------- */

type Schemas = components['schemas'];

export type IPeople = Schemas['PeopleBody'];
export type IPerson = Schemas['PersonBody'];

export function readPeople(
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<IPeople> {
  return requestAPI('people', { method: 'GET' }, serverSettings);
}

/** People sorted for the table: the ones with a platform role first, then by name. */
export function peopleRows(people: IPerson[]): IPerson[] {
  const weight = (p: IPerson) =>
    p.roles && p.roles.some(r => r !== 'data_scientist') ? 0 : 1;
  return [...people].sort(
    (a, b) => weight(a) - weight(b) || a.name.localeCompare(b.name)
  );
}
