/**
 * @module The one clock every time-dependent rule reads: token expiry, request timestamps and skew,
 * nonce windows, credential rotation and presigned-URL expiry. `system` follows the wall clock;
 * `manual` stands still until moved, and only forward (the Yunbox API's `AdvanceClock` and
 * `SetClock`, `yunbox clock`, or `Yunbox.clock` in code).
 */

/** A source of the current time, in milliseconds since the epoch. */
export interface Clock {
  /** Current time in ms since the epoch. */
  now(): number;
  /** `system` or `manual`. */
  readonly mode: 'system' | 'manual';
}

/** A clock that follows the system time. */
export class SystemClock implements Clock {
  readonly mode = 'system' as const;
  now(): number {
    return Date.now();
  }
}

/**
 * A clock that stands still until moved, only ever forward: a time once seen (a token's issue
 * time, a nonce's window) never comes back.
 * @example
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * clock.advance(6 * 3600_000);
 */
export class ManualClock implements Clock {
  readonly mode = 'manual' as const;
  #now: number;
  readonly #listeners = new Set<(now: number) => void>();
  constructor(start: number = Math.floor(Date.now() / 1000) * 1000) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Moves the clock forward by `ms` (0 or more); throws a RangeError for a backward move. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`the manual clock only moves forward: cannot advance by ${ms} ms`);
    }
    this.#now += ms;
    this.#moved();
    return this.#now;
  }
  /** Sets the clock to `ms`, not earlier than now; throws a RangeError for a backward move. */
  set(ms: number): number {
    if (!Number.isFinite(ms) || ms < this.#now) {
      throw new RangeError(
        `the manual clock only moves forward: ${Number.isFinite(ms) ? new Date(ms).toISOString() : ms} is before ${new Date(this.#now).toISOString()}`,
      );
    }
    this.#now = ms;
    this.#moved();
    return this.#now;
  }
  /**
   * Calls `listener` with the new time after every move (synchronously, before `advance` or `set`
   * returns; a listener that throws is ignored); answers a function that removes it.
   */
  onMove(listener: (now: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  #moved(): void {
    for (const listener of this.#listeners) {
      try {
        listener(this.#now);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }
}

/** The last second formatted by {@link isoSeconds}, and its text. */
let lastSecond = NaN;
let lastText = '';

/**
 * Format a time as Alibaba's `YYYY-MM-DDTHH:mm:ssZ` (UTC, whole seconds). Most calls format the
 * current second (`acs:CurrentTime` of every authorised request), so the last one is kept: a
 * `Date` and its ISO text cost about a microsecond, several times per request.
 */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}
