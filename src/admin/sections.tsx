import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { LabelledField } from '../shell/fields';
import {
  DraftField,
  IDraftProblem,
  IProfileDraft,
  ITolerationDraft,
  QUOTA_KEYS,
  TOLERATION_EFFECTS,
  TOLERATION_OPERATORS,
  tolerationDraft
} from './draft';
import {
  AddButton,
  CheckboxField,
  FieldError,
  KeyValueRows,
  RemoveButton,
  SelectField,
  TextField
} from './fields';
import { problemText, quotaLabel, tolerationPartLabel } from './labels';
import { ProfilesModel } from './model';

/*
 * The sections of the profile form. Each input carries the path the
 * platform uses in its messages (`cpu_limit`, `tolerations.0.key`), so its
 * message shows right under it and the summary can take the user there.
 */

/** What every section of the form needs. */
export interface ISectionProps {
  editor: ProfilesModel.IEditor;
  set: <K extends DraftField>(field: K, value: IProfileDraft[K]) => void;
  /** The message to show under the input at this path, if any. */
  error: (path: string) => string | null;
  /** The props that tie an input to its path: its mark and its message. */
  at: (path: string) => { path: string; error: string | null };
  /** Problems the browser found, when they should show. */
  problems: IDraftProblem[];
  trans: TranslationBundle;
}

export function GeneralSection(props: ISectionProps): JSX.Element {
  const { editor, set, at, trans } = props;
  const { draft } = editor;
  return (
    <fieldset className="jp-mlplat-fieldset">
      <legend>{trans.__('General')}</legend>
      <TextField
        label={trans.__('Display name')}
        value={draft.display_name}
        onChange={value => set('display_name', value)}
        {...at('display_name')}
      />
      {editor.mode === 'create' ? (
        <TextField
          label={trans.__('Slug')}
          value={draft.slug}
          onChange={value => set('slug', value)}
          {...at('slug')}
          placeholder="gpu-large"
          hint={trans.__(
            'Lowercase letters, digits and hyphens. It names the profile for good and cannot change later.'
          )}
        />
      ) : (
        <ReadOnlySlug slug={draft.slug} {...at('slug')} trans={trans} />
      )}
      <TextField
        label={trans.__('Description')}
        value={draft.description}
        onChange={value => set('description', value)}
        {...at('description')}
        multiline
        hint={trans.__('Shown under the name on the spawn page.')}
      />
      <TextField
        label={trans.__('Image')}
        value={draft.image}
        onChange={value => set('image', value)}
        {...at('image')}
        placeholder="quay.io/jupyter/scipy-notebook:2026-11-16"
      />
      <CheckboxField
        label={trans.__('Default profile')}
        checked={draft.default}
        onChange={value => set('default', value)}
        {...at('default')}
        hint={trans.__(
          'Preselected on the spawn page; saving it takes the mark from the current default.'
        )}
      />
      <TextField
        label={trans.__('Order')}
        value={draft.order}
        onChange={value => set('order', value)}
        {...at('order')}
        inputMode="numeric"
        className="jp-mlplat-field-short"
        hint={trans.__('Position on the spawn page, smallest first.')}
      />
    </fieldset>
  );
}

/** The slug of a stored profile: shown, copyable, never editable. */
function ReadOnlySlug(props: {
  slug: string;
  path: string;
  error: string | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const id = React.useId();
  return (
    <LabelledField id={id} label={trans.__('Slug')}>
      <input
        id={id}
        type="text"
        className="jp-mod-styled jp-mlplat-code"
        data-path={props.path}
        value={props.slug}
        readOnly
        aria-describedby={`${id}-hint`}
      />
      <FieldError id={`${id}-error`} message={props.error} />
      <p id={`${id}-hint`} className="jp-mlplat-field-hint">
        {trans.__('The slug names the profile for good; it cannot change.')}
      </p>
    </LabelledField>
  );
}

export function ResourcesSection(props: ISectionProps): JSX.Element {
  const { editor, set, error, at, trans } = props;
  const { draft } = editor;
  // Model-level messages (a guarantee above its limit) are about these inputs.
  const whole = error('profile');
  const wholeId = React.useId();
  return (
    <fieldset
      className="jp-mlplat-fieldset"
      data-path="profile"
      aria-describedby={whole ? wholeId : undefined}
    >
      <legend>{trans.__('Resources')}</legend>
      <FieldError id={wholeId} message={whole} />
      <div className="jp-mlplat-field-pair">
        <TextField
          label={trans.__('CPU guarantee')}
          value={draft.cpu_guarantee}
          onChange={value => set('cpu_guarantee', value)}
          {...at('cpu_guarantee')}
          inputMode="decimal"
        />
        <TextField
          label={trans.__('CPU limit')}
          value={draft.cpu_limit}
          onChange={value => set('cpu_limit', value)}
          {...at('cpu_limit')}
          inputMode="decimal"
        />
      </div>
      <p className="jp-mlplat-field-hint">
        {trans.__('Cores, like 2, 0.5 or 500m.')}
      </p>
      <div className="jp-mlplat-field-pair">
        <TextField
          label={trans.__('Memory guarantee')}
          value={draft.mem_guarantee}
          onChange={value => set('mem_guarantee', value)}
          {...at('mem_guarantee')}
        />
        <TextField
          label={trans.__('Memory limit')}
          value={draft.mem_limit}
          onChange={value => set('mem_limit', value)}
          {...at('mem_limit')}
        />
      </div>
      <p className="jp-mlplat-field-hint">
        {trans.__('Bytes with a unit, like 4Gi or 512Mi.')}
      </p>
      <TextField
        label={trans.__('GPUs')}
        value={draft.gpu}
        onChange={value => set('gpu', value)}
        {...at('gpu')}
        inputMode="numeric"
        className="jp-mlplat-field-short"
        hint={trans.__('Whole GPUs; 0 for none.')}
      />
      <TextField
        label={trans.__('GPU resource')}
        value={draft.gpu_resource}
        onChange={value => set('gpu_resource', value)}
        {...at('gpu_resource')}
        placeholder="nvidia.com/gpu"
      />
    </fieldset>
  );
}

/** Messages about a whole map: the platform's, then the browser's. */
function mapErrors(
  props: ISectionProps,
  path: IDraftProblem['path']
): string[] {
  const messages: string[] = [];
  for (const [key, message] of Object.entries(props.editor.fields)) {
    if (key === path || key.startsWith(`${path}.`)) {
      const shown = props.error(key);
      if (shown) {
        messages.push(message);
      }
    }
  }
  for (const problem of props.problems) {
    if (problem.path === path) {
      messages.push(problemText(problem, props.trans));
    }
  }
  return messages;
}

export function SchedulingSection(props: ISectionProps): JSX.Element {
  const { editor, set, trans } = props;
  return (
    <>
      <KeyValueRows
        path="node_selector"
        legend={trans.__('Node selector')}
        rows={editor.draft.node_selector}
        onChange={rows => set('node_selector', rows)}
        keyLabel={i => trans.__('Node label %1', i)}
        valueLabel={i => trans.__('Value of node label %1', i)}
        removeLabel={i => trans.__('Remove node label %1', i)}
        addLabel={trans.__('Add node label')}
        keyPlaceholder="mlplat/accelerator"
        valuePlaceholder="nvidia"
        errors={mapErrors(props, 'node_selector')}
        empty={trans.__('No node labels: servers may run on any node.')}
      />
      <Tolerations {...props} />
    </>
  );
}

function Tolerations(props: ISectionProps): JSX.Element {
  const { editor, set, error, at, trans } = props;
  const rows = editor.draft.tolerations;
  const change = (id: number, patch: Partial<ITolerationDraft>) =>
    set(
      'tolerations',
      rows.map(row => (row.id === id ? { ...row, ...patch } : row))
    );
  const whole = error('tolerations');
  const wholeId = React.useId();
  return (
    <fieldset
      className="jp-mlplat-fieldset"
      data-path="tolerations"
      aria-describedby={whole ? wholeId : undefined}
    >
      <legend>{trans.__('Tolerations')}</legend>
      {rows.length === 0 && (
        <p className="jp-mlplat-field-hint">
          {trans.__('No tolerations: servers stay off tainted nodes.')}
        </p>
      )}
      <FieldError id={wholeId} message={whole} />
      {rows.map((row, index) => (
        <TolerationRow
          key={row.id}
          row={row}
          index={index}
          error={error}
          at={at}
          onChange={patch => change(row.id, patch)}
          onRemove={() =>
            set(
              'tolerations',
              rows.filter(r => r.id !== row.id)
            )
          }
          trans={trans}
        />
      ))}
      <AddButton
        label={trans.__('Add toleration')}
        onClick={() => set('tolerations', [...rows, tolerationDraft()])}
      />
    </fieldset>
  );
}

interface ITolerationRowProps {
  row: ITolerationDraft;
  index: number;
  error: (path: string) => string | null;
  at: ISectionProps['at'];
  onChange: (patch: Partial<ITolerationDraft>) => void;
  onRemove: () => void;
  trans: TranslationBundle;
}

/** One toleration; the platform names its messages `tolerations.N.part`. */
function TolerationRow(props: ITolerationRowProps): JSX.Element {
  const { row, index, error, at, onChange, trans } = props;
  const path = `tolerations.${index}`;
  const title = trans.__('Toleration %1', index + 1);
  const rowError = error(path);
  const rowErrorId = React.useId();
  return (
    <div
      className="jp-mlplat-toleration"
      data-path={path}
      role="group"
      aria-label={title}
      aria-describedby={rowError ? rowErrorId : undefined}
    >
      <div className="jp-mlplat-toleration-head">
        <span className="jp-mlplat-toleration-title">{title}</span>
        <RemoveButton
          label={trans.__('Remove toleration %1', index + 1)}
          onClick={props.onRemove}
        />
      </div>
      <FieldError id={rowErrorId} message={rowError} />
      <div className="jp-mlplat-field-pair">
        <TextField
          label={tolerationPartLabel('key', trans)}
          value={row.key}
          onChange={key => onChange({ key })}
          {...at(`${path}.key`)}
          placeholder="nvidia.com/gpu"
        />
        <SelectField
          label={tolerationPartLabel('operator', trans)}
          value={row.operator}
          options={TOLERATION_OPERATORS.map(value => ({ value }))}
          onChange={operator =>
            onChange({ operator: operator as ITolerationDraft['operator'] })
          }
          {...at(`${path}.operator`)}
        />
        <TextField
          label={tolerationPartLabel('value', trans)}
          value={row.operator === 'Exists' ? '' : row.value}
          onChange={value => onChange({ value })}
          {...at(`${path}.value`)}
          disabled={row.operator === 'Exists'}
          placeholder={
            row.operator === 'Exists' ? trans.__('any value') : undefined
          }
        />
        <SelectField
          label={tolerationPartLabel('effect', trans)}
          value={row.effect}
          options={[
            { value: '', label: trans.__('Any effect') },
            ...TOLERATION_EFFECTS.map(value => ({ value }))
          ]}
          onChange={effect =>
            onChange({ effect: effect as ITolerationDraft['effect'] })
          }
          {...at(`${path}.effect`)}
        />
      </div>
    </div>
  );
}

export function EnvironmentSection(props: ISectionProps): JSX.Element {
  const { editor, set, trans } = props;
  return (
    <KeyValueRows
      path="environment"
      legend={trans.__('Environment variables')}
      rows={editor.draft.environment}
      onChange={rows => set('environment', rows)}
      keyLabel={i => trans.__('Variable name %1', i)}
      valueLabel={i => trans.__('Value of variable %1', i)}
      removeLabel={i => trans.__('Remove variable %1', i)}
      addLabel={trans.__('Add variable')}
      keyPlaceholder="NAME"
      valuePlaceholder={trans.__('value')}
      errors={mapErrors(props, 'environment')}
      empty={trans.__('No extra environment variables.')}
    />
  );
}

export function AccessSection(
  props: ISectionProps & { knownGroups: string[] }
): JSX.Element {
  const { editor, set, error, at, trans } = props;
  const { draft } = editor;
  // A group the platform no longer knows still shows, so it can be unticked.
  const groups = [
    ...props.knownGroups,
    ...draft.allowed_groups.filter(g => !props.knownGroups.includes(g))
  ];
  const toggle = (group: string, on: boolean) =>
    set(
      'allowed_groups',
      on
        ? [...draft.allowed_groups, group]
        : draft.allowed_groups.filter(g => g !== group)
    );
  const groupsError = error('allowed_groups');
  const groupsErrorId = React.useId();
  const hintId = React.useId();
  return (
    <>
      <fieldset
        className="jp-mlplat-fieldset"
        data-path="allowed_groups"
        aria-describedby={
          [groupsError ? groupsErrorId : '', hintId]
            .filter(Boolean)
            .join(' ') || undefined
        }
      >
        <legend>{trans.__('Allowed groups')}</legend>
        {groups.length === 0 ? (
          <p className="jp-mlplat-field-hint">
            {trans.__(
              'The platform knows no groups: the profile is open to everyone.'
            )}
          </p>
        ) : (
          <ul className="jp-mlplat-groups">
            {groups.map(group => (
              <li key={group}>
                <label className="jp-mlplat-check">
                  <input
                    type="checkbox"
                    className="jp-mod-styled"
                    checked={draft.allowed_groups.includes(group)}
                    onChange={event =>
                      toggle(group, event.currentTarget.checked)
                    }
                  />
                  <span>{group}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
        <FieldError id={groupsErrorId} message={groupsError} />
        <p id={hintId} className="jp-mlplat-field-hint">
          {draft.allowed_groups.length === 0
            ? trans.__('None ticked: everyone may start this profile.')
            : trans.__('Only members of the ticked groups may start it.')}
        </p>
      </fieldset>
      <fieldset className="jp-mlplat-fieldset" data-path="quota">
        <legend>{trans.__('Quotas')}</legend>
        <FieldError id={`${hintId}-quota`} message={error('quota')} />
        <div className="jp-mlplat-field-pair">
          {QUOTA_KEYS.map(key => (
            <TextField
              key={key}
              label={quotaLabel(key, trans)}
              value={draft.quota[key]}
              onChange={value => set('quota', { ...draft.quota, [key]: value })}
              {...at(`quota.${key}`)}
              inputMode="numeric"
              placeholder={trans.__('no limit')}
            />
          ))}
        </div>
        <p className="jp-mlplat-field-hint">
          {trans.__(
            'Empty means no limit. Counts cover every running server of the person or group, whatever its profile.'
          )}
        </p>
      </fieldset>
    </>
  );
}
