/**
 * @module OSS: buckets, objects, multipart uploads, ACLs, bucket policies and CORS, served on the
 * gateway as a mounted protocol (virtual-host and path style), with object bytes in a blob store
 * (`src/blob`) and metadata in the shared store. Exports the service other code wires up.
 */
import type { BlobStore } from '../../blob/blob-store.js';
import { SmallBlobCache } from '../../blob/cache.js';
import type { MountedProtocol } from '../../kernel/gateway.js';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import { AccessLogWriter } from './access-log.js';
import type { OssDeps } from './context.js';
import { InventoryReporter } from './inventory-report.js';
import { LifecycleRunner } from './lifecycle-runner.js';
import { m0001Init } from './migrations/0001-init.js';
import { m0002BucketConfigC1 } from './migrations/0002-bucket-config-c1.js';
import { m0003BucketConfigC2 } from './migrations/0003-bucket-config-c2.js';
import { m0004Versioning } from './migrations/0004-versioning.js';
import { m0005Tags } from './migrations/0005-tags.js';
import { m0006Restore } from './migrations/0006-restore.js';
import { m0007Lifecycle } from './migrations/0007-lifecycle.js';
import { m0008Worm } from './migrations/0008-worm.js';
import { createOssProtocol } from './protocol.js';
import { OssSqlStore } from './store-sql.js';
import type { OssStore } from './store.js';

export type { OssDeps, OssTrailFacts } from './context.js';
export { OSS_OPERATIONS } from './operations.js';
export { isOssRequest } from './protocol.js';

/** OSS's migrations. */
export const ossMigrations: MigrationSet = {
  service: 'oss',
  migrations: [
    m0001Init,
    m0002BucketConfigC1,
    m0003BucketConfigC2,
    m0004Versioning,
    m0005Tags,
    m0006Restore,
    m0007Lifecycle,
    m0008Worm,
  ],
};

/** The OSS service of one process. */
export interface OssService {
  protocol: MountedProtocol;
  store: OssStore;
  blobs: BlobStore;
  /**
   * Deletes blobs no object or part uses whose last write is older than `olderThan` (wall-clock
   * ms), and leftovers of interrupted writes: what a crash between writing bytes and committing
   * metadata leaves behind. Returns how many were removed.
   */
  sweepOrphans(olderThan: number): Promise<{ blobs: number; incomplete: number }>;
  /** Access logs waiting to be written (access-log.ts). */
  accessLogs: AccessLogWriter;
  /** Inventory reports made on the clock (inventory-report.ts). */
  inventory: InventoryReporter;
  /** Lifecycle rules applied on the clock (lifecycle-runner.ts). */
  lifecycle: LifecycleRunner;
  /** Writes what is pending (access logs, a report being made); before the store closes. */
  close(): Promise<void>;
}

/** Builds the OSS service over a database and a blob store. */
export function createOssService(
  db: Db,
  deps: Omit<OssDeps, 'store' | 'blobCache'> & { store?: OssStore; blobCache?: SmallBlobCache },
): OssService {
  const store = deps.store ?? new OssSqlStore(db);
  const accessLogs = new AccessLogWriter({
    store,
    blobs: deps.blobs,
    clock: deps.clock,
    log: deps.log,
  });
  const inventory = new InventoryReporter({
    store,
    blobs: deps.blobs,
    clock: deps.clock,
    log: deps.log,
  });
  const full: OssDeps = {
    ...deps,
    store,
    blobCache: deps.blobCache ?? new SmallBlobCache(),
    accessLogs,
  };
  const record = deps.trail?.record?.bind(deps.trail);
  const lifecycle = new LifecycleRunner({
    oss: full,
    clock: deps.clock,
    log: deps.log,
    ...(record ? { trail: { record } } : {}),
  });
  full.lifecycle = lifecycle;
  return {
    protocol: createOssProtocol(full),
    store,
    blobs: deps.blobs,
    accessLogs,
    inventory,
    lifecycle,
    async close() {
      await lifecycle.close();
      await inventory.close();
      await accessLogs.close();
    },
    async sweepOrphans(olderThan) {
      const incomplete = await deps.blobs.sweepIncomplete(olderThan);
      let removed = 0;
      let batch: string[] = [];
      const flush = async () => {
        const used = await store.referencedBlobs(batch);
        const orphans = batch.filter((id) => !used.has(id));
        await deps.blobs.delete(orphans);
        removed += orphans.length;
        batch = [];
      };
      for await (const id of deps.blobs.list(olderThan)) {
        batch.push(id);
        if (batch.length >= 500) await flush();
      }
      if (batch.length > 0) await flush();
      return { blobs: removed, incomplete };
    },
  };
}
