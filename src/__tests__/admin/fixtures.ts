import { PlatformRequestError } from '../../api/request';
import {
  IPodPreview,
  IPodSpecPreview,
  IProfile,
  IProfileList,
  IProfileRecord,
  IProfilesAPI,
  ProfileBody
} from '../../admin/types';
import { Answer } from '../shell/fixtures';

/* -------------------------------------------------------------- profiles */

export function profile(overrides: Partial<IProfile> = {}): IProfile {
  return {
    slug: 'cpu-large',
    display_name: 'Large CPU',
    description: 'For training classical models on bigger data.',
    default: false,
    image: 'quay.io/jupyter/scipy-notebook:2026-11-16',
    cpu_guarantee: '4',
    cpu_limit: '8',
    mem_guarantee: '16Gi',
    mem_limit: '32Gi',
    gpu: 0,
    gpu_resource: 'nvidia.com/gpu',
    node_selector: {},
    tolerations: [],
    environment: {},
    allowed_groups: [],
    quota: {
      servers_per_user: null,
      gpus_per_user: null,
      servers_per_group: null,
      gpus_per_group: null
    },
    order: 2,
    ...overrides
  };
}

export function profileRecord(
  overrides: Partial<IProfile> = {},
  record: Partial<Omit<IProfileRecord, 'profile'>> = {}
): IProfileRecord {
  return {
    profile: profile(overrides),
    revision: 3,
    updated_at: '2026-11-20T10:00:00+00:00',
    updated_by: 'system',
    ...record
  };
}

/** The seeded profiles of the embedded workbench, as an admin lists them. */
export function profileList(): IProfileList {
  return {
    profiles: [
      profileRecord(
        {
          slug: 'cpu-small',
          display_name: 'Small CPU',
          description: 'For notebooks.',
          default: true,
          cpu_guarantee: '0.5',
          cpu_limit: '2',
          mem_guarantee: '1Gi',
          mem_limit: '4Gi',
          order: 1
        },
        { revision: 1 }
      ),
      profileRecord(),
      profileRecord(
        {
          slug: 'gpu-1',
          display_name: 'One GPU',
          gpu: 1,
          node_selector: { 'mlplat/accelerator': 'nvidia' },
          tolerations: [
            {
              key: 'nvidia.com/gpu',
              operator: 'Exists',
              value: null,
              effect: 'NoSchedule'
            }
          ],
          allowed_groups: ['gpu-users'],
          order: 3
        },
        { revision: 1, updated_by: 'adam' }
      )
    ],
    known_groups: ['data-scientists', 'gpu-users', 'reviewers']
  };
}

export function podPreview(
  overrides: Partial<IPodSpecPreview> = {}
): IPodPreview {
  return {
    pod: {
      image: 'quay.io/jupyter/scipy-notebook:2026-11-16',
      resources: {
        requests: { cpu: '4', memory: '16Gi' },
        limits: { cpu: '8', memory: '32Gi' }
      },
      nodeSelector: {},
      tolerations: [],
      env: [],
      ...overrides
    }
  };
}

/** A 400 of the platform naming the wrong inputs. */
export function invalidProfile(fields: {
  [path: string]: string;
}): PlatformRequestError {
  const [first] = Object.keys(fields);
  return new PlatformRequestError({
    status: 400,
    url: 'http://localhost/jupyterlab-mlplat/profiles',
    serverMessage: `field ${first}: ${fields[first]}`,
    reason: 'invalid_input',
    fields
  });
}

export function conflict(
  message: string,
  reason = 'profile_changed'
): PlatformRequestError {
  return new PlatformRequestError({
    status: 409,
    url: 'http://localhost/jupyterlab-mlplat/profiles/cpu-large',
    serverMessage: message,
    reason
  });
}

/**
 * A profiles API whose answers the test scripts per method, recording every
 * call with its arguments; the last answer of a method repeats.
 */
export class ScriptedProfiles implements IProfilesAPI {
  lists: Answer<IProfileList>[] = [profileList()];
  created: Answer<IProfileRecord>[] = [];
  updated: Answer<IProfileRecord>[] = [];
  deleted: Answer<void>[] = [undefined];
  previews: Answer<IPodPreview>[] = [podPreview()];

  calls: { method: string; args: unknown[] }[] = [];

  callsOf(method: string): unknown[][] {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  profiles(): Promise<IProfileList> {
    return this._answer('profiles', [], this.lists);
  }

  createProfile(body: ProfileBody): Promise<IProfileRecord> {
    return this._answer('createProfile', [body], this.created);
  }

  updateProfile(
    slug: string,
    body: ProfileBody,
    revision: number
  ): Promise<IProfileRecord> {
    return this._answer('updateProfile', [slug, body, revision], this.updated);
  }

  deleteProfile(slug: string, revision: number): Promise<void> {
    return this._answer('deleteProfile', [slug, revision], this.deleted);
  }

  previewProfile(body: ProfileBody): Promise<IPodPreview> {
    return this._answer('previewProfile', [body], this.previews);
  }

  private _answer<T>(
    method: string,
    args: unknown[],
    answers: Answer<T>[]
  ): Promise<T> {
    this.calls.push({ method, args });
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer as T);
  }
}
