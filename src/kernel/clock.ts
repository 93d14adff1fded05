/**
 * @module yunbox's clock, and the rule that joins it to the host's real one. `system` follows the
 * wall clock; `manual` stands still until moved, and only forward (the Yunbox API's
 * `AdvanceClock` and `SetClock`, `yunbox clock`, or `Yunbox.clock` in code).
 *
 * Two clocks, one rule:
 * - A request's own timestamp (RPC `Timestamp`, `x-acs-date`, OSS `Date`/`x-oss-date`, a V4 URL's
 *   date) is fresh within {@link REQUEST_TIME_WINDOW_MS} of either yunbox's clock (`now()`) or
 *   the host's real one (`real()`), so clients signing with the host's time (every official SDK)
 *   and programs living on yunbox's time (inside instances) are both accepted: {@link isFresh}.
 * - Everything yunbox issues or keeps runs on yunbox's clock alone: STS tokens and instance
 *   credentials, their rotation, presigned-URL and PostObject-policy expiry, object and trail
 *   times, instance states (which also settle in real time, so pollers finish). Console sessions
 *   are the exception, judged on the real clock, so moving time never signs a user out.
 *
 * With the system clock both clocks are one and nothing differs.
 */

/** A source of the current time, in milliseconds since the epoch. */
export interface Clock {
  /** yunbox's time in ms since the epoch. */
  now(): number;
  /** The host's real time in ms since the epoch (`Date.now()`); `now()` for the system clock. */
  real(): number;
  /** `system` or `manual`. */
  readonly mode: 'system' | 'manual';
}

/** A clock that follows the system time. */
export class SystemClock implements Clock {
  readonly mode = 'system' as const;
  now(): number {
    return Date.now();
  }
  real(): number {
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
  real(): number {
    return Date.now();
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

/** Both clocks, read at one moment. */
export interface ClockReading {
  /** yunbox's clock (ms). */
  now: number;
  /** The host's real clock (ms). */
  real: number;
}

/**
 * Reads both clocks of `clock`; `now` (a request's arrival time on yunbox's clock) stands for
 * `clock.now()` when given.
 * @example
 * visibleStatus(instance, readClock(ctx.clock, ctx.now))
 */
export function readClock(clock: Clock, now: number = clock.now()): ClockReading {
  return { now, real: clock.real() };
}

/** How far a request's own timestamp may stand from either clock: 15 minutes (RPC and OSS). */
export const REQUEST_TIME_WINDOW_MS = 15 * 60 * 1000;

const reading = (at: ClockReading | Clock): ClockReading =>
  typeof at.now === 'function' ? readClock(at as Clock) : (at as ClockReading);

/**
 * True when a request's own timestamp `t` (ms) is within `windowMs` of yunbox's clock or of the
 * host's real clock. Every freshness check goes through here, so none forgets a clock.
 * @example
 * if (!isFresh(Date.parse(timestamp), clock)) throw InvalidTimeStampExpired()
 */
export function isFresh(
  t: number,
  at: ClockReading | Clock,
  windowMs: number = REQUEST_TIME_WINDOW_MS,
): boolean {
  const r = reading(at);
  return Math.abs(t - r.now) <= windowMs || Math.abs(t - r.real) <= windowMs;
}

/**
 * True when `t` is more than `windowMs` ahead of both clocks: a future-dated presigned URL, whose
 * date may otherwise be as old as its lifetime allows.
 * @example
 * if (isAhead(auth.requestTime, clock)) return skewed
 */
export function isAhead(
  t: number,
  at: ClockReading | Clock,
  windowMs: number = REQUEST_TIME_WINDOW_MS,
): boolean {
  const r = reading(at);
  return t - Math.max(r.now, r.real) > windowMs;
}

/**
 * The earlier of the two clocks. Both only move forward, so a window that ends before it has
 * ended on both for good: what a nonce (acceptable while its timestamp is fresh on either clock)
 * is remembered against.
 * @example
 * nonces.use(keyId, nonce, horizon(at), timestamp + 2 * REQUEST_TIME_WINDOW_MS)
 */
export function horizon(at: ClockReading | Clock): number {
  const r = reading(at);
  return Math.min(r.now, r.real);
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
