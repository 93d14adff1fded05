/**
 * @module {@link TrailWorkerStore}: the trail's storage run by a writer thread (worker.ts), seen
 * from the serving thread. Every call is a message; the serving event loop only posts the
 * recorder's serialised batches and reads answers. The thread is started on first use (again
 * after an unexpected exit) and keeps the process alive only while a call is outstanding, so a
 * clean shutdown waits for the last batch and a forgotten store never holds a process open.
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

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

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

  constructor(main: StoreLocation) {
    this.#data = { location: trailLocation(main) };
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
    const worker = this.#worker ?? this.#spawn();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...m, id });
    });
  }

  #spawn(): Worker {
    const worker = startWorker(this.#data);
    worker.unref();
    worker.on('message', (r: TrailWorkerReply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) worker.unref();
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
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      for (const p of pending) p.reject(e);
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
