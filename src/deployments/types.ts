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

type Schemas = components['schemas'];

/** `staging` takes any version the person owns; `production` published ones only. */
export type Stage = Schemas['Stage'];

/** What a served version does with the live traffic. */
export type Traffic = Schemas['Traffic'];

/** A workload's state as its backend reports it (and a deployment's, summed up). */
export type Phase = Schemas['Phase'];

/** What each replica is given (Kubernetes quantities). */
export type IResources = Schemas['ResourcesBody'];

/** A named choice of resources that admins manage. */
export type ISize = Schemas['SizeBody'];

/** `GET deployment-sizes` */
export type ISizeList = Schemas['SizeList'];

/** A served version and its share of the traffic (a shadow's is 0). */
export type IServedVersion = Schemas['ServedVersionBody'];

/** One served version as its backend runs it. */
export type IWorkloadStatus = Schemas['WorkloadBody'];

/** Where a served version's files are, resolved when it entered the spec. */
export type IModelSource = Schemas['ModelSourceBody'];

/** What a person asked to be served; every change makes a new revision. */
export type IDeploymentSpec = Schemas['SpecBody'];

/** Where requests go now: only ready workloads. */
export type IRouteShare = Schemas['RouteShare'];

/**
 * A deployment's page: spec, revision (sent back with a change), phase,
 * each workload's status, the route, and the `sequence` a poll sends as
 * `since`.
 */
export type IDeployment = Schemas['DeploymentBody'];

/** `GET deployments` (`?all=true` for an admin: everyone's). */
export type IDeploymentList = Schemas['DeploymentList'];

/** What made a revision. */
export type Change = Schemas['Change'];

/** One change of a deployment's spec: who, when, what (a rollback: which it restored). */
export type IRevision = Schemas['RevisionEntry'];

/** `GET deployments/{name}/revisions`, newest first. */
export type IRevisionList = Schemas['RevisionList'];

/** `GET deployments/{name}/logs?version=&tail=` */
export type ILogTail = Schemas['LogsBody'];

/** `POST deployments` */
export type ICreateBody = Schemas['DeploymentCreate'];

/**
 * `PUT deployments/{name}/traffic`: the canary and the shadow as they
 * should be after the change; a missing one is cleared.
 */
export type ITrafficBody = Schemas['TrafficUpdate'];

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

/** One comparison of a served version's requests with its reference. */
export type IDriftReport = Schemas['DriftReportBody'];

/** `GET deployments/{name}/drift`: the reports, oldest first, and the thresholds. */
export type IDriftReportList = Schemas['DriftReportList'];

/** One step of a served version's traffic: requests, errors, latency. */
export type ITrafficPoint = Schemas['TrafficPointBody'];

/** A served version's traffic, oldest first (`version` "": refused before one was chosen). */
export type IVersionTraffic = Schemas['VersionSeriesBody'];

/** `GET deployments/{name}/traffic/series?since=&step=`: a series per version. */
export type ITrafficSeries = Schemas['TrafficSeriesBody'];

/** How far back the traffic charts look, and in which steps. */
export interface ITrafficRange {
  /** ISO time of the range's start. */
  since: string;
  /** `1m`, `5m` or `1h`. */
  step: string;
}

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
  /** Give every replica another size: a new revision. */
  resize(name: string, revision: number, size: string): Promise<IDeployment>;
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
  /** Requests, errors and latency of the deployment's versions over a range. */
  traffic(name: string, range: ITrafficRange): Promise<ITrafficSeries>;
  /** The versions of a model the person may serve (newest first). */
  versionsOf(modelName: string): Promise<string[]>;
  sizes(): Promise<ISizeList>;
}
