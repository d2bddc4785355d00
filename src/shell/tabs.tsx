import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IMLPlatformSidebar } from '../tokens';
import { useModelState } from './hooks';
import { ITabSpec } from './registry';

export interface IPlatformTabsProps {
  tabs: ITabSpec[];
  /** The selected tab's id; the first tab when null or gone. */
  selected: string | null;
  onSelect: (id: string) => void;
  /** The content of the selected tab. */
  renderPanel: (tab: ITabSpec) => JSX.Element | null;
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
  const refs = React.useRef(new Map<string, HTMLButtonElement>());
  const current: ITabSpec | undefined =
    tabs.find(tab => tab.id === props.selected) ?? tabs[0];

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

  if (!current) {
    return <div className="jp-mlplat-tabs" />;
  }

  const tabId = (id: string) => `${prefix}-tab-${id}`;
  const panelId = (id: string) => `${prefix}-panel-${id}`;

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
              title={tab.label}
              onClick={() => onSelect(tab.id)}
              onKeyDown={event => onKeyDown(event, index)}
            >
              {tab.label}
              {tab.badge && <TabBadge badge={tab.badge} trans={trans} />}
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
        <React.Fragment key={current.id}>
          {props.renderPanel(current)}
        </React.Fragment>
      </div>
    </div>
  );
}

/**
 * A tab's count beside its label. It follows its own model, so a new count
 * redraws this badge only; a screen reader hears what the count means
 * rather than a bare number.
 */
function TabBadge(props: {
  badge: IMLPlatformSidebar.IBadge;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { badge, trans } = props;
  const count = useModelState(badge);
  if (!(count > 0)) {
    return null;
  }
  const words = badge.describe(trans, count);
  return (
    <span className="jp-mlplat-tab-badge" title={words}>
      <span aria-hidden="true">{count > 99 ? '99+' : String(count)}</span>
      <span className="jp-mlplat-tab-badge-words">{words}</span>
    </span>
  );
}
