/**
 * @module {@link TrailWorkerStore}: the trail's storage run by a writer thread (worker.ts), seen
 * from the serving thread. Every call is a message; the serving event loop only posts the
 * recorder's batches and reads answers. The thread is started on first use (again after an
 * unexpected exit) and keeps the process alive only while a call is outstanding, so a clean
 * shutdown waits for the last batch and a forgotten store never holds a process open.
 *
 * An idle writer exits: after {@link DEFAULT_WRITER_IDLE_MS} without a call it closes its
 * database and ends, giving back the ~12 MB its isolate holds (bench/notes.md items 18 and 21),
 * and the next call starts it again. Calls made while it is closing wait for it to be gone and
 * then go to the new thread in the order they were made, so nothing is lost or reordered; the
 * recorder never waits on these calls, so no request waits either (a LookupEvents after an idle
 * spell waits for the start, a few hundred ms). A writer on an in-memory database (`:memory:`,
 * tests) never exits: its events would go with it.
 *
 * {@link trailLocation} says where the writer keeps the events: beside a SQLite file, in a file
 * of its own (`yunbox.db` -> `yunbox-trail.db`); in memory for `:memory:`; in the same
 * PostgreSQL database and schema as everything else.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StoreError, type StoreErrorKind } from '../../kernel/errors.js';
import type { StoreLocation } from '../../store/db.js';
import type { BufferedEvent } from './buffer.js';
import type { TrailEvent } from './model.js';
import type { TrailBudget, TrailPruneStep, TrailQuery, TrailStore, TrailUsage } from './store.js';
import type { TrailWorkerData, TrailWorkerReply, TrailWorkerRequest } from './worker.js';

/**
 * Where the writer thread keeps the events of a store at `main`.
 * @example
 * trailLocation({ kind: 'sqlite', file: '/d/yunbox.db' }) // { kind: 'sqlite', file: '/d/yunbox-trail.db' }
 */
export function trailLocation(main: StoreLocation): StoreLocation {
  if (main.kind !== 'sqlite' || main.file === ':memory:') return main;
  const ext = extname(main.file);
  return {
    kind: 'sqlite',
    file: join(dirname(main.file), `${basename(main.file, ext)}-trail${ext}`),
  };
}

/**
 * How to start the writer thread from here: the bundle's `trail-worker.mjs` beside
 * `dist/yunbox.mjs`, the compiled `worker.js` beside this module, or (tests, running the
 * TypeScript sources) `worker.ts` through tsx.
 */
function workerSpec(): { url: URL; ts: boolean } {
  const bundled = new URL('./trail-worker.mjs', import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return { url: bundled, ts: false };
  const compiled = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return { url: compiled, ts: false };
  return { url: new URL('./worker.ts', import.meta.url), ts: true };
}

function startWorker(data: TrailWorkerData): Worker {
  const { url, ts } = workerSpec();
  if (!ts) return new Worker(url, { workerData: data });
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(
    join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; worker: Worker };

/**
 * How long the writer thread waits without a call before it exits (30 s): long enough that a
 * server under any steady load keeps it, short enough that an idle one soon gives its memory
 * back. Starting it again costs the writer thread ~0.2 s of CPU, not the event loop.
 */
export const DEFAULT_WRITER_IDLE_MS = 30_000;

/** Options of {@link TrailWorkerStore}. */
export interface TrailWorkerStoreOptions {
  /** Time without a call before the writer exits (default {@link DEFAULT_WRITER_IDLE_MS}; 0: never). */
  idleMs?: number;
}

const KINDS: ReadonlySet<string> = new Set([
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Unavailable',
]);

/** The trail's storage in a writer thread (see the module comment). */
export class TrailWorkerStore implements TrailStore {
  readonly #data: TrailWorkerData;
  #worker: Worker | undefined;
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  #closed = false;
  readonly #idleMs: number;
  #idleTimer: NodeJS.Timeout | undefined;
  /** While an idle writer is closing: settles once it is gone. */
  #retiring: Promise<void> | undefined;
  #starts = 0;

  constructor(main: StoreLocation, opts: TrailWorkerStoreOptions = {}) {
    this.#data = { location: trailLocation(main) };
    const inMemory = main.kind === 'sqlite' && main.file === ':memory:';
    this.#idleMs = inMemory ? 0 : (opts.idleMs ?? DEFAULT_WRITER_IDLE_MS);
  }

  /** True while a writer thread is running (started, not yet exited for idleness or closed). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Writer threads started so far. */
  get starts(): number {
    return this.#starts;
  }

  /** Starts the thread and resolves once its database is open and migrated. */
  ready(): Promise<void> {
    return this.#call({ op: 'ready' }) as Promise<void>;
  }

  append(events: readonly TrailEvent[]): Promise<TrailUsage> {
    return this.appendSerialised(events.map((e) => JSON.stringify(e)).join('\n'));
  }

  appendSerialised(lines: string): Promise<TrailUsage> {
    return this.#call({ op: 'append', lines }) as Promise<TrailUsage>;
  }

  /** The batch goes by `postMessage` (a structured clone, the serving thread's only cost). */
  appendBatch(batch: readonly BufferedEvent[]): Promise<TrailUsage> {
    return this.#call({
      op: 'appendBatch',
      batch: batch as BufferedEvent[],
    }) as Promise<TrailUsage>;
  }

  lookup(query: TrailQuery): Promise<TrailEvent[]> {
    return this.#call({ op: 'lookup', query }) as Promise<TrailEvent[]>;
  }

  prune(before: number): Promise<number> {
    return this.#call({ op: 'prune', before }) as Promise<number>;
  }

  pruneToSize(budget: TrailBudget, limit?: number): Promise<TrailPruneStep> {
    return this.#call({
      op: 'pruneToSize',
      budget,
      ...(limit !== undefined ? { limit } : {}),
    }) as Promise<TrailPruneStep>;
  }

  usage(): Promise<TrailUsage> {
    return this.#call({ op: 'usage' }) as Promise<TrailUsage>;
  }

  /** Closes the writer's database and ends the thread (after the calls already sent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    // An idle writer closing: let it finish (calls chained behind it are made first).
    while (this.#retiring) await this.#retiring;
    if (this.#closed) return;
    const worker = this.#worker;
    if (worker === undefined) {
      this.#closed = true;
      return;
    }
    try {
      await this.#call({ op: 'close' });
    } finally {
      this.#closed = true;
      this.#worker = undefined;
      await worker.terminate();
    }
  }

  #call(m: DistributiveOmit<TrailWorkerRequest, 'id'>): Promise<unknown> {
    if (this.#closed)
      return Promise.reject(new StoreError('Unavailable', 'trail', 'trail store closed'));
    // INVARIANT: calls made while an idle writer closes are chained on one promise, so they run
    // (and reach the next writer) in the order they were made.
    if (this.#retiring) return this.#retiring.then(() => this.#call(m));
    if (this.#idleTimer !== undefined) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    return this.#post(this.#worker ?? this.#spawn(), m);
  }

  #post(worker: Worker, m: DistributiveOmit<TrailWorkerRequest, 'id'>): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject, worker });
      worker.postMessage({ ...m, id });
    });
  }

  /** Once nothing is outstanding: the writer exits after {@link TrailWorkerStoreOptions.idleMs}. */
  #armIdle(): void {
    if (this.#idleMs <= 0 || this.#closed || this.#pending.size > 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#retire(), this.#idleMs);
    this.#idleTimer.unref();
  }

  /** Closes an idle writer; calls made meanwhile wait for it ({@link #call}). */
  #retire(): void {
    this.#idleTimer = undefined;
    const worker = this.#worker;
    if (worker === undefined || this.#closed || this.#retiring || this.#pending.size > 0) return;
    this.#worker = undefined;
    this.#retiring = this.#post(worker, { op: 'close' })
      .then(
        () => worker.terminate(),
        () => worker.terminate(),
      )
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.#retiring = undefined;
      });
  }

  #spawn(): Worker {
    const worker = startWorker(this.#data);
    this.#starts++;
    worker.unref();
    worker.on('message', (r: TrailWorkerReply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) {
        worker.unref();
        if (this.#worker === worker) this.#armIdle();
      }
      if (r.ok) p.resolve(r.value);
      else {
        const kind = r.error.kind;
        const e =
          kind !== undefined && KINDS.has(kind)
            ? new StoreError(kind as StoreErrorKind, 'trail', r.error.message)
            : Object.assign(new Error(r.error.message), { name: r.error.name });
        p.reject(e);
      }
    });
    const fail = (e: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      // Only this thread's calls: another may already be serving the next ones.
      for (const [id, p] of [...this.#pending]) {
        if (p.worker !== worker) continue;
        this.#pending.delete(id);
        p.reject(e);
      }
    };
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => {
      fail(new StoreError('Unavailable', 'trail', `trail writer thread exited (code ${code})`));
    });
    this.#worker = worker;
    return worker;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
