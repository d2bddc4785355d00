import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { adminPlugin } from './admin/plugin';
import { analyticsPlugin } from './analytics/plugin';
import { apiKeysPlugin } from './apikeys/plugin';
import { catalogPlugin } from './catalog/plugin';
import { deploymentsPlugin } from './deployments/plugin';
import { CommandIDs as ExperimentCommandIDs } from './experiments/commandIds';
import { experimentsPlugin } from './experiments/plugin';
import { gitPlugin } from './git/plugin';
import { instructionsPlugin } from './instructions/plugin';
import { modelsPlugin } from './models/plugin';
import { reviewsPlugin } from './reviews/plugin';
import { CommandIDs as ShellCommandIDs } from './shell/commands';
import { shellPlugin } from './shell/plugin';
import { upcomingPlugin } from './upcoming/plugin';

export { ProfilesClient } from './admin/api';
export { ProfilesModel } from './admin/model';
export { PlatformRequestError, requestAPI } from './api/request';
export { MlflowClient } from './experiments/api';
export { ExperimentsModel } from './experiments/model';
export { GitClient } from './git/api';
export { GitModel } from './git/model';
export { PlatformClient } from './shell/api';
export { describeError } from './shell/errors';
export { PlatformModel } from './shell/model';
export * from './tokens';

/** Every command id of the extension, by feature. */
export const CommandIDs = { ...ShellCommandIDs, ...ExperimentCommandIDs };

/**
 * The shell first, then one plugin per tab: the shell knows no tab, and a
 * tab is added or removed by adding or removing its plugin here.
 */
const plugins: JupyterFrontEndPlugin<any>[] = [
  shellPlugin,
  experimentsPlugin,
  gitPlugin,
  modelsPlugin,
  reviewsPlugin,
  catalogPlugin,
  apiKeysPlugin,
  deploymentsPlugin,
  instructionsPlugin,
  analyticsPlugin,
  adminPlugin,
  upcomingPlugin
];

export default plugins;
