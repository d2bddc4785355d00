import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { describeError, describeFields } from '../shell/errors';
import { TextField } from '../shell/fields';
import { useModelState } from '../shell/hooks';
import { FailureNote } from '../shell/notes';
import { RefreshButton } from '../shell/refresh';
import { LoadStatus } from '../shell/status';
import { IDeploymentSize, ISizeDraft, SizesModel } from './sizes';

export interface ISizesSectionProps {
  model: SizesModel;
  trans: TranslationBundle;
  /** Ask before deleting (tests answer it). */
  confirm?: (title: string, body: string) => Promise<boolean>;
}

/**
 * The deployment sizes people pick from when they deploy: a list, and a
 * form to add, change or delete one. Admins only (the tab is theirs).
 */
export function SizesSection(props: ISizesSectionProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);
  React.useEffect(() => {
    void model.refresh();
  }, [model]);
  return (
    <section
      className="jp-mlplat-sizes"
      aria-label={trans.__('Deployment sizes')}
    >
      <div className="jp-mlplat-runs-header">
        <h3 className="jp-mlplat-runs-title">{trans.__('Deployment sizes')}</h3>
      </div>
      {state.editor ? (
        <SizeEditor {...props} editor={state.editor} />
      ) : (
        <>
          <div
            className="jp-mlplat-toolbar"
            role="toolbar"
            aria-label={trans.__('Size actions')}
          >
            <Button
              small
              disabled={state.sizes === null}
              onClick={() => model.create()}
            >
              <span aria-hidden="true">
                <addIcon.react tag="span" />
              </span>
              {trans.__('New size')}
            </Button>
            <RefreshButton
              trans={trans}
              title={trans.__('Read the sizes again')}
              onClick={() => void model.refresh()}
            />
          </div>
          {state.status.kind !== 'ready' && (
            <LoadStatus
              state={state.status}
              loading={trans.__('Loading sizes…')}
              unavailable={trans.__('The platform is unavailable — retrying')}
              error={() => trans.__('The sizes could not be read')}
              onRetry={() => void model.refresh()}
              trans={trans}
            />
          )}
          {state.sizes && (
            <SizeList sizes={state.sizes} model={model} trans={trans} />
          )}
        </>
      )}
    </section>
  );
}

function SizeList(props: {
  sizes: IDeploymentSize[];
  model: SizesModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { sizes, trans } = props;
  if (sizes.length === 0) {
    return (
      <p className="jp-mlplat-empty">
        {trans.__('No sizes yet: nobody can deploy a model.')}
      </p>
    );
  }
  return (
    <ul className="jp-mlplat-profile-list" aria-label={trans.__('Size list')}>
      {sizes.map(size => (
        <li key={size.name} className="jp-mlplat-profile">
          <div className="jp-mlplat-profile-head">
            <button
              type="button"
              className="jp-mlplat-link jp-mlplat-profile-name"
              title={trans.__('Edit this size')}
              onClick={() => props.model.edit(size)}
            >
              {size.title || size.name}
            </button>
          </div>
          <div className="jp-mlplat-profile-slug jp-mlplat-code">
            {size.name}
          </div>
          <div className="jp-mlplat-profile-resources">
            {size.resources.max_replicas > size.resources.replicas
              ? trans.__(
                  '%1 CPU, %2 memory per replica; replicas: %3, up to %4',
                  size.resources.cpu,
                  size.resources.memory,
                  size.resources.replicas,
                  size.resources.max_replicas
                )
              : trans.__(
                  '%1 CPU, %2 memory per replica; replicas: %3',
                  size.resources.cpu,
                  size.resources.memory,
                  size.resources.replicas
                )}
          </div>
        </li>
      ))}
    </ul>
  );
}

function SizeEditor(
  props: ISizesSectionProps & { editor: SizesModel.IEditor }
): JSX.Element {
  const { model, editor, trans } = props;
  const confirm =
    props.confirm ??
    (async (title: string, body: string) =>
      (
        await showDialog({
          title,
          body,
          buttons: [
            Dialog.cancelButton({ label: trans.__('Cancel') }),
            Dialog.warnButton({ label: trans.__('Delete') })
          ]
        })
      ).button.accept);
  const messages = describeFields(
    trans,
    Object.fromEntries(
      Object.entries(editor.fields).map(([field, said]) => [
        field,
        said.message ?? ''
      ])
    ),
    Object.fromEntries(
      Object.entries(editor.fields)
        .filter(([, said]) => said.reason)
        .map(([field, said]) => [
          field,
          { reason: said.reason!, params: said.params ?? null }
        ])
    )
  );
  const field = (
    name: keyof ISizeDraft,
    label: string,
    hint?: string,
    inputMode?: 'numeric'
  ) => (
    <TextField
      label={label}
      value={editor.draft[name]}
      path={name}
      hint={hint}
      inputMode={inputMode}
      disabled={editor.busy || (name === 'name' && editor.mode === 'edit')}
      error={
        messages[name] ??
        (editor.fields[name] ? describeError(trans, editor.fields[name]) : null)
      }
      onChange={value => model.setField(name, value)}
    />
  );
  const title =
    editor.mode === 'create'
      ? trans.__('New deployment size')
      : trans.__('Deployment size %1', editor.draft.name);
  return (
    <form
      className="jp-mlplat-size-form"
      aria-label={title}
      onSubmit={event => {
        event.preventDefault();
        void model.save();
      }}
    >
      <p className="jp-mlplat-status-title">{title}</p>
      {field(
        'name',
        trans.__('Name'),
        trans.__('Lowercase letters, digits and “-”; it cannot change later.')
      )}
      {field(
        'title',
        trans.__('Title'),
        trans.__('What people see when they deploy.')
      )}
      {field(
        'cpu',
        trans.__('CPU per replica'),
        trans.__('For example 500m or 2.')
      )}
      {field(
        'memory',
        trans.__('Memory per replica'),
        trans.__('For example 512Mi or 4Gi.')
      )}
      {field('replicas', trans.__('Replicas'), undefined, 'numeric')}
      {field(
        'max_replicas',
        trans.__('Most replicas'),
        trans.__(
          'Up to how many replicas an autoscaler may add (clusters only).'
        ),
        'numeric'
      )}
      {editor.failure && Object.keys(messages).length === 0 && (
        <FailureNote
          failure={editor.failure}
          title={trans.__('The size was not saved')}
          trans={trans}
        />
      )}
      <div className="jp-mlplat-toolbar">
        <Button type="submit" small disabled={editor.busy}>
          {editor.mode === 'create' ? trans.__('Add') : trans.__('Save')}
        </Button>
        <Button
          type="button"
          small
          minimal
          disabled={editor.busy}
          onClick={() => model.close()}
        >
          {trans.__('Cancel')}
        </Button>
        {editor.mode === 'edit' && (
          <Button
            type="button"
            small
            minimal
            className="jp-mlplat-deploy-delete"
            disabled={editor.busy}
            onClick={async () => {
              if (
                await confirm(
                  trans.__('Delete the size “%1”?', editor.draft.name),
                  trans.__(
                    'People can no longer pick it when they deploy. A size that deployments use cannot be deleted.'
                  )
                )
              ) {
                await model.remove();
              }
            }}
          >
            {trans.__('Delete')}
          </Button>
        )}
      </div>
    </form>
  );
}
