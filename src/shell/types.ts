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
 * One notification of the signed-in person: a submission (to reviewers), a
 * decision or a publish (to the author); `action` is the step that sent it.
 */
export type IPlatformNotification = Schemas['NotificationBody'];

/**
 * `GET notifications?after=`: those newer than `after`, oldest first, a
 * page at a time; `last_id` is the next `after`.
 */
export type INotificationList = Schemas['NotificationList'];

/** Where the notification feed reads from. */
export interface INotificationsAPI {
  notifications(after: number | null): Promise<INotificationList>;
}

/**
 * The calls the front-end makes. The model depends on this interface, not on
 * `fetch`, so tests hand it canned answers without patching globals.
 */
export interface IPlatformAPI {
  identity(): Promise<IIdentity>;
  health(): Promise<IHealth>;
}
