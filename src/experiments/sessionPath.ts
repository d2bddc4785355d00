import { PathExt } from '@jupyterlab/coreutils';
import { ISessionContext } from '@jupyterlab/apputils';
import { Session } from '@jupyterlab/services';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

/*
 * A run names its notebook by asking the Jupyter server which session its
 * kernel belongs to, so the server's session must carry the notebook's
 * current path. JupyterLab (4.6) leaves it behind when a notebook is renamed
 * while its kernel is still starting: the document tells the session of the
 * new path only if the session already exists, and the session, once
 * started, is moved to the path the notebook had when it was opened. A new
 * notebook named right away, or on a cluster whose kernels start slowly,
 * kept "Untitled.ipynb" on the server, and every run from it named a file
 * that no longer exists (jupyterlab/jupyterlab#8289 reported the same gap
 * for the name). Here a notebook's new session is moved to where
 * the document is now.
 */

/** What is needed of an open notebook: where it is, and its session. */
export interface IDocumentSession {
  /** The document's path on the server (no drive prefix). */
  readonly localPath: string;
  readonly sessionContext: Pick<ISessionContext, 'session' | 'sessionChanged'>;
  readonly disposed: ISignal<unknown, void>;
}

/** Where a session should be moved, or null when it already names the document. */
export function sessionMove(
  session: Pick<Session.ISessionConnection, 'path' | 'name'>,
  localPath: string
): { path?: string; name?: string } | null {
  const name = PathExt.basename(localPath);
  const move: { path?: string; name?: string } = {};
  if (session.path !== localPath) {
    move.path = localPath;
  }
  if (session.name !== name) {
    move.name = name;
  }
  return move.path === undefined && move.name === undefined ? null : move;
}

/** The documents followed, once each however many views they have. */
const following = new WeakMap<IDocumentSession, IDisposable>();

/**
 * Keep the sessions of this document on its path: each time it gets a new
 * session, a session left on an older path is moved. One request after the
 * other, as the session's own answers replace its whole model. A document
 * open in two views is followed once.
 */
export function followDocument(
  document: IDocumentSession,
  warn: (message: string, error: unknown) => void = console.warn
): IDisposable {
  const followed = following.get(document);
  if (followed && !followed.isDisposed) {
    return followed;
  }
  const align = async (): Promise<void> => {
    const session = document.sessionContext.session;
    if (!session || session.isDisposed) {
      return;
    }
    const move = sessionMove(session, document.localPath);
    try {
      if (move?.path !== undefined) {
        await session.setPath(move.path);
      }
      if (move?.name !== undefined && !session.isDisposed) {
        await session.setName(move.name);
      }
    } catch (error) {
      // The next rename or kernel start tries again; the runs started
      // meanwhile name the older path.
      warn(
        `The kernel session of ${document.localPath} still names another path`,
        error
      );
    }
  };
  const onSession = () => void align();
  document.sessionContext.sessionChanged.connect(onSession);
  const disposable = new DisposableDelegate(() =>
    document.sessionContext.sessionChanged.disconnect(onSession)
  );
  document.disposed.connect(() => disposable.dispose());
  following.set(document, disposable);
  return disposable;
}
