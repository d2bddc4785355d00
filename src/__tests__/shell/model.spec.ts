import { PlatformModel } from '../../shell/model';
import { PlatformRequestError } from '../../api/request';
import { health, identity, ScriptedAPI, unavailable } from './fixtures';

/** Resolve when the model reaches a state of the given kind. */
function nextState<K extends PlatformModel.State['kind']>(
  model: PlatformModel,
  kind: K
): Promise<Extract<PlatformModel.State, { kind: K }>> {
  return new Promise(resolve => {
    const onChange = (_: PlatformModel, state: PlatformModel.State) => {
      if (state.kind === kind) {
        model.stateChanged.disconnect(onChange);
        resolve(state as Extract<PlatformModel.State, { kind: K }>);
      }
    };
    model.stateChanged.connect(onChange);
  });
}

describe('PlatformModel', () => {
  let model: PlatformModel;

  afterEach(() => {
    model.dispose();
  });

  it('starts loading and becomes ready with identity and health', async () => {
    // Given a platform that answers
    const api = new ScriptedAPI([identity({ roles: ['reviewer'] })]);
    model = new PlatformModel({ api, auto: false });
    expect(model.state.kind).toBe('loading');

    // When the model refreshes
    await model.refresh();

    // Then it holds both answers
    expect(model.state).toEqual({
      kind: 'ready',
      identity: identity({ roles: ['reviewer'] }),
      health: health()
    });
  });

  it('reports a 503 as unavailable with the server message', async () => {
    // Given a platform that is down
    const api = new ScriptedAPI([unavailable('database is restarting')]);
    model = new PlatformModel({ api, auto: false });

    // When the model refreshes
    await model.refresh();

    // Then the state says so, with the server's words
    expect(model.state).toEqual({
      kind: 'unavailable',
      message: 'database is restarting',
      reason: 'Service Unavailable',
      requestId: 'req-503'
    });
  });

  it('prefers the outage when one call is refused and the other is down', async () => {
    const forbidden = new PlatformRequestError({
      status: 403,
      url: 'x',
      serverMessage: 'no'
    });
    const api = new ScriptedAPI([forbidden], [unavailable('down')]);
    model = new PlatformModel({ api, auto: false });

    await model.refresh();

    expect(model.state.kind).toBe('unavailable');
  });

  it('treats no answer at all as unavailable', async () => {
    const api = new ScriptedAPI([
      new PlatformRequestError({ status: 0, url: 'x' })
    ]);
    model = new PlatformModel({ api, auto: false });

    await model.refresh();

    expect(model.state).toEqual({
      kind: 'unavailable',
      message: null,
      requestId: null
    });
  });

  it('reports other errors as an error state with status and message', async () => {
    // Given a server that refuses the user
    const api = new ScriptedAPI([
      new PlatformRequestError({
        status: 403,
        url: 'x',
        serverMessage: 'alice may not use the platform',
        requestId: 'req-403'
      })
    ]);
    model = new PlatformModel({ api, auto: false });

    await model.refresh();

    expect(model.state).toEqual({
      kind: 'error',
      status: 403,
      message: 'alice may not use the platform',
      requestId: 'req-403'
    });
  });

  it('keeps unexpected exceptions as an error without a status', async () => {
    const api = new ScriptedAPI([new TypeError('boom')]);
    model = new PlatformModel({ api, auto: false });

    await model.refresh();

    expect(model.state).toEqual({
      kind: 'error',
      status: -1,
      message: 'boom',
      requestId: null
    });
  });

  it('recovers by itself on a later poll when the platform is back', async () => {
    // Given a platform that is down twice, then up, and a fast poll
    const api = new ScriptedAPI([
      unavailable('down'),
      unavailable('still down'),
      identity()
    ]);
    model = new PlatformModel({
      api,
      frequency: { interval: 10, backoff: false, max: 50 }
    });

    // When nobody touches the model
    const down = await nextState(model, 'unavailable');
    const ready = await nextState(model, 'ready');

    // Then it went from unavailable back to ready through polling alone
    expect(down.message).toBe('down');
    expect(ready.identity.name).toBe('alice');
    expect(api.calls).toBeGreaterThanOrEqual(3);
  });

  it('backs off while the platform is down and speeds up once it is back', async () => {
    // Given a platform that is down, polled every second, with the poll's
    // random jitter pinned so the schedule is reproducible
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      const api = new ScriptedAPI([unavailable('down')]);
      model = new PlatformModel({
        api,
        frequency: { interval: 1000, backoff: true, max: 30 * 1000 }
      });

      // When a minute passes
      await jest.advanceTimersByTimeAsync(60 * 1000);

      // Then the waits grew: far fewer calls than one per second
      expect(model.state.kind).toBe('unavailable');
      const whileDown = api.calls;
      expect(whileDown).toBeGreaterThan(3);
      expect(whileDown).toBeLessThan(20);

      // When the platform is back, the next poll finds it and the poll
      // returns to its normal pace
      api.identities = [identity()];
      await jest.advanceTimersByTimeAsync(30 * 1000);
      expect(model.state.kind).toBe('ready');
      const recovered = api.calls;
      await jest.advanceTimersByTimeAsync(10 * 1000);
      expect(api.calls - recovered).toBeGreaterThanOrEqual(9);
    } finally {
      jest.restoreAllMocks();
      jest.useRealTimers();
    }
  });

  it('sees a platform that is back within half a minute however long it was down', async () => {
    // Given the default schedule, its waits as long as the jitter allows,
    // and a platform down for ten minutes
    jest.useFakeTimers();
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      const api = new ScriptedAPI([unavailable('down')]);
      model = new PlatformModel({ api });
      await jest.advanceTimersByTimeAsync(10 * 60 * 1000);
      expect(model.state.kind).toBe('unavailable');

      // When it is back, the panel says so within 30 s (the hub restarts a
      // dead platform within its own half-minute poll, so a longer wait
      // would be most of the outage a person sees)
      api.identities = [identity()];
      await jest.advanceTimersByTimeAsync(30 * 1000);
      expect(model.state.kind).toBe('ready');
    } finally {
      jest.restoreAllMocks();
      jest.useRealTimers();
    }
  });

  it('emits stateChanged only when the state changes', async () => {
    const api = new ScriptedAPI([identity()]);
    model = new PlatformModel({ api, auto: false });
    const seen: string[] = [];
    model.stateChanged.connect((_, state) => seen.push(state.kind));

    await model.refresh();
    await model.refresh();
    await model.refresh();

    expect(seen).toEqual(['ready']);
    expect(api.calls).toBe(3);
  });

  it('does not ask the platform while nobody can see it', async () => {
    // Given a hidden model with a fast poll
    const api = new ScriptedAPI([identity()]);
    model = new PlatformModel({
      api,
      frequency: { interval: 5, backoff: false, max: 50 }
    });
    model.visible = false;
    await new Promise(resolve => setTimeout(resolve, 60));
    const callsWhileHidden = api.calls;

    // Then no request reached the platform
    expect(callsWhileHidden).toBe(0);
    expect(model.state.kind).toBe('loading');

    // When it is shown again, it refreshes at once
    const ready = nextState(model, 'ready');
    model.visible = true;
    if (model.state.kind !== 'ready') {
      await ready;
    }
    expect(api.calls).toBeGreaterThan(callsWhileHidden);
  });
});
