/** Command ids of the shell; each feature keeps its own next to its plugin. */
export enum CommandIDs {
  open = 'mlplat:open'
}
