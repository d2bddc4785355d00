import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

/**
 * Ask in JupyterLab's dialog before something is dropped or undone: the
 * safe answer (`keep`, the default, Escape) or the action, named by the
 * caller. Every question of the sidebar is asked this one way.
 */
export function askInDialog(
  keep: string
): (title: string, body: string, accept: string) => Promise<boolean> {
  return async (title, body, accept) => {
    const answer = await showDialog({
      title,
      body,
      buttons: [
        Dialog.cancelButton({ label: keep }),
        Dialog.warnButton({ label: accept })
      ]
    });
    return answer.button.accept;
  };
}

/** Ask before words not saved are dropped: "Keep editing" or `accept`. */
export function confirmDiscardInDialog(
  trans: TranslationBundle,
  accept: string
): (title: string, body: string) => Promise<boolean> {
  const ask = askInDialog(trans.__('Keep editing'));
  return (title, body) => ask(title, body, accept);
}
