import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { PlatformRequestError } from '../../api/request';
import { IHealth, IIdentity, IPlatformAPI } from '../../shell/types';

export const english: TranslationBundle =
  nullTranslator.load('jupyterlab_mlplat');

export function identity(overrides: Partial<IIdentity> = {}): IIdentity {
  return {
    name: 'alice',
    groups: ['data-scientists'],
    roles: ['data_scientist'],
    mode: 'hub',
    ...overrides
  };
}

export function health(overrides: Partial<IHealth> = {}): IHealth {
  return {
    status: 'ok',
    version: '0.1.0',
    mode: 'hub',
    checks: { database: { status: 'ok', message: null } },
    ...overrides
  };
}

/** One scripted answer: a value, or an error to throw. */
export type Answer<T> = T | PlatformRequestError | Error;

export function unavailable(message: string): PlatformRequestError {
  return new PlatformRequestError({
    status: 503,
    url: 'http://localhost/jupyterlab-mlplat/me',
    serverMessage: message,
    reason: 'Service Unavailable',
    requestId: 'req-503'
  });
}

/**
 * An API whose answers the test scripts call by call; the last answer
 * repeats, like a server that stays in the state it was left in.
 */
export class ScriptedAPI implements IPlatformAPI {
  constructor(
    public identities: Answer<IIdentity>[],
    public healths: Answer<IHealth>[] = [health()]
  ) {}

  calls = 0;

  identity(): Promise<IIdentity> {
    this.calls++;
    return ScriptedAPI.next(this.identities);
  }

  health(): Promise<IHealth> {
    return ScriptedAPI.next(this.healths);
  }

  private static next<T>(answers: Answer<T>[]): Promise<T> {
    const answer = answers.length > 1 ? answers.shift()! : answers[0];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer);
  }
}
