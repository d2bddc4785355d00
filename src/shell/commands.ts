/** Command ids of the shell; each feature keeps its own next to its plugin. */
export enum CommandIDs {
  open = 'mlplat:open',
  /** Open a sidebar tab (`{id}`) in the main area, or bring its page forward. */
  openInMainArea = 'mlplat:open-in-main-area',
  /**
   * Open a publication (`{id, kind, modelName, version}`): what a notification's
   * Open runs. The Reviews plugin registers it; without it Open shows the
   * sidebar.
   */
  openPublication = 'mlplat:open-publication'
}
