/**
 * Wire types the shell reads: who is signed in and how the platform is.
 * Each feature keeps its own wire types in `src/<feature>/types.ts`.
 */

/** How the platform runs: behind JupyterHub, or in-process for one user. */
export type PlatformMode = 'hub' | 'standalone';

/**
 * Roles the platform grants. The server may add roles before the
 * front-end knows them, so readers must accept any string.
 */
export type Role = 'data_scientist' | 'reviewer' | 'admin' | 'instructor';

/** `GET jupyterlab-mlplat/me` */
export interface IIdentity {
  name: string;
  groups: string[];
  roles: (Role | string)[];
  mode: PlatformMode;
}

/** One dependency of the platform as `/health` reports it. */
export interface IHealthCheck {
  status: 'ok' | 'failing';
  message?: string | null;
}

/** `GET jupyterlab-mlplat/health` */
export interface IHealth {
  status: 'ok' | string;
  version: string;
  mode: PlatformMode;
  checks: { [name: string]: IHealthCheck };
}

/**
 * The calls the front-end makes. The model depends on this interface, not on
 * `fetch`, so tests hand it canned answers without patching globals.
 */
export interface IPlatformAPI {
  identity(): Promise<IIdentity>;
  health(): Promise<IHealth>;
}
