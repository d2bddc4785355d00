import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { useModelState } from '../shell/hooks';
import { LoadStatus } from '../shell/status';
import {
  ConsoleSection,
  IAdminConsole,
  offeredSections,
  SectionId,
  SectionPicker
} from './console';
import { ProfilesModel } from './model';
import { ProfileEditor } from './profileForm';
import { ProfileList } from './profileList';
import { SizesModel } from './sizes';
import { SizesSection } from './sizesSection';

export interface IAdminTabProps {
  model: ProfilesModel;
  /** The deployment sizes, below the profiles; absent in tests of profiles alone. */
  sizes?: SizesModel | null;
  /** The console's other sections; absent in tests of profiles alone. */
  console?: IAdminConsole | null;
  /**
   * The section shown, kept outside the view: the console moved to the main
   * area (or back) opens on the section it showed.
   */
  section?: { current: SectionId } | null;
  trans: TranslationBundle;
}

/**
 * The Admin tab: one console of sections (workspace profiles first), one
 * shown at a time, picked from a list.
 */
export function AdminTab(props: IAdminTabProps): JSX.Element {
  const { trans } = props;
  const console = props.console ?? null;
  const sections = offeredSections(Boolean(props.sizes), console);
  const kept = props.section ?? null;
  const [current, setShown] = React.useState<SectionId>(
    kept?.current ?? 'profiles'
  );
  const setCurrent = (id: SectionId) => {
    if (kept) {
      kept.current = id;
    }
    setShown(id);
  };
  const shown = sections.includes(current) ? current : 'profiles';
  let body: JSX.Element | null;
  if (shown === 'profiles') {
    body = <ProfilesSection {...props} />;
  } else if (shown === 'sizes' && props.sizes) {
    body = <SizesSection model={props.sizes} trans={trans} />;
  } else {
    body = console && (
      <ConsoleSection id={shown} console={console} trans={trans} />
    );
  }
  return (
    <div className="jp-mlplat-admin-console">
      <SectionPicker
        sections={sections}
        current={shown}
        onChange={setCurrent}
        trans={trans}
      />
      {body}
    </div>
  );
}

/**
 * The workspace profiles, and the editor of one of them.
 *
 * Every time the section is shown the list is read again, so an admin sees
 * what others changed meanwhile; an open editor keeps its draft.
 */
function ProfilesSection(props: IAdminTabProps): JSX.Element {
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
  return <ProfileList model={model} state={state} trans={trans} />;
}
