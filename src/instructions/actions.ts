/*
 * Product actions: the links an article's Markdown may make to the
 * workbench itself (`[Open Experiments](mlplat:open-tab/experiments)`).
 * The list is closed and the platform refuses any other at save
 * (`core/instructions/rules.py`'s PRODUCT_ACTIONS); the tab runs them as
 * JupyterLab commands or sidebar calls, never as navigation, and ignores
 * anything it does not know.
 */

/** The Experiments tab's command that tracks the open notebook. */
export const TRACK_NOTEBOOK = 'mlplat:track-notebook';

/** The tabs an article may open. */
const TABS = [
  'experiments',
  'git',
  'models',
  'reviews',
  'deployments',
  'instructions'
];

export type ProductAction =
  | { kind: 'open-tab'; tab: string }
  | { kind: 'track-notebook' }
  | { kind: 'open-notebook' };

/**
 * The action a link's address names, or null for every other address
 * (which the tab then does not follow either).
 */
export function productAction(href: string | null): ProductAction | null {
  const match = /^mlplat:([a-z-]+)(?:\/([a-z-]+))?$/i.exec((href ?? '').trim());
  if (!match) {
    return null;
  }
  const verb = match[1].toLowerCase();
  const object = (match[2] ?? '').toLowerCase();
  if (verb === 'open-tab' && TABS.includes(object)) {
    return { kind: 'open-tab', tab: object };
  }
  if (verb === 'track-notebook' && !object) {
    return { kind: 'track-notebook' };
  }
  if (verb === 'open-notebook' && !object) {
    return { kind: 'open-notebook' };
  }
  return null;
}

/** What running an action needs; the plugin gives the lab's, tests their own. */
export interface IActionRunner {
  showTab(tab: string): void;
  /** Run a command when it is there (a tab's plugin may be absent). */
  execute(command: string): void;
  /** "Open in my workspace" of the article on screen. */
  openNotebook(): void;
}

export function runAction(action: ProductAction, runner: IActionRunner): void {
  switch (action.kind) {
    case 'open-tab':
      runner.showTab(action.tab);
      return;
    case 'track-notebook':
      runner.execute(TRACK_NOTEBOOK);
      return;
    case 'open-notebook':
      runner.openNotebook();
      return;
  }
}

/**
 * The click handler of a rendered article: a click on a product link runs
 * its action; a click on any link the sanitizer left without a usable
 * address (a `javascript:` link it emptied) does nothing.
 */
export function onArticleClick(
  event: { target: EventTarget | null; preventDefault(): void },
  runner: IActionRunner
): void {
  const target = event.target as Element | null;
  const anchor = target?.closest?.('a');
  if (!anchor) {
    return;
  }
  const href = anchor.getAttribute('href');
  const action = productAction(href);
  if (action) {
    event.preventDefault();
    runAction(action, runner);
    return;
  }
  // Web pages open in a new browser tab (JupyterLab set the target); an
  // in-page anchor scrolls; anything else (an address the sanitizer
  // emptied, a relative path) is not followed.
  if (!href || !/^(https?:|mailto:|#)/i.test(href.trim())) {
    event.preventDefault();
  }
}
