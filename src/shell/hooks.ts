import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** A model whose state React components follow. */
export interface IStateful<S> {
  readonly state: S;
  readonly stateChanged: ISignal<unknown, S>;
}

/** Follow a model's state from React, re-rendering on every change. */
export function useModelState<S>(model: IStateful<S>): S {
  const [state, setState] = React.useState(model.state);
  React.useEffect(() => {
    const onChange = (_: unknown, next: S) => setState(next);
    model.stateChanged.connect(onChange);
    // The state may have changed between render and subscription.
    setState(model.state);
    return () => {
      model.stateChanged.disconnect(onChange);
    };
  }, [model]);
  return state;
}
