/**
 * @module The one registration list of services (LocalStack providers.py): their migrations, RPC
 * products, and the cross-service wiring (credential resolution from RAM keys and STS tokens).
 */
import { createCredentialResolver, type CredentialResolver } from '../auth/credentials.js';
import { Authorizer } from '../kernel/authorizer.js';
import { kernelMigrations } from '../kernel/nonces.js';
import type { Db, StoreLocation } from '../store/db.js';
import type { MigrationSet } from '../store/migrate.js';
import type { RpcProduct } from '../protocol/rpc-operation.js';
import { createRamService, ramMigrations, type RamService } from './ram/index.js';
import { createStsService, stsMigrations, type StsService } from './sts/index.js';
import { createImsService, imsMigrations, type ImsService } from './ims/index.js';
import { createVpcService, vpcMigrations, type VpcService } from './vpc/index.js';
import { createEcsService, ecsMigrations, type EcsService } from './ecs/index.js';
import { ossMigrations } from './oss/index.js';
import { createTrailService, trailMigrations, type TrailService } from './trail/index.js';
import { blobMigrations } from '../blob/postgres/postgres-blob-store.js';
import { accountOperations } from './yunbox/accounts.js';
import { clockOperations } from './yunbox/clock.js';
import { consoleOperations } from './yunbox/console.js';
import { metadataControlOperations } from './yunbox/faults.js';
import { createYunboxProduct } from './yunbox/index.js';
import { sandboxOperations, type SandboxControl } from './yunbox/sandboxes.js';

/** Every migration set, in order. */
export const allMigrations: MigrationSet[] = [
  kernelMigrations,
  ramMigrations,
  stsMigrations,
  imsMigrations,
  vpcMigrations,
  ecsMigrations,
  ossMigrations,
  blobMigrations,
  trailMigrations,
];

// OSS is not an RPC product: main.ts mounts its protocol on the gateway (services/oss).
export { createOssService, type OssService } from './oss/index.js';

/** The services of one yunbox process. */
export interface Services {
  ram: RamService;
  sts: StsService;
  /** OIDC providers (IMS) and yunbox's own OIDC issuer (main.ts tells it the HTTPS listener). */
  ims: ImsService;
  vpc: VpcService;
  ecs: EcsService;
  /** The audit trail: its recorder is told of every answered request (wired in main.ts). */
  trail: TrailService;
  products: RpcProduct[];
  resolver: CredentialResolver;
}

/** Process-local parts services call into (main.ts supplies them). */
export interface ServiceOptions {
  /** Instance sandboxes (src/sandbox); without them, sandbox calls answer that they are off. */
  sandboxes?: SandboxControl;
  /** Where `db` is: the audit trail is then written by a thread of its own (services/trail). */
  location?: StoreLocation;
}

/** Builds every service over one database. */
export function createServices(db: Db, options: ServiceOptions = {}): Services {
  const ram = createRamService(db);
  const ims = createImsService(db);
  const sts = createStsService(db, ram.api, {
    ims: ims.api,
    extraCas: () => {
      const ca = ims.issuer.endpoint?.caPem;
      return ca !== undefined ? [ca] : [];
    },
  });
  // Events of no known account are the first account's (the operator's) to see.
  const trail = createTrailService(
    db,
    options.location !== undefined ? { location: options.location } : {},
    { firstAccount: () => ram.api.firstAccountId() },
  );
  const resolver = createCredentialResolver({
    async longTermKey(id) {
      const found = await ram.api.getAccessKeyWithOwner(id);
      if (!found) return undefined;
      const { key: k, owner } = found;
      if (k.userId === undefined) {
        return {
          secret: k.secret,
          active: k.status === 'Active',
          principal: { kind: 'account', accountId: k.accountId, accessKeyId: id },
        };
      }
      if (!owner) return undefined;
      return {
        secret: k.secret,
        active: k.status === 'Active',
        principal: {
          kind: 'user',
          accountId: k.accountId,
          userId: owner.userId,
          userName: owner.userName,
          accessKeyId: id,
        },
      };
    },
    stsKey: (id) => sts.keys.get(id),
  });
  // VPC and ECS: instances live in vSwitches (VPC asks ECS how many addresses are in use), ECS
  // checks PassRole and the role's trust through RAM and mints instance credentials through STS.
  const vpc = createVpcService(db, {
    // Called per request, once `ecs` below exists.
    usedAddresses: (ids) => ecs.api.usedAddresses(ids),
  });
  const ecs: EcsService = createEcsService(db, {
    vpc: vpc.api,
    ram: ram.api,
    sts: { issuer: sts.issuer, keys: sts.keys },
    authorizer: new Authorizer(ram.api),
    legacyVpcOperations: vpc.legacyOperations,
    trail: trail.recorder,
  });
  const yunbox = createYunboxProduct([
    ...sandboxOperations(options.sandboxes),
    ...metadataControlOperations(ecs.api),
    ...consoleOperations(ecs.api),
    ...clockOperations(),
    ...accountOperations(ram.api),
    ...ims.issuerOperations,
  ]);
  return {
    ram,
    sts,
    ims,
    vpc,
    ecs,
    trail,
    products: [
      ram.product,
      sts.product,
      ims.product,
      vpc.product,
      ecs.product,
      trail.product,
      yunbox,
    ],
    resolver,
  };
}
