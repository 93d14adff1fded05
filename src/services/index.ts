/**
 * @module The one registration list of services (LocalStack providers.py): their migrations, RPC
 * products, and the cross-service wiring (credential resolution from RAM keys and STS tokens).
 */
import { createCredentialResolver, type CredentialResolver } from '../auth/credentials.js';
import { kernelMigrations } from '../kernel/nonces.js';
import type { Db } from '../store/db.js';
import type { MigrationSet } from '../store/migrate.js';
import type { RpcProduct } from '../protocol/rpc-operation.js';
import { createRamService, ramMigrations, type RamService } from './ram/index.js';
import { createStsService, stsMigrations, type StsService } from './sts/index.js';

/** Every migration set, in order. */
export const allMigrations: MigrationSet[] = [kernelMigrations, ramMigrations, stsMigrations];

/** The services of one yunbox process. */
export interface Services {
  ram: RamService;
  sts: StsService;
  products: RpcProduct[];
  resolver: CredentialResolver;
}

/** Builds every service over one database. */
export function createServices(db: Db): Services {
  const ram = createRamService(db);
  const sts = createStsService(db, ram.api);
  const resolver = createCredentialResolver({
    async longTermKey(id) {
      const k = await ram.api.getAccessKey(id);
      if (!k) return undefined;
      if (k.userId === undefined) {
        return {
          secret: k.secret,
          active: k.status === 'Active',
          principal: { kind: 'account', accountId: k.accountId, accessKeyId: id },
        };
      }
      const u = await ram.api.getUserById(k.userId);
      if (!u) return undefined;
      return {
        secret: k.secret,
        active: k.status === 'Active',
        principal: {
          kind: 'user',
          accountId: k.accountId,
          userId: u.userId,
          userName: u.userName,
          accessKeyId: id,
        },
      };
    },
    stsKey: (id) => sts.keys.get(id),
  });
  return { ram, sts, products: [ram.product, sts.product], resolver };
}
