import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { RunPage, RunView } from '../../experiments/runPage';
import { PlatformRequestError } from '../../api/request';
import { english } from '../shell/fixtures';
import { runDetail, ScriptedMlflow } from './fixtures';

const flush = () => act(() => new Promise(resolve => setTimeout(resolve, 0)));

beforeAll(() => {
  // jsdom has neither a canvas nor object URLs
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockImplementation(() => null);
  URL.createObjectURL = jest.fn(() => 'blob:preview-1');
  URL.revokeObjectURL = jest.fn();
});
afterAll(() => jest.restoreAllMocks());

async function renderRun(
  api: ScriptedMlflow,
  commands = new CommandRegistry()
) {
  const loaded: string[] = [];
  render(
    <RunView
      api={api}
      runId="r1"
      commands={commands}
      trans={english}
      onLoaded={run => loaded.push(run.name)}
    />
  );
  await flush();
  await flush();
  return loaded;
}

describe('RunPage', () => {
  it('asks for the run and its histories as soon as it is made, before it is drawn', () => {
    const api = new ScriptedMlflow();
    const page = new RunPage({
      api,
      runId: 'r1',
      commands: new CommandRegistry(),
      trans: english
    });
    // Not attached, not rendered: the requests are already out
    expect(page.isAttached).toBe(false);
    expect(api.calls.map(c => c.method)).toEqual(['run', 'metricHistories']);
    page.dispose();
  });
});

describe('RunView', () => {
  it('shows params, metrics, tags and where the run came from', async () => {
    const api = new ScriptedMlflow();
    api.runs_ = [
      runDetail({
        params: { lr: '0.1', '<odd key>': '"quoted" & <b>' },
        metrics: { auc: 0.9 },
        tags: { 'mlflow.source.name': 'train.ipynb' }
      })
    ];
    const loaded = await renderRun(api);

    expect(loaded).toEqual(['brave-owl-1']);
    expect(screen.getByRole('heading', { name: 'brave-owl-1' })).toBeTruthy();
    const params = screen.getByRole('table', { name: 'Parameters' });
    expect(
      within(params)
        .getAllByRole('row')
        .slice(1)
        .map(row => row.textContent)
    ).toEqual(['<odd key>"quoted" & <b>', 'lr0.1']);
    expect(document.querySelector('b')).toBeNull();
    expect(
      within(screen.getByRole('table', { name: 'Metrics' })).getByRole('cell', {
        name: '0.9'
      })
    ).toBeTruthy();
    expect(
      within(screen.getByRole('table', { name: 'Tags' })).getByRole('cell', {
        name: 'train.ipynb'
      })
    ).toBeTruthy();
    const overview = screen.getByRole('region', { name: 'Overview' });
    expect(overview.textContent).toContain('projects/churn/train.ipynb');
    expect(overview.textContent).toContain('0123456789ab');

    const link = screen.getByRole('link', { name: 'Open in MLflow' });
    expect(link.getAttribute('href')).toBe(
      'http://mlflow.example/#/experiments/1/runs/r1'
    );
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('asks for every history at once, with the run, and charts each metric', async () => {
    const api = new ScriptedMlflow();
    api.runs_ = [runDetail({ metrics: { auc: 0.9, loss: 0.2 } })];
    api.histories = {
      auc: [{ step: 0, value: 0.9, timestamp: 1 }],
      loss: [
        { step: 0, value: 0.5, timestamp: 1 },
        { step: 1, value: 0.2, timestamp: 2 }
      ]
    };
    await renderRun(api);

    // One request for all histories, sent before the run's answer was in
    expect(api.callsOf('metricHistories')).toEqual([['r1']]);
    expect(api.callsOf('metricHistory')).toEqual([]);
    expect(api.calls.map(c => c.method).slice(0, 2)).toEqual([
      'run',
      'metricHistories'
    ]);
    // A value logged once is a bar, a history a line
    expect(
      screen.getAllByRole('img').map(c => c.getAttribute('aria-label'))
    ).toEqual([
      'Bar chart of auc, one bar for each run',
      'Line chart of loss: 1 lines, 2 points'
    ]);
  });

  it('never links to a non-http MLflow URL', async () => {
    const api = new ScriptedMlflow();
    api.runs_ = [runDetail({ ui_url: 'javascript:alert(1)' })];
    await renderRun(api);

    expect(screen.queryByRole('link', { name: 'Open in MLflow' })).toBeNull();
  });

  it('browses artifact folders and previews text and images', async () => {
    const api = new ScriptedMlflow();
    api.listings = {
      '': {
        path: '',
        files: [
          { path: 'model.png', is_dir: false, file_size: 2048 },
          { path: 'notes', is_dir: true, file_size: null }
        ]
      },
      notes: {
        path: 'notes',
        files: [{ path: 'notes/a.txt', is_dir: false, file_size: 12 }]
      }
    };
    api.contents = {
      'notes/a.txt': {
        contentType: 'text/plain',
        text: '<script>hi</script>',
        blob: null
      },
      'model.png': {
        contentType: 'image/png',
        text: null,
        blob: new Blob(['png'], { type: 'image/png' })
      }
    };
    await renderRun(api);

    const tree = screen.getByRole('list', { name: 'Artifact files' });
    // Folders first
    expect(
      within(tree)
        .getAllByRole('listitem')
        .map(li => li.textContent)
    ).toEqual(['notes', 'model.png2.0 KB']);
    expect(
      screen
        .getByRole('link', { name: 'Download model.png' })
        .getAttribute('href')
    ).toBe('http://localhost/download/r1?path=model.png');

    // Open the folder: its files load
    const folder = screen.getByRole('button', { name: 'notes' });
    expect(folder.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(folder);
    await flush();
    expect(folder.getAttribute('aria-expanded')).toBe('true');
    expect(api.callsOf('artifacts')).toContainEqual(['r1', 'notes']);

    // Text is shown as text
    fireEvent.click(screen.getByRole('button', { name: 'a.txt' }));
    await flush();
    const preview = screen.getByRole('region', {
      name: 'Preview of notes/a.txt'
    });
    expect(preview.querySelector('pre')?.textContent).toBe(
      '<script>hi</script>'
    );
    expect(document.querySelector('script')).toBeNull();

    // Images come from an object URL of the fetched bytes
    fireEvent.click(screen.getByRole('button', { name: 'model.png' }));
    await flush();
    await flush();
    const image = screen.getByRole('img', { name: 'Image artifact model.png' });
    expect(image.getAttribute('src')).toBe('blob:preview-1');
  });

  it('says where a run without files keeps its models', async () => {
    const api = new ScriptedMlflow();
    await renderRun(api);
    // MLflow 3 logs a model apart from the run's files: none is no sign of no model
    expect(
      screen.getByText(/^No files logged to the run itself\. Models logged/)
    ).toBeTruthy();
  });

  it('does not fetch artifacts too large to preview', async () => {
    const api = new ScriptedMlflow();
    api.listings = {
      '': {
        path: '',
        files: [{ path: 'big.bin', is_dir: false, file_size: 50 * 1024 * 1024 }]
      }
    };
    await renderRun(api);
    fireEvent.click(screen.getByRole('button', { name: 'big.bin' }));
    await flush();

    expect(api.callsOf('artifact')).toEqual([]);
    expect(screen.getByText(/Too large to preview \(50\.0 MB\)/)).toBeTruthy();
  });

  it('shows a missing run with the server message', async () => {
    const api = new ScriptedMlflow();
    api.runs_ = [
      new PlatformRequestError({
        status: 404,
        url: 'x',
        serverMessage: "Run 'r1' not found"
      })
    ];
    await renderRun(api);

    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Not found in MLflow (HTTP 404)');
    expect(alert.textContent).toContain("Run 'r1' not found");
  });
});

describe('Register model on the run page', () => {
  it('is not offered without the Models tab', async () => {
    await renderRun(new ScriptedMlflow());
    expect(screen.queryByRole('button', { name: 'Register model' })).toBeNull();
  });

  it('runs the Models tab’s command with the run', async () => {
    const commands = new CommandRegistry();
    const ran: unknown[] = [];
    commands.addCommand('mlplat:register-model', {
      execute: args => void ran.push(args)
    });
    const api = new ScriptedMlflow();
    await renderRun(api, commands);
    fireEvent.click(screen.getByRole('button', { name: 'Register model' }));
    expect(ran).toEqual([{ runId: 'r1', runName: runDetail().name }]);
  });
});
