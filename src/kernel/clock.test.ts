import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  REQUEST_TIME_WINDOW_MS,
  SystemClock,
  horizon,
  isAhead,
  isFresh,
  isoSeconds,
  readClock,
} from './clock.js';

describe('isoSeconds', () => {
  it("formats Alibaba's whole-second UTC time", () => {
    expect(isoSeconds(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
    expect(isoSeconds(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('agrees with Date for any time, in any order of calls (the last second is kept)', () => {
    const year3000 = Date.UTC(3000, 0, 1);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: year3000 }), { minLength: 1 }), (times) => {
        for (const ms of times) {
          const expected = new Date(ms - (ms % 1000)).toISOString().slice(0, 19) + 'Z';
          expect(isoSeconds(ms)).toBe(expected);
          expect(isoSeconds(ms)).toBe(expected);
        }
      }),
    );
  });

  it('still refuses a time that is not one', () => {
    expect(() => isoSeconds(Number.NaN)).toThrow(RangeError);
    expect(() => isoSeconds(Number.NaN)).toThrow(RangeError);
  });

  it('follows a manual clock across seconds', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 12, 0, 0, 999));
    expect(isoSeconds(clock.now())).toBe('2026-11-28T12:00:00Z');
    clock.advance(1);
    expect(isoSeconds(clock.now())).toBe('2026-11-28T12:00:01Z');
  });
});

describe('ManualClock', () => {
  it('moves only forward', () => {
    const start = Date.UTC(2026, 0, 1);
    const clock = new ManualClock(start);
    expect(clock.advance(0)).toBe(start);
    expect(clock.advance(1000)).toBe(start + 1000);
    expect(clock.set(start + 1000)).toBe(start + 1000);
    expect(clock.set(start + 5000)).toBe(start + 5000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.set(start)).toThrow(/only moves forward/);
    expect(() => clock.set(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(start + 5000);
  });
});

describe('two clocks, one rule', () => {
  const W = REQUEST_TIME_WINDOW_MS;
  const real = Date.UTC(2026, 11, 7, 12);
  const moved = { now: real + 6 * 3600_000, real };

  it('a timestamp is fresh within the window of either clock, and only then', () => {
    for (const t of [real, real - W, real + W, moved.now, moved.now - W, moved.now + W]) {
      expect(isFresh(t, moved)).toBe(true);
    }
    for (const t of [real - W - 1, real + W + 1, moved.now - W - 1, moved.now + W + 1]) {
      expect(isFresh(t, moved)).toBe(false);
    }
    // Twenty minutes from both: refused.
    expect(isFresh(real - 20 * 60_000, moved)).toBe(false);
    expect(isFresh(moved.now + 20 * 60_000, moved)).toBe(false);
  });

  it('agrees with one window around each clock, for any clocks and time', () => {
    const year = 365 * 24 * 3600_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 * year }),
        fc.integer({ min: -year, max: year }),
        fc.integer({ min: -year, max: year }),
        (r, offset, delta) => {
          const at = { now: r + offset, real: r };
          const t = r + delta;
          const near = (c: number) => Math.abs(t - c) <= W;
          expect(isFresh(t, at)).toBe(near(at.now) || near(at.real));
          expect(isAhead(t, at)).toBe(t > at.now + W && t > at.real + W);
          expect(horizon(at)).toBe(Math.min(at.now, at.real));
          // A window that closed before the horizon is closed on both clocks.
          if (t + W < horizon(at)) expect(isFresh(t, at)).toBe(false);
        },
      ),
    );
  });

  it('is one clock for the system clock, and reads real time under a manual one', () => {
    const system = new SystemClock();
    const r = readClock(system);
    expect(Math.abs(r.now - r.real)).toBeLessThan(1000);
    expect(isFresh(Date.now(), system)).toBe(true);
    const manual = new ManualClock(Date.UTC(2026, 0, 1));
    manual.advance(30 * 24 * 3600_000);
    const before = Date.now();
    const m = readClock(manual);
    expect(m.now).toBe(Date.UTC(2026, 0, 31));
    expect(m.real).toBeGreaterThanOrEqual(before);
    expect(m.real).toBeLessThanOrEqual(Date.now());
    // The host's time is fresh, and so is the manual clock's own; neither is, 20 minutes away.
    expect(isFresh(Date.now(), manual)).toBe(true);
    expect(isFresh(manual.now() + 60_000, manual)).toBe(true);
    expect(isFresh(Date.now() - 20 * 60_000, manual)).toBe(false);
    expect(readClock(manual, 5).now).toBe(5);
  });
});

describe('ManualClock.onMove', () => {
  it('tells each listener of every move, before the move returns, until removed', () => {
    const clock = new ManualClock(1000);
    const seen: number[] = [];
    const off = clock.onMove((now) => seen.push(now));
    clock.onMove(() => {
      throw new Error('a broken listener stops nobody');
    });
    expect(clock.advance(500)).toBe(1500);
    expect(seen).toEqual([1500]);
    clock.set(4000);
    expect(seen).toEqual([1500, 4000]);
    expect(() => clock.set(10)).toThrow(RangeError);
    expect(seen).toEqual([1500, 4000]);
    off();
    clock.advance(1);
    expect(seen).toEqual([1500, 4000]);
  });
});
