import { Signal } from '@lumino/signaling';

import {
  followDocument,
  IDocumentSession,
  sessionMove
} from '../../experiments/sessionPath';

/**
 * A session as the server answers for it: each request is answered in
 * turn, and the answer replaces the whole model, as JupyterLab's does.
 */
class ServerSession {
  constructor(
    public path: string,
    public name: string,
    private readonly failWith: Error | null = null
  ) {}
  isDisposed = false;
  readonly requests: Array<{ path?: string; name?: string }> = [];
  async setPath(path: string): Promise<void> {
    await this.answer({ path });
  }
  async setName(name: string): Promise<void> {
    await this.answer({ name });
  }
  private async answer(change: { path?: string; name?: string }) {
    this.requests.push(change);
    await Promise.resolve();
    if (this.failWith) {
      throw this.failWith;
    }
    Object.assign(this, change);
  }
}

class Document implements IDocumentSession {
  constructor(public localPath: string) {}
  session: ServerSession | null = null;
  readonly sessionChanged = new Signal<any, any>(this);
  readonly disposed = new Signal<any, void>(this);
  get sessionContext(): any {
    return { session: this.session, sessionChanged: this.sessionChanged };
  }
  start(session: ServerSession) {
    this.session = session;
    this.sessionChanged.emit({ name: 'session', newValue: session });
  }
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));

/** Renamed while its kernel starts: there is no session to tell yet. */
async function renamedWhileStarting(
  document: Document
): Promise<ServerSession> {
  document.localPath = 'churn-model.ipynb';
  const session = new ServerSession('Untitled.ipynb', 'Untitled.ipynb');
  document.start(session);
  await settle();
  return session;
}

const MOVED = [{ path: 'churn-model.ipynb' }, { name: 'churn-model.ipynb' }];

describe('sessionMove', () => {
  it('is nothing when the session names the document', () => {
    expect(
      sessionMove(
        { path: 'churn/model.ipynb', name: 'model.ipynb' },
        'churn/model.ipynb'
      )
    ).toBeNull();
  });

  it('moves path and name when the document was renamed', () => {
    expect(
      sessionMove(
        { path: 'Untitled.ipynb', name: 'Untitled.ipynb' },
        'churn/model.ipynb'
      )
    ).toEqual({ path: 'churn/model.ipynb', name: 'model.ipynb' });
  });

  it('moves only the name when only the name is behind', () => {
    expect(
      sessionMove({ path: 'a/b.ipynb', name: 'old.ipynb' }, 'a/b.ipynb')
    ).toEqual({ name: 'b.ipynb' });
  });
});

describe('followDocument', () => {
  it('moves a session started under the name the notebook had when opened', async () => {
    const document = new Document('Untitled.ipynb');
    followDocument(document, () => undefined);
    const session = await renamedWhileStarting(document);

    expect(session.requests).toEqual(MOVED);
    expect([session.path, session.name]).toEqual([
      'churn-model.ipynb',
      'churn-model.ipynb'
    ]);
  });

  it('sends nothing for a session already on the document', async () => {
    const document = new Document('churn/model.ipynb');
    followDocument(document, () => undefined);
    const session = new ServerSession('churn/model.ipynb', 'model.ipynb');
    document.start(session);
    await settle();

    expect(session.requests).toEqual([]);
  });

  it('says so when the server refuses, and leaves the session as it was', async () => {
    const document = new Document('churn-model.ipynb');
    const warnings: string[] = [];
    followDocument(document, message => warnings.push(message));
    const session = new ServerSession(
      'Untitled.ipynb',
      'Untitled.ipynb',
      new Error('503')
    );
    document.start(session);
    await settle();

    expect(warnings).toEqual([
      'The kernel session of churn-model.ipynb still names another path'
    ]);
    expect(session.path).toBe('Untitled.ipynb');
  });

  it('follows a document open in two views once', async () => {
    const document = new Document('Untitled.ipynb');
    const first = followDocument(document, () => undefined);
    expect(followDocument(document, () => undefined)).toBe(first);
    const session = await renamedWhileStarting(document);

    expect(session.requests).toEqual(MOVED);
  });

  it('lets go of a document once it is closed', async () => {
    const document = new Document('Untitled.ipynb');
    const following = followDocument(document, () => undefined);
    document.disposed.emit();
    expect(following.isDisposed).toBe(true);

    const session = await renamedWhileStarting(document);
    expect(session.requests).toEqual([]);
  });
});
