import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { PlatformRequestError } from '../../api/request';
import {
  createBody,
  deployVersion,
  IDeployForm,
  nameProblem,
  placeRefusal,
  suggestedName
} from '../../deployments/deployDialog';
import { reasonLabels } from '../../deployments/labels';
import { DeploymentsModel, rollbackTarget } from '../../deployments/model';
import {
  curlLine,
  exampleRow,
  invocationsUrl,
  ITryDraft,
  payloadOf,
  startingForm
} from '../../deployments/request';
import { driftSeries, reportText } from '../../deployments/charts';
import { DeploymentsTab } from '../../deployments/tab';
import { IDriftReport, IInvocation } from '../../deployments/types';
import { describeError, reasonLabels as registry } from '../../shell/errors';
import { russianBundle } from '../shell/catalogue';
import { english } from '../shell/fixtures';
import {
  changedMeanwhile,
  deployment,
  revision,
  ScriptedDeployments,
  withCanary
} from './fixtures';

// the labels the plugin adds to the sidebar's registry
beforeAll(() => registry.add(reasonLabels));

const models: DeploymentsModel[] = [];
afterEach(() => models.splice(0).forEach(model => model.dispose()));

function newModel(api = new ScriptedDeployments()): DeploymentsModel {
  const model = new DeploymentsModel({ api, me: 'alice' });
  models.push(model);
  return model;
}

function setup(
  api = new ScriptedDeployments(),
  trans: TranslationBundle = english,
  confirm: (title: string, body: string) => Promise<boolean> = async () => true
) {
  const model = newModel(api);
  // the sidebar says when its panel is shown; the tab says when it is selected
  model.panelVisible = true;
  const view = render(
    <DeploymentsTab
      model={model}
      trans={trans}
      gatewayBase="https://ml.example/services/deployments"
      versionsOf={() => api.versionsOf()}
      confirm={confirm}
    />
  );
  return { api, model, view };
}

describe('DeploymentsModel', () => {
  it('reads the list when the tab comes into view, and not before', async () => {
    const api = new ScriptedDeployments();
    const model = newModel(api);
    expect(api.listed).toEqual([]);

    model.panelVisible = true;
    model.tabVisible = true;
    await waitFor(() => expect(model.state.items).toHaveLength(1));
    expect(api.listed).toEqual([false]);
  });

  it('lets only an admin see everyone’s deployments', async () => {
    const api = new ScriptedDeployments();
    const model = newModel(api);
    model.setIdentity('alice', false);
    model.setShowAll(true);
    expect(model.state.showAll).toBe(false);

    model.setIdentity('root', true);
    model.setShowAll(true);
    await waitFor(() => expect(api.listed).toContain(true));
    expect(model.state.showAll).toBe(true);
  });

  it('sends the canary with the revision the page showed, keeping the shadow', async () => {
    const api = new ScriptedDeployments();
    const shadowed = deployment({
      spec: {
        ...deployment().spec,
        versions: [
          { version: '3', traffic: 'primary', percent: 100 },
          { version: '2', traffic: 'shadow', percent: 0 }
        ]
      }
    });
    api.gets = [shadowed];
    api.lists = [{ deployments: [shadowed] }];
    const model = newModel(api);
    await model.refresh();
    await model.open('churn-staging');

    expect(await model.setCanary('4', 20)).toBe(true);
    expect(api.sent).toEqual([
      [
        'traffic',
        'churn-staging',
        {
          revision: 1,
          canary: { version: '4', percent: 20 },
          shadow: { version: '2' }
        }
      ]
    ]);
    expect(model.state.open!.data!.revision).toBe(2);
    expect(model.state.open!.done).toBe('canary');
    // the list shows the change too
    expect(model.state.items![0].revision).toBe(2);
  });

  it('keeps a 409 on screen and reads the deployment as it is now', async () => {
    const api = new ScriptedDeployments();
    api.changes = [changedMeanwhile()];
    api.gets = [deployment(), withCanary(30)];
    const model = newModel(api);
    await model.open('churn-staging');

    expect(await model.setCanary('4', 20)).toBe(false);
    const open = model.state.open!;
    expect(open.failure!.status).toBe(409);
    expect(
      reasonLabels.deployment_changed(english, open.failure!.params!)
    ).toBe(
      'bob changed the traffic meanwhile (revision 3). Nothing of yours was applied: look at the deployment as it is now, then try again.'
    );
    expect(describeError(russianBundle(), open.failure)).toBe(
      'Тем временем bob изменил(а) трафик (ревизия 3). Ваши изменения не применены: посмотрите, каким развёртывание стало, и попробуйте снова.'
    );
    // what bob did is what the page shows now
    expect(open.data!.spec.versions[1]).toEqual({
      version: '4',
      traffic: 'canary',
      percent: 30
    });
  });

  it('polls the open deployment for changes after the sequence it shows', async () => {
    const api = new ScriptedDeployments();
    api.gets = [
      deployment(),
      null,
      deployment({ sequence: 9, phase: 'failed' })
    ];
    const model = newModel(api);
    await model.open('churn-staging');
    await model.refresh(); // nothing changed: 204
    expect(model.state.open!.data!.phase).toBe('ready');
    await model.refresh();
    expect(model.state.open!.data!.phase).toBe('failed');
    expect(api.asked).toEqual([undefined, 4, 4]);
  });

  it('names the revision a rollback returns to', () => {
    const current = withCanary();
    expect(rollbackTarget(current, null)).toBeNull();
    expect(rollbackTarget(current, [revision(2), revision(1)])?.revision).toBe(
      1
    );
    // rolling back a rollback steps further back, as the platform does
    const history = [
      revision(4, { change: 'rollback', restored: 2 }),
      revision(3),
      revision(2),
      revision(1)
    ];
    expect(rollbackTarget(deployment({ revision: 4 }), history)?.revision).toBe(
      1
    );
    expect(
      rollbackTarget(deployment({ revision: 1 }), [revision(1)])
    ).toBeNull();
  });

  it('closes a deleted deployment and reads the list again', async () => {
    const api = new ScriptedDeployments();
    const model = newModel(api);
    await model.open('churn-staging');
    api.lists = [{ deployments: [] }];

    expect(await model.remove()).toBe(true);
    expect(api.sent).toEqual([['delete', 'churn-staging', { revision: 1 }]]);
    expect(model.state.open).toBeNull();
    expect(model.state.items).toEqual([]);
  });

  it('forgets what was typed in a deleted deployment’s Try it, and only that', async () => {
    const api = new ScriptedDeployments();
    const model = newModel(api);
    const draft: ITryDraft = {
      form: { columns: [], row: {}, json: '{"inputs": [[1]]}' },
      asJson: true,
      answer: null
    };
    model.tryDrafts.set('churn-staging\n3', draft);
    model.tryDrafts.set('churn-staging-2\n3', draft);
    await model.open('churn-staging');
    api.lists = [{ deployments: [] }];

    expect(await model.remove()).toBe(true);
    expect(Array.from(model.tryDrafts.keys())).toEqual(['churn-staging-2\n3']);
  });

  it('reads a version’s log tail', async () => {
    const model = newModel();
    await model.open('churn-staging');
    await model.readLogs('3');
    expect(model.state.open!.logs).toEqual({
      version: '3',
      status: { kind: 'ready' },
      text: 'ready on :41234\n'
    });
  });
});

describe('Try it', () => {
  const facts = new ScriptedDeployments().modelFacts[0] as {
    signature: { [key: string]: string };
    input_example: string;
  };

  it('builds the form from the signature, filled in from the example', () => {
    const form = startingForm(facts);
    expect(form.columns).toEqual([
      { name: 'tenure', type: 'double' },
      { name: 'plan', type: 'string' }
    ]);
    expect(form.row).toEqual({ tenure: '3.5', plan: 'basic' });
    expect(payloadOf({ ...form, row: { tenure: '12', plan: 'pro' } })).toEqual({
      dataframe_split: { columns: ['tenure', 'plan'], data: [[12, 'pro']] }
    });
  });

  it('reads every shape MLflow saves an example in', () => {
    expect(exampleRow('{"a": [1, 2], "b": ["x", "y"]}')).toEqual({
      a: 1,
      b: 'x'
    });
    expect(exampleRow('[{"a": 1}]')).toEqual({ a: 1 });
    expect(
      exampleRow('{"dataframe_split": {"columns": ["a"], "data": [[7]]}}')
    ).toEqual({ a: 7 });
    expect(exampleRow('not json')).toEqual({});
  });

  it('falls back to JSON for a tensor model', () => {
    const form = startingForm({
      signature: {
        inputs:
          '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'
      },
      input_example: '[[5.1, 3.5, 1.4, 0.2]]'
    });
    expect(form.columns).toEqual([]);
    expect(JSON.parse(form.json)).toEqual({ inputs: [[5.1, 3.5, 1.4, 0.2]] });
  });

  it('writes a curl line with a placeholder key, quoted for a shell', () => {
    const url = invocationsUrl(
      'https://ml.example/services/deployments/',
      'churn'
    );
    expect(url).toBe(
      'https://ml.example/services/deployments/api/v1/deployments/churn/invocations'
    );
    const line = curlLine(url, { inputs: ["it's"] });
    expect(line).toContain('Authorization: Bearer mlp_…');
    expect(line).toContain("-d '{\"inputs\":[\"it'\\''s\"]}'");
  });

  it('names the size as the deploy dialog offered it', async () => {
    setup();
    fireEvent.click(await screen.findByText('churn-staging'));
    const page = await screen.findByRole('article', {
      name: 'Deployment churn-staging'
    });
    const size = within(page).getByText('Size', { selector: 'dt' });
    await waitFor(() =>
      expect(size.nextElementSibling?.textContent).toBe(
        'Small — 500m CPU, 512Mi memory, replicas: 1'
      )
    );
  });

  it('sends the row typed and shows the answer with its latency', async () => {
    const { api } = setup();
    fireEvent.click(await screen.findByText('churn-staging'));
    const tenure = await screen.findByLabelText('tenure');
    fireEvent.change(tenure, { target: { value: '24' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));

    expect(await screen.findByText('Answer in 4.2 ms (HTTP 200)')).toBeTruthy();
    expect(api.sent).toContainEqual([
      'invoke',
      'churn-staging',
      {
        dataframe_split: { columns: ['tenure', 'plan'], data: [[24, 'basic']] }
      }
    ]);
  });

  it('keeps what was typed and its answer when the view is made again', async () => {
    // the tab moved to the main area (or back) draws a new view on the same model
    const { api, model, view } = setup();
    fireEvent.click(await screen.findByText('churn-staging'));
    fireEvent.change(await screen.findByLabelText('tenure'), {
      target: { value: '24' }
    });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText('Answer in 4.2 ms (HTTP 200)');
    fireEvent.click(screen.getByRole('button', { name: 'Edit as JSON' }));
    fireEvent.change(screen.getByLabelText('Request body (JSON)'), {
      target: { value: '{"inputs": [[24' }
    });
    // no curl line for a body that is not JSON (it showed -d '{}')
    expect(
      screen.getByText('Once the request body is valid JSON, its call is here.')
    ).toBeTruthy();
    expect(document.querySelector('.jp-mlplat-try-curl code')).toBeNull();
    view.unmount();

    render(
      <DeploymentsTab
        model={model}
        trans={english}
        gatewayBase="https://ml.example/services/deployments"
        versionsOf={() => api.versionsOf()}
        confirm={async () => true}
      />
    );
    const body = (await screen.findByLabelText(
      'Request body (JSON)'
    )) as HTMLTextAreaElement;
    expect(body.value).toBe('{"inputs": [[24');
    expect(screen.getByText('Answer in 4.2 ms (HTTP 200)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Edit as a form' }));
    expect((screen.getByLabelText('tenure') as HTMLInputElement).value).toBe(
      '24'
    );
  });

  it('does not bring back a deleted deployment’s Try it when its answer comes after', async () => {
    // Send, then Delete while the model is still answering
    const api = new ScriptedDeployments();
    let answer: (got: IInvocation) => void = () => undefined;
    api.invoke = (name, payload) => {
      api.sent.push(['invoke', name, payload]);
      return new Promise(resolve => (answer = resolve));
    };
    const { model } = setup(api);
    fireEvent.click(await screen.findByText('churn-staging'));
    fireEvent.click(await screen.findByRole('button', { name: 'Send' }));
    await waitFor(() => expect(api.sent.map(s => s[0])).toContain('invoke'));
    api.lists = [{ deployments: [] }];
    expect(await act(() => model.remove())).toBe(true);

    await act(async () => answer(api.invocations[0] as IInvocation));
    expect(
      Array.from(model.tryDrafts.keys()).filter(k =>
        k.startsWith('churn-staging\n')
      )
    ).toEqual([]);
  });

  it('says the model server’s refusal in Russian from its values', async () => {
    const api = new ScriptedDeployments();
    api.invocations = [
      new PlatformRequestError({
        status: 400,
        url: 'x',
        serverMessage:
          'column \'sepal length (cm)\' takes double, row 0 has text "abc"',
        reason: 'wrong_type',
        params: {
          column: 'sepal length (cm)',
          type: 'double',
          row: 0,
          value: '"abc"'
        }
      })
    ];
    setup(api, russianBundle());
    fireEvent.click(await screen.findByText('churn-staging'));
    fireEvent.click(await screen.findByRole('button', { name: 'Отправить' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'Столбец «sepal length (cm)» принимает значения типа double; в строке 0 — "abc".'
    );
    expect(alert.textContent).not.toContain('takes double');
  });

  it('says a row of the wrong width in Russian from its values', async () => {
    const api = new ScriptedDeployments();
    api.invocations = [
      new PlatformRequestError({
        status: 400,
        url: 'x',
        serverMessage:
          'inputs row 0 has 3 values, the model takes 4 columns: a, b, c, d',
        reason: 'wrong_shape',
        params: { row: 0, values: 3, width: 4, columns: 'a, b, c, d' }
      })
    ];
    setup(api, russianBundle());
    fireEvent.click(await screen.findByText('churn-staging'));
    fireEvent.click(await screen.findByRole('button', { name: 'Отправить' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'В строке 0 значений: 3; модель принимает столбцов: 4 — a, b, c, d.'
    );
    expect(alert.textContent).not.toContain('the model takes');
  });

  it('shows the model server’s 400 in its words', async () => {
    const api = new ScriptedDeployments();
    api.invocations = [
      new PlatformRequestError({
        status: 400,
        url: 'x',
        serverMessage: 'column "tenure": could not convert "abc" to double',
        reason: 'bad_request'
      })
    ];
    setup(api);
    fireEvent.click(await screen.findByText('churn-staging'));
    fireEvent.click(await screen.findByRole('button', { name: 'Send' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'column "tenure": could not convert "abc" to double'
    );
    // it answered: it refused what was sent
    expect(alert.textContent).toContain('The request was refused');
    expect(alert.textContent).not.toContain('did not answer');
  });
});

describe('drift', () => {
  function report(
    id: number,
    version: string,
    share: number,
    status: IDriftReport['status'] = 'compared'
  ): IDriftReport {
    return {
      id,
      version,
      status,
      window_start: '2026-12-03T09:00:00Z',
      window_end: '2026-12-03T10:00:00Z',
      computed_at: '2026-12-03T10:00:00Z',
      rows: 120,
      reference: 'input_example',
      reference_rows: 5,
      drifted_share: share,
      drifted: share >= 0.5,
      features: []
    };
  }

  it('draws one line per version of the comparisons that compared', () => {
    const series = driftSeries(
      [
        report(1, '3', 0),
        report(2, '3', 0.5),
        report(3, '4', 0, 'no_rows'),
        report(4, '4', 0.25)
      ],
      english
    );
    expect(series).toEqual([
      {
        label: 'version 3',
        points: [
          { step: 1, value: 0 },
          { step: 2, value: 0.5 }
        ]
      },
      { label: 'version 4', points: [{ step: 3, value: 0.25 }] }
    ]);
  });

  it('says what the latest comparison found', async () => {
    const api = new ScriptedDeployments();
    api.drifts = [
      {
        deployment: 'churn-staging',
        model_name: 'churn-alice',
        thresholds: { share: 0.5, p_value: 0.05, min_rows: 50 },
        reports: [report(1, '3', 0.5)]
      }
    ];
    setup(api);
    fireEvent.click(await screen.findByText('churn-staging'));
    const said = await screen.findByText(
      /Version 3 drifted: 50 % of its features \(120 rows of requests against 5 reference rows\)/
    );
    // five rows of an input example are no ground for a verdict, and it says so
    expect(said.textContent).toContain(
      'Reference rows: 5, too few to judge by'
    );
  });

  it('gives the verdict alone over a reference large enough', () => {
    const large = { ...report(1, '3', 0.5), reference_rows: 400 };
    expect(reportText(large, english)).toBe(
      'Version 3 drifted: 50 % of its features (120 rows of requests against 400 reference rows).'
    );
  });
});

describe('DeploymentsTab', () => {
  it('lists deployments with their phase and traffic', async () => {
    setup();
    const list = await screen.findByRole('list', { name: 'Deployments' });
    const item = within(list).getByRole('listitem');
    expect(item.textContent).toContain('churn-staging');
    expect(item.textContent).toContain('version 3: 100 %');
    expect(item.querySelector('[data-phase="ready"]')?.textContent).toBe(
      'ready'
    );
  });

  it('asks before a rollback, naming the revision it returns to', async () => {
    const api = new ScriptedDeployments();
    api.gets = [withCanary()];
    api.lists = [{ deployments: [withCanary()] }];
    api.histories = [{ revisions: [revision(2), revision(1)] }];
    api.changes = [deployment({ revision: 3, last_change: 'rollback' })];
    const asked: string[] = [];
    setup(api, english, async (title: string) => {
      asked.push(title);
      return true;
    });
    fireEvent.click(await screen.findByText('churn-staging'));
    await screen.findByText('History');
    fireEvent.click(screen.getByRole('button', { name: 'Roll back' }));

    await waitFor(() =>
      expect(api.sent).toContainEqual([
        'rollback',
        'churn-staging',
        { revision: 2 }
      ])
    );
    expect(asked).toEqual(['Roll back “churn-staging” to revision 1?']);
    expect(await screen.findByText('Rolled back: revision 3.')).toBeTruthy();
  });

  it('asks before a promote, naming the versions', async () => {
    const api = new ScriptedDeployments();
    api.gets = [withCanary()];
    api.lists = [{ deployments: [withCanary()] }];
    const asked: string[] = [];
    let answer = false;
    setup(api, english, async (title: string, body: string) => {
      asked.push(`${title} ${body}`);
      return answer;
    });
    fireEvent.click(await screen.findByText('churn-staging'));
    const promote = await screen.findByRole('button', { name: 'Promote' });
    await act(async () => {
      fireEvent.click(promote);
    });
    expect(asked).toEqual([
      'Promote version 4 of “churn-staging”? Version 4 takes all the traffic as the primary; version 3 stops serving. The change is a new revision: a rollback returns to this one.'
    ]);
    expect(api.sent.filter(([what]) => what === 'promote')).toEqual([]);
    answer = true;
    await act(async () => {
      fireEvent.click(promote);
    });
    await waitFor(() =>
      expect(api.sent.map(([what]) => what)).toContain('promote')
    );
  });

  it('says there is nothing to send traffic to when the primary is the only version', async () => {
    const api = new ScriptedDeployments();
    api.versionLists = [['3']];
    setup(api);
    fireEvent.click(await screen.findByText('churn-staging'));
    const canary = await screen.findByRole('group', { name: 'Canary' });
    expect(
      await within(canary).findByText(
        'This model has no other version to send traffic to: register one first.'
      )
    ).toBeTruthy();
    expect(
      within(canary)
        .getByRole('button', { name: 'Apply canary' })
        .hasAttribute('disabled')
    ).toBe(true);
  });

  it('takes only a version number when the registry lists none', async () => {
    const api = new ScriptedDeployments();
    api.versionLists = [[]];
    setup(api);
    fireEvent.click(await screen.findByText('churn-staging'));
    const canary = await screen.findByRole('group', { name: 'Canary' });
    const typed = await within(canary).findByLabelText('Version');
    const apply = within(canary).getByRole('button', { name: 'Apply canary' });
    fireEvent.change(typed, { target: { value: 'abc' } });
    expect(within(canary).getByRole('alert').textContent).toBe(
      'Enter a version number, e.g. 3.'
    );
    expect(apply.hasAttribute('disabled')).toBe(true);
    fireEvent.change(typed, { target: { value: '4' } });
    expect(within(canary).queryByRole('alert')).toBeNull();
    expect(apply.hasAttribute('disabled')).toBe(false);
  });

  it('applies a canary from the slider', async () => {
    const { api } = setup();
    fireEvent.click(await screen.findByText('churn-staging'));
    const canary = await screen.findByRole('group', { name: 'Canary' });
    await waitFor(() =>
      expect(within(canary).getByLabelText('Version')).toBeTruthy()
    );
    fireEvent.change(within(canary).getByLabelText('Share of traffic'), {
      target: { value: '20' }
    });
    await act(async () => {
      fireEvent.click(
        within(canary).getByRole('button', { name: 'Apply canary' })
      );
    });
    expect(api.sent[0]).toEqual([
      'traffic',
      'churn-staging',
      { revision: 1, canary: { version: '4', percent: 20 }, shadow: null }
    ]);
  });

  it('gives the replicas another size, naming the revision shown', async () => {
    const { api } = setup();
    fireEvent.click(await screen.findByText('churn-staging'));
    const select = await screen.findByLabelText('Size');
    fireEvent.change(select, { target: { value: 'large' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Change size' }));
    });
    expect(api.sent).toContainEqual([
      'resize',
      'churn-staging',
      { revision: 1, size: 'large' }
    ]);
  });

  it('embeds the API keys panel, scoped to the person’s own deployments', async () => {
    const api = new ScriptedDeployments();
    api.lists = [
      {
        deployments: [deployment(), deployment({ name: 'bobs', owner: 'bob' })]
      }
    ];
    const model = newModel(api);
    model.panelVisible = true;
    const scoped: string[][] = [];
    render(
      <DeploymentsTab
        model={model}
        trans={english}
        gatewayBase=""
        versionsOf={async () => []}
        renderKeys={deployments => {
          scoped.push(deployments);
          return <p>the keys panel</p>;
        }}
      />
    );
    expect(await screen.findByText('the keys panel')).toBeTruthy();
    expect(scoped[scoped.length - 1]).toEqual(['churn-staging']);
  });

  it('speaks Russian', async () => {
    setup(new ScriptedDeployments(), russianBundle());
    expect(await screen.findByText('Мои развёртывания')).toBeTruthy();
    expect(await screen.findByText('готово')).toBeTruthy();
    expect(screen.getByText('версия 3: 100 %')).toBeTruthy();
  });
});

describe('the deploy dialog', () => {
  it('checks the name as it is typed', () => {
    expect(nameProblem('churn-v3', english)).toBeNull();
    expect(nameProblem('Churn', english)).toMatch(/lowercase/);
    expect(nameProblem('-churn', english)).toMatch(/lowercase/);
    expect(nameProblem('a'.repeat(41), english)).toBe('At most 40 characters.');
    expect(nameProblem('default', english)).toMatch(/reserved/);
    expect(suggestedName('catalog.Churn_Model', '12')).toBe('churn-model-v12');
    expect(nameProblem(suggestedName('x'.repeat(80), '1'), english)).toBeNull();
  });

  it('places a taken name beside the name, and deploys when it is changed', async () => {
    const api = new ScriptedDeployments();
    api.creates = [
      new PlatformRequestError({
        status: 409,
        url: 'x',
        serverMessage: 'taken',
        reason: 'deployment_name_taken',
        params: { name: 'churn-alice-v3', owner: 'bob' }
      }),
      deployment()
    ];
    const forms: IDeployForm[] = [];
    const created = await deployVersion({
      api,
      target: { modelName: 'churn-alice', version: '3', published: false },
      trans: english,
      ask: async body => {
        const form = body.getValue();
        forms.push(form);
        return forms.length === 1 ? form : { ...form, name: 'churn-mine' };
      }
    });
    expect(created?.name).toBe('churn-staging');
    expect(forms[0]).toMatchObject({
      name: 'churn-alice-v3',
      stage: 'staging',
      size: 'small'
    });
    expect(forms[1].nameError).toBe(
      'The name “churn-alice-v3” is taken: bob has a deployment of that name. Choose another.'
    );
    expect(api.sent.map(([, name]) => name)).toEqual([
      'churn-alice-v3',
      'churn-mine'
    ]);
  });

  it('sends production the catalog version of a published own version', () => {
    const form: IDeployForm = {
      name: 'churn',
      stage: 'production',
      size: 'large',
      nameError: null,
      sizeError: null,
      stageError: null,
      failure: null
    };
    const target = {
      modelName: 'churn-alice',
      version: '3',
      published: true,
      production: { modelName: 'catalog.churn', version: '2' }
    };
    expect(createBody(form, target)).toEqual({
      name: 'churn',
      stage: 'production',
      model_name: 'catalog.churn',
      version: '2',
      size: 'large'
    });
    expect(createBody({ ...form, stage: 'staging' }, target).model_name).toBe(
      'churn-alice'
    );
  });

  it('says an unpublished version cannot go to production, beside the stage', () => {
    const placed = placeRefusal(
      {
        name: 'x',
        stage: 'production',
        size: 'small',
        nameError: null,
        sizeError: null,
        stageError: null,
        failure: null
      },
      new PlatformRequestError({
        status: 409,
        url: 'x',
        reason: 'version_not_published',
        params: { model_name: 'churn', version: '5', state: 'missing' }
      }),
      english
    );
    expect(placed.stageError).toMatch(/not published in the catalog/);
  });
});
