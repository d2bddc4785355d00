import { MainAreaWidget } from '@jupyterlab/apputils';

import { CatalogModel } from '../../catalog/model';
import { followCatalogPage } from '../../catalog/pageWidget';
import { english, identity } from '../shell/fixtures';
import { ScriptedCatalog } from './fixtures';

/** The main area as the catalog sees it, recording what it adds and brings forward. */
function fakeShell() {
  const main: MainAreaWidget[] = [];
  const activated: string[] = [];
  return {
    main,
    activated,
    shell: {
      add: (widget: MainAreaWidget) => main.push(widget),
      activateById: (id: string) => activated.push(id)
    }
  };
}

describe('followCatalogPage', () => {
  it('shows an open model in the main area, and closing one closes the other', async () => {
    const model = new CatalogModel({
      api: new ScriptedCatalog(),
      searchDelay: 5
    });
    const { main, activated, shell } = fakeShell();
    followCatalogPage({
      model,
      whoAmI: async () => identity(),
      rendermime: null,
      insertCode: () => true,
      trans: english,
      shell
    });
    await model.openModel('churn');
    expect(main).toHaveLength(1);
    expect(activated).toEqual([main[0].id]);
    expect(main[0].title.label).toBe('Catalog: churn');
    // closing the page goes back to the search ...
    main[0].dispose();
    expect(model.state.view).toBe('search');
    // ... and going back to the search closes the page
    await model.openModel('churn');
    expect(main).toHaveLength(2);
    await model.backToSearch();
    expect(main[1].isDisposed).toBe(true);
    model.dispose();
  });

  it('hands the page to the restorer with the model it shows now', async () => {
    const model = new CatalogModel({
      api: new ScriptedCatalog(),
      searchDelay: 5
    });
    const { main, shell } = fakeShell();
    const tracked: { widget: unknown; args: unknown }[] = [];
    followCatalogPage({
      model,
      whoAmI: async () => identity(),
      rendermime: null,
      insertCode: () => true,
      trans: english,
      shell,
      pages: { track: (widget, args) => tracked.push({ widget, args }) }
    });
    await model.openModel('churn');
    await model.openModel('water-leaks');
    // one page, followed again when it comes to show another model
    expect(main).toHaveLength(1);
    expect(tracked).toEqual([
      { widget: main[0], args: { name: 'churn' } },
      { widget: main[0], args: { name: 'water-leaks' } }
    ]);
    model.dispose();
  });
});
