/**
 * Command ids of the Deployments tab. The Models tab's version page and the
 * Catalog's model page show "Deploy" when `deploy` exists, knowing only its
 * id (args: modelName, version, published, and for a published version of
 * one's own: productionModelName, productionVersion).
 */
export enum CommandIDs {
  deploy = 'mlplat:deploy-model-version',
  open = 'mlplat:open-deployment'
}
