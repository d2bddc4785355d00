import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';

import { CatalogModel } from '../../catalog/model';
import { CatalogPage } from '../../catalog/pageWidget';
import { CatalogTab } from '../../catalog/tab';
import { IIdentity } from '../../shell/types';
import { english, identity } from '../shell/fixtures';
import {
  catalogModel,
  hit,
  refused,
  ScriptedCatalog,
  searchPage
} from './fixtures';

const models: CatalogModel[] = [];
afterEach(() => models.splice(0).forEach(model => model.dispose()));

async function setup(
  options: {
    who?: IIdentity;
    insert?: (source: string) => boolean;
    openDeployment?: (name: string) => void;
    deploy?: (mlflowName: string, version: number) => Promise<boolean>;
  } = {}
) {
  const api = new ScriptedCatalog();
  const model = new CatalogModel({ api, searchDelay: 5 });
  models.push(model);
  model.panelVisible = true;
  const inserted: string[] = [];
  const insertCode =
    options.insert ??
    ((source: string) => {
      inserted.push(source);
      return true;
    });
  await act(async () => {
    // the search in the sidebar and the model's page in the main area, as the lab shows them
    const who = options.who ?? identity();
    render(
      <>
        <CatalogTab model={model} trans={english} />
        <CatalogPage
          model={model}
          whoAmI={async () => who}
          rendermime={null}
          insertCode={insertCode}
          openDeployment={options.openDeployment ?? null}
          canOpenDeployment={() => options.openDeployment !== undefined}
          deploy={options.deploy ?? null}
          canDeploy={() => options.deploy !== undefined}
          trans={english}
        />
      </>
    );
  });
  await act(() => model.refresh());
  return { api, model, inserted };
}

async function openChurn(model: CatalogModel) {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'churn' }));
  });
  await act(() => model.refresh());
}

describe('CatalogTab', () => {
  it('lists the hits with their facts and the facets with counts', async () => {
    await setup();
    const list = screen.getByRole('list', { name: 'Catalog models' });
    expect(within(list).getByText('churn')).toBeTruthy();
    expect(
      within(list).getByText('Classification · sklearn · data-scientists · MIT')
    ).toBeTruthy();
    expect(within(list).getByText('Champion: version 2')).toBeTruthy();
    const framework = screen.getByRole('group', { name: 'Framework' });
    expect(within(framework).getByLabelText(/sklearn/)).toBeTruthy();
    expect(within(framework).getByText('1')).toBeTruthy();
    expect(screen.getByText('Models found: 1')).toBeTruthy();
  });

  it('searches as one types and filters by a checked facet value', async () => {
    const { api } = await setup();
    // typing stops at the platform's limit, rather than a refusal naming "q"
    expect(
      (
        screen.getByLabelText('Search the catalog', {
          selector: 'input'
        }) as HTMLInputElement
      ).maxLength
    ).toBe(200);
    await act(async () => {
      fireEvent.change(
        screen.getByLabelText('Search the catalog', { selector: 'input' }),
        {
          target: { value: 'отток' }
        }
      );
      await new Promise(resolve => setTimeout(resolve, 30));
    });
    expect(api.queries[api.queries.length - 1].text).toBe('отток');
    await act(async () => {
      fireEvent.click(screen.getByLabelText(/sklearn/));
    });
    expect(api.queries[api.queries.length - 1].facets).toEqual({
      framework: ['sklearn']
    });
    expect(screen.getByRole('button', { name: 'Clear filters' })).toBeTruthy();
  });

  it('summarises a hit’s Markdown card as plain text, the searched words marked', async () => {
    const { api, model } = await setup();
    api.searches = [
      searchPage({
        hits: [
          hit({
            description:
              '## Intended use\n\nPredicts **churn** of [subscribers](https://example.org).\n\n' +
              "<script>window.pwned = 'script'</script>\n\n" +
              '- monthly\n- by district'
          })
        ]
      })
    ];
    await act(() => model.setText('subscriber'));
    await act(() => model.refresh());
    const summary = document.querySelector(
      '.jp-mlplat-catalog-hit .jp-mlplat-catalog-description'
    )!;
    expect(summary.textContent).toBe(
      'Intended use: Predicts churn of subscribers. monthly; by district'
    );
    // the words, never markup: no element but the marks of the searched word
    expect(
      Array.from(summary.querySelectorAll('*')).map(node => node.outerHTML)
    ).toEqual(['<mark>subscribers</mark>']);
  });

  it('names an empty license “No license” and filters by it', async () => {
    const { api, model } = await setup();
    api.searches = [
      searchPage({
        hits: [hit({ license: '' })],
        facets: {
          ...searchPage().facets,
          license: [
            { value: 'MIT', count: 3 },
            { value: '', count: 1 }
          ]
        }
      })
    ];
    await act(() => model.refresh());
    const license = screen.getByRole('group', { name: 'License' });
    await act(async () => {
      fireEvent.click(within(license).getByLabelText(/No license/));
    });
    expect(api.queries[api.queries.length - 1].facets).toEqual({
      license: ['']
    });
  });

  it('says when nothing matches, naming the text as text', async () => {
    const { api, model } = await setup();
    api.searches = [searchPage({ hits: [], total: 0 })];
    await act(() => model.setText('<b>x</b>'));
    expect(
      screen.getByText('No model in the catalog matches “<b>x</b>”.')
    ).toBeTruthy();
  });

  it('pages through many hits', async () => {
    const { api, model } = await setup();
    api.searches = [
      searchPage({
        total: 45,
        hits: [hit({ name: 'a' }), hit({ name: 'b' })]
      })
    ];
    await act(() => model.refresh());
    expect(screen.getByText('Page 1 of 3')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    });
    expect(screen.getByText('Page 2 of 3')).toBeTruthy();
    expect(api.queries[api.queries.length - 1].page).toBe(2);
  });

  it('shows a model page: card, versions, lineage, alias history, deployments', async () => {
    const { model } = await setup();
    await openChurn(model);
    const page = screen.getByRole('article', { name: 'Catalog model churn' });
    expect(within(page).getByText('MLflow model: catalog.churn')).toBeTruthy();
    // without JupyterLab's renderers the card's Markdown is shown as text
    expect(
      within(page).getByText('Predicts **churn** of customers.')
    ).toBeTruthy();
    expect(within(page).getByText('Version 2')).toBeTruthy();
    expect(
      page.querySelector(
        '.jp-mlplat-catalog-version .jp-mlplat-catalog-champion'
      )?.textContent
    ).toBe('Champion');
    expect(within(page).getAllByText('alice-churn, version 1')).toHaveLength(1);
    const history = within(page).getByRole('region', { name: 'Alias history' });
    expect(
      within(history).getByText('Champion: version 1 → version 2')
    ).toBeTruthy();
    expect(
      within(history).getByText(/^rita, .*, through publication 12$/)
    ).toBeTruthy();
    expect(within(history).getByText('better recall')).toBeTruthy();
    expect(
      within(page).getByText(
        'None of the deployments you can see serves this model.'
      )
    ).toBeTruthy();
    const commit = within(page).getAllByRole('link', {
      name: 'abcdef012345'
    })[0];
    expect(commit.getAttribute('href')).toBe(
      'https://gitlab.example.org/alice/churn'
    );
  });

  it('lists the deployments of the model the reader sees, each opening its page', async () => {
    const opened: string[] = [];
    const { api, model } = await setup({ openDeployment: n => opened.push(n) });
    api.models = [
      catalogModel({
        deployments: [
          {
            name: 'churn-prod',
            version: 2,
            stage: 'production',
            status: 'ready',
            traffic: 'primary'
          },
          {
            name: 'churn-prod',
            version: 3,
            stage: 'production',
            status: 'ready',
            traffic: 'canary'
          }
        ]
      })
    ];
    await openChurn(model);
    const page = screen.getByRole('article', { name: 'Catalog model churn' });
    const rows = Array.from(
      page.querySelectorAll('.jp-mlplat-catalog-deployments li')
    ).map(row => row.textContent);
    expect(rows).toEqual([
      'churn-prod serves version 2 (production, primary, ready)',
      'churn-prod serves version 3 (production, canary, ready)'
    ]);
    await act(async () => {
      fireEvent.click(
        within(page).getAllByRole('button', { name: 'churn-prod' })[1]
      );
    });
    expect(opened).toEqual(['churn-prod']);
  });

  it('lists a deployment made from the page at once, and reads nothing when none was made', async () => {
    const asked: [string, number][] = [];
    let made = false;
    const { api, model } = await setup({
      deploy: async (mlflowName, version) => {
        asked.push([mlflowName, version]);
        return made;
      }
    });
    const serving = {
      name: 'churn-prod',
      version: 2,
      stage: 'production',
      status: 'ready',
      traffic: 'primary'
    } as const;
    // read when opened and refreshed; once more only after a deployment was made
    api.models = [
      catalogModel(),
      catalogModel(),
      catalogModel({ deployments: [serving] })
    ];
    await openChurn(model);
    const page = screen.getByRole('article', { name: 'Catalog model churn' });
    const deploy = () =>
      act(async () => {
        fireEvent.click(
          within(page).getAllByRole('button', { name: 'Deploy…' })[0]
        );
      });

    await deploy(); // cancelled: the page stays as it was read
    expect(
      page.querySelectorAll('.jp-mlplat-catalog-deployments li')
    ).toHaveLength(0);
    made = true;
    await deploy();
    expect(asked[0][0]).toBe('catalog.churn');
    const rows = Array.from(
      page.querySelectorAll('.jp-mlplat-catalog-deployments li')
    ).map(row => row.textContent);
    expect(rows).toEqual([
      'churn-prod serves version 2 (production, primary, ready)'
    ]);
  });

  it('never links a repository that is not http(s)', async () => {
    const { api, model } = await setup();
    const bad = catalogModel();
    bad.versions[0].lineage.repository_url = 'javascript:alert(1)';
    bad.versions[1].lineage.repository_url = 'javascript:alert(1)';
    api.models = [bad];
    await openChurn(model);
    expect(screen.queryAllByRole('link')).toHaveLength(0);
  });

  it('inserts the catalog’s snippet that loads the champion into the notebook', async () => {
    const { model, inserted } = await setup();
    await openChurn(model);
    const code =
      'import mlflow\n\nmodel = mlflow.pyfunc.load_model("models:/catalog.churn@champion")';
    expect(
      screen.getByText(
        (_, node) => node?.tagName === 'CODE' && node.textContent === code
      )
    ).toBeTruthy();
    await act(async () => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Insert into the notebook' })
      );
    });
    expect(inserted).toEqual([code]);
    expect(screen.getByText('Inserted after the active cell.')).toBeTruthy();
  });

  it('asks for a notebook when none is open', async () => {
    const { model } = await setup({ insert: () => false });
    await openChurn(model);
    await act(async () => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Insert into the notebook' })
      );
    });
    expect(screen.getByText('Open a notebook first.')).toBeTruthy();
  });

  it('offers no action to a data scientist', async () => {
    const { model } = await setup();
    await openChurn(model);
    expect(screen.queryByRole('button', { name: 'Deprecate…' })).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Make champion again…' })
    ).toBeNull();
  });

  it('lets a reviewer move the champion back with a comment', async () => {
    const { api, model } = await setup({
      who: identity({ name: 'rita', roles: ['reviewer'] })
    });
    await openChurn(model);
    // only the earlier version may become the champion again
    expect(
      screen.getAllByRole('button', { name: 'Make champion again…' })
    ).toHaveLength(1);
    await act(async () => {
      fireEvent.click(
        screen.getByRole('button', { name: 'Make champion again…' })
      );
    });
    const form = screen.getByRole('form', {
      name: 'Make version 1 the champion again'
    });
    const confirm = within(form).getByRole('button', {
      name: 'Move the champion'
    });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    api.models = [
      catalogModel({ aliases: { champion: 1 }, champion_version: 1 })
    ];
    await act(async () => {
      fireEvent.change(within(form).getByRole('textbox'), {
        target: { value: 'v2 misbehaves' }
      });
    });
    await act(async () => {
      fireEvent.click(confirm);
    });
    expect(api.calls).toEqual([
      {
        kind: 'champion',
        action: { publicationId: 11, comment: 'v2 misbehaves' }
      }
    ]);
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('warns that a deprecated champion is still what @champion loads', async () => {
    const { model } = await setup({
      who: identity({ name: 'adam', roles: ['admin'] })
    });
    await openChurn(model);
    const [champion, earlier] = screen.getAllByRole('button', {
      name: 'Deprecate…'
    });
    await act(async () => {
      fireEvent.click(champion);
    });
    expect(
      screen.getByRole('form', { name: 'Deprecate version 2' }).textContent
    ).toContain('Version 2 is the champion: notebooks and systems that load');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await act(async () => {
      fireEvent.click(earlier);
    });
    const form = screen.getByRole('form', { name: 'Deprecate version 1' });
    expect(form.textContent).not.toContain('is the champion');
  });

  it('shows why an action was refused and keeps the form', async () => {
    const { api, model } = await setup({
      who: identity({ name: 'adam', roles: ['admin'] })
    });
    await openChurn(model);
    api.actions = [refused(404, 'catalog_version_not_found')];
    await act(async () => {
      fireEvent.click(screen.getAllByRole('button', { name: 'Deprecate…' })[0]);
    });
    const form = screen.getByRole('form', { name: 'Deprecate version 2' });
    await act(async () => {
      fireEvent.change(within(form).getByRole('textbox'), {
        target: { value: 'bias' }
      });
    });
    await act(async () => {
      fireEvent.click(within(form).getByRole('button', { name: 'Deprecate' }));
    });
    // in English the server's own sentence is shown (it is the more specific)
    expect(screen.getByRole('alert').textContent).toBe('refused');
    expect(screen.getByRole('form')).toBeTruthy();
  });
});
