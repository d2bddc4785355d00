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
});
