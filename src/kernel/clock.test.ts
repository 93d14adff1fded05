import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, isoSeconds } from './clock.js';

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
