import { ILabShell } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';

import { GitModel } from './model';

/**
 * The folder of the file a main-area widget shows, or null when it shows
 * none (the launcher, a run page). Documents are recognised by their
 * context's path rather than by class, so any document widget counts.
 */
export function folderOfWidget(widget: Widget | null): string | null {
  const context = (widget as { context?: { path?: unknown } } | null)?.context;
  const path = context?.path;
  if (typeof path !== 'string' || path === '') {
    return null;
  }
  // Drive prefixes ("RTC:") are not part of the folder on the server.
  const local = path.replace(/^[^/:]+:/, '');
  return GitModel.normalizeFolder(PathExt.dirname(local));
}

export interface IFollowOptions {
  model: GitModel;
  /** Null outside JupyterLab's own shell (then only typed folders work). */
  shell: ILabShell | null;
  /** The server's files; a change there may change the status. */
  contents: Contents.IManager | null;
}

/**
 * Keep the Git tab on the folder of the document the user works on, and
 * read its status again when files are saved, created, renamed or deleted.
 */
export function followCurrentFolder(options: IFollowOptions): IDisposable {
  const { model, shell, contents } = options;
  const onCurrent = () =>
    model.setDocumentFolder(folderOfWidget(shell?.currentWidget ?? null));
  const onFiles = () => model.filesChanged();
  shell?.currentChanged.connect(onCurrent);
  contents?.fileChanged.connect(onFiles);
  onCurrent();
  return new DisposableDelegate(() => {
    shell?.currentChanged.disconnect(onCurrent);
    contents?.fileChanged.disconnect(onFiles);
  });
}
