/* ------------------------------------------------------------------------
 * Workspace profiles, edited by admins in the Admin tab.
 *
 * The platform validates every profile (`jupyterlab_mlplat/core/profiles.py`)
 * and the hub reads them at each spawn, so a saved change reaches the spawn
 * page without a restart.
 * ---------------------------------------------------------------------- */

export type TolerationOperator = 'Equal' | 'Exists';
export type TolerationEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A Kubernetes toleration: lets the pod run on nodes with a matching taint. */
export interface IToleration {
  key: string;
  operator: TolerationOperator;
  value?: string | null;
  /** Absent or null: tolerates every effect of the taint. */
  effect?: TolerationEffect | null;
}

/** Limits checked when a server starts; null means no limit. */
export interface IProfileQuota {
  servers_per_user: number | null;
  gpus_per_user: number | null;
  servers_per_group: number | null;
  gpus_per_group: number | null;
}

/** One workspace profile as the platform stores and validates it. */
export interface IProfile {
  /** A DNS label; it names the profile for good and cannot change. */
  slug: string;
  display_name: string;
  description: string;
  /** Preselected on the spawn page; saving one as default un-defaults the others. */
  default: boolean;
  image: string;
  /** Kubernetes CPU quantities: "0.5", "2", "500m". */
  cpu_guarantee: string;
  cpu_limit: string;
  /** Kubernetes memory quantities: "512Mi", "4Gi". */
  mem_guarantee: string;
  mem_limit: string;
  gpu: number;
  /** The extended resource that counts GPUs, e.g. `nvidia.com/gpu`. */
  gpu_resource: string;
  node_selector: { [label: string]: string };
  tolerations: IToleration[];
  environment: { [name: string]: string };
  /** Groups that may start it; empty means everyone. */
  allowed_groups: string[];
  quota: IProfileQuota;
  /** Position on the spawn page, smallest first. */
  order: number;
}

/** A stored profile with the revision a later save must name. */
export interface IProfileRecord {
  profile: IProfile;
  revision: number;
  /** ISO 8601. */
  updated_at: string;
  updated_by: string;
}

/** `GET profiles`: every profile for an admin, in display order. */
export interface IProfileList {
  profiles: IProfileRecord[];
  /** The groups a profile may be opened to. */
  known_groups: string[];
}

/** The part of the pod a server of a profile gets, in Kubernetes' own words. */
export interface IPodSpecPreview {
  image: string;
  resources: {
    requests: { [resource: string]: string };
    limits: { [resource: string]: string };
  };
  nodeSelector: { [label: string]: string };
  tolerations: IToleration[];
  env: { name: string; value: string }[];
}

/** `POST profile-preview` */
export interface IPodPreview {
  pod: IPodSpecPreview;
}

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
