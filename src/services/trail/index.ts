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
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import { TrailNoPermission } from './errors.js';
import { trailHandlers, type TrailHandlerDeps } from './handlers.js';
import { m0001Init } from './migrations/0001-init.js';
import { m0002Bounds } from './migrations/0002-bounds.js';
import { m0003CallerAccount } from './migrations/0003-caller-account.js';
import * as O from './operations.js';
import { TrailRecorder, type TrailRecorderOptions } from './recorder.js';
import { TrailSqlStore } from './store-sql.js';
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

/** The trail's migrations. */
export const trailMigrations: MigrationSet = {
  service: 'trail',
  migrations: [m0001Init, m0002Bounds, m0003CallerAccount],
};

/** The audit trail of one process: its RPC product, its store and its recorder. */
export interface TrailService {
  product: RpcProduct;
  store: TrailStore;
  /** Told of every answered request; writes events behind them. `close()` it before the store. */
  recorder: TrailRecorder;
}

/** Builds the trail over a database (nothing touches it until the first event). */
export function createTrailService(
  db: Db,
  opts: TrailRecorderOptions = {},
  accounts: Partial<Pick<TrailHandlerDeps, 'firstAccount'>> = {},
): TrailService {
  const store = new TrailSqlStore(db);
  const recorder = new TrailRecorder(store, opts);
  const h = trailHandlers({ store, flush: () => recorder.flush(), ...accounts });
  const product: RpcProduct = {
    product: 'Actiontrail',
    version: ACTIONTRAIL_API_VERSION,
    hostId: (region) => `actiontrail.${region}.aliyuncs.com`,
    denied: (message, detail) => TrailNoPermission(message, { AccessDeniedDetail: detail }),
    operations: [bind(O.LookupEvents, h.lookupEvents)],
  };
  return { product, store, recorder };
}
