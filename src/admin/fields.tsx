import {
  addIcon,
  Button,
  closeIcon,
  HTMLSelect
} from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  describedBy,
  FieldError,
  IPathProps,
  LabelledField
} from '../shell/fields';
import { IKeyValueRow, keyValueRow } from './draft';

export { FieldError, TextField } from '../shell/fields';
export type { IPathProps, ITextFieldProps } from '../shell/fields';

/*
 * The inputs of the profile form. Each shows its message right under the
 * input and points to it with aria-describedby, so a screen reader reads
 * the message with the input it is about.
 */

export interface ICheckboxFieldProps extends IPathProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error: string | null;
  hint?: string;
}

/** A labelled checkbox with its message and hint. */
export function CheckboxField(props: ICheckboxFieldProps): JSX.Element {
  const id = React.useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  return (
    <div className="jp-mlplat-field jp-mlplat-field-checkbox">
      <label className="jp-mlplat-check">
        <input
          type="checkbox"
          className="jp-mod-styled"
          data-path={props.path}
          checked={props.checked}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy(
            props.error,
            errorId,
            props.hint,
            hintId
          )}
          onChange={event => props.onChange(event.currentTarget.checked)}
        />
        <span>{props.label}</span>
      </label>
      <FieldError id={errorId} message={props.error} />
      {props.hint && (
        <p id={hintId} className="jp-mlplat-field-hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

export interface ISelectFieldProps {
  label: string;
  path: string;
  value: string;
  options: { value: string; label?: string }[];
  onChange: (value: string) => void;
  error: string | null;
}

/** A labelled JupyterLab select with its message. */
export function SelectField(props: ISelectFieldProps): JSX.Element {
  const id = React.useId();
  return (
    <LabelledField id={id} label={props.label}>
      <HTMLSelect
        id={id}
        data-path={props.path}
        className="jp-mlplat-select"
        value={props.value}
        options={props.options}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={event => props.onChange(event.currentTarget.value)}
      />
      <FieldError id={`${id}-error`} message={props.error} />
    </LabelledField>
  );
}

export interface IKeyValueRowsProps extends IPathProps {
  legend: string;
  rows: IKeyValueRow[];
  onChange: (rows: IKeyValueRow[]) => void;
  /** Accessible names of the inputs of a row, numbered from 1. */
  keyLabel: (index: number) => string;
  valueLabel: (index: number) => string;
  removeLabel: (index: number) => string;
  addLabel: string;
  keyPlaceholder: string;
  valuePlaceholder: string;
  /** Messages about the whole map (the platform names the map, not a row). */
  errors: string[];
  empty: string;
}

/** A map edited as rows of two inputs: node labels, environment variables. */
export function KeyValueRows(props: IKeyValueRowsProps): JSX.Element {
  const { rows, onChange } = props;
  const errorId = React.useId();
  const change = (id: number, patch: Partial<IKeyValueRow>) =>
    onChange(rows.map(row => (row.id === id ? { ...row, ...patch } : row)));
  const invalid = props.errors.length > 0;
  return (
    <fieldset
      className="jp-mlplat-fieldset"
      data-path={props.path}
      aria-describedby={invalid ? errorId : undefined}
    >
      <legend>{props.legend}</legend>
      {rows.length === 0 ? (
        <p className="jp-mlplat-field-hint">{props.empty}</p>
      ) : (
        <ul className="jp-mlplat-rows">
          {rows.map((row, index) => (
            <li key={row.id} className="jp-mlplat-row">
              <input
                type="text"
                className="jp-mod-styled"
                value={row.key}
                placeholder={props.keyPlaceholder}
                aria-label={props.keyLabel(index + 1)}
                aria-invalid={invalid ? true : undefined}
                spellCheck={false}
                onChange={event =>
                  change(row.id, { key: event.currentTarget.value })
                }
              />
              <span className="jp-mlplat-row-sep" aria-hidden="true">
                =
              </span>
              <input
                type="text"
                className="jp-mod-styled"
                value={row.value}
                placeholder={props.valuePlaceholder}
                aria-label={props.valueLabel(index + 1)}
                spellCheck={false}
                onChange={event =>
                  change(row.id, { value: event.currentTarget.value })
                }
              />
              <RemoveButton
                label={props.removeLabel(index + 1)}
                onClick={() => onChange(rows.filter(r => r.id !== row.id))}
              />
            </li>
          ))}
        </ul>
      )}
      {invalid && (
        <div id={errorId}>
          {props.errors.map(message => (
            <p key={message} className="jp-mlplat-field-error">
              {message}
            </p>
          ))}
        </div>
      )}
      <AddButton
        label={props.addLabel}
        onClick={() => onChange([...rows, keyValueRow()])}
      />
    </fieldset>
  );
}

export function AddButton(props: {
  label: string;
  onClick: () => void;
}): JSX.Element {
  return (
    <Button
      small
      minimal
      type="button"
      className="jp-mlplat-add"
      onClick={props.onClick}
    >
      <span aria-hidden="true">
        <addIcon.react tag="span" />
      </span>
      {props.label}
    </Button>
  );
}

export function RemoveButton(props: {
  label: string;
  onClick: () => void;
}): JSX.Element {
  return (
    <Button
      small
      minimal
      type="button"
      className="jp-mlplat-remove"
      aria-label={props.label}
      title={props.label}
      onClick={props.onClick}
    >
      <closeIcon.react tag="span" />
    </Button>
  );
}

/**
 * Take the user to the input a message is about: the input of that path,
 * else the first input of its row or section.
 */
export function focusPath(root: HTMLElement | null, path: string): void {
  if (!root) {
    return;
  }
  const marked = Array.from(root.querySelectorAll<HTMLElement>('[data-path]'));
  const parts = path.split('.');
  for (let end = parts.length; end > 0; end--) {
    const wanted = parts.slice(0, end).join('.');
    // Compared as data, not put into a selector: paths come from the server.
    const target = marked.find(element => element.dataset.path === wanted);
    if (target) {
      const input = target.matches('input, select, textarea')
        ? target
        : target.querySelector<HTMLElement>('input, select, textarea, button');
      (input ?? target).focus();
      (input ?? target).scrollIntoView?.({ block: 'center' });
      return;
    }
  }
}
