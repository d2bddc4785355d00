import { LayoutRestorer } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { StateDB } from '@jupyterlab/statedb';
import { CommandRegistry } from '@lumino/commands';
import { PromiseDelegate, ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

import { trackPages } from '../../shell/pages';

/** One lab's start: a restorer on the kept state, and what its command was asked. */
function start(state: StateDB) {
  const commands = new CommandRegistry();
  const first = new PromiseDelegate<void>();
  const restorer = new LayoutRestorer({
    connector: state,
    first: first.promise,
    registry: commands
  });
  const reopened: ReadonlyPartialJSONObject[] = [];
  const pages = trackPages(restorer, 'mlplat-test-pages', 'test:open');
  commands.addCommand('test:open', {
    execute: args => {
      reopened.push(args);
      const widget = new MainAreaWidget({ content: new Widget() });
      pages.track(widget, args);
      return widget;
    }
  });
  return { pages, reopened, restorer, first };
}

const page = () => new MainAreaWidget({ content: new Widget() });

describe('trackPages', () => {
  it('opens the pages that were open again after a reload, as last shown', async () => {
    const state = new StateDB();
    const before = start(state);
    before.first.resolve();
    await before.restorer.restored;
    const run = page();
    const catalog = page();
    const closed = page();
    before.pages.track(run, { runId: 'r1', name: 'baseline' });
    before.pages.track(catalog, { name: 'traffic' });
    before.pages.track(closed, { runId: 'r2', name: '' });
    // the one catalog page comes to show another model; a page is closed
    before.pages.track(catalog, { name: 'water' });
    closed.dispose();
    await new Promise(resolve => setTimeout(resolve, 0));

    const after = start(state);
    after.first.resolve();
    await after.restorer.restored;
    expect(after.reopened).toEqual(
      expect.arrayContaining([
        { runId: 'r1', name: 'baseline' },
        { name: 'water' }
      ])
    );
    expect(after.reopened).toHaveLength(2);
  });

  it('only follows pages when the lab has no restorer', () => {
    const pages = trackPages(null, 'mlplat-test-alone', 'test:open');
    const widget = page();
    expect(() => pages.track(widget, { runId: 'r1' })).not.toThrow();
    widget.dispose();
  });
});
