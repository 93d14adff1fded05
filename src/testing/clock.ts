/**
 * @module Moving time for a test: the server's manual clock and this process's `Date` together,
 * so the official SDKs (which stamp requests with `Date`) stay within the allowed skew of the
 * server's one clock, as a real client's would when real time passes.
 */
import { vi } from 'vitest';
import type { Yunbox } from '../main.js';

/** Fakes `Date` (only) in this process and aligns it with the server's manual clock. */
export function followServerClock(yb: Pick<Yunbox, 'clock'>): void {
  vi.useFakeTimers({ toFake: ['Date'], now: yb.clock.now() });
}

/** Advances the server's manual clock and this process's `Date` by `seconds`. */
export function advanceClocks(yb: Pick<Yunbox, 'clock'>, seconds: number): Date {
  const t = yb.clock.advance(seconds);
  vi.setSystemTime(t);
  return t;
}

/** Restores the real `Date`. */
export function restoreClock(): void {
  vi.useRealTimers();
}
