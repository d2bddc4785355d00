import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { LoadStatus } from '../shell/status';
import { ProfilesModel } from './model';
import { ProfileEditor } from './profileForm';
import { ProfileList } from './profileList';
import { SizesModel } from './sizes';
import { SizesSection } from './sizesSection';

export interface IAdminTabProps {
  model: ProfilesModel;
  /** The deployment sizes, below the profiles; absent in tests of profiles alone. */
  sizes?: SizesModel | null;
  trans: TranslationBundle;
}

/**
 * The Admin tab: the workspace profiles, and the editor of one of them.
 *
 * Every time the tab is shown the list is read again, so an admin sees
 * what others changed meanwhile; an open editor keeps its draft.
 */
export function AdminTab(props: IAdminTabProps): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model);

  React.useEffect(() => {
    void model.refresh();
  }, [model]);

  if (state.editor) {
    return (
      <ProfileEditor
        model={model}
        editor={state.editor}
        knownGroups={state.knownGroups}
        trans={trans}
      />
    );
  }

  const { status } = state;
  if (status.kind === 'unavailable' || status.kind === 'error') {
    return (
      <LoadStatus
        state={status}
        unavailable={trans.__('Platform unavailable — profiles cannot be read')}
        error={code =>
          code === 403
            ? trans.__('Only platform admins may edit profiles (HTTP 403)')
            : code > 0
              ? trans.__('Could not read the profiles (HTTP %1)', code)
              : trans.__('Could not read the profiles')
        }
        onRetry={() => void model.refresh()}
        trans={trans}
      />
    );
  }
  return (
    <>
      <ProfileList model={model} state={state} trans={trans} />
      {props.sizes && <SizesSection model={props.sizes} trans={trans} />}
    </>
  );
}
