/* ------------------------------------------------------------------------
 * Try it: a request built from the model's signature and input example,
 * and the curl line that makes the same call from outside with an API key.
 * Pure functions, so tests read what is sent without a server.
 * ---------------------------------------------------------------------- */

import { IInvocation, IModelFacts } from './types';

/** One column of a model's input schema (MLflow's `ColSpec`). */
export interface IColumn {
  name: string;
  /** MLflow's type: `double`, `long`, `string`, `boolean`, … */
  type: string;
}

/** What the form edits: one row by column, or the whole payload as JSON. */
export interface ITryForm {
  /** The columns of the signature; empty when it has none or is a tensor. */
  columns: IColumn[];
  /** The row typed, by column, as text. */
  row: { [column: string]: string };
  /** The payload as JSON text, for models without columns (and for experts). */
  json: string;
}

/** What Try it holds for one served version: the request typed, how, and its answer. */
export interface ITryDraft {
  form: ITryForm;
  asJson: boolean;
  answer: IInvocation | null;
}

/** The columns a signature's `inputs` names; [] for tensors or none. */
export function signatureColumns(facts: IModelFacts): IColumn[] {
  const inputs = facts.signature?.inputs;
  if (!inputs) {
    return [];
  }
  try {
    const parsed: unknown = JSON.parse(inputs);
    if (!Array.isArray(parsed)) {
      return [];
    }
    const columns: IColumn[] = [];
    for (const spec of parsed) {
      if (
        typeof spec === 'object' &&
        spec !== null &&
        typeof (spec as { name?: unknown }).name === 'string' &&
        typeof (spec as { type?: unknown }).type === 'string' &&
        (spec as { type: string }).type !== 'tensor'
      ) {
        columns.push({
          name: (spec as { name: string }).name,
          type: (spec as { type: string }).type
        });
      } else {
        return [];
      }
    }
    return columns;
  } catch {
    return [];
  }
}

/**
 * The first row of an input example, by column. MLflow saves a frame's
 * example as `{"columns": [...], "data": [[...]]}` (pandas' split orient),
 * a dict of lists as `{"col": [v, ...]}`, and records as `[{...}]`.
 */
export function exampleRow(example: string): { [column: string]: unknown } {
  if (!example.trim()) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(example);
  } catch {
    return {};
  }
  if (isObject(parsed) && isObject(parsed['dataframe_split'])) {
    parsed = parsed['dataframe_split'];
  }
  if (isObject(parsed) && Array.isArray(parsed['dataframe_records'])) {
    parsed = parsed['dataframe_records'];
  }
  if (
    isObject(parsed) &&
    Array.isArray(parsed['columns']) &&
    Array.isArray(parsed['data'])
  ) {
    const first = (parsed['data'] as unknown[])[0];
    const row: { [column: string]: unknown } = {};
    if (Array.isArray(first)) {
      (parsed['columns'] as unknown[]).forEach((column, index) => {
        row[String(column)] = first[index];
      });
    }
    return row;
  }
  if (Array.isArray(parsed) && isObject(parsed[0])) {
    return { ...(parsed[0] as object) };
  }
  if (isObject(parsed)) {
    const row: { [column: string]: unknown } = {};
    for (const [column, value] of Object.entries(parsed)) {
      row[column] = Array.isArray(value) ? value[0] : value;
    }
    return row;
  }
  return {};
}

/** The form a version's facts start it with: the example's first row, filled in. */
export function startingForm(facts: IModelFacts): ITryForm {
  const example = exampleRow(facts.input_example ?? '');
  let columns = signatureColumns(facts);
  if (columns.length === 0) {
    // no signature: the example's own columns, typed by their values
    columns = Object.keys(example).map(name => ({
      name,
      type:
        typeof example[name] === 'number'
          ? 'double'
          : typeof example[name] === 'boolean'
            ? 'boolean'
            : 'string'
    }));
  }
  const row: { [column: string]: string } = {};
  for (const { name } of columns) {
    const value = example[name];
    row[name] =
      value === undefined || value === null
        ? ''
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
  }
  const payload = columns.length
    ? payloadOf({ columns, row, json: '' })
    : exampleAsInputs(facts.input_example ?? '');
  return { columns, row, json: JSON.stringify(payload, null, 2) };
}

/** An example that is no table (a tensor, a list) as MLflow's `inputs`. */
function exampleAsInputs(example: string): unknown {
  try {
    const parsed = JSON.parse(example);
    return isObject(parsed) && ('inputs' in parsed || 'instances' in parsed)
      ? parsed
      : { inputs: parsed };
  } catch {
    return { inputs: [] };
  }
}

/**
 * One value as the model expects it: numbers of a numeric column as numbers,
 * booleans as booleans, anything else as the text typed.
 */
export function typedValue(text: string, type: string): unknown {
  const trimmed = text.trim();
  switch (type) {
    case 'double':
    case 'float':
    case 'long':
    case 'integer': {
      if (trimmed === '') {
        return null;
      }
      const value = Number(trimmed);
      return Number.isFinite(value) ? value : text;
    }
    case 'boolean':
      return trimmed === 'true' ? true : trimmed === 'false' ? false : text;
    default:
      return text;
  }
}

/** The MLflow scoring protocol's body of the row typed (`dataframe_split`). */
export function payloadOf(form: ITryForm): unknown {
  return {
    dataframe_split: {
      columns: form.columns.map(column => column.name),
      data: [
        form.columns.map(column =>
          typedValue(form.row[column.name] ?? '', column.type)
        )
      ]
    }
  };
}

/** A payload typed as JSON: its value, or null when it does not parse. */
export function parsedJson(text: string): unknown | null {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The gateway's URL of a deployment's scoring endpoint, as external
 * systems call it: `<hub origin>/services/deployments/api/v1/deployments/<name>/invocations`
 * unless the platform names another base.
 */
export function invocationsUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/api/v1/deployments/${encodeURIComponent(
    name
  )}/invocations`;
}

/**
 * A curl line that makes the same call with an API key. The key is a
 * placeholder (`mlp_…`): a secret never reaches the page. The body is put
 * in single quotes for a POSIX shell, quotes inside escaped.
 */
export function curlLine(url: string, payload: unknown): string {
  const body = JSON.stringify(payload).replace(/'/g, "'\\''");
  return [
    `curl -sS -X POST '${url.replace(/'/g, "'\\''")}'`,
    "  -H 'Authorization: Bearer mlp_…'",
    "  -H 'Content-Type: application/json'",
    `  -d '${body}'`
  ].join(' \\\n');
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
