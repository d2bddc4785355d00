import { TranslationBundle } from '@jupyterlab/translation';
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { NameKind, nameMax, nameProblem } from './naming';

/*
 * Labelled inputs shared by the tabs' forms. Each label points at its input
 * by a generated id, so screen readers and UI tests find inputs by label.
 * The caller passes translated text: these pieces hold no strings of their
 * own (the name field's messages are the naming rules', `naming.ts`).
 */

export interface ILabelledFieldProps {
  /** The id of the input the label is for. */
  id: string;
  label: React.ReactNode;
  /** More classes for the block, after `jp-mlplat-field`. */
  className?: string;
  children: React.ReactNode;
}

/** A `jp-mlplat-field` block: a label, then its input and anything after. */
export function LabelledField(props: ILabelledFieldProps): JSX.Element {
  return (
    <div className={`jp-mlplat-field ${props.className ?? ''}`.trim()}>
      <label htmlFor={props.id} className="jp-mlplat-field-label">
        {props.label}
      </label>
      {props.children}
    </div>
  );
}

export interface ITextInputProps {
  value: string;
  onChange: (value: string) => void;
  /** `text` unless said otherwise. */
  type?: 'text' | 'password';
  disabled?: boolean;
  placeholder?: string;
  spellCheck?: boolean;
  autoComplete?: string;
}

export interface ILabelledInputProps extends ITextInputProps {
  label: React.ReactNode;
}

/** A one-line text input of the Git tab (`jp-mlplat-git-input`). */
function TextInput(props: ITextInputProps & { id: string }): JSX.Element {
  return (
    <input
      id={props.id}
      type={props.type ?? 'text'}
      className="jp-mod-styled jp-mlplat-git-input"
      value={props.value}
      autoComplete={props.autoComplete}
      spellCheck={props.spellCheck}
      disabled={props.disabled}
      placeholder={props.placeholder}
      onChange={event => props.onChange(event.currentTarget.value)}
    />
  );
}

/** A labelled one-line text input. */
export function LabelledInput(props: ILabelledInputProps): JSX.Element {
  const { label, ...input } = props;
  const id = React.useId();
  return (
    <LabelledField id={id} label={label}>
      <TextInput id={id} {...input} />
    </LabelledField>
  );
}

export interface ILabelledInputRowProps extends ILabelledInputProps {
  /** The buttons after the input, on its line. */
  children: React.ReactNode;
}

/**
 * A label over a line holding a text input and its buttons, for the small
 * forms of one input (folder, new branch, token).
 */
export function LabelledInputRow(props: ILabelledInputRowProps): JSX.Element {
  const { children, label, ...input } = props;
  const id = React.useId();
  return (
    <>
      <label htmlFor={id} className="jp-mlplat-field-label">
        {label}
      </label>
      <div className="jp-mlplat-git-folder-row">
        <TextInput id={id} {...input} />
        {children}
      </div>
    </>
  );
}

export interface ILabelledTextAreaProps {
  label: React.ReactNode;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  rows?: number;
}

/** A labelled textarea for longer text. */
export function LabelledTextArea(props: ILabelledTextAreaProps): JSX.Element {
  const id = React.useId();
  return (
    <LabelledField id={id} label={props.label}>
      <textarea
        id={id}
        className="jp-mlplat-textarea"
        rows={props.rows ?? 3}
        value={props.value}
        disabled={props.disabled}
        onChange={event => props.onChange(event.currentTarget.value)}
      />
    </LabelledField>
  );
}

export interface ILabelledSelectProps {
  label: React.ReactNode;
  value: string;
  options: (string | { value: string; label?: string })[];
  onChange: (value: string) => void;
  disabled?: boolean;
  /** Shown under the select, e.g. why its options are missing. */
  children?: React.ReactNode;
}

/** A labelled JupyterLab select. */
export function LabelledSelect(props: ILabelledSelectProps): JSX.Element {
  const id = React.useId();
  return (
    <LabelledField id={id} label={props.label}>
      <HTMLSelect
        id={id}
        className="jp-mlplat-select"
        value={props.value}
        disabled={props.disabled}
        options={props.options}
        onChange={event => props.onChange(event.currentTarget.value)}
      />
      {props.children}
    </LabelledField>
  );
}

/*
 * Inputs that show their message right under the input and point to it
 * with aria-describedby, so a screen reader reads the message with the
 * input it is about (the Admin form, the model card editor).
 */

/** A message under an input; server text, rendered as text. */
export function FieldError(props: {
  id: string;
  message: string | null;
}): JSX.Element | null {
  return props.message ? (
    <p id={props.id} className="jp-mlplat-field-error">
      {props.message}
    </p>
  ) : null;
}

/** The ids an input's aria-describedby lists: its message, then its hint. */
export function describedBy(
  error: string | null,
  errorId: string,
  hint: string | undefined,
  hintId: string
): string | undefined {
  const ids = [error ? errorId : '', hint ? hintId : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** Where a platform message points: `cpu_limit`, `tolerations.0.key`. */
export interface IPathProps {
  /** Marks the input, so the summary of messages can take the user to it. */
  path?: string;
}

export interface ITextFieldProps extends IPathProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | null;
  /** A line under the input saying what goes in it. */
  hint?: string;
  placeholder?: string;
  disabled?: boolean;
  /** A textarea for longer text. */
  multiline?: boolean;
  /** `numeric` brings up a number keyboard but keeps any text typed. */
  inputMode?: 'numeric' | 'decimal' | 'text';
  className?: string;
}

/** A labelled text input with its message and hint. */
export function TextField(props: ITextFieldProps): JSX.Element {
  const id = React.useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const common = {
    id,
    'data-path': props.path,
    value: props.value,
    placeholder: props.placeholder,
    disabled: props.disabled,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': describedBy(props.error, errorId, props.hint, hintId),
    spellCheck: false
  };
  return (
    <LabelledField
      id={id}
      label={props.label}
      className={`${props.className ?? ''} ${
        props.error ? 'jp-mod-invalid' : ''
      }`}
    >
      {props.multiline ? (
        <textarea
          {...common}
          className="jp-mlplat-textarea"
          rows={3}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
      ) : (
        <input
          {...common}
          type="text"
          className="jp-mod-styled"
          inputMode={props.inputMode}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
      )}
      <FieldError id={errorId} message={props.error} />
      {props.hint && (
        <p id={hintId} className="jp-mlplat-field-hint">
          {props.hint}
        </p>
      )}
    </LabelledField>
  );
}

export interface INameFieldProps {
  /** Which naming rules the name follows. */
  kind: NameKind;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /**
   * The platform's message about the name last sent; it stands until the
   * name changes, then the live check speaks again.
   */
  error: string | null;
  /** A line under the input saying what goes in it. */
  hint: string;
  /** Names to pick from as one types (the person's own models). */
  suggestions?: string[];
  trans: TranslationBundle;
}

/**
 * A name as the platform will take it: checked as it is typed by the same
 * rules the platform applies, the message under the input. The forms that
 * name something (a registered model, a deployment) share it, so a name is
 * said wrong in the same words everywhere.
 */
export function NameField(props: INameFieldProps): JSX.Element {
  const { kind, value, trans } = props;
  const id = React.useId();
  const listId = `${id}-names`;
  const live = value ? nameProblem(kind, value, trans) : null;
  const error = props.error ?? live;
  const suggestions = props.suggestions ?? [];
  return (
    <LabelledField
      id={id}
      label={props.label}
      className={error ? 'jp-mod-invalid' : ''}
    >
      <input
        id={id}
        type="text"
        className="jp-mod-styled"
        list={suggestions.length > 0 ? listId : undefined}
        value={value}
        spellCheck={false}
        autoComplete="off"
        // room past the limit, so a pasted name is told it is too long, not cut
        maxLength={nameMax(kind) + 10}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(
          error,
          `${id}-error`,
          props.hint,
          `${id}-hint`
        )}
        onChange={event => props.onChange(event.currentTarget.value)}
      />
      {suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.map(name => (
            <option key={name} value={name} />
          ))}
        </datalist>
      )}
      <FieldError id={`${id}-error`} message={error} />
      <p id={`${id}-hint`} className="jp-mlplat-field-hint">
        {props.hint}
      </p>
    </LabelledField>
  );
}
