/**
 * Command ids, one place so the palette, the sidebar buttons and the tests
 * agree. They live apart from index.ts so widgets can use them without
 * importing the plugin.
 */
export enum CommandIDs {
  open = 'mlplat:open',
  trackNotebook = 'mlplat:track-notebook',
  logNotebook = 'mlplat:log-notebook',
  openRun = 'mlplat:open-run',
  compareRuns = 'mlplat:compare-runs'
}
