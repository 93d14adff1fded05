/**
 * @module Moving time for a test: the server's manual clock and this process's `Date` together,
 * as if real time passed. An in-process server reads its real clock from the same `Date`, so both
 * of its clocks move (a client signing with `Date` is accepted either way; console sessions and
 * instance transitions, judged on real time too, then follow the move). Tests of the two clocks
 * apart (test/api/gateway/two-clocks.test.ts) leave `Date` alone.
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
