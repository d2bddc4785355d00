/**
 * Command ids of the Catalog tab. `openModel` opens a catalog model's page
 * (args: name); the layout restorer runs it to bring the page back after a
 * reload.
 */
export enum CommandIDs {
  openModel = 'mlplat:open-catalog-model'
}
