import { INotebookTracker } from '@jupyterlab/notebook';

/** The alias a review moves on publication, and a notebook loads. */
export const CHAMPION = 'champion';

/**
 * Put code in a new cell right after the active cell of the notebook last
 * looked at, and make that cell the active one. False when no notebook is
 * open.
 */
export function insertIntoNotebook(
  tracker: INotebookTracker | null,
  source: string
): boolean {
  const panel = tracker?.currentWidget;
  const notebook = panel?.content;
  const shared = notebook?.model?.sharedModel;
  if (!panel || !notebook || !shared) {
    return false;
  }
  const index = Math.min(notebook.activeCellIndex + 1, shared.cells.length);
  shared.insertCell(index, { cell_type: 'code', source, metadata: {} });
  notebook.activeCellIndex = index;
  return true;
}
