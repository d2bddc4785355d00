/**
 * Wire types the shell reads: who is signed in and how the platform is.
 * Each feature keeps its own wire types in `src/<feature>/types.ts`.
 *
 * They are the schemas of the sidebar API's OpenAPI document, generated
 * into `src/api/generated/` (`jlpm build:types`): a field renamed on the
 * server fails the build where the UI reads it.
 */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** How the platform runs: behind JupyterHub, or in-process for one user. */
export type PlatformMode = Schemas['Me']['mode'];

/** Roles the platform grants. */
export type Role = Schemas['Role'];

/** `GET jupyterlab-mlplat/me` */
export type IIdentity = Schemas['Me'];

/** One dependency of the platform as `/health` reports it. */
export type IHealthCheck = Schemas['CheckBody'];

/** `GET jupyterlab-mlplat/health` */
export type IHealth = Schemas['SidebarHealth'];

/**
 * The calls the front-end makes. The model depends on this interface, not on
 * `fetch`, so tests hand it canned answers without patching globals.
 */
export interface IPlatformAPI {
  identity(): Promise<IIdentity>;
  health(): Promise<IHealth>;
}
