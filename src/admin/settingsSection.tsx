import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { FailureNote } from '../shell/notes';
import { LoadStatus } from '../shell/status';
import { ISetting, SettingsModel } from './settings';

export interface ISettingsSectionProps {
  model: SettingsModel;
  trans: TranslationBundle;
}

/** The feature of the idle thresholds (`core/settings/records.py`): shown with the hub's culler. */
const IDLE_FEATURE = 'analytics';

function settingLabel(key: string, trans: TranslationBundle): string {
  switch (key) {
    case 'approvals_required':
      return trans.__('Approvals needed to publish');
    case 'drift_p_value':
      return trans.__('Drift: p-value threshold of a feature');
    case 'drift_share':
      return trans.__('Drift: share of drifted features');
    case 'idle_cpu_fraction':
      return trans.__('Idle: share of the requested CPU');
    case 'idle_gpu_notify_minutes':
      return trans.__('Idle GPU: minutes before its owner is told');
    default:
      return key;
  }
}

function settingHint(setting: ISetting, trans: TranslationBundle): string {
  switch (setting.key) {
    case 'approvals_required':
      return trans.__(
        'Distinct reviewers, never the author. The next decision counts against it.'
      );
    case 'drift_p_value':
      return trans.__(
        'A feature drifted when its test’s p-value is below this. The next drift pass uses it.'
      );
    case 'drift_share':
      return trans.__(
        'A report is drifted (and the owner told) when this share of its features drifted.'
      );
    case 'idle_cpu_fraction':
      return trans.__(
        'A minute of a workspace or deployment is idle when it used less than this share of its requested CPU and its kernels were quiet (0.05: 5 %). The next sample uses it.'
      );
    case 'idle_gpu_notify_minutes':
      return trans.__(
        'A workspace that holds a GPU idle this many minutes in a row gets its owner a notification, once per idle stretch.'
      );
    default:
      return '';
  }
}

/** Settings that take effect at their next use, and the hub's policy beside them. */
export function SettingsSection(props: ISettingsSectionProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);
  React.useEffect(() => {
    void model.refresh();
  }, [model]);
  if (state.status.kind !== 'ready' || state.list === null) {
    return (
      <LoadStatus
        state={
          state.status.kind === 'ready' ? { kind: 'loading' } : state.status
        }
        loading={trans.__('Reading the settings…')}
        unavailable={trans.__('The platform is unavailable — retrying')}
        error={() => trans.__('The settings could not be read')}
        onRetry={() => void model.refresh()}
        trans={trans}
      />
    );
  }
  const idle = state.list.hub.server_idle_timeout;
  // the idle thresholds are shown beside the hub's idle culler, the others first
  const isIdle = (setting: ISetting) => setting.feature === IDLE_FEATURE;
  return (
    <section className="jp-mlplat-settings" aria-label={trans.__('Settings')}>
      <h3 className="jp-mlplat-runs-title">{trans.__('Settings')}</h3>
      <p className="jp-mlplat-hint">
        {trans.__(
          'Changes apply at the next use, with no restart, and are recorded in the audit log. The platform’s configuration is the default.'
        )}
      </p>
      {state.list.settings
        .filter(setting => !isIdle(setting))
        .map(setting => (
          <SettingRow
            key={setting.key}
            setting={setting}
            model={model}
            state={state}
            trans={trans}
          />
        ))}
      <fieldset className="jp-mlplat-fieldset">
        <legend>{trans.__('Idle thresholds')}</legend>
        {state.list.settings.filter(isIdle).map(setting => (
          <SettingRow
            key={setting.key}
            setting={setting}
            model={model}
            state={state}
            trans={trans}
          />
        ))}
        <p>
          {idle > 0
            ? trans.__(
                'Idle servers are stopped by the hub after %1 minutes.',
                Math.round(idle / 60)
              )
            : trans.__(
                'No idle culler runs with this hub: idle servers keep running.'
              )}
        </p>
        <p className="jp-mlplat-field-hint">
          {trans.__(
            'Set in the hub’s configuration (MLPLAT_IDLE_TIMEOUT on a cluster, the idle culler service), not here.'
          )}
        </p>
      </fieldset>
    </section>
  );
}

function SettingRow(props: {
  setting: ISetting;
  model: SettingsModel;
  state: SettingsModel.IState;
  trans: TranslationBundle;
}): JSX.Element {
  const { setting, model, state, trans } = props;
  const id = React.useId();
  const failure = state.failures[setting.key];
  const busy = state.busy === setting.key;
  return (
    <form
      className="jp-mlplat-setting"
      data-path={setting.key}
      onSubmit={event => {
        event.preventDefault();
        void model.save(setting.key);
      }}
    >
      <label htmlFor={id}>{settingLabel(setting.key, trans)}</label>
      <div className="jp-mlplat-setting-row">
        <input
          id={id}
          className="jp-mod-styled jp-mlplat-field-short"
          inputMode={setting.kind === 'integer' ? 'numeric' : 'decimal'}
          value={state.drafts[setting.key] ?? ''}
          aria-invalid={failure !== undefined}
          aria-describedby={`${id}-hint`}
          onChange={event =>
            model.setDraft(setting.key, event.currentTarget.value)
          }
        />
        <Button small type="submit" disabled={state.busy !== null}>
          {trans.__('Save')}
        </Button>
        {setting.overridden && (
          <Button
            small
            minimal
            type="button"
            disabled={state.busy !== null}
            onClick={() => void model.save(setting.key, true)}
          >
            {trans.__('Reset to %1', setting.default)}
          </Button>
        )}
      </div>
      <p id={`${id}-hint`} className="jp-mlplat-field-hint">
        {settingHint(setting, trans)}{' '}
        {trans.__('From %1 to %2.', setting.minimum, setting.maximum)}{' '}
        {setting.overridden
          ? trans.__(
              'Set by %1; the default is %2.',
              setting.updated_by ?? '',
              setting.default
            )
          : trans.__('The default.')}
      </p>
      {busy && <p role="status">{trans.__('Saving…')}</p>}
      {state.saved === setting.key && !failure && (
        <p role="status" className="jp-mlplat-hint">
          {trans.__('Saved: %1 is now in force.', setting.value)}
        </p>
      )}
      {failure && (
        <FailureNote
          failure={failure}
          title={trans.__('Not saved')}
          trans={trans}
        />
      )}
    </form>
  );
}
