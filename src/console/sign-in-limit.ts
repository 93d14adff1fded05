/**
 * @module How often one source may try to sign in to the console: a token bucket per source
 * address (10 attempts a minute, in bursts of up to 10, by default), so AccessKey pairs cannot be
 * guessed at the speed of the network. IPv6 sources are counted per /64 (one host usually holds a
 * whole /64). Real time, not the server's clock: a manual clock standing still must not lock
 * anyone out, nor moving it let anyone in. Memory is bounded: past `maxSources` the least
 * recently seen source is forgotten (a forgotten source starts with a full bucket, as a new one
 * would).
 */
import { isIP } from 'node:net';

/** Options of {@link SignInLimiter}. */
export interface SignInLimitOptions {
  /** Attempts a source regains per minute (default 10). */
  perMinute?: number;
  /** Attempts a source may make at once (default 10). */
  burst?: number;
  /** Most sources remembered (default 10,000). */
  maxSources?: number;
  /** Monotonic milliseconds (default `performance.now`). */
  now?: () => number;
}

/** What {@link SignInLimiter.take} decides. */
export type SignInAllowance =
  | { ok: true }
  | {
      ok: false;
      /** Whole seconds until the next attempt is allowed (for `Retry-After`). */
      retryAfterSeconds: number;
      /** True for the first refusal since the source's last allowed attempt. */
      first: boolean;
    };

interface Bucket {
  tokens: number;
  at: number;
  refused: boolean;
}

/**
 * The key a source address is counted under: IPv4 as is, IPv6 by its /64.
 * @example
 * sourceKey('2001:db8::1') // '2001:db8:0:0::/64'
 * sourceKey('10.0.0.7') // '10.0.0.7'
 */
export function sourceKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const a = address.toLowerCase().split('%')[0]!;
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail takes two groups; only the first four groups matter here.
  const missing = 8 - left.length - right.length - (right.some((g) => g.includes('.')) ? 1 : 0);
  const groups = tail === undefined ? left : [...left, ...Array(missing).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Per-source sign-in allowance. */
export class SignInLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(o: SignInLimitOptions = {}) {
    this.#perMs = (o.perMinute ?? 10) / 60_000;
    this.#burst = o.burst ?? 10;
    this.#max = o.maxSources ?? 10_000;
    this.#now = o.now ?? (() => performance.now());
  }

  /** Sources remembered now (at most `maxSources`). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one attempt for `address`: allowed, or refused with the wait. */
  take(address: string): SignInAllowance {
    const key = sourceKey(address);
    const now = this.#now();
    let b = this.#buckets.get(key);
    if (b) {
      this.#buckets.delete(key); // re-inserted below: the Map's order is least recently seen first
      b.tokens = Math.min(this.#burst, b.tokens + (now - b.at) * this.#perMs);
      b.at = now;
    } else {
      if (this.#buckets.size >= this.#max) this.#buckets.delete(this.#buckets.keys().next().value!);
      b = { tokens: this.#burst, at: now, refused: false };
    }
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.refused = false;
      return { ok: true };
    }
    const first = !b.refused;
    b.refused = true;
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000)),
      first,
    };
  }
}
