/**
 * Command ids of the Experiments tab, one place so the palette, the tab's
 * buttons and the tests agree. They live apart from the plugin so widgets
 * can use them without importing it.
 */
export enum CommandIDs {
  trackNotebook = 'mlplat:track-notebook',
  logNotebook = 'mlplat:log-notebook',
  openRun = 'mlplat:open-run',
  compareRuns = 'mlplat:compare-runs'
}
