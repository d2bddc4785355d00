import { ServerConnection } from '@jupyterlab/services';

import { GitClient } from '../../git/api';
import { GitModel } from '../../git/model';
import { FakeServerExtension } from '../api/fakeServer';
import {
  commitResult,
  gitBranches,
  gitlabAccount,
  gitStatus,
  gitFile
} from './fixtures';

/*
 * What an action of the Git tab costs the browser, counted at the server:
 * the model over the real client over HTTP. Every git action answers with
 * the repository's new status, so the tab asks for nothing after it.
 */
describe('Git tab requests', () => {
  const server = new FakeServerExtension();
  const base = '/user/alice/jupyterlab-mlplat/git';
  let model: GitModel;

  const answer = (route: string, status: number, body: unknown) =>
    server.routes.set(`${base}/${route}`, {
      status,
      body: JSON.stringify(body)
    });

  beforeAll(async () => {
    const baseUrl = await server.start();
    const api = new GitClient(
      ServerConnection.makeSettings({ baseUrl, token: 'tok3n' })
    );
    answer('status', 200, gitStatus({ ahead: 1 }));
    answer('branches', 200, gitBranches());
    answer('account', 200, gitlabAccount());
    answer('merge-requests', 200, { merge_requests: [] });
    answer('pipeline', 200, { pipeline: null });
    answer(
      'commit',
      201,
      commitResult({
        status: gitStatus({
          ahead: 2,
          files: [gitFile({ path: 'notes.txt', notebook: null })]
        })
      })
    );
    answer('push', 200, gitStatus({ ahead: 0, files: [] }));

    model = new GitModel({ api, auto: false });
    model.setDocumentFolder('churn');
    model.panelVisible = true;
    model.tabVisible = true;
    await model.refresh();
  });

  afterAll(async () => {
    model.dispose();
    await server.stop();
  });

  beforeEach(() => {
    server.requests = [];
  });

  const sent = () => server.requests.map(r => `${r.method} ${r.url}`);

  it('commits in one request', async () => {
    model.toggleFile('train.ipynb');
    model.setMessage('Deeper trees');

    await expect(model.commit()).resolves.toBe(true);

    expect(sent()).toEqual([`POST ${base}/commit`]);
    expect(model.state.repo?.ahead).toBe(2);
    expect(model.state.repo?.files.map(f => f.path)).toEqual(['notes.txt']);
  });

  it('pushes in one request', async () => {
    await expect(model.push()).resolves.toBe(true);

    expect(sent()).toEqual([`POST ${base}/push`]);
    expect(model.state.repo?.ahead).toBe(0);
    expect(model.state.repo?.files).toEqual([]);
  });
});
