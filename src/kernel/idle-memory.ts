/**
 * @module Giving memory back when the server falls idle. Under load V8 grows its heap (old space
 * full of promoted garbage, a young generation grown to its maximum) and keeps it while the
 * process idles, since it collects only when JavaScript allocates (bench/notes.md items 13, 20
 * and 22). This watches the event loop: after a window in which it was almost idle, following
 * real work since the last collection, it runs one full garbage collection, then a second one
 * 5 s later if the loop is still idle: V8 shrinks the young generation only at a collection that
 * sees a low, non-zero allocation rate over its last 5 s, which the first, coming after the load,
 * often does not. Never while busy, and only after a busy period, so a loaded server pays nothing
 * and an idle one does not collect again and again. The window (30 s) is longer than the pauses
 * of a bursty load (the benchmark's rounds, a test suite's steps): each collection shrinks the
 * young generation, and growing it again costs the next burst promotions and scavenges.
 *
 * ```
 * busy ... busy | idle for the window -> full GC | 5 s idle -> full GC (young generation shrinks) | idle ...
 * ```
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Options of {@link startIdleGiveBack}; the defaults are what `yunbox serve` uses. */
export interface IdleGiveBackOptions {
  /** How long the loop must have been idle before the first collection, ms (default 30 s). */
  windowMs?: number;
  /** How often the loop is looked at, and the wait before the second collection, ms (default
   * 5 s: V8's allocation-rate window, see the module comment; never more than `windowMs`). */
  tickMs?: number;
  /** Event-loop busy time since the last collection that makes a new one worth it, ms. */
  minBusyMs?: number;
  /** Busy share under which the loop counts as idle (default 0.02). */
  idleShare?: number;
  /** Event-loop busy time so far, ms (default: `performance.eventLoopUtilization().active`). */
  busyMs?: () => number;
  /** The collection (default: {@link fullGc}). */
  collect?: () => void;
}

/** A running give-back; {@link IdleGiveBack.stop} ends it (its timer never keeps Node alive). */
export interface IdleGiveBack {
  /** Collections run so far. */
  readonly collections: number;
  stop(): void;
}

let gcFn: (() => void) | undefined;

/**
 * V8's full garbage collection as a function, without exposing `gc` to the program: the flag is
 * set only while a throw-away context is made, as Node's `v8.setFlagsFromString` docs show.
 * @example
 * fullGc()() // collects now, synchronously
 */
export function fullGc(): () => void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    try {
      gcFn = runInNewContext('gc') as () => void;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  return gcFn;
}

/**
 * Starts watching the event loop; see the module comment.
 * @example
 * const giveBack = startIdleGiveBack(); // ... on shutdown: giveBack.stop()
 */
export function startIdleGiveBack(options: IdleGiveBackOptions = {}): IdleGiveBack {
  const windowMs = options.windowMs ?? 30_000;
  const tickMs = Math.min(options.tickMs ?? 5000, windowMs);
  const ticks = Math.max(1, Math.round(windowMs / tickMs));
  const minBusyMs = options.minBusyMs ?? 250;
  const idleShare = options.idleShare ?? 0.02;
  const busyMs = options.busyMs ?? (() => performance.eventLoopUtilization().active);
  const collect = options.collect ?? fullGc();
  let last = busyMs();
  /** Busy time of the last `ticks` ticks. */
  const recent: number[] = [];
  /** Busy time of the non-idle ticks since the last collection. */
  let work = 0;
  let secondOwed = false;
  let collections = 0;
  const run = () => {
    const before = busyMs();
    collect();
    collections++;
    // The collection's own time is not work that calls for another one.
    last += busyMs() - before;
  };
  const timer = setInterval(() => {
    const now = busyMs();
    const busy = now - last;
    last = now;
    recent.push(busy);
    if (recent.length > ticks) recent.shift();
    const idleTick = busy <= tickMs * idleShare;
    if (!idleTick) work += busy;
    if (secondOwed) {
      secondOwed = false;
      if (idleTick) run();
      return;
    }
    const idleWindow =
      recent.length === ticks && recent.reduce((a, b) => a + b, 0) <= windowMs * idleShare;
    if (idleWindow && work >= minBusyMs) {
      run();
      work = 0;
      secondOwed = true;
    }
  }, tickMs);
  timer.unref();
  return {
    get collections() {
      return collections;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * The give-back's window from `YUNBOX_IDLE_GC` (seconds, 1–3600; `0` or `off` turns it off),
 * in ms; `undefined` when off. Default 30 s.
 * @example
 * idleGiveBackWindowMs({ YUNBOX_IDLE_GC: '10' }) // 10000
 */
export function idleGiveBackWindowMs(env: Record<string, string | undefined>): number | undefined {
  const raw = env.YUNBOX_IDLE_GC?.trim();
  if (raw === undefined || raw === '') return 30_000;
  if (raw === '0' || raw.toLowerCase() === 'off') return undefined;
  const seconds = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(seconds >= 1 && seconds <= 3600)) {
    throw new Error(`YUNBOX_IDLE_GC: \`${raw}\` is not a number of seconds from 1 to 3600, or off`);
  }
  return seconds * 1000;
}
