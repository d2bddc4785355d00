import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

/**
 * A React widget told whether it can be seen: shown and attached. The
 * sidebar and the tabs opened in the main area poll only for what someone
 * looks at, and both learn it from the same four Lumino messages.
 */
export abstract class SeenWidget extends ReactWidget {
  /** Whether someone can see the widget now. */
  protected abstract onSeen(seen: boolean): void;

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.onSeen(true);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.onSeen(this.isVisible);
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this.onSeen(false);
  }

  protected onBeforeDetach(msg: Message): void {
    this.onSeen(false);
    super.onBeforeDetach(msg);
  }
}
