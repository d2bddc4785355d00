import { act, fireEvent, render, screen } from '@testing-library/react';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { RunView } from '../../experiments/runPage';
import { english } from '../shell/fixtures';
import { runDetail, ScriptedMlflow } from './fixtures';

const flush = () => act(() => new Promise(resolve => setTimeout(resolve, 0)));
const GONE =
  'This notebook is no longer there: it was renamed, moved or deleted since the run.';

beforeAll(() => {
  jest
    .spyOn(HTMLCanvasElement.prototype, 'getContext')
    .mockImplementation(() => null);
});
afterAll(() => jest.restoreAllMocks());

/** A command registry with JupyterLab's "open a file" command, recording what it opened. */
function registry(): { commands: CommandRegistry; opened: string[] } {
  const commands = new CommandRegistry();
  const opened: string[] = [];
  commands.addCommand('docmanager:open', {
    execute: args => {
      opened.push(String(args.path));
    }
  });
  return { commands, opened };
}

async function renderRun(api: ScriptedMlflow, commands: CommandRegistry) {
  render(<RunView api={api} runId="r1" commands={commands} trans={english} />);
  await flush();
  await flush();
}

describe("a run's notebook", () => {
  it('opens when the file is where the run recorded it', async () => {
    const api = new ScriptedMlflow();
    api.runs_ = [runDetail({ source_notebook: 'churn/model.ipynb' })];
    const { commands, opened } = registry();
    await renderRun(api, commands);

    expect(screen.queryByText(GONE)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Open notebook' }));
    await flush();
    expect(opened).toEqual(['churn/model.ipynb']);
  });

  it('is said to be gone, not opened, when the file is no longer there', async () => {
    const api = new ScriptedMlflow();
    api.runs_ = [runDetail({ source_notebook: 'Untitled.ipynb' })];
    api.goneFiles.add('Untitled.ipynb');
    const { commands, opened } = registry();
    await renderRun(api, commands);

    expect(screen.getByRole('status').textContent).toBe(GONE);
    expect(screen.queryByRole('button', { name: 'Open notebook' })).toBeNull();
    expect(opened).toEqual([]);
  });

  it('is said to be gone when it went after the page was drawn', async () => {
    const api = new ScriptedMlflow();
    api.runs_ = [runDetail({ source_notebook: 'churn/model.ipynb' })];
    const { commands, opened } = registry();
    await renderRun(api, commands);

    api.goneFiles.add('churn/model.ipynb');
    fireEvent.click(screen.getByRole('button', { name: 'Open notebook' }));
    await flush();
    await flush();
    expect(opened).toEqual([]);
    expect(screen.getByText(GONE)).toBeTruthy();
  });
});
