import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

/**
 * Ask before overwriting the branch on GitLab: the commits the user never
 * pulled are lost for everybody. Cancel is the default button.
 */
export async function confirmForcePush(
  branch: string,
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Overwrite “%1” on GitLab?', branch),
    body: trans.__(
      'GitLab has commits on “%1” that your branch does not have. Pushing with force deletes them from GitLab, for everybody working on this branch. Pull instead, unless you are sure nobody needs them.',
      branch
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Overwrite GitLab’s commits') })
    ],
    defaultButton: 0
  });
  return result.button.accept;
}

/** Ask before forgetting the token: a new one has to be made in GitLab. */
export async function confirmDeleteToken(
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Delete your GitLab token?'),
    body: trans.__(
      'Pull, push, publishing and merge requests stop working until you save a token again. The token stays valid in GitLab: revoke it there if it may have leaked.'
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete token') })
    ]
  });
  return result.button.accept;
}
