import { ServerConnection } from '@jupyterlab/services';

import { PlatformRequestError } from '../../api/request';
import { CatalogClient } from '../../catalog/api';
import { FakeServerExtension } from '../api/fakeServer';
import { catalogModel, searchPage } from './fixtures';

describe('CatalogClient', () => {
  const server = new FakeServerExtension();
  const base = '/user/alice/jupyterlab-mlplat';
  let client: CatalogClient;

  beforeAll(async () => {
    const baseUrl = await server.start();
    client = new CatalogClient(
      ServerConnection.makeSettings({ baseUrl, token: 'tok3n' })
    );
  });

  afterAll(() => server.stop());

  beforeEach(() => {
    server.requests = [];
    server.received = [];
    server.routes.clear();
  });

  it('searches with the text, facets, sort and page as query parameters', async () => {
    server.routes.set(`${base}/catalog/search`, {
      status: 200,
      body: JSON.stringify(searchPage())
    });
    const page = await client.search({
      text: 'отток',
      facets: { team: ['a&b'] },
      sort: 'name',
      page: 2,
      pageSize: 20
    });
    expect(page.hits[0].name).toBe('churn');
    const query = server.received[0].query;
    expect(query.get('q')).toBe('отток');
    expect(query.getAll('team')).toEqual(['a&b']);
    expect(query.get('page')).toBe('2');
  });

  it('reads a model by its name as one path segment', async () => {
    server.routes.set(`${base}/catalog/models/a%2Fb`, {
      status: 200,
      body: JSON.stringify(catalogModel())
    });
    await client.model('a/b');
    expect(server.requests[0].url).toBe(`${base}/catalog/models/a%2Fb`);
  });

  it('deprecates through the publication, with the revision it has now', async () => {
    server.routes.set(`${base}/publications/12`, {
      status: 200,
      body: JSON.stringify({ publication: { revision: 7 } })
    });
    server.routes.set(`${base}/publications/12/deprecate`, {
      status: 200,
      body: JSON.stringify({ id: 12 })
    });
    await client.deprecate({ publicationId: 12, comment: 'bias found' });
    expect(server.requests.map(r => `${r.method} ${r.url}`)).toEqual([
      `GET ${base}/publications/12`,
      `POST ${base}/publications/12/deprecate`
    ]);
    expect(JSON.parse(server.received[1].body)).toEqual({
      revision: 7,
      comment: 'bias found'
    });
  });

  it('moves the champion and passes a refusal on with its reason', async () => {
    server.routes.set(`${base}/publications/11`, {
      status: 200,
      body: JSON.stringify({ publication: { revision: 3 } })
    });
    server.routes.set(`${base}/publications/11/champion`, {
      status: 409,
      body: JSON.stringify({
        message: 'rita deprecated it meanwhile',
        reason: 'publication_changed'
      })
    });
    const refused = client.moveChampion({ publicationId: 11, comment: 'back' });
    await expect(refused).rejects.toBeInstanceOf(PlatformRequestError);
    await expect(refused).rejects.toMatchObject({
      status: 409,
      reason: 'publication_changed'
    });
    expect(JSON.parse(server.received[1].body)).toEqual({
      revision: 3,
      comment: 'back'
    });
  });
});
