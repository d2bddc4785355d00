import { ILabShell } from '@jupyterlab/application';
import { Contents } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { folderOfWidget, followCurrentFolder } from '../../git/follow';
import { GitModel } from '../../git/model';
import { ScriptedGit } from './fixtures';

/** A widget showing a file, the way document widgets expose their path. */
function documentWidget(path: string): Widget {
  return Object.assign(new Widget(), { context: { path } });
}

/** The slice of ILabShell the tab follows. */
class FakeShell {
  currentWidget: Widget | null = null;
  currentChanged = new Signal<this, unknown>(this);

  show(widget: Widget | null): void {
    this.currentWidget = widget;
    this.currentChanged.emit({});
  }
}

describe('folderOfWidget', () => {
  it('is the folder of the file a document shows', () => {
    expect(folderOfWidget(documentWidget('churn/train.ipynb'))).toBe('churn');
    expect(folderOfWidget(documentWidget('a/b/c.py'))).toBe('a/b');
    expect(folderOfWidget(documentWidget('top.ipynb'))).toBe('');
    expect(folderOfWidget(documentWidget('RTC:churn/train.ipynb'))).toBe(
      'churn'
    );
  });

  it('is null for widgets without a file', () => {
    expect(folderOfWidget(new Widget())).toBeNull();
    expect(folderOfWidget(null)).toBeNull();
  });
});

describe('followCurrentFolder', () => {
  let api: ScriptedGit;
  let model: GitModel;

  beforeEach(() => {
    api = new ScriptedGit();
    model = new GitModel({ api, auto: false, fileChangeDelay: 5 });
  });

  afterEach(() => model.dispose());

  it('shows the folder of the current document, and keeps it for the launcher', () => {
    const shell = new FakeShell();
    shell.currentWidget = documentWidget('projects/churn/train.ipynb');
    const following = followCurrentFolder({
      model,
      shell: shell as unknown as ILabShell,
      contents: null
    });

    expect(model.state.folder).toBe('projects/churn');
    shell.show(documentWidget('reports/q3.ipynb'));
    expect(model.state.folder).toBe('reports');
    shell.show(new Widget());
    expect(model.state.folder).toBe('reports');

    following.dispose();
    shell.show(documentWidget('elsewhere/x.py'));
    expect(model.state.folder).toBe('reports');
  });

  it('reads the status again when files change on the server', async () => {
    const fileChanged = new Signal<unknown, Contents.IChangedArgs>({});
    const following = followCurrentFolder({
      model,
      shell: null,
      contents: { fileChanged } as unknown as Contents.IManager
    });
    model.panelVisible = true;
    model.tabVisible = true;
    await model.refresh();
    const before = api.callsOf('status').length;

    fileChanged.emit({ type: 'save', oldValue: null, newValue: null });
    await new Promise(resolve => setTimeout(resolve, 30));

    expect(api.callsOf('status').length).toBe(before + 1);
    following.dispose();
  });
});
