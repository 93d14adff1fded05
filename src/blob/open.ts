/**
 * @module Picks the blob store at boot: `fs` (a directory under the data directory, the default
 * with SQLite, small blobs kept as database rows) or `postgres` (chunk rows in the shared
 * database, the default with PostgreSQL).
 */
import { join } from 'node:path';
import type { Db } from '../store/db.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs/fs-blob-store.js';
import { PostgresBlobStore } from './postgres/postgres-blob-store.js';
import { TieredBlobStore } from './tiered.js';

/**
 * Opens the configured blob store.
 * @example
 * const blobs = await openBlobStore('fs', { db, dataDir });
 */
export async function openBlobStore(
  kind: 'fs' | 'postgres',
  where: { db: Db; dataDir: string },
): Promise<BlobStore> {
  if (kind === 'postgres') return new PostgresBlobStore(where.db);
  // Files, with the small blobs as database rows (tiered.ts).
  const files = await FsBlobStore.open(join(where.dataDir, 'blobs'));
  return new TieredBlobStore(files, new PostgresBlobStore(where.db));
}
