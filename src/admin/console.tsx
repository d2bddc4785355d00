import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformApiKeys } from '../tokens';
import { AuditModel } from './audit';
import { AuditSection } from './auditSection';
import { DeploymentsSection } from './deploymentsSection';
import { IAnyDeployment } from './everyDeployment';
import { IPeople } from './people';
import { PeopleSection } from './peopleSection';
import { ReadModel } from './readModel';
import { SettingsModel } from './settings';
import { SettingsSection } from './settingsSection';

/*
 * The Admin tab as one console: a list of sections, one shown at a time.
 * Profiles and sizes are the tab's first sections; the others are built
 * here from their models. A section with no model (tests of one section,
 * a plugin missing) is not offered.
 */

/** The sections, in the order the list offers them. */
export const SECTIONS = [
  'profiles',
  'sizes',
  'people',
  'deployments',
  'keys',
  'audit',
  'settings'
] as const;

export type SectionId = (typeof SECTIONS)[number];

/** The models of the console's own sections. */
export interface IAdminConsole {
  audit: AuditModel;
  settings: SettingsModel;
  people: ReadModel<IPeople>;
  deployments: ReadModel<IAnyDeployment[]>;
  /** Opens a deployment's page in the Deployments tab (null without it). */
  openDeployment: ((name: string) => void) | null;
  /** Everybody's keys, revocable: the API keys panel (null without its plugin). */
  apiKeys: IMLPlatformApiKeys | null;
}

export function sectionLabel(id: SectionId, trans: TranslationBundle): string {
  switch (id) {
    case 'profiles':
      return trans.__('Workspace profiles');
    case 'sizes':
      return trans.__('Deployment sizes');
    case 'people':
      return trans.__('People');
    case 'deployments':
      return trans.__('Every deployment');
    case 'keys':
      return trans.__('API keys');
    case 'audit':
      return trans.__('Audit log');
    case 'settings':
      return trans.__('Settings');
  }
}

/** The sections there is something to show for. */
export function offeredSections(
  hasSizes: boolean,
  console: IAdminConsole | null
): SectionId[] {
  return SECTIONS.filter(id => {
    switch (id) {
      case 'profiles':
        return true;
      case 'sizes':
        return hasSizes;
      case 'keys':
        return (console?.apiKeys ?? null) !== null;
      default:
        return console !== null;
    }
  });
}

/** The list of sections: a select, which stays usable in a narrow sidebar. */
export function SectionPicker(props: {
  sections: SectionId[];
  current: SectionId;
  onChange: (id: SectionId) => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { sections, current, trans } = props;
  const id = React.useId();
  if (sections.length < 2) {
    return null;
  }
  return (
    <div className="jp-mlplat-admin-sections">
      <label htmlFor={id}>{trans.__('Section')}</label>
      <select
        id={id}
        className="jp-mod-styled"
        value={current}
        onChange={event =>
          props.onChange(event.currentTarget.value as SectionId)
        }
      >
        {sections.map(section => (
          <option key={section} value={section}>
            {sectionLabel(section, trans)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** One of the console's own sections. */
export function ConsoleSection(props: {
  id: SectionId;
  console: IAdminConsole;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { id, console, trans } = props;
  switch (id) {
    case 'people':
      return <PeopleSection model={console.people} trans={trans} />;
    case 'deployments':
      return (
        <DeploymentsSection
          model={console.deployments}
          open={console.openDeployment}
          trans={trans}
        />
      );
    case 'keys':
      return console.apiKeys
        ? console.apiKeys.render({ trans, deployments: [], admin: true })
        : null;
    case 'audit':
      return <AuditSection model={console.audit} trans={trans} />;
    case 'settings':
      return <SettingsSection model={console.settings} trans={trans} />;
    default:
      return null;
  }
}
