import { JupyterFrontEnd } from '@jupyterlab/application';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../../models/commandIds';
import { addModelCommands } from '../../models/commands';
import { ModelsModel } from '../../models/model';
import { english } from '../shell/fixtures';
import { labRendermime } from '../shell/rendermime';
import { ScriptedModels } from './fixtures';

describe('mlplat:open-model-version', () => {
  it('opens one page per version, reused, and hands it to the restorer', async () => {
    const commands = new CommandRegistry();
    const model = new ModelsModel({ api: new ScriptedModels() });
    const added: Widget[] = [];
    const activated: string[] = [];
    const tracked: { widget: unknown; args: unknown }[] = [];
    const disposable = addModelCommands({
      commands,
      shell: {
        add: (widget: Widget) => added.push(widget),
        activateById: (id: string) => activated.push(id)
      } as unknown as JupyterFrontEnd.IShell,
      model,
      rendermime: labRendermime(),
      trans: english,
      pages: { track: (widget, args) => tracked.push({ widget, args }) }
    });
    const first = await commands.execute(CommandIDs.openVersion, {
      name: 'alice.churn',
      version: '3'
    });
    const again = await commands.execute(CommandIDs.openVersion, {
      name: 'alice.churn',
      version: '3'
    });
    expect(again).toBe(first);
    expect(added).toEqual([first]);
    expect(activated).toEqual([(first as Widget).id, (first as Widget).id]);
    // a reload opens it again by the same command and arguments, once
    expect(tracked).toEqual([
      { widget: first, args: { name: 'alice.churn', version: '3' } }
    ]);
    disposable.dispose();
    (first as Widget).dispose();
    model.dispose();
  });
});
