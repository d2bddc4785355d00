import { ILayoutRestorer } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

/**
 * The main-area pages of one kind (run pages, version pages, the catalog's
 * model page…), followed so that they come back after a reload as notebooks
 * do: a language switch reloads the lab, and a person who had three run
 * pages open should not have to find them again.
 */
export interface IPageTracker {
  /**
   * Follow a page opened by the kind's command with these arguments; call it
   * again when the page comes to show something else (the one catalog page
   * opening another model), so a reload opens what is shown now.
   */
  track(widget: MainAreaWidget, args: ReadonlyPartialJSONObject): void;
}

/**
 * The layout restorer reopens each page by running `command` with the
 * arguments it was last tracked with, before it lays the main area out as
 * it was. Without a restorer (tests, a lab without one) pages are only
 * followed.
 */
export function trackPages(
  restorer: ILayoutRestorer | null,
  namespace: string,
  command: string
): IPageTracker {
  const tracker = new WidgetTracker<MainAreaWidget>({ namespace });
  const shown = new WeakMap<MainAreaWidget, ReadonlyPartialJSONObject>();
  if (restorer) {
    void restorer.restore(tracker, {
      command,
      args: widget => shown.get(widget) ?? {},
      // the arguments name the page: the same run opened twice is one page
      name: widget => JSON.stringify(shown.get(widget) ?? {})
    });
  }
  return {
    track: (widget, args) => {
      shown.set(widget, args);
      void (tracker.has(widget) ? tracker.save(widget) : tracker.add(widget));
    }
  };
}
