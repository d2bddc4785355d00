import { searchQuery } from '../../catalog/api';
import { CatalogModel } from '../../catalog/model';
import { catalogModel, refused, ScriptedCatalog, searchPage } from './fixtures';

const models: CatalogModel[] = [];
afterEach(() => models.splice(0).forEach(model => model.dispose()));

function setup(searchDelay = 10) {
  const api = new ScriptedCatalog();
  const model = new CatalogModel({ api, searchDelay });
  models.push(model);
  return { api, model };
}

const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('CatalogModel', () => {
  it('reads the catalog when the tab comes into view, not before', async () => {
    const { api, model } = setup();
    expect(api.queries).toHaveLength(0);
    model.panelVisible = true;
    model.tabVisible = true;
    await pause(0);
    expect(api.queries).toHaveLength(1);
    expect(model.state.results?.hits[0].name).toBe('churn');
    expect(model.state.status.kind).toBe('ready');
  });

  it('searches once typing pauses, with the last text', async () => {
    const { api, model } = setup(30);
    void model.setText('о');
    void model.setText('от');
    const done = model.setText('отток');
    expect(model.state.query.text).toBe('отток');
    expect(api.queries).toHaveLength(0);
    await done;
    await pause(0);
    expect(api.queries.map(query => query.text)).toEqual(['отток']);
  });

  it('drops an answer that comes after a newer question', async () => {
    const { api, model } = setup();
    let release: (page: ReturnType<typeof searchPage>) => void = () => {};
    const slow = new Promise<ReturnType<typeof searchPage>>(resolve => {
      release = resolve;
    });
    const search = api.search.bind(api);
    let first = true;
    api.search = query => {
      if (first) {
        first = false;
        api.queries.push(query);
        return slow;
      }
      return search(query);
    };
    const older = model.refresh();
    await model.setSort('name');
    release(searchPage({ hits: [], total: 0 }));
    await older;
    expect(model.state.results?.hits).toHaveLength(1);
  });

  it('narrows by facet values and starts again at the first page', async () => {
    const { api, model } = setup();
    api.searches = [searchPage({ total: 45 })];
    await model.refresh();
    await model.setPage(3);
    expect(model.state.query.page).toBe(3);
    await model.toggleFacet('framework', 'sklearn');
    await model.toggleFacet('task', 'classification');
    expect(model.state.query.page).toBe(1);
    expect(model.state.query.facets).toEqual({
      framework: ['sklearn'],
      task: ['classification']
    });
    await model.toggleFacet('framework', 'sklearn');
    expect(model.state.query.facets.framework).toEqual([]);
    await model.clearFacets();
    expect(model.state.query.facets).toEqual({});
  });

  it('keeps the page within the pages there are', async () => {
    const { model } = setup();
    await model.refresh();
    await model.setPage(5);
    expect(model.state.query.page).toBe(1);
    expect(CatalogModel.pageCount(model.state)).toBe(1);
  });

  it('shows a failure with the server reason, and recovers', async () => {
    const { api, model } = setup();
    api.searches = [refused(400, 'catalog_query_invalid'), searchPage()];
    await model.refresh();
    expect(model.state.status).toMatchObject({
      kind: 'error',
      status: 400,
      reason: 'catalog_query_invalid'
    });
    await model.refresh();
    expect(model.state.status.kind).toBe('ready');
  });

  it('opens a model page and goes back to the same search', async () => {
    const { api, model } = setup();
    await model.setText('churn');
    await model.openModel('churn');
    expect(model.state.view).toBe('model');
    expect(model.state.page?.model?.mlflow_name).toBe('catalog.churn');
    await model.backToSearch();
    expect(model.state.view).toBe('search');
    expect(api.queries[api.queries.length - 1].text).toBe('churn');
  });

  it('reads the search when the tab is shown with a model page open (restored by a reload)', async () => {
    const { api, model } = setup();
    await model.openModel('churn');
    expect(api.queries).toHaveLength(0);
    model.panelVisible = true;
    model.tabVisible = true;
    await pause(0);
    expect(api.queries).toHaveLength(1);
    expect(model.state.results?.hits[0].name).toBe('churn');
    expect(model.state.page?.name).toBe('churn'); // the page stays open
  });

  it('searches, not reloads the page, when a facet is picked with a model page open', async () => {
    const { api, model } = setup();
    await model.openModel('churn');
    await model.toggleFacet('task', 'classification');
    expect(api.queries.map(q => q.facets)).toEqual([
      { task: ['classification'] }
    ]);
    expect(model.state.view).toBe('model');
  });

  it('deprecates and moves the champion with the comment, showing the new state', async () => {
    const { api, model } = setup();
    await model.openModel('churn');
    api.models = [
      catalogModel({ aliases: { champion: 1 }, champion_version: 1 })
    ];
    expect(await model.moveChampion(11, 'v2 misbehaves')).toBe(true);
    expect(model.state.page?.model?.aliases.champion).toBe(1);
    expect(await model.deprecate(12, 'bias found')).toBe(true);
    expect(api.calls).toEqual([
      {
        kind: 'champion',
        action: { publicationId: 11, comment: 'v2 misbehaves' }
      },
      {
        kind: 'deprecate',
        action: { publicationId: 12, comment: 'bias found' }
      }
    ]);
  });

  it('keeps a refused action on the page with its reason', async () => {
    const { api, model } = setup();
    await model.openModel('churn');
    api.actions = [refused(403, 'role_required')];
    expect(await model.deprecate(2, 'no')).toBe(false);
    expect(model.state.page?.acting).toBe(false);
    expect(model.state.page?.actionError).toMatchObject({
      status: 403,
      reason: 'role_required'
    });
    expect(model.state.page?.model?.name).toBe('churn');
  });
});

describe('searchQuery', () => {
  it('sends the text, each facet value, the sort and the page', () => {
    const params = searchQuery({
      text: '  отток клиентов ',
      facets: { task: ['classification'], team: ['a', 'b'] },
      sort: 'updated',
      page: 2,
      pageSize: 20
    });
    expect(params.get('q')).toBe('отток клиентов');
    expect(params.getAll('team')).toEqual(['a', 'b']);
    expect(params.getAll('task')).toEqual(['classification']);
    expect(params.get('sort')).toBe('updated');
    expect(params.get('page')).toBe('2');
    expect(params.get('page_size')).toBe('20');
  });

  it('sends no text when there is none', () => {
    const params = searchQuery({
      text: ' ',
      facets: {},
      sort: 'relevance',
      page: 1,
      pageSize: 20
    });
    expect(params.has('q')).toBe(false);
  });
});
