import { PathExt } from '@jupyterlab/coreutils';

/*
 * The "Track this notebook" cell. Pure functions, so the exact code put into
 * a user's notebook is pinned by unit tests rather than found in a browser.
 */

/**
 * The experiment a notebook is tracked in unless the user says otherwise:
 * `<user>/<folder>`, because a project folder usually holds one line of
 * work. A notebook at the server root has no folder, so its own name
 * (without `.ipynb`) stands in.
 */
export function defaultExperimentName(
  user: string,
  notebookPath: string
): string {
  // Drive prefixes ("RTC:") are not part of the folder name.
  const local = notebookPath.replace(/^[^/:]+:/, '');
  const folder = notebookFolder(notebookPath);
  const base = folder
    ? PathExt.basename(folder)
    : PathExt.basename(local, PathExt.extname(local));
  return `${user}/${base || 'notebook'}`;
}

/**
 * The folder a notebook's experiment is named after by default: '' for a
 * notebook at the home folder's root, which is named after the notebook.
 */
export function notebookFolder(notebookPath: string): string {
  return PathExt.dirname(notebookPath.replace(/^[^/:]+:/, ''));
}

/**
 * A Python string literal (double-quoted) for any text, so an experiment
 * name with quotes, backslashes or line breaks cannot break or inject code.
 */
export function pythonStringLiteral(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    switch (char) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        if (code < 0x20 || code === 0x7f) {
          out += `\\x${code.toString(16).padStart(2, '0')}`;
        } else if (code === 0x2028 || code === 0x2029) {
          // Python accepts them, but editors show them as line breaks.
          out += `\\u${code.toString(16)}`;
        } else {
          out += char;
        }
    }
  }
  return `${out}"`;
}

/**
 * The comment after `set_experiment`, telling where the default came from;
 * the command passes it in the UI language (this English is the fallback).
 */
export const TRACKING_COMMENT =
  'named after this notebook’s folder; edit freely';

/**
 * The code cell that points MLflow at the experiment and turns on
 * autologging. The comment is kept to one line, so it cannot add code.
 */
export function trackingCellSource(
  experimentName: string,
  comment: string = TRACKING_COMMENT
): string {
  const said = comment.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
  return [
    'import mlflow',
    '',
    `mlflow.set_experiment(${pythonStringLiteral(experimentName)})` +
      (said ? `  # ${said}` : ''),
    'mlflow.autolog()'
  ].join('\n');
}

/**
 * Where the tracking cell goes: after the leading Markdown cells (the
 * notebook's title and introduction), before any code.
 */
export function trackingCellIndex(cellTypes: readonly string[]): number {
  const firstNonMarkdown = cellTypes.findIndex(type => type !== 'markdown');
  return firstNonMarkdown === -1 ? cellTypes.length : firstNonMarkdown;
}

/**
 * Whether a cell is a tracking cell this extension wrote (possibly with
 * another experiment name), so tracking again rewrites it in place. A cell
 * the user extended with more code is left alone.
 */
export function isTrackingCell(source: string): boolean {
  return /^import mlflow\n\nmlflow\.set_experiment\("(?:[^"\\\n]|\\.)*"\)(?: +#[^\n]*)?\nmlflow\.autolog\(\)\n?$/.test(
    source
  );
}
