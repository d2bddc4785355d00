import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { LoadingNote } from '../shell/status';
import { IProfileRecord } from './types';
import { formatDateTime } from '../shell/labels';
import { groupsSummary, resourceSummary } from './labels';
import { ProfilesModel } from './model';
import { RefreshButton } from '../shell/refresh';

export interface IProfileListProps {
  model: ProfilesModel;
  state: ProfilesModel.IState;
  trans: TranslationBundle;
}

/** Every workspace profile in spawn-page order; a name opens the editor. */
export function ProfileList(props: IProfileListProps): JSX.Element {
  const { model, state, trans } = props;
  const { profiles } = state;
  return (
    <section
      className="jp-mlplat-profiles"
      aria-label={trans.__('Workspace profiles')}
    >
      <div className="jp-mlplat-runs-header">
        <h3 className="jp-mlplat-runs-title">
          {trans.__('Workspace profiles')}
        </h3>
      </div>
      <div
        className="jp-mlplat-toolbar"
        role="toolbar"
        aria-label={trans.__('Profile actions')}
      >
        <Button
          small
          disabled={profiles === null}
          onClick={() => model.create()}
        >
          <span aria-hidden="true">
            <addIcon.react tag="span" />
          </span>
          {trans.__('New profile')}
        </Button>
        <RefreshButton
          trans={trans}
          title={trans.__('Read the profiles again')}
          onClick={() => void model.refresh()}
        />
      </div>
      {profiles === null ? (
        <LoadingNote text={trans.__('Loading profiles…')} />
      ) : profiles.length === 0 ? (
        <p className="jp-mlplat-empty">
          {trans.__('No profiles yet: nobody can start a server.')}
        </p>
      ) : (
        <ul
          className="jp-mlplat-profile-list"
          aria-label={trans.__('Profile list')}
          aria-busy={state.busy}
        >
          {profiles.map(record => (
            <ProfileItem
              key={record.profile.slug}
              record={record}
              onOpen={() => model.edit(record)}
              trans={trans}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

interface IProfileItemProps {
  record: IProfileRecord;
  onOpen: () => void;
  trans: TranslationBundle;
}

/** One profile: what people get from it, who may start it, who changed it last. */
function ProfileItem(props: IProfileItemProps): JSX.Element {
  const { record, trans } = props;
  const { profile } = record;
  return (
    <li className="jp-mlplat-profile">
      <div className="jp-mlplat-profile-head">
        <button
          type="button"
          className="jp-mlplat-link jp-mlplat-profile-name"
          title={trans.__('Edit this profile')}
          onClick={props.onOpen}
        >
          {profile.display_name}
        </button>
        {profile.default && (
          <span
            className="jp-mlplat-badge"
            title={trans.__('Preselected on the spawn page')}
          >
            {trans.__('default')}
          </span>
        )}
      </div>
      <div className="jp-mlplat-profile-slug jp-mlplat-code">
        {profile.slug}
      </div>
      <div className="jp-mlplat-profile-resources">
        {resourceSummary(profile, trans)}
      </div>
      <div className="jp-mlplat-profile-groups">
        {groupsSummary(profile, trans)}
      </div>
      <div className="jp-mlplat-profile-meta">
        {trans.__(
          'Updated by %1 on %2',
          record.updated_by,
          formatDateTime(record.updated_at)
        )}
      </div>
    </li>
  );
}
