import { PlatformRequestError } from '../../api/request';
import {
  ICreateBody,
  IDeployment,
  IDeploymentList,
  IDeploymentsAPI,
  IDriftReportList,
  IInvocation,
  ILogTail,
  IModelFacts,
  IRevision,
  IRevisionList,
  ISize,
  ISizeList,
  ITrafficBody,
  ITrafficRange,
  ITrafficSeries
} from '../../deployments/types';

export function size(overrides: Partial<ISize> = {}): ISize {
  return {
    name: 'small',
    title: 'Small',
    resources: { cpu: '500m', memory: '512Mi', replicas: 1, max_replicas: 1 },
    revision: 1,
    ...overrides
  };
}

/** alice's staging deployment of churn-alice version 3, ready. */
export function deployment(overrides: Partial<IDeployment> = {}): IDeployment {
  return {
    name: 'churn-staging',
    owner: 'alice',
    stage: 'staging',
    model_name: 'churn-alice',
    revision: 1,
    spec: {
      model_name: 'churn-alice',
      versions: [{ version: '3', traffic: 'primary', percent: 100 }],
      size: 'small',
      resources: size().resources,
      sources: []
    },
    phase: 'ready',
    workloads: [
      {
        name: 'churn-staging-v3',
        phase: 'ready',
        replicas: 1,
        ready_replicas: 1,
        restarts: 0,
        last_error: '',
        observed_at: '2026-12-03T10:00:00Z'
      }
    ],
    route: [{ version: '3', traffic: 'primary', percent: 100 }],
    created_at: '2026-12-03T09:00:00Z',
    updated_at: '2026-12-03T09:00:00Z',
    updated_by: 'alice',
    last_change: 'create',
    deleted: false,
    sequence: 4,
    ...overrides
  };
}

/** The same deployment with 20 % to version 4 as a canary (revision 2). */
export function withCanary(percent = 20): IDeployment {
  const base = deployment();
  return deployment({
    revision: 2,
    last_change: 'traffic',
    spec: {
      ...base.spec,
      versions: [
        { version: '3', traffic: 'primary', percent: 100 - percent },
        { version: '4', traffic: 'canary', percent }
      ]
    }
  });
}

export function revision(
  number: number,
  overrides: Partial<IRevision> = {}
): IRevision {
  return {
    revision: number,
    change: number === 1 ? 'create' : 'traffic',
    actor: 'alice',
    at: '2026-12-03T09:00:00Z',
    spec: deployment().spec,
    restored: null,
    ...overrides
  };
}

/** The 409 of a stale page: bob changed the traffic meanwhile. */
export function changedMeanwhile(): PlatformRequestError {
  return new PlatformRequestError({
    status: 409,
    url: 'http://localhost/jupyterlab-mlplat/deployments/churn-staging/traffic',
    serverMessage:
      'bob changed it since your page read it (revision 3, yours 2)',
    reason: 'deployment_changed',
    params: { by: 'bob', change: 'traffic', revision: 3, yours: 2 }
  });
}

/** One scripted answer: a value, or an error to throw. */
type Answer<T> = T | Error;

function next<T>(answers: Answer<T>[]): Promise<T> {
  const answer = answers.length > 1 ? answers.shift()! : answers[0];
  return answer instanceof Error
    ? Promise.reject(answer)
    : Promise.resolve(answer);
}

/** The deployments API as a script: each call takes its next answer, the last repeats. */
export class ScriptedDeployments implements IDeploymentsAPI {
  lists: Answer<IDeploymentList>[] = [{ deployments: [deployment()] }];
  gets: Answer<IDeployment | null>[] = [deployment()];
  changes: Answer<IDeployment>[] = [withCanary()];
  creates: Answer<IDeployment>[] = [deployment()];
  removes: Answer<IDeployment>[] = [deployment({ deleted: true })];
  histories: Answer<IRevisionList>[] = [{ revisions: [revision(1)] }];
  logTails: Answer<ILogTail>[] = [
    { workload: 'churn-staging-v3', version: '3', text: 'ready on :41234\n' }
  ];
  invocations: Answer<IInvocation>[] = [
    { status: 200, body: { predictions: [1] }, latency_ms: 4.2 }
  ];
  modelFacts: Answer<IModelFacts>[] = [
    {
      signature: {
        inputs:
          '[{"type": "double", "name": "tenure", "required": true}, {"type": "string", "name": "plan", "required": true}]',
        outputs: '[{"type": "long"}]'
      },
      input_example: '{"columns": ["tenure", "plan"], "data": [[3.5, "basic"]]}'
    }
  ];
  sizeLists: Answer<ISizeList>[] = [
    {
      sizes: [
        size(),
        size({
          name: 'large',
          title: 'Large',
          resources: {
            cpu: '2',
            memory: '4Gi',
            replicas: 2,
            max_replicas: 4
          }
        })
      ]
    }
  ];
  versionLists: Answer<string[]>[] = [['4', '3', '2']];
  drifts: Answer<IDriftReportList>[] = [
    {
      deployment: 'churn-staging',
      model_name: 'churn-alice',
      thresholds: { share: 0.5, p_value: 0.05, min_rows: 50 },
      reports: []
    }
  ];

  traffics: Answer<ITrafficSeries>[] = [
    {
      deployment: 'churn-staging',
      since: '2026-12-03T11:00:00Z',
      until: '2026-12-03T12:00:00Z',
      step: '1m',
      step_seconds: 60,
      series: []
    }
  ];

  /** Every call that changes something, in order: [verb, name, body]. */
  sent: [string, string, unknown][] = [];
  /** Every `all` flag the list was read with. */
  listed: boolean[] = [];

  list(all: boolean): Promise<IDeploymentList> {
    this.listed.push(all);
    return next(this.lists);
  }

  /** Every `since` the deployment was read with. */
  asked: (number | undefined)[] = [];

  get(name: string, since?: number): Promise<IDeployment | null> {
    this.asked.push(since);
    return next(this.gets);
  }

  create(body: ICreateBody): Promise<IDeployment> {
    this.sent.push(['create', body.name, body]);
    return next(this.creates);
  }

  setTraffic(name: string, body: ITrafficBody): Promise<IDeployment> {
    this.sent.push(['traffic', name, body]);
    return next(this.changes);
  }

  promote(name: string, revision: number): Promise<IDeployment> {
    this.sent.push(['promote', name, { revision }]);
    return next(this.changes);
  }

  rollback(name: string, revision: number): Promise<IDeployment> {
    this.sent.push(['rollback', name, { revision }]);
    return next(this.changes);
  }

  resize(name: string, revision: number, size: string): Promise<IDeployment> {
    this.sent.push(['resize', name, { revision, size }]);
    return next(this.changes);
  }

  remove(name: string, revision: number): Promise<IDeployment> {
    this.sent.push(['delete', name, { revision }]);
    return next(this.removes);
  }

  revisions(): Promise<IRevisionList> {
    return next(this.histories);
  }

  logs(): Promise<ILogTail> {
    return next(this.logTails);
  }

  invoke(name: string, payload: unknown): Promise<IInvocation> {
    this.sent.push(['invoke', name, payload]);
    return next(this.invocations);
  }

  facts(): Promise<IModelFacts> {
    return next(this.modelFacts);
  }

  drift(): Promise<IDriftReportList> {
    return next(this.drifts);
  }

  /** Every range the traffic was read for. */
  trafficRanges: ITrafficRange[] = [];

  traffic(name: string, range: ITrafficRange): Promise<ITrafficSeries> {
    this.trafficRanges.push(range);
    return next(this.traffics);
  }

  versionsOf(): Promise<string[]> {
    return next(this.versionLists);
  }

  sizes(): Promise<ISizeList> {
    return next(this.sizeLists);
  }
}
