import { render, screen, act } from '@testing-library/react';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { TabRegistry } from '../../shell/registry';
import { PlatformTabs } from '../../shell/tabs';
import { IMLPlatformSidebar } from '../../tokens';

const trans = nullTranslator.load('jupyterlab_mlplat');

/** A count the test moves by hand. */
class Count implements IMLPlatformSidebar.IBadge {
  constructor(public state: number) {}
  readonly stateChanged = new Signal<this, number>(this);
  set(value: number): void {
    this.state = value;
    this.stateChanged.emit(value);
  }
  describe(trans: TranslationBundle, count: number): string {
    return trans.__('%1 waiting', count);
  }
}

function strip(badge: Count): void {
  const tabs = new TabRegistry();
  tabs.add({ id: 'one', rank: 1, label: 'One', render: () => null });
  tabs.add({ id: 'two', rank: 2, label: 'Two', badge, render: () => null });
  render(
    <PlatformTabs
      tabs={tabs.visible([], trans)}
      selected={null}
      onSelect={() => undefined}
      renderPanel={() => null}
      trans={trans}
    />
  );
}

describe('tab badges', () => {
  it('shows a count beside the label, with its words for screen readers', () => {
    strip(new Count(3));
    const tab = screen.getByRole('tab', { name: 'Two 3 waiting' });
    expect(tab.querySelector('.jp-mlplat-tab-badge')?.textContent).toContain(
      '3'
    );
    expect(screen.getByRole('tab', { name: 'One' })).toBeTruthy();
  });

  it('follows its model and hides while the count is 0', () => {
    const count = new Count(0);
    strip(count);
    expect(document.querySelector('.jp-mlplat-tab-badge')).toBeNull();
    act(() => count.set(120));
    expect(
      screen.getByRole('tab', { name: 'Two 120 waiting' }).textContent
    ).toContain('99+');
    act(() => count.set(0));
    expect(document.querySelector('.jp-mlplat-tab-badge')).toBeNull();
  });
});
