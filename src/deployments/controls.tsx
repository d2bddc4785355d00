import { TranslationBundle } from '@jupyterlab/translation';
import { Button, HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { askInDialog } from '../shell/discard';
import { DoneNote, FailureNote, Progress } from '../shell/notes';
import { revisionActionLabel, sizeOptionLabel, trafficLabel } from './labels';
import { DeploymentsModel, rollbackTarget, served } from './model';
import { IDeployment, IRevision, ISize } from './types';

export interface IControlsProps {
  model: DeploymentsModel;
  open: DeploymentsModel.IOpen;
  data: IDeployment;
  /** The versions of the deployment's model the person may pick; null while read. */
  versions: string[] | null;
  trans: TranslationBundle;
  /** Ask before a change that cannot be taken back (tests answer it). */
  confirm?: (title: string, body: string, accept: string) => Promise<boolean>;
}

/** Ask in JupyterLab's dialog ("Cancel" or the action). */
export function confirmInDialog(trans: TranslationBundle) {
  return askInDialog(trans.__('Cancel'));
}

/**
 * Canary, shadow, promote, roll back and delete of an open deployment.
 * Every control sends the revision shown; a refusal is shown in the
 * platform's words (translated) next to the controls.
 */
export function Controls(props: IControlsProps): JSX.Element {
  const { model, open, data, trans } = props;
  const confirm = props.confirm ?? confirmInDialog(trans);
  const primary = served(data.spec, 'primary');
  const canary = served(data.spec, 'canary');
  const shadow = served(data.spec, 'shadow');
  const others = props.versions?.filter(v => v !== primary?.version) ?? null;
  // the registry lists this model's versions, and the primary is the only one
  const onlyPrimary = !!props.versions?.length && others?.length === 0;
  const busy = open.busy !== null;
  const target = rollbackTarget(data, open.revisions);

  const rollback = async () => {
    const body = target
      ? trans.__(
          'Return to revision %1, made by %2: %3. The change is a new revision; nothing of the history is lost.',
          target.revision,
          target.actor,
          revisionSummary(target, trans)
        )
      : trans.__(
          'Return to the revision before %1. The change is a new revision; nothing of the history is lost.',
          data.revision
        );
    if (
      await confirm(
        target
          ? trans.__(
              'Roll back “%1” to revision %2?',
              data.name,
              target.revision
            )
          : trans.__('Roll back “%1”?', data.name),
        body,
        trans.__('Roll back')
      )
    ) {
      await model.rollback();
    }
  };

  const promote = async () => {
    if (
      canary &&
      (await confirm(
        trans.__('Promote version %1 of “%2”?', canary.version, data.name),
        trans.__(
          'Version %1 takes all the traffic as the primary; version %2 stops serving. The change is a new revision: a rollback returns to this one.',
          canary.version,
          primary?.version ?? '?'
        ),
        trans.__('Promote')
      ))
    ) {
      await model.promote();
    }
  };

  const remove = async () => {
    if (
      await confirm(
        trans.__('Delete the deployment “%1”?', data.name),
        trans.__(
          'Its replicas are stopped and its endpoint answers 404 from now on. API keys that name it stop working for it.'
        ),
        trans.__('Delete')
      )
    ) {
      await model.remove();
    }
  };

  return (
    <section
      className="jp-mlplat-deploy-controls"
      aria-label={trans.__('Traffic')}
    >
      <h4>{trans.__('Traffic')}</h4>
      <CanaryControl
        key={`canary-${data.revision}`}
        onlyPrimary={onlyPrimary}
        current={
          canary ? { version: canary.version, percent: canary.percent } : null
        }
        versions={others}
        busy={busy}
        trans={trans}
        onApply={(version, percent) => void model.setCanary(version, percent)}
        onClear={() => void model.clearCanary()}
      />
      <ShadowControl
        key={`shadow-${data.revision}`}
        onlyPrimary={onlyPrimary}
        current={shadow?.version ?? null}
        versions={others}
        busy={busy}
        trans={trans}
        onApply={version => void model.setShadow(version)}
        onClear={() => void model.clearShadow()}
      />
      <SizeControl
        key={`size-${data.revision}`}
        model={model}
        current={data.spec.size}
        busy={busy}
        trans={trans}
      />
      <div className="jp-mlplat-toolbar">
        <Button
          small
          disabled={busy || !canary}
          title={
            canary
              ? trans.__(
                  'Version %1 takes all the traffic, as the primary',
                  canary.version
                )
              : trans.__('Set a canary first')
          }
          onClick={() => void promote()}
        >
          {trans.__('Promote')}
        </Button>
        <Button
          small
          disabled={busy || (open.revisions !== null && !target)}
          onClick={() => void rollback()}
        >
          {trans.__('Roll back')}
        </Button>
        <Button
          small
          className="jp-mlplat-deploy-delete"
          disabled={busy}
          onClick={() => void remove()}
        >
          {trans.__('Delete')}
        </Button>
      </div>
      {open.busy && <Progress text={busyText(open.busy, trans)} />}
      {open.failure && (
        <FailureNote
          failure={open.failure}
          title={trans.__('The change was not made')}
          trans={trans}
          onDismiss={() => model.dismiss()}
        />
      )}
      {open.done && !open.failure && (
        <DoneNote trans={trans} onDismiss={() => model.dismiss()}>
          {doneText(open.done, data, trans)}
        </DoneNote>
      )}
    </section>
  );
}

/** Another of the sizes admins manage, for every replica. */
function SizeControl(props: {
  model: DeploymentsModel;
  current: string;
  busy: boolean;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, current, busy, trans } = props;
  const [sizes, setSizes] = React.useState<ISize[] | null>(null);
  const [picked, setPicked] = React.useState(current);
  const id = React.useId();
  React.useEffect(() => {
    let live = true;
    model
      .loadSizes()
      .then(found => live && setSizes(found))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [model]);
  if (!sizes || sizes.length < 2) {
    return null;
  }
  return (
    <div className="jp-mlplat-deploy-row">
      <label htmlFor={id}>{trans.__('Size')}</label>
      <HTMLSelect
        id={id}
        className="jp-mlplat-select"
        value={picked}
        disabled={busy}
        options={sizes.map(size => ({
          value: size.name,
          label: sizeOptionLabel(size, trans)
        }))}
        onChange={event => setPicked(event.currentTarget.value)}
      />
      <Button
        small
        disabled={busy || picked === current}
        onClick={() => void model.resize(picked)}
      >
        {trans.__('Change size')}
      </Button>
    </div>
  );
}

/** Pick a version and its share (1–99 %), apply; or clear the canary. */
function CanaryControl(props: {
  current: { version: string; percent: number } | null;
  versions: string[] | null;
  onlyPrimary: boolean;
  busy: boolean;
  trans: TranslationBundle;
  onApply: (version: string, percent: number) => void;
  onClear: () => void;
}): JSX.Element {
  const { current, busy, trans } = props;
  const versions = props.versions ?? [];
  const [picked, setVersion] = React.useState(current?.version ?? '');
  const version = pickable(picked, versions);
  const [percent, setPercent] = React.useState(current?.percent ?? 10);
  const versionId = React.useId();
  const percentId = React.useId();
  return (
    <fieldset className="jp-mlplat-deploy-canary">
      <legend>{trans.__('Canary')}</legend>
      <VersionPicker
        id={versionId}
        value={version}
        versions={props.versions}
        onlyPrimary={props.onlyPrimary}
        busy={busy}
        trans={trans}
        onChange={setVersion}
      />
      <div className="jp-mlplat-deploy-row">
        <label htmlFor={percentId}>{trans.__('Share of traffic')}</label>
        <input
          id={percentId}
          type="range"
          min={1}
          max={99}
          step={1}
          value={percent}
          disabled={busy}
          aria-valuetext={trans.__('%1 %', percent)}
          onChange={event => setPercent(Number(event.currentTarget.value))}
        />
        <output htmlFor={percentId} className="jp-mlplat-deploy-percent">
          {trans.__('%1 %', percent)}
        </output>
      </div>
      <div className="jp-mlplat-toolbar">
        <Button
          small
          disabled={busy || !isVersionNumber(version)}
          onClick={() => props.onApply(version.trim(), percent)}
        >
          {trans.__('Apply canary')}
        </Button>
        {current && (
          <Button small minimal disabled={busy} onClick={props.onClear}>
            {trans.__('Clear canary')}
          </Button>
        )}
      </div>
    </fieldset>
  );
}

/** Pick a version that gets a copy of every request; or clear the shadow. */
function ShadowControl(props: {
  current: string | null;
  versions: string[] | null;
  onlyPrimary: boolean;
  busy: boolean;
  trans: TranslationBundle;
  onApply: (version: string) => void;
  onClear: () => void;
}): JSX.Element {
  const { current, busy, trans } = props;
  const versions = props.versions ?? [];
  const [picked, setVersion] = React.useState(current ?? '');
  const version = pickable(picked, versions);
  const versionId = React.useId();
  return (
    <fieldset className="jp-mlplat-deploy-shadow">
      <legend>{trans.__('Shadow')}</legend>
      <p className="jp-mlplat-field-hint">
        {trans.__(
          'A shadow gets a copy of each request; its answers are compared with the primary’s and never returned.'
        )}
      </p>
      <VersionPicker
        id={versionId}
        value={version}
        versions={props.versions}
        onlyPrimary={props.onlyPrimary}
        busy={busy}
        trans={trans}
        onChange={setVersion}
      />
      <div className="jp-mlplat-toolbar">
        <Button
          small
          disabled={busy || !isVersionNumber(version)}
          onClick={() => props.onApply(version.trim())}
        >
          {trans.__('Apply shadow')}
        </Button>
        {current && (
          <Button small minimal disabled={busy} onClick={props.onClear}>
            {trans.__('Clear shadow')}
          </Button>
        )}
      </div>
    </fieldset>
  );
}

/** The version picked, or the first offered once the offer arrives without it. */
function pickable(picked: string, versions: string[]): string {
  return versions.length > 0 && !versions.includes(picked)
    ? versions[0]
    : picked;
}

/**
 * A version of the deployment's model: a select of those the person's
 * registry lists, or the number typed when it lists none (a catalog
 * model, an admin looking at someone else's).
 */
function VersionPicker(props: {
  id: string;
  value: string;
  versions: string[] | null;
  /** The model has no version but the primary: nothing to pick. */
  onlyPrimary: boolean;
  busy: boolean;
  trans: TranslationBundle;
  onChange: (version: string) => void;
}): JSX.Element {
  const { id, value, versions, busy, trans } = props;
  if (props.onlyPrimary) {
    return (
      <p className="jp-mlplat-field-hint">
        {trans.__(
          'This model has no other version to send traffic to: register one first.'
        )}
      </p>
    );
  }
  const typed = value.trim();
  const wrong = typed !== '' && !isVersionNumber(typed);
  return (
    <div className="jp-mlplat-deploy-row">
      <label htmlFor={id}>{trans.__('Version')}</label>
      {versions === null ? (
        <HTMLSelect
          id={id}
          className="jp-mlplat-select"
          disabled
          options={[{ value: '', label: '…' }]}
        />
      ) : versions.length > 0 ? (
        <HTMLSelect
          id={id}
          className="jp-mlplat-select"
          value={value}
          disabled={busy}
          options={versions.map(v => ({
            value: v,
            label: trans.__('version %1', v)
          }))}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
      ) : (
        <input
          id={id}
          type="text"
          inputMode="numeric"
          className="jp-mod-styled jp-mlplat-deploy-version-input"
          value={value}
          disabled={busy}
          placeholder={trans.__('e.g. 3')}
          aria-invalid={wrong ? true : undefined}
          title={trans.__('A version number of the model, e.g. 3')}
          onChange={event => props.onChange(event.currentTarget.value)}
        />
      )}
      {wrong && (
        <span className="jp-mlplat-field-error" role="alert">
          {trans.__('Enter a version number, e.g. 3.')}
        </span>
      )}
    </div>
  );
}

/** A model version as MLflow numbers them: a whole number from 1. */
function isVersionNumber(text: string): boolean {
  return /^[1-9]\d{0,9}$/.test(text.trim());
}

/** What a revision served: "version 3 primary 80 %, version 4 canary 20 %". */
export function revisionSummary(
  revision: IRevision,
  trans: TranslationBundle
): string {
  return revision.spec.versions
    .map(v =>
      v.traffic === 'shadow'
        ? trans.__('version %1 (%2)', v.version, trafficLabel(v.traffic, trans))
        : trans.__(
            'version %1 (%2, %3 %)',
            v.version,
            trafficLabel(v.traffic, trans),
            v.percent
          )
    )
    .join(', ');
}

function busyText(
  busy: DeploymentsModel.Busy,
  trans: TranslationBundle
): string {
  switch (busy) {
    case 'canary':
      return trans.__('Changing the canary…');
    case 'shadow':
      return trans.__('Changing the shadow…');
    case 'promote':
      return trans.__('Promoting the canary…');
    case 'rollback':
      return trans.__('Rolling back…');
    case 'resize':
      return trans.__('Changing the size…');
    case 'delete':
      return trans.__('Deleting…');
  }
}

function doneText(
  done: DeploymentsModel.Busy,
  data: IDeployment,
  trans: TranslationBundle
): string {
  switch (done) {
    case 'canary':
    case 'shadow':
      return trans.__('Traffic changed: revision %1.', data.revision);
    case 'promote':
      return trans.__('Promoted: revision %1.', data.revision);
    case 'rollback':
      return trans.__('Rolled back: revision %1.', data.revision);
    case 'resize':
      return trans.__('Size changed: revision %1.', data.revision);
    case 'delete':
      return trans.__('Deleted.');
  }
}

/** The history of the spec, newest first: who changed what, when. */
export function History(props: {
  revisions: IRevision[] | null;
  trans: TranslationBundle;
  formatWhen: (iso: string) => string;
}): JSX.Element | null {
  const { revisions, trans } = props;
  if (!revisions || revisions.length === 0) {
    return null;
  }
  return (
    <details className="jp-mlplat-deploy-history">
      <summary>{trans.__('History')}</summary>
      <ol>
        {revisions.map(revision => (
          <li key={revision.revision}>
            {trans.__(
              'Revision %1: %2 %3, %4 — %5',
              revision.revision,
              revision.actor,
              revisionActionLabel(revision.change, trans),
              props.formatWhen(revision.at),
              revisionSummary(revision, trans)
            )}
          </li>
        ))}
      </ol>
    </details>
  );
}
