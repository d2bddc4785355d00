/**
 * Command ids of the Instructions tab, one place so the launcher, the Help
 * menu, the palette and the tests agree.
 */
export enum CommandIDs {
  /** Show the Instructions tab; with `{slug}`, open that article. */
  open = 'mlplat:open-instructions',
  /** Open the first article of the list: where a newcomer starts. */
  openFirst = 'mlplat:open-first-instruction'
}
