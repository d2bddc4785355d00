import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

/**
 * Ask in JupyterLab's dialog before words not saved are dropped: "Keep
 * editing" (the default, Escape) or the dropping action, named by the
 * caller ("Discard", "Close and discard"). Every editor of the sidebar asks
 * the same way.
 */
export function confirmDiscardInDialog(
  trans: TranslationBundle,
  accept: string
): (title: string, body: string) => Promise<boolean> {
  return async (title, body) => {
    const answer = await showDialog({
      title,
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Keep editing') }),
        Dialog.warnButton({ label: accept })
      ]
    });
    return answer.button.accept;
  };
}
