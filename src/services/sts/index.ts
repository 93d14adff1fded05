/**
 * @module STS (2015-04-01): AssumeRole, AssumeRoleWithOIDC (unsigned, `oidc-handlers.ts`) and
 * GetCallerIdentity on the RPC gateway, plus the session issuer and sealing keys other services
 * use (ECS instance-role credentials).
 */
import { bind, type RpcProduct } from '../../protocol/rpc-operation.js';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import type { RamApi } from '../ram/api.js';
import type { ImsApi } from '../ims/index.js';
import { assumeRoleWithOidc } from './oidc-handlers.js';
import { httpsKeySource, type OidcKeySource } from './oidc-keys.js';
import { StsNoPermission } from './errors.js';
import { assumeRole, getCallerIdentity } from './handlers.js';
import { StsIssuer } from './issuer.js';
import { m0001Keys } from './migrations/0001-keys.js';
import * as O from './operations.js';
import { StsKeyStore } from './store.js';

export { StsIssuer, type IssuedSession, type SessionRequest } from './issuer.js';
export { StsKeyStore } from './store.js';

/** STS's migrations. */
export const stsMigrations: MigrationSet = { service: 'sts', migrations: [m0001Keys] };

/** The STS service. */
export interface StsService {
  product: RpcProduct;
  keys: StsKeyStore;
  issuer: StsIssuer;
}

/** What AssumeRoleWithOIDC needs: IMS's providers, and where issuers' keys come from. */
export interface StsOidcDeps {
  ims: ImsApi;
  /** CA certificates trusted besides the system's when fetching issuers' keys (yunbox's CA). */
  extraCas(): string[];
  /** A key source other than HTTPS (tests). */
  keys?: OidcKeySource;
}

/** Builds the STS service. */
export function createStsService(db: Db, ram: RamApi, oidc: StsOidcDeps): StsService {
  const keys = new StsKeyStore(db);
  const issuer = new StsIssuer(keys);
  const oidcKeys = oidc.keys ?? httpsKeySource(oidc.extraCas);
  return {
    keys,
    issuer,
    product: {
      product: 'Sts',
      version: '2015-04-01',
      hostId: (region) => `sts.${region}.aliyuncs.com`,
      denied: (message, detail) => StsNoPermission(message, { AccessDeniedDetail: detail }),
      operations: [
        bind(O.AssumeRole, assumeRole({ ram, issuer })),
        bind(
          O.AssumeRoleWithOIDC,
          assumeRoleWithOidc({ ram, ims: oidc.ims, issuer, keys: oidcKeys }),
        ),
        bind(O.GetCallerIdentity, getCallerIdentity()),
      ],
    },
  };
}
