/* ------------------------------------------------------------------------
 * API keys as the panel reads them, through the server extension
 * (`jupyterlab-mlplat/apikeys/...`), which asks the platform as the person.
 *
 * The wire types are the sidebar API's schemas, generated from its OpenAPI
 * document (`jlpm build:types`). A key's secret is in exactly one answer,
 * `IIssuedKey`, of a creation or a rotation; the panel shows it once and
 * forgets it.
 * ---------------------------------------------------------------------- */

import type { components } from '../api/generated/sidebar';

type Schemas = components['schemas'];

/** Where a key is: active, rotating (replaced, still working), expired, revoked. */
export type KeyState = Schemas['KeyState'];

/** A key as lists show it: its prefix, scopes and uses, never its secret. */
export type IApiKey = Schemas['ApiKeyBody'];

/** `GET apikeys` */
export type IApiKeyList = Schemas['ApiKeyList'];

/** `POST apikeys` */
export type IApiKeyCreate = Schemas['ApiKeyCreate'];

/** A new key and its secret: the one answer that carries the secret. */
export type IIssuedKey = Schemas['IssuedKeyBody'];

/** The panel's calls; tests give it a scripted server, the lab the extension. */
export interface IApiKeysAPI {
  list(all: boolean): Promise<IApiKeyList>;
  create(body: IApiKeyCreate): Promise<IIssuedKey>;
  revoke(id: number): Promise<IApiKey>;
  rotate(id: number, overlapSeconds: number): Promise<IIssuedKey>;
}
