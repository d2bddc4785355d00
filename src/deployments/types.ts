/* ------------------------------------------------------------------------
 * Deployments as the Deployments tab, the deploy dialog and the Admin tab's
 * sizes read them, through the server extension
 * (`jupyterlab-mlplat/deployments/...`, `jupyterlab-mlplat/deployment-sizes`),
 * which asks the platform with the person's token.
 *
 * The shapes follow `core/deployments/records.py` field by field (the
 * platform's `api/deployments.py` copies them onto the wire).
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

/** `staging` takes any version the person owns; `production` published ones only. */
export type Stage = 'staging' | 'production';

/** What a served version does with the live traffic. */
export type Traffic = 'primary' | 'canary' | 'shadow';

/** A workload's state as its backend reports it (and a deployment's, summed up). */
export type Phase = 'pending' | 'ready' | 'failed' | 'stopped';

/** What each replica is given (Kubernetes quantities). */
export interface IResources {
  cpu: string;
  memory: string;
  replicas: number;
  /** Above `replicas` an autoscaler may add replicas (cluster only). */
  max_replicas: number;
}

/** A named choice of resources that admins manage. */
export interface ISize {
  name: string;
  title: string;
  resources: IResources;
  revision: number;
}

/** `GET deployment-sizes` */
export interface ISizeList {
  sizes: ISize[];
}

/**
 * What an admin sends to add (with `name`) or change a size. Numbers the
 * admin typed that are not numbers travel as the text typed, so the
 * platform (the one validator) says what is wrong with them.
 */
export interface ISizeBody {
  name?: string;
  title: string;
  cpu: string;
  memory: string;
  replicas: number | string;
  max_replicas: number | string;
}

export interface IServedVersion {
  version: string;
  traffic: Traffic;
  /** Primary and canary add up to 100; a shadow has 0. */
  percent: number;
}

/** One served version as its backend runs it. */
export interface IWorkloadStatus {
  name: string;
  phase: Phase;
  replicas: number;
  ready_replicas: number;
  restarts: number;
  /** One line a person can act on; "" when none. */
  last_error: string;
  observed_at: string | null;
}

/** Where a served version's files are, resolved when it entered the spec. */
export interface IModelSource {
  model_name: string;
  version: string;
  uri: string;
  flavor: string;
}

/** What a person asked to be served; every change makes a new revision. */
export interface IDeploymentSpec {
  model_name: string;
  versions: IServedVersion[];
  size: string;
  resources: IResources;
  sources: IModelSource[];
}

/** Where requests go now: only ready workloads. */
export interface IRouteShare {
  version: string;
  traffic: Traffic;
  percent: number;
}

export interface IDeployment {
  name: string;
  owner: string;
  stage: Stage;
  model_name: string;
  /** Compare-and-set: every change names the revision it was made against. */
  revision: number;
  spec: IDeploymentSpec;
  phase: Phase;
  workloads: IWorkloadStatus[];
  /** Where requests go now; while a change rolls out, the previous spec's ready versions. */
  route: IRouteShare[];
  created_at: string;
  updated_at: string;
  /** Who made the current revision, and with which change. */
  updated_by: string;
  last_change: string;
  /** Deleted: its workloads are being stopped. */
  deleted: boolean;
  /** Raised whenever anything the page shows changes. */
  sequence: number;
}

/** `GET deployments` (`?all=true` for an admin: everyone's). */
export interface IDeploymentList {
  deployments: IDeployment[];
}

/** What made a revision. */
export type Change =
  'create' | 'traffic' | 'promote' | 'rollback' | 'resize' | 'delete';

/** One change of a deployment's spec: who, when, what. */
export interface IRevision {
  revision: number;
  change: Change;
  actor: string;
  at: string;
  spec: IDeploymentSpec;
  /** For a rollback: the revision it brought back. */
  restored: number | null;
}

/** `GET deployments/{name}/revisions`, newest first. */
export interface IRevisionList {
  revisions: IRevision[];
}

/** `GET deployments/{name}/logs?version=&tail=` */
export interface ILogTail {
  workload: string;
  version: string;
  text: string;
}

/** `POST deployments` */
export interface ICreateBody {
  name: string;
  stage: Stage;
  model_name: string;
  version: string;
  size: string;
}

/**
 * `PUT deployments/{name}/traffic`: the canary and the shadow as they
 * should be after the change; a missing one is cleared.
 */
export interface ITrafficBody {
  revision: number;
  canary?: { version: string; percent: number } | null;
  shadow?: { version: string } | null;
}

/** The answer of a model through the gateway, and how long it took. */
export interface IInvocation {
  /** HTTP status of the model server's answer (through the gateway). */
  status: number;
  /** The answer's JSON, or its text when it is not JSON. */
  body: unknown;
  /** Milliseconds from sending to the whole answer. */
  latency_ms: number;
}

/** What the Try it form shows about the version: its signature and example. */
export interface IModelFacts {
  /** MLflow's signature: `inputs`, `outputs` (JSON text); empty when none. */
  signature: { [key: string]: string };
  /** The logged input example (JSON text); empty when none. */
  input_example: string;
}

type Schemas = components['schemas'];

/** One comparison of a served version's requests with its reference. */
export type IDriftReport = Schemas['DriftReportBody'];

/** `GET deployments/{name}/drift`: the reports, oldest first, and the thresholds. */
export type IDriftReportList = Schemas['DriftReportList'];

/**
 * The calls of the Deployments tab and the deploy dialog; tests pass a
 * scripted server, the lab the server extension.
 */
export interface IDeploymentsAPI {
  list(all: boolean): Promise<IDeploymentList>;
  /**
   * A deployment; with `since` (the `sequence` the page shows), null when
   * nothing changed after it.
   */
  get(name: string, since?: number): Promise<IDeployment | null>;
  create(body: ICreateBody): Promise<IDeployment>;
  setTraffic(name: string, body: ITrafficBody): Promise<IDeployment>;
  promote(name: string, revision: number): Promise<IDeployment>;
  rollback(name: string, revision: number): Promise<IDeployment>;
  /** Delete it: the answer is the deployment, stopping. */
  remove(name: string, revision: number): Promise<IDeployment>;
  revisions(name: string): Promise<IRevisionList>;
  logs(name: string, version: string, tail: number): Promise<ILogTail>;
  /** Call the deployment through the gateway as the person. */
  invoke(name: string, payload: unknown): Promise<IInvocation>;
  /** The signature and input example of a served version. */
  facts(modelName: string, version: string): Promise<IModelFacts>;
  /** The drift reports of the deployment's served versions, oldest first. */
  drift(name: string): Promise<IDriftReportList>;
  /** The versions of a model the person may serve (newest first). */
  versionsOf(modelName: string): Promise<string[]>;
  sizes(): Promise<ISizeList>;
}

/** The Admin tab's calls on sizes. */
export interface ISizesAPI {
  sizes(): Promise<ISizeList>;
  createSize(body: ISizeBody): Promise<ISize>;
  updateSize(name: string, body: ISizeBody, revision: number): Promise<ISize>;
  deleteSize(name: string, revision: number): Promise<void>;
}
