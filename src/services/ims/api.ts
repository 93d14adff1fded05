/**
 * @module What IMS offers other services (the exported module, STYLE §4): OIDC provider lookups
 * for STS's AssumeRoleWithOIDC.
 */
import type { OidcProvider } from './model.js';
import type { ImsStore } from './store.js';

/** IMS, as other services see it. */
export interface ImsApi {
  getOidcProvider(accountId: string, name: string): Promise<OidcProvider | undefined>;
}

/** Builds the IMS API over a store. */
export function createImsApi(store: ImsStore): ImsApi {
  return { getOidcProvider: (a, n) => store.getProvider(a, n) };
}
