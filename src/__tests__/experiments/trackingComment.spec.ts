import { CommandRegistry } from '@lumino/commands';
import { JupyterFrontEnd } from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { YNotebook } from '@jupyter/ydoc';
import { Signal } from '@lumino/signaling';

import { CommandIDs } from '../../experiments/commandIds';
import { addExperimentCommands } from '../../experiments/commands';
import { ExperimentsModel } from '../../experiments/model';
import { russianBundle } from '../shell/catalogue';
import { ScriptedMlflow } from './fixtures';

describe('the tracking cell in a Russian JupyterLab', () => {
  it('carries its comment in Russian, and is still recognised as ours', async () => {
    const shared = YNotebook.create();
    shared.insertCell(0, { cell_type: 'markdown', source: '# Отток' });
    const panel = {
      context: {
        ready: Promise.resolve(),
        path: 'churn/train.ipynb',
        localPath: 'churn/train.ipynb'
      },
      content: { model: { sharedModel: shared }, activeCellIndex: 0 }
    } as unknown as NotebookPanel;
    const commands = new CommandRegistry();
    const model = new ExperimentsModel({
      api: new ScriptedMlflow(),
      auto: false
    });
    const disposable = addExperimentCommands({
      commands,
      shell: {
        currentWidget: panel,
        add: () => undefined,
        activateById: () => undefined
      } as unknown as JupyterFrontEnd.IShell,
      model,
      tracker: {
        currentWidget: panel,
        currentChanged: new Signal<unknown, unknown>({})
      } as unknown as INotebookTracker,
      trans: russianBundle(),
      userName: async () => 'alice',
      askExperimentName: async name => name
    });

    await commands.execute(CommandIDs.trackNotebook);
    await commands.execute(CommandIDs.trackNotebook);

    const cells = shared.cells.map(cell => cell.getSource());
    expect(cells).toEqual([
      '# Отток',
      [
        'import mlflow',
        '',
        'mlflow.set_experiment("alice/churn")  ' +
          '# названо по папке этого блокнота; меняйте как угодно',
        'mlflow.autolog()'
      ].join('\n')
    ]);
    expect(cells.join('\n')).not.toContain('named after');
    disposable.dispose();
    model.dispose();
  });
});
