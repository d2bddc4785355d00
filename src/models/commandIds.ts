/**
 * Command ids of the Models tab. The run page of the Experiments tab shows
 * "Register model" when `registerModel` exists, knowing only its id.
 */
export enum CommandIDs {
  registerModel = 'mlplat:register-model',
  openVersion = 'mlplat:open-model-version'
}

/** The Experiments tab's command that opens a run's page (args: runId, name). */
export const OPEN_RUN_COMMAND = 'mlplat:open-run';

/** JupyterLab's command that opens a file of the workspace. */
export const OPEN_FILE_COMMAND = 'docmanager:open';

/**
 * The Deployments tab's command that deploys a version (args: modelName,
 * version, published, productionModelName, productionVersion); the version
 * page shows "Deploy…" when it exists.
 */
export const DEPLOY_COMMAND = 'mlplat:deploy-model-version';

/**
 * The Deployments tab's command that opens a deployment's page (args: name);
 * the lineage's deployments open with it when it exists.
 */
export const OPEN_DEPLOYMENT_COMMAND = 'mlplat:open-deployment';
