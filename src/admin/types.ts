/* ------------------------------------------------------------------------
 * Workspace profiles, edited by admins in the Admin tab.
 *
 * The platform validates every profile (`jupyterlab_mlplat/core/profiles/`)
 * and the hub reads them at each spawn, so a saved change reaches the spawn
 * page without a restart. The wire types are the sidebar API's schemas,
 * generated from its OpenAPI document (`jlpm build:types`).
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** The operators and effects the platform accepts; the form offers these. */
export type TolerationOperator = 'Equal' | 'Exists';
export type TolerationEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/**
 * A Kubernetes toleration: lets the pod run on nodes with a matching taint.
 * The wire carries `operator` and `effect` as text the platform checks; a
 * null `effect` tolerates every effect of the taint.
 */
export type IToleration = Schemas['Toleration'];

/** Limits checked when a server starts; null means no limit. */
export type IProfileQuota = Schemas['Quota'];

/**
 * One workspace profile as the platform stores and validates it. Answers are
 * described as they are written, so every field is present.
 */
export type IProfile = Schemas['Profile'];

/** A stored profile with the revision a later save must name. */
export type IProfileRecord = Schemas['ProfileRecord'];

/** `GET profiles`: every profile for an admin, in display order. */
export type IProfileList = Omit<Schemas['ProfileList'], 'profiles'> & {
  profiles: IProfileRecord[];
};

/**
 * `POST profile-preview`. The document leaves `pod` an open object (it is
 * Kubernetes' vocabulary, not the platform's); `podSpecOf` reads it.
 */
export type IPodPreview = Schemas['PodPreview'];

/** The part of the pod a server of a profile gets, in Kubernetes' own words. */
export type IPodSpecPreview = {
  image: string;
  resources: {
    requests: { [resource: string]: string };
    limits: { [resource: string]: string };
  };
  nodeSelector: { [label: string]: string };
  /** As Kubernetes writes them: absent fields are left out. */
  tolerations: {
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
  }[];
  env: { name: string; value: string }[];
};

/**
 * What a profile form sends. Numbers the user typed that are not numbers
 * travel as the text typed, so the platform (the one validator) says what
 * is wrong with them instead of the browser dropping them.
 */
export type ProfileBody = Omit<IProfile, 'gpu' | 'order' | 'quota'> & {
  gpu: number | string;
  order: number | string;
  quota: { [K in keyof IProfileQuota]: number | string | null };
};

/** The profile calls of the Admin tab; tests pass canned answers. */
export interface IProfilesAPI {
  profiles(): Promise<IProfileList>;
  createProfile(profile: ProfileBody): Promise<IProfileRecord>;
  /** `revision` is the one the editor started from; a stale one fails with 409. */
  updateProfile(
    slug: string,
    profile: ProfileBody,
    revision: number
  ): Promise<IProfileRecord>;
  deleteProfile(slug: string, revision: number): Promise<void>;
  previewProfile(profile: ProfileBody): Promise<IPodPreview>;
}
