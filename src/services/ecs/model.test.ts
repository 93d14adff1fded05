/**
 * The instance state machine on two clocks: a transition ends when either yunbox's clock or the
 * real one passes its end, so a manual clock moved on settles it at once and one nobody moves
 * settles it in real time; with the system clock (both the same) nothing differs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRANSITION_MS, hasSettled, visibleStatus } from './model.js';

const T0 = Date.UTC(2026, 0, 1);
const starting = {
  status: 'Running' as const,
  transition: 'Starting' as const,
  settlesAt: T0 + TRANSITION_MS.Starting,
  settlesAtReal: T0 + 5 * 3600_000 + TRANSITION_MS.Starting,
};

describe('visibleStatus', () => {
  it('shows the transition until it ends on either clock', () => {
    expect(visibleStatus(starting, { now: T0, real: T0 + 5 * 3600_000 })).toBe('Starting');
    // yunbox's clock moved: settled at once.
    expect(visibleStatus(starting, { now: T0 + 2000, real: T0 + 5 * 3600_000 })).toBe('Running');
    // Nobody moved it, but two real seconds passed: settled too.
    expect(visibleStatus(starting, { now: T0, real: starting.settlesAtReal })).toBe('Running');
    expect(visibleStatus({ ...starting, transition: undefined }, { now: 0, real: 0 })).toBe(
      'Running',
    );
  });

  it('counts rows written before the real end was kept (0) as settled', () => {
    expect(visibleStatus({ ...starting, settlesAtReal: 0 }, { now: T0, real: T0 })).toBe('Running');
  });

  it('is the one-clock rule when both clocks agree (the system clock)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (s, t) => {
          const row = { ...starting, settlesAt: s, settlesAtReal: s };
          expect(hasSettled(row, { now: t, real: t })).toBe(t >= s);
          expect(visibleStatus(row, { now: t, real: t })).toBe(t < s ? 'Starting' : 'Running');
        },
      ),
    );
  });
});
