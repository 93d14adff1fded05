/**
 * @module IMS (2019-08-15): OIDC identity providers on the RPC gateway at `ims.aliyuncs.com`,
 * decided by RAM as `ram:<Action>`; and yunbox's own per-account OIDC issuer (its Yunbox API
 * operations and the public documents on the gateway, `issuer.ts`).
 */
import { bind, type BoundOperation, type RpcProduct } from '../../protocol/rpc-operation.js';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import { createImsApi, type ImsApi } from './api.js';
import { ImsNoPermission } from './errors.js';
import { imsHandlers } from './handlers.js';
import { issuerOperations, OidcIssuer } from './issuer.js';
import { m0001OidcProviders } from './migrations/0001-oidc-providers.js';
import * as O from './operations.js';
import { ImsSqlStore } from './store-sql.js';

export type { ImsApi } from './api.js';
export {
  oidcProviderArn,
  parseOidcProviderArn,
  normaliseFingerprint,
  type OidcProvider,
} from './model.js';
export {
  OidcIssuer,
  certificateFingerprint,
  OIDC_ISSUER_PATH,
  type IssuerEndpoint,
} from './issuer.js';

/** API version of the IMS product. */
export const IMS_API_VERSION = '2019-08-15';

/** IMS's migrations. */
export const imsMigrations: MigrationSet = { service: 'ims', migrations: [m0001OidcProviders] };

/** The IMS service. */
export interface ImsService {
  product: RpcProduct;
  api: ImsApi;
  issuer: OidcIssuer;
  /** DescribeOIDCIssuer and IssueOIDCToken, served by the Yunbox product. */
  issuerOperations: BoundOperation[];
}

/** Builds the IMS service over a database. */
export function createImsService(db: Db): ImsService {
  const store = new ImsSqlStore(db);
  const h = imsHandlers(store);
  const issuer = new OidcIssuer(store);
  return {
    api: createImsApi(store),
    issuer,
    issuerOperations: issuerOperations(issuer),
    product: {
      product: 'Ims',
      version: IMS_API_VERSION,
      hostId: () => 'ims.aliyuncs.com',
      denied: (message, detail) => ImsNoPermission(message, { AccessDeniedDetail: detail }),
      operations: [
        bind(O.CreateOIDCProvider, h.createOIDCProvider),
        bind(O.GetOIDCProvider, h.getOIDCProvider),
        bind(O.ListOIDCProviders, h.listOIDCProviders),
        bind(O.UpdateOIDCProvider, h.updateOIDCProvider),
        bind(O.DeleteOIDCProvider, h.deleteOIDCProvider),
        bind(O.AddClientIdToOIDCProvider, h.addClientIdToOIDCProvider),
        bind(O.RemoveClientIdFromOIDCProvider, h.removeClientIdFromOIDCProvider),
        bind(O.AddFingerprintToOIDCProvider, h.addFingerprintToOIDCProvider),
        bind(O.RemoveFingerprintFromOIDCProvider, h.removeFingerprintFromOIDCProvider),
      ],
    },
  };
}
