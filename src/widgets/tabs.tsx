import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Role } from '../tokens';

export type TabId =
  | 'experiments'
  | 'git'
  | 'models'
  | 'reviews'
  | 'deployments'
  | 'instructions'
  | 'admin';

export interface ITabSpec {
  id: TabId;
  label: string;
  /**
   * Shown until the feature ships, so nobody mistakes an empty tab for a bug;
   * absent for tabs that have their content.
   */
  notYet?: string;
  /** Only users holding this role see the tab. */
  role?: Role;
}

/** The product's tabs in order, labelled in the user's language. */
export function tabSpecs(trans: TranslationBundle): ITabSpec[] {
  return [
    {
      id: 'experiments',
      label: trans.__('Experiments')
    },
    {
      id: 'git',
      label: trans.__('Git')
    },
    {
      id: 'models',
      label: trans.__('Models'),
      notYet: trans.__(
        'Models are not available yet: this part of the workbench is still being built.'
      )
    },
    {
      id: 'reviews',
      label: trans.__('Reviews'),
      notYet: trans.__(
        'Reviews are not available yet: this part of the workbench is still being built.'
      ),
      role: 'reviewer'
    },
    {
      id: 'deployments',
      label: trans.__('Deployments'),
      notYet: trans.__(
        'Deployments are not available yet: this part of the workbench is still being built.'
      )
    },
    {
      id: 'instructions',
      label: trans.__('Instructions'),
      notYet: trans.__(
        'Instructions are not available yet: this part of the workbench is still being built.'
      )
    },
    {
      id: 'admin',
      label: trans.__('Admin'),
      role: 'admin'
    }
  ];
}

/** The tabs a user with these roles may open. */
export function visibleTabs(
  roles: readonly string[],
  trans: TranslationBundle
): ITabSpec[] {
  return tabSpecs(trans).filter(tab => !tab.role || roles.includes(tab.role));
}

export interface IPlatformTabsProps {
  tabs: ITabSpec[];
  selected: TabId;
  onSelect: (id: TabId) => void;
  /** The content of a tab that has one; null falls back to `notYet`. */
  renderPanel?: (id: TabId) => JSX.Element | null;
  trans: TranslationBundle;
}

/**
 * The WAI-ARIA tabs pattern: one tab in the focus order, arrow keys move
 * between tabs, so keyboard and screen-reader users (and role-based UI
 * tests) reach every section.
 */
export function PlatformTabs(props: IPlatformTabsProps): JSX.Element {
  const { tabs, onSelect, trans } = props;
  const prefix = React.useId();
  const refs = React.useRef(new Map<TabId, HTMLButtonElement>());
  const current =
    tabs.find(tab => tab.id === props.selected) ?? (tabs[0] as ITabSpec);

  const focusTab = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    onSelect(tab.id);
    refs.current.get(tab.id)?.focus();
  };

  const onKeyDown = (event: React.KeyboardEvent, index: number) => {
    switch (event.key) {
      case 'ArrowRight':
      case 'ArrowDown':
        focusTab(index + 1);
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
        focusTab(index - 1);
        break;
      case 'Home':
        focusTab(0);
        break;
      case 'End':
        focusTab(tabs.length - 1);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const tabId = (id: TabId) => `${prefix}-tab-${id}`;
  const panelId = (id: TabId) => `${prefix}-panel-${id}`;

  return (
    <div className="jp-mlplat-tabs">
      <div
        className="jp-mlplat-tablist"
        role="tablist"
        aria-label={trans.__('ML Platform sections')}
      >
        {tabs.map((tab, index) => {
          const isSelected = tab.id === current.id;
          return (
            <button
              key={tab.id}
              ref={node => {
                if (node) {
                  refs.current.set(tab.id, node);
                } else {
                  refs.current.delete(tab.id);
                }
              }}
              id={tabId(tab.id)}
              className="jp-mlplat-tab"
              type="button"
              role="tab"
              aria-selected={isSelected}
              aria-controls={panelId(tab.id)}
              tabIndex={isSelected ? 0 : -1}
              onClick={() => onSelect(tab.id)}
              onKeyDown={event => onKeyDown(event, index)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <div
        className="jp-mlplat-tabpanel"
        role="tabpanel"
        id={panelId(current.id)}
        aria-labelledby={tabId(current.id)}
        tabIndex={0}
      >
        {props.renderPanel?.(current.id) ??
          (current.notYet ? (
            <p className="jp-mlplat-not-yet">{current.notYet}</p>
          ) : null)}
      </div>
    </div>
  );
}
