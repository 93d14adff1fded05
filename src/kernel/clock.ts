/**
 * @module The one clock every time-dependent rule reads: token expiry, request timestamps and skew,
 * nonce windows, credential rotation and presigned-URL expiry. `system` follows the wall clock;
 * `manual` stands still until moved (tests and demos move it with `POST /_yunbox/clock`).
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
 * A clock that stands still until moved.
 * @example
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * clock.advance(6 * 3600_000);
 */
export class ManualClock implements Clock {
  readonly mode = 'manual' as const;
  #now: number;
  constructor(start: number = Math.floor(Date.now() / 1000) * 1000) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Move the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): number {
    this.#now += ms;
    return this.#now;
  }
  /** Set the clock to an absolute time. */
  set(ms: number): number {
    this.#now = ms;
    return this.#now;
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
