/**
 * @module Picks the blob store at boot: `fs` (a directory under the data directory, the default
 * with SQLite) or `postgres` (chunk rows in the shared database, the default with PostgreSQL).
 */
import { join } from 'node:path';
import type { Db } from '../store/db.js';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs/fs-blob-store.js';
import { PostgresBlobStore } from './postgres/postgres-blob-store.js';

/**
 * Opens the configured blob store.
 * @example
 * const blobs = await openBlobStore('fs', { db, dataDir });
 */
export async function openBlobStore(
  kind: 'fs' | 'postgres',
  where: { db: Db; dataDir: string },
): Promise<BlobStore> {
  return kind === 'postgres'
    ? new PostgresBlobStore(where.db)
    : FsBlobStore.open(join(where.dataDir, 'blobs'));
}
