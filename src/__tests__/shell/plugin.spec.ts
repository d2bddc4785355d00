import { JupyterFrontEnd } from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import plugins, { CommandIDs } from '../../index';
import { experimentsPlugin } from '../../experiments/plugin';
import { shellPlugin as plugin } from '../../shell/plugin';
import { IMLPlatformSidebar } from '../../tokens';
import { PlatformPanel } from '../../shell/panel';

/** The slice of JupyterFrontEnd the plugin touches, recording what it does. */
function fakeApp() {
  const added: { widget: Widget; area?: string; options?: any }[] = [];
  const activated: string[] = [];
  const app = {
    commands: new CommandRegistry(),
    serviceManager: {
      serverSettings: ServerConnection.makeSettings({
        baseUrl: 'http://127.0.0.1:9/'
      }),
      contents: { fileChanged: new Signal({}) }
    },
    shell: {
      add: (widget: Widget, area?: string, options?: any) =>
        added.push({ widget, area, options }),
      activateById: (id: string) => activated.push(id)
    }
  };
  return { app: app as unknown as JupyterFrontEnd, added, activated };
}

describe('jupyterlab-mlplat:plugin', () => {
  it('declares itself the way JupyterLab lists it', () => {
    expect(plugin.id).toBe('jupyterlab-mlplat:plugin');
    expect(plugin.description).toBeTruthy();
    expect(plugin.autoStart).toBe(true);
  });

  it('exports the shell, then one plugin per tab, each needing the sidebar', () => {
    expect(plugins.map(p => p.id)).toEqual([
      'jupyterlab-mlplat:plugin',
      'jupyterlab-mlplat:experiments',
      'jupyterlab-mlplat:git',
      'jupyterlab-mlplat:models',
      'jupyterlab-mlplat:reviews',
      'jupyterlab-mlplat:catalog',
      'jupyterlab-mlplat:apikeys',
      'jupyterlab-mlplat:deployments',
      'jupyterlab-mlplat:instructions',
      'jupyterlab-mlplat:analytics',
      'jupyterlab-mlplat:admin',
      'jupyterlab-mlplat:upcoming'
    ]);
    expect(plugins[0].provides).toBe(IMLPlatformSidebar);
    for (const tabPlugin of plugins.slice(1)) {
      expect(tabPlugin.requires).toContain(IMLPlatformSidebar);
      expect(tabPlugin.description).toBeTruthy();
      expect(tabPlugin.autoStart).toBe(true);
    }
  });

  it('adds the sidebar to the left area and opens it by command', async () => {
    const { app, added, activated } = fakeApp();
    const restored: string[] = [];
    const followed: string[] = [];
    const restorer = {
      add: (_: Widget, name: string) => restored.push(name),
      // the trackers whose widgets a reload brings back
      restore: async (tracker: { namespace: string }) => {
        followed.push(tracker.namespace);
      }
    };

    await plugin.activate(app, nullTranslator, restorer, null);

    expect(added).toHaveLength(1);
    const [{ widget, area, options }] = added;
    expect(widget).toBeInstanceOf(PlatformPanel);
    expect(area).toBe('left');
    expect(options.rank).toBe(600);
    expect(widget.title.caption).toBe('ML Platform');
    expect(widget.title.icon).toBeTruthy();
    expect(restored).toEqual(['jupyterlab-mlplat:sidebar']);
    expect(followed).toEqual(['mlplat-tab-pages']);

    expect(app.commands.label(CommandIDs.open)).toBe('Open ML Platform');
    await app.commands.execute(CommandIDs.open);
    expect(activated).toEqual([widget.id]);

    // Disposing the panel stops its model's polling
    const panel = widget as PlatformPanel;
    widget.dispose();
    expect(panel.model.isDisposed).toBe(true);
  });

  it('opens a tab in the main area by command; showing the tab then shows that page', async () => {
    const { app, added, activated } = fakeApp();
    const sidebar = (await plugin.activate(
      app,
      nullTranslator,
      null,
      null
    )) as IMLPlatformSidebar;
    const panel = added[0].widget;
    sidebar.addTab({
      id: 'analytics',
      rank: 1,
      wide: true,
      label: 'Analytics',
      render: () => null
    });
    const page = (await app.commands.execute('mlplat:open-in-main-area', {
      id: 'analytics'
    })) as Widget;
    expect(added.map(one => [one.widget, one.area])).toEqual([
      [panel, 'left'],
      [page, 'main']
    ]);
    sidebar.showTab('analytics');
    expect(activated.slice(-1)).toEqual([page.id]);
    // a tab that is not in the main area is shown in the sidebar
    page.dispose();
    sidebar.showTab('analytics');
    expect(activated.slice(-1)).toEqual([panel.id]);
    panel.dispose();
  });

  it('registers the MLflow commands with labels and captions', async () => {
    const { app, added } = fakeApp();
    const palette: string[] = [];

    const paletteStub = {
      addItem: (item: { command: string }) => palette.push(item.command)
    };
    const sidebar = await plugin.activate(
      app,
      nullTranslator,
      null,
      paletteStub
    );
    await experimentsPlugin.activate(
      app,
      sidebar,
      nullTranslator,
      paletteStub,
      null
    );

    const labels = [
      CommandIDs.trackNotebook,
      CommandIDs.logNotebook,
      CommandIDs.openRun,
      CommandIDs.compareRuns
    ].map(id => [id, app.commands.label(id), !!app.commands.caption(id)]);
    expect(labels).toEqual([
      ['mlplat:track-notebook', 'Track This Notebook in MLflow', true],
      ['mlplat:log-notebook', 'Log Notebook to MLflow Run', true],
      ['mlplat:open-run', 'Open MLflow Run', true],
      ['mlplat:compare-runs', 'Compare MLflow Runs', true]
    ]);
    expect(palette).toEqual([
      'mlplat:open',
      'mlplat:track-notebook',
      'mlplat:log-notebook',
      'mlplat:compare-runs'
    ]);
    // Without a notebook tracker the notebook commands stay disabled
    expect(app.commands.isEnabled(CommandIDs.trackNotebook)).toBe(false);

    // Disposing the sidebar removes the commands it added
    added[0].widget.dispose();
    expect(app.commands.hasCommand(CommandIDs.trackNotebook)).toBe(false);
  });
});
