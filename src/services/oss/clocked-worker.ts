/**
 * @module The background loop shared by the lifecycle runner (lifecycle-runner.ts) and the
 * inventory reporter (inventory-report.ts): a piece of work run one at a time, whenever yunbox's
 * manual clock moves and every minute of the system clock, queued at most once while it runs.
 */
import type { Clock } from '../../kernel/clock.js';

const TICK_MS = 60_000;

/** Runs `work` one at a time when poked; pokes itself as the clock moves and every minute. */
export class ClockedWorker {
  readonly #work: () => Promise<void>;
  readonly #failed: (e: unknown) => void;
  #queue: Promise<void> = Promise.resolve();
  #pending = false;
  #timer: NodeJS.Timeout | undefined;
  #off: (() => void) | undefined;
  #closed = false;

  /** `failed` hears what a run threw (the loop carries on). */
  constructor(clock: Clock, work: () => Promise<void>, failed: (e: unknown) => void) {
    this.#work = work;
    this.#failed = failed;
    const c = clock as Clock & { onMove?: (l: (now: number) => void) => () => void };
    if (typeof c.onMove === 'function') this.#off = c.onMove(() => this.poke());
    this.#timer = setInterval(() => this.poke(), TICK_MS);
    this.#timer.unref();
  }

  /** True once {@link close} was called (a run under way should stop early). */
  get closed(): boolean {
    return this.#closed;
  }

  /** True while a run is queued and not yet started. */
  get pending(): boolean {
    return this.#pending;
  }

  /** Queues a run after the one under way (unless one is queued already, or closed). */
  poke(): void {
    if (this.#closed || this.#pending) return;
    this.#pending = true;
    this.#queue = this.#queue.then(async () => {
      this.#pending = false;
      try {
        await this.#work();
      } catch (e) {
        this.#failed(e);
      }
    });
  }

  /** Resolves when the runs queued so far are done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** Stops poking; waits for the run under way. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#off?.();
    await this.#queue;
  }
}
