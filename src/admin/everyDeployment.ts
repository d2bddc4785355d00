import { ServerConnection } from '@jupyterlab/services';

import type { components } from '../api/generated/sidebar';
import { requestAPI } from '../api/request';

/* ------------------------------------------------------------------------
 * Every deployment on the platform, for admins (the deployments API lists
 * everyone's with `all=true`); each links to its page in the Deployments
 * tab, where it is changed.
 * ---------------------------------------------------------------------- */

type Schemas = components['schemas'];

export type IAnyDeployment = Schemas['DeploymentBody'];

export function readEveryDeployment(
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<IAnyDeployment[]> {
  return requestAPI<Schemas['DeploymentList']>(
    'deployments',
    { method: 'GET' },
    serverSettings,
    new URLSearchParams({ all: 'true' })
  ).then(list => list.deployments);
}

/** Counts per phase, for the line above the list ("3 ready, 1 failed"). */
export function phaseCounts(deployments: IAnyDeployment[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const deployment of deployments) {
    counts.set(deployment.phase, (counts.get(deployment.phase) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}
