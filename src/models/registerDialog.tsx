import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ErrorParams, PlatformRequestError } from '../api/request';
import { describeError, describeFields, param } from '../shell/errors';
import { FieldError, LabelledField, NameField } from '../shell/fields';
import { nameProblem, nameRefusalMessage } from '../shell/naming';
import {
  ILoggedModel,
  IModelsAPI,
  IModelVersionBody,
  IRegisterBody
} from './types';

/** What the form holds, and what the platform said about it. */
export interface IRegisterForm {
  modelId: string;
  name: string;
  /** The message under the name input. */
  nameError: string | null;
  /** The message under the logged model select. */
  modelError: string | null;
  /** A refusal about neither input. */
  failure: string | null;
}

/**
 * Where a refused registration's message goes: the name's reasons under the
 * name input, the logged model's under its select, the rest above both.
 */
export function placeRefusal(
  form: IRegisterForm,
  error: unknown,
  trans: TranslationBundle
): IRegisterForm {
  const placed = {
    ...form,
    nameError: null,
    modelError: null,
    failure: null
  };
  const reason = error instanceof PlatformRequestError ? error.reason : null;
  const params = (error instanceof PlatformRequestError && error.params) || {};
  // A model name breaks MLflow's rules, not the DNS rules the shell's
  // generic label describes: said in the words the name field checks by.
  if (reason === 'name_invalid' && isNameField(params)) {
    const said = nameRefusalMessage('model', params, trans);
    if (said) {
      return { ...placed, nameError: said };
    }
  }
  const text =
    describeError(trans, error) ?? trans.__('The model was not registered.');
  // A message beside an input is the form's own sentence (the label of its
  // reason), in English too, as every form of the sidebar shows it.
  const atField = () =>
    reason
      ? (describeFields(trans, { field: text }, { field: { reason, params } })
          .field ?? text)
      : text;
  switch (reason) {
    case 'name_invalid':
    case 'model_name_taken':
    case 'catalog_read_only':
    case 'platform_identity_reserved':
      return { ...placed, nameError: atField() };
    case 'logged_model_not_found':
    case 'logged_model_id_invalid':
      return { ...placed, modelError: atField() };
    default:
      if (
        error instanceof PlatformRequestError &&
        error.fields &&
        'name' in error.fields
      ) {
        return { ...placed, nameError: text };
      }
      return { ...placed, failure: text };
  }
}

/** Whether a refusal's `field` is the registered model's name (or names none). */
function isNameField(params: ErrorParams): boolean {
  const field = param(params, 'field');
  return field === '' || field === 'name';
}

/** The label of a logged model in the select: its name and id. */
export function loggedModelLabel(model: ILoggedModel): string {
  return model.name ? `${model.name} (${model.model_id})` : model.model_id;
}

/** The form of the dialog; its value is read when the dialog is accepted. */
export class RegisterBody
  extends ReactWidget
  implements Dialog.IBodyWidget<IRegisterForm>
{
  constructor(
    private _options: {
      form: IRegisterForm;
      logged: ILoggedModel[];
      myModels: string[];
      trans: TranslationBundle;
    }
  ) {
    super();
    this._form = _options.form;
    this.addClass('jp-mlplat-register');
  }

  getValue(): IRegisterForm {
    return this._form;
  }

  render(): JSX.Element {
    return (
      <RegisterFields
        {...this._options}
        onChange={form => {
          this._form = form;
        }}
      />
    );
  }

  private _form: IRegisterForm;
}

/** The dialog's inputs; exported for tests. */
export function RegisterFields(props: {
  form: IRegisterForm;
  logged: ILoggedModel[];
  myModels: string[];
  trans: TranslationBundle;
  onChange: (form: IRegisterForm) => void;
}): JSX.Element {
  const { logged, myModels, trans } = props;
  const [form, setForm] = React.useState(props.form);
  const change = (patch: Partial<IRegisterForm>) => {
    const next = { ...form, ...patch };
    setForm(next);
    props.onChange(next);
  };
  const modelId = React.useId();
  return (
    <div className="jp-mlplat-register-form">
      {form.failure && (
        <p className="jp-mlplat-field-error" role="alert">
          {form.failure}
        </p>
      )}
      <LabelledField
        id={modelId}
        label={trans.__('Logged model')}
        className={form.modelError ? 'jp-mod-invalid' : ''}
      >
        <select
          id={modelId}
          className="jp-mod-styled jp-mlplat-select"
          value={form.modelId}
          aria-invalid={form.modelError ? true : undefined}
          aria-describedby={form.modelError ? `${modelId}-error` : undefined}
          onChange={event =>
            change({ modelId: event.currentTarget.value, modelError: null })
          }
        >
          {logged.map(model => (
            <option key={model.model_id} value={model.model_id}>
              {loggedModelLabel(model)}
            </option>
          ))}
        </select>
        <FieldError id={`${modelId}-error`} message={form.modelError} />
      </LabelledField>
      <NameField
        kind="model"
        label={trans.__('Registered model')}
        value={form.name}
        error={form.nameError}
        suggestions={myModels}
        hint={
          myModels.length > 0
            ? trans.__(
                'Pick one of your models to add a version to it, or type a new name.'
              )
            : trans.__('Type a name: a new registered model of yours.')
        }
        onChange={name => change({ name, nameError: null })}
        trans={trans}
      />
    </div>
  );
}

export interface IRegisterOptions {
  api: IModelsAPI;
  runId: string;
  /** The run's name, for the title. */
  runName?: string;
  /** The person's own models, offered as names. */
  myModels: string[];
  trans: TranslationBundle;
  /** Answer the dialog (tests); JupyterLab's dialog otherwise. */
  ask?: (body: RegisterBody, title: string) => Promise<IRegisterForm | null>;
}

/**
 * Register one of a run's logged models as a version of one of the
 * person's registered models (or a new one). A refusal shows the dialog
 * again with what was typed and the reason beside its input; null when
 * the person cancels.
 */
export async function registerModel(
  options: IRegisterOptions
): Promise<IModelVersionBody | null> {
  const { api, runId, trans } = options;
  const logged = (await api.runModels(runId)).models;
  const ask = options.ask ?? askInDialog(trans);
  const title = trans.__(
    'Register a model of run %1',
    options.runName || runId
  );
  if (logged.length === 0) {
    await showDialog({
      title,
      body: trans.__(
        'This run logged no model. Log one with mlflow.<flavour>.log_model(…) in the run, then register it here.'
      ),
      buttons: [Dialog.okButton({ label: trans.__('Close') })]
    });
    return null;
  }
  let form: IRegisterForm = {
    modelId: logged[0].model_id,
    name: options.myModels[0] ?? '',
    nameError: null,
    modelError: null,
    failure: null
  };
  for (;;) {
    const answer = await ask(
      new RegisterBody({
        form,
        logged,
        myModels: options.myModels,
        trans
      }),
      title
    );
    if (!answer) {
      return null;
    }
    form = answer;
    // the rules the field checks as one types: a broken one is not sent
    const problem = nameProblem('model', form.name.trim(), trans);
    if (problem) {
      form = { ...form, nameError: problem };
      continue;
    }
    const body: IRegisterBody = {
      run_id: runId,
      model_id: form.modelId,
      artifact_path: '',
      name: form.name.trim()
    };
    try {
      return await api.register(body);
    } catch (error) {
      form = placeRefusal(form, error, trans);
    }
  }
}

function askInDialog(trans: TranslationBundle) {
  return async (
    body: RegisterBody,
    title: string
  ): Promise<IRegisterForm | null> => {
    const result = await showDialog<IRegisterForm>({
      title,
      body,
      focusNodeSelector: 'input',
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Register') })
      ]
    });
    return result.button.accept ? result.value : null;
  };
}
