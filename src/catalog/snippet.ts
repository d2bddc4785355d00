import { INotebookTracker } from '@jupyterlab/notebook';

/** The alias a notebook loads: the one the review moves on publication. */
export const CHAMPION = 'champion';

/**
 * The code that loads a catalog model in a notebook, as the model page shows
 * it. It goes through the workspace's MLflow (the gateway) as the person,
 * who may read every catalog model. The URI is written as a JSON string,
 * which Python reads as the same literal whatever the name holds.
 */
export function loadSnippet(
  registeredModel: string,
  alias: string = CHAMPION
): string {
  const uri = JSON.stringify(`models:/${registeredModel}@${alias}`);
  return `import mlflow\n\nmodel = mlflow.pyfunc.load_model(${uri})`;
}

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
