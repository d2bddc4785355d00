import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { YNotebook } from '@jupyter/ydoc';

import { insertIntoNotebook } from '../../catalog/snippet';

// yjs warns about reads of cells before they join the document, which the
// shared model does on purpose when it builds a cell; keep the log clean.
const warn = console.warn;
beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('Invalid access')) {
      warn(...args);
    }
  });
});
afterAll(() => jest.restoreAllMocks());

function tracker(activeCellIndex: number) {
  const shared = YNotebook.create();
  shared.insertCell(0, { cell_type: 'code', source: 'import pandas' });
  shared.insertCell(1, {
    cell_type: 'code',
    source: 'df = pandas.read_csv(x)'
  });
  shared.insertCell(2, { cell_type: 'code', source: 'df.head()' });
  const content = { model: { sharedModel: shared }, activeCellIndex };
  const panel = { content } as unknown as NotebookPanel;
  return {
    tracker: { currentWidget: panel } as unknown as INotebookTracker,
    shared,
    content
  };
}

describe('insertIntoNotebook', () => {
  it('puts the code in a new cell after the active one and activates it', () => {
    const { tracker: notebooks, shared, content } = tracker(1);
    expect(insertIntoNotebook(notebooks, 'x = 1')).toBe(true);
    expect(shared.cells.map(cell => cell.getSource())).toEqual([
      'import pandas',
      'df = pandas.read_csv(x)',
      'x = 1',
      'df.head()'
    ]);
    expect(shared.cells[2].cell_type).toBe('code');
    expect(content.activeCellIndex).toBe(2);
  });

  it('says so when no notebook is open', () => {
    expect(insertIntoNotebook(null, 'x = 1')).toBe(false);
    expect(
      insertIntoNotebook(
        { currentWidget: null } as unknown as INotebookTracker,
        'x = 1'
      )
    ).toBe(false);
  });
});
