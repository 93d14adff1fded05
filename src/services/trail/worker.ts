/**
 * @module The trail's writer thread (a `worker_threads` worker started by worker-store.ts): owns
 * a connection of its own to the trail's database and runs every {@link TrailStore} call the
 * serving thread sends it, so inserting, pruning and looking events up never take the serving
 * event loop's time. On SQLite its database is a file of its own beside the main one (the main
 * file is held exclusively by the serving thread's connection); on PostgreSQL the same database
 * and schema through its own small pool, batches as multi-row inserts.
 *
 * Messages: `{ id, op, …args }` in, `{ id, ok, value | error }` out. Operations run one at a
 * time in the order they were sent; `close` answers last and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDb, type Db, type StoreLocation } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import type { BufferedEvent } from './buffer.js';
import { trailMigrations } from './migrations/index.js';
import { TrailSqlStore } from './store-sql.js';

/** A request to the writer thread. */
export type TrailWorkerRequest =
  | { id: number; op: 'ready' }
  | { id: number; op: 'append'; lines: string }
  | { id: number; op: 'appendBatch'; batch: BufferedEvent[] }
  | { id: number; op: 'lookup'; query: unknown }
  | { id: number; op: 'prune'; before: number }
  | { id: number; op: 'pruneToSize'; budget: unknown; limit?: number }
  | { id: number; op: 'usage' }
  | { id: number; op: 'close' };

/** The writer thread's answer to one request. */
export type TrailWorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; kind?: string } };

/** What the writer thread is started with. */
export interface TrailWorkerData {
  location: StoreLocation;
}

const port = parentPort;
if (port) {
  const { location } = workerData as TrailWorkerData;
  let db: Db | undefined;
  const opened: Promise<TrailSqlStore> = (async () => {
    db = await openDb(location);
    await migrate(db, [trailMigrations]);
    return new TrailSqlStore(db);
  })();
  // Failure surfaces in each request's answer.
  opened.catch(() => undefined);

  const run = async (m: TrailWorkerRequest): Promise<unknown> => {
    if (m.op === 'close') {
      try {
        await opened;
      } catch {
        /* nothing to close */
      }
      await db?.close();
      return null;
    }
    const store = await opened;
    switch (m.op) {
      case 'ready':
        return null;
      case 'append':
        return store.appendSerialised(m.lines);
      case 'appendBatch':
        return store.appendBatch(m.batch);
      case 'lookup':
        return store.lookup(m.query as Parameters<TrailSqlStore['lookup']>[0]);
      case 'prune':
        return store.prune(m.before);
      case 'pruneToSize':
        return store.pruneToSize(m.budget as Parameters<TrailSqlStore['pruneToSize']>[0], m.limit);
      case 'usage':
        return store.usage();
    }
  };

  // One operation at a time, in the order sent: a lookup sees every batch sent before it, and
  // `close` comes after the last write.
  let last: Promise<unknown> = Promise.resolve();
  port.on('message', (m: TrailWorkerRequest) => {
    const op = last.then(() => run(m));
    last = op.catch(() => undefined);
    op.then(
      (value) => {
        port.postMessage({ id: m.id, ok: true, value } satisfies TrailWorkerReply);
        if (m.op === 'close') port.close();
      },
      (e: unknown) => {
        const err = e as { name?: unknown; message?: unknown; kind?: unknown };
        port.postMessage({
          id: m.id,
          ok: false,
          error: {
            name: typeof err?.name === 'string' ? err.name : 'Error',
            message: typeof err?.message === 'string' ? err.message : String(e),
            ...(typeof err?.kind === 'string' ? { kind: err.kind } : {}),
          },
        } satisfies TrailWorkerReply);
        if (m.op === 'close') port.close();
      },
    );
  });
}
