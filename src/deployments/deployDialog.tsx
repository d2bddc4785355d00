import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { PlatformRequestError } from '../api/request';
import { describeError, describeFields, param } from '../shell/errors';
import { FieldError, LabelledField, NameField } from '../shell/fields';
import {
  DEPLOYMENT_NAME_MAX,
  nameProblem as namingProblem,
  nameRefusalMessage
} from '../shell/naming';
import { sizeOptionLabel, stageLabel } from './labels';
import {
  ICreateBody,
  IDeployment,
  IDeploymentsAPI,
  ISize,
  Stage
} from './types';

/** At most this long, so `{name}-v{version}` still names a Kubernetes object. */
export const NAME_MAX = DEPLOYMENT_NAME_MAX;

/**
 * What is wrong with a name as it is typed (the platform's DNS-1123 rules
 * of `core/kernel/naming.py`, checked again there); null when it is fine.
 */
export function nameProblem(
  name: string,
  trans: TranslationBundle
): string | null {
  return namingProblem('deployment', name, trans);
}

/** A name to start from: the model's name made a DNS-1123 label. */
export function suggestedName(modelName: string, version: string): string {
  const base = modelName
    .replace(/^catalog\./, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  const suffix = `-v${version}`;
  const name = `${base.slice(0, NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
  return /^[a-z0-9]/.test(name) ? name : `m${name}`.slice(0, NAME_MAX);
}

/** What the form holds, and what the platform said about it. */
export interface IDeployForm {
  name: string;
  stage: Stage;
  size: string;
  /** The message under the name, from the platform (the live check is separate). */
  nameError: string | null;
  sizeError: string | null;
  stageError: string | null;
  /** A refusal about no input. */
  failure: string | null;
}

/** Which version is deployed, and whether it may go to production. */
export interface IDeployTarget {
  modelName: string;
  version: string;
  /** Production takes only published versions (a catalog model's). */
  published: boolean;
  /** The model and version production serves, when not the same (a published own version). */
  production?: { modelName: string; version: string } | null;
}

/** Where a refused deployment's message goes: beside its input, or above all. */
export function placeRefusal(
  form: IDeployForm,
  error: unknown,
  trans: TranslationBundle
): IDeployForm {
  const placed: IDeployForm = {
    ...form,
    nameError: null,
    sizeError: null,
    stageError: null,
    failure: null
  };
  const reason = error instanceof PlatformRequestError ? error.reason : null;
  const params = (error instanceof PlatformRequestError && error.params) || {};
  const text =
    describeError(trans, error) ?? trans.__('The version was not deployed.');
  const atField = () =>
    reason
      ? (describeFields(trans, { field: text }, { field: { reason, params } })
          .field ?? text)
      : text;
  const field = param(params, 'field');
  if (reason === 'name_invalid' && (field === '' || field === 'name')) {
    // in the words the name field checks by as one types
    const said = nameRefusalMessage('deployment', params, trans);
    return { ...placed, nameError: said ?? atField() };
  }
  switch (reason) {
    case 'deployment_name_taken':
      return { ...placed, nameError: atField() };
    case 'size_not_found':
      return { ...placed, sizeError: atField() };
    case 'version_not_published':
      return { ...placed, stageError: atField() };
    case 'not_your_model':
      // the reviews room's reason: said here in the words of a deployment
      return {
        ...placed,
        failure: param(params, 'owner')
          ? trans.__(
              'This model is %1’s: staging takes versions of your own models only.',
              param(params, 'owner')
            )
          : trans.__('Staging takes versions of your own models only.')
      };
    default: {
      const fields =
        error instanceof PlatformRequestError ? error.fields : null;
      if (fields && 'name' in fields) {
        return { ...placed, nameError: text };
      }
      return { ...placed, failure: text };
    }
  }
}

/** The form of the dialog; its value is read when the dialog is accepted. */
export class DeployBody
  extends ReactWidget
  implements Dialog.IBodyWidget<IDeployForm>
{
  constructor(
    private _options: {
      form: IDeployForm;
      target: IDeployTarget;
      sizes: ISize[];
      trans: TranslationBundle;
    }
  ) {
    super();
    this._form = _options.form;
    this.addClass('jp-mlplat-deploy-dialog');
  }

  getValue(): IDeployForm {
    return this._form;
  }

  render(): JSX.Element {
    return (
      <DeployFields
        {...this._options}
        onChange={form => {
          this._form = form;
        }}
      />
    );
  }

  private _form: IDeployForm;
}

/** The dialog's inputs; exported for tests. */
export function DeployFields(props: {
  form: IDeployForm;
  target: IDeployTarget;
  sizes: ISize[];
  trans: TranslationBundle;
  onChange: (form: IDeployForm) => void;
}): JSX.Element {
  const { target, sizes, trans } = props;
  const [form, setForm] = React.useState(props.form);
  const change = (patch: Partial<IDeployForm>) => {
    const next = { ...form, ...patch };
    setForm(next);
    props.onChange(next);
  };
  const stageId = React.useId();
  const sizeId = React.useId();
  return (
    <div className="jp-mlplat-deploy-form">
      {form.failure && (
        <p className="jp-mlplat-field-error" role="alert">
          {form.failure}
        </p>
      )}
      <NameField
        kind="deployment"
        label={trans.__('Name')}
        value={form.name}
        error={form.nameError}
        hint={trans.__(
          'Lowercase letters, digits and “-”, at most %1 characters: it names the endpoint’s URL.',
          NAME_MAX
        )}
        onChange={name => change({ name, nameError: null })}
        trans={trans}
      />
      <LabelledField
        id={stageId}
        label={trans.__('Stage')}
        className={form.stageError ? 'jp-mod-invalid' : ''}
      >
        <select
          id={stageId}
          className="jp-mod-styled jp-mlplat-select"
          value={form.stage}
          aria-describedby={`${stageId}-error ${stageId}-hint`}
          onChange={event =>
            change({
              stage: event.currentTarget.value as Stage,
              stageError: null
            })
          }
        >
          <option value="staging" disabled={!canStage(target)}>
            {stageLabel('staging', trans)}
          </option>
          <option value="production" disabled={!target.published}>
            {stageLabel('production', trans)}
          </option>
        </select>
        <FieldError id={`${stageId}-error`} message={form.stageError} />
        <p id={`${stageId}-hint`} className="jp-mlplat-field-hint">
          {target.published
            ? trans.__(
                'Production serves published versions; staging is for trying your own.'
              )
            : trans.__(
                'Only published versions go to production: this one is not published.'
              )}
        </p>
      </LabelledField>
      <LabelledField
        id={sizeId}
        label={trans.__('Size')}
        className={form.sizeError ? 'jp-mod-invalid' : ''}
      >
        <select
          id={sizeId}
          className="jp-mod-styled jp-mlplat-select"
          value={form.size}
          aria-describedby={`${sizeId}-error`}
          onChange={event =>
            change({ size: event.currentTarget.value, sizeError: null })
          }
        >
          {sizes.map(size => (
            <option key={size.name} value={size.name}>
              {sizeOptionLabel(size, trans)}
            </option>
          ))}
        </select>
        <FieldError id={`${sizeId}-error`} message={form.sizeError} />
      </LabelledField>
    </div>
  );
}

/** Staging takes the person's own versions, not the catalog's. */
function canStage(target: IDeployTarget): boolean {
  return !target.modelName.startsWith('catalog.');
}

export interface IDeployOptions {
  api: IDeploymentsAPI;
  target: IDeployTarget;
  trans: TranslationBundle;
  /** Answer the dialog (tests); JupyterLab's dialog otherwise. */
  ask?: (body: DeployBody, title: string) => Promise<IDeployForm | null>;
}

/** The body `POST deployments` gets for a form. */
export function createBody(
  form: IDeployForm,
  target: IDeployTarget
): ICreateBody {
  const production = form.stage === 'production' ? target.production : null;
  return {
    name: form.name.trim(),
    stage: form.stage,
    model_name: production?.modelName ?? target.modelName,
    version: production?.version ?? target.version,
    size: form.size
  };
}

/**
 * Deploy a version: ask for a name, a stage and a size, then create the
 * deployment. A refusal shows the dialog again with what was typed and the
 * reason beside its input; null when the person cancels.
 */
export async function deployVersion(
  options: IDeployOptions
): Promise<IDeployment | null> {
  const { api, target, trans } = options;
  const sizes = (await api.sizes()).sizes;
  const ask = options.ask ?? askInDialog(trans);
  const title = trans.__(
    'Deploy version %2 of “%1”',
    target.modelName,
    target.version
  );
  let form: IDeployForm = {
    name: suggestedName(target.modelName, target.version),
    stage: canStage(target) ? 'staging' : 'production',
    size:
      sizes.find(size => size.name === 'small')?.name ?? sizes[0]?.name ?? '',
    nameError: null,
    sizeError: null,
    stageError: null,
    failure: null
  };
  for (;;) {
    const answer = await ask(
      new DeployBody({ form, target, sizes, trans }),
      title
    );
    if (!answer) {
      return null;
    }
    form = answer;
    const problem = nameProblem(form.name.trim(), trans);
    if (problem) {
      form = { ...form, nameError: problem };
      continue;
    }
    try {
      return await api.create(createBody(form, target));
    } catch (error) {
      form = placeRefusal(form, error, trans);
    }
  }
}

function askInDialog(trans: TranslationBundle) {
  return async (
    body: DeployBody,
    title: string
  ): Promise<IDeployForm | null> => {
    const result = await showDialog<IDeployForm>({
      title,
      body,
      focusNodeSelector: 'input',
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Deploy') })
      ]
    });
    return result.button.accept ? result.value : null;
  };
}
