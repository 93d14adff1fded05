/**
 * @module The audit trail (what Alibaba Cloud calls ActionTrail): every API call, allowed or
 * denied, recorded by the one {@link TrailRecorder} the RPC pipeline, OSS and the instance
 * metadata service tell of each request once answered; stored in `trail_events`; read with
 * ActionTrail's `LookupEvents` (product `Actiontrail`, 2020-07-06, at
 * `actiontrail.<region>.aliyuncs.com`), `yunbox trail lookup` and the console. Secrets never
 * reach it: signing parameters, tokens, passwords and UserData are dropped, responses are never
 * read (see model.ts). Nor can a stranger grow it: every event is bounded (bound.ts),
 * unauthenticated ones are sampled past a rate (sampler.ts), and the stored events are kept
 * within `--trail-max-bytes`, strangers' within a quarter of it (recorder.ts, store-sql.ts). The
 * trail's own notices (`TrailEventsNotStored`, `TrailEventsPruned`, identity `yunbox`) say
 * what was left out.
 */
import { bind, type RpcProduct } from '../../protocol/rpc-operation.js';
import type { Db, StoreLocation } from '../../store/db.js';
import { TrailNoPermission } from './errors.js';
import { trailHandlers, type TrailHandlerDeps } from './handlers.js';
import { trailMigrations } from './migrations/index.js';
import * as O from './operations.js';
import { TrailRecorder, type TrailRecorderOptions } from './recorder.js';
import { TrailSqlStore, moveEvents } from './store-sql.js';
import { TrailWorkerStore } from './worker-store.js';
import type { TrailStore } from './store.js';

export {
  toWireEvent,
  type AdditionalEventData,
  type IdentityType,
  type TrailDecision,
  type TrailEvent,
  type WireEvent,
} from './model.js';
export { LOOKUP_KEYS } from './handlers.js';
export {
  DEFAULT_TRAIL_MAX_BYTES,
  TRAIL_RETENTION_MS,
  TrailRecorder,
  type TrailRecorderOptions,
} from './recorder.js';
export type { TrailQuery, TrailStore, TrailUsage } from './store.js';

/** API version of the ActionTrail product. */
export const ACTIONTRAIL_API_VERSION = '2020-07-06';

export { trailMigrations };

/** The audit trail of one process: its RPC product, its store and its recorder. */
export interface TrailService {
  product: RpcProduct;
  store: TrailStore;
  /** Told of every answered request; writes events behind them. */
  recorder: TrailRecorder;
  /** Resolves once the store can be written (the writer thread's database open and migrated). */
  ready(): Promise<void>;
  /** Writes what the recorder holds and stops the writer thread; before the main store closes. */
  close(): Promise<void>;
  /**
   * Moves events a SQLite store kept in its main file (before the writer thread had a file of
   * its own) to the writer's; returns how many. Starts the writer only when there are some.
   */
  moveOldEvents(): Promise<number>;
}

/** Options of {@link createTrailService}. */
export interface TrailServiceOptions extends TrailRecorderOptions {
  /**
   * Where the main store is: the trail is then written by a writer thread with a connection of
   * its own (worker-store.ts, `trailLocation`). Without it, on `db` by the serving thread (unit
   * tests).
   */
  location?: StoreLocation;
}

/** Builds the trail over a database (nothing touches it until the first event). */
export function createTrailService(
  db: Db,
  opts: TrailServiceOptions = {},
  accounts: Partial<Pick<TrailHandlerDeps, 'firstAccount'>> = {},
): TrailService {
  const { location, ...recorderOpts } = opts;
  const worker = location ? new TrailWorkerStore(location) : undefined;
  const store: TrailStore = worker ?? new TrailSqlStore(db);
  const recorder = new TrailRecorder(store, recorderOpts);
  let closing = false;
  const h = trailHandlers({ store, flush: () => recorder.flush(), ...accounts });
  const product: RpcProduct = {
    product: 'Actiontrail',
    version: ACTIONTRAIL_API_VERSION,
    hostId: (region) => `actiontrail.${region}.aliyuncs.com`,
    denied: (message, detail) => TrailNoPermission(message, { AccessDeniedDetail: detail }),
    operations: [bind(O.LookupEvents, h.lookupEvents)],
  };
  return {
    product,
    store,
    recorder,
    ready: async () => {
      await worker?.ready();
    },
    moveOldEvents: async () => {
      if (!worker || location?.kind !== 'sqlite' || location.file === ':memory:') return 0;
      const any = await db.k.selectFrom('trail_events').select('event_id').limit(1).execute();
      if (any.length === 0) return 0;
      return moveEvents(db, worker, () => closing);
    },
    close: async () => {
      closing = true;
      try {
        await recorder.close();
      } finally {
        await worker?.close();
      }
    },
  };
}
