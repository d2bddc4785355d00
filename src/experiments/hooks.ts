import { CommandRegistry } from '@lumino/commands';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { PlatformModel } from '../shell/model';
import { ExperimentsModel } from './model';

/** Follow the experiments model's state from React. */
export function useExperimentsState(
  model: ExperimentsModel
): ExperimentsModel.IState {
  return useModelState(model);
}

/**
 * A command's enabled state and caption, kept current: the buttons mirror
 * the commands, so the palette and the sidebar can never disagree.
 */
export function useCommand(
  commands: CommandRegistry,
  id: string,
  args?: ReadonlyPartialJSONObject
): { enabled: boolean; caption: string } {
  const read = () => ({
    enabled: commands.hasCommand(id) && commands.isEnabled(id, args),
    caption: commands.hasCommand(id) ? commands.caption(id, args) : ''
  });
  const [value, setValue] = React.useState(read);
  const key = JSON.stringify(args ?? null);
  React.useEffect(() => {
    const update = () => setValue(read());
    update();
    commands.commandChanged.connect(update);
    return () => {
      commands.commandChanged.disconnect(update);
    };
  }, [commands, id, key]);
  return value;
}

export type Loaded<T> =
  | { kind: 'loading' }
  | { kind: 'ready'; value: T }
  | PlatformModel.IUnavailable
  | PlatformModel.IError;

/**
 * Load something when a key changes; the answer of an old key is dropped.
 * `first`, when given, is the answer of the first load, already asked for
 * (a page that starts its requests before it is drawn); a reload asks anew.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: React.DependencyList,
  first?: Promise<T>
): [Loaded<T>, () => void] {
  const [state, setState] = React.useState<Loaded<T>>({ kind: 'loading' });
  const [generation, setGeneration] = React.useState(0);
  const firstUsed = React.useRef(false);
  React.useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    const reuse = first && !firstUsed.current;
    firstUsed.current = true;
    (reuse ? first : load()).then(
      value => current && setState({ kind: 'ready', value }),
      error => current && setState(PlatformModel.stateFromError(error))
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  return [state, () => setGeneration(generation + 1)];
}
