/**
 * Unit tests of the sampler: per source and overall, the first events of a window are stored,
 * past them one in K up to a cap, the rest counted; a window that left events out ends with a
 * summary naming the busiest sources; a new window starts afresh; the number of sources tracked
 * is bounded.
 */
import { describe, expect, it } from 'vitest';
import { UnauthenticatedSampler, summaryParameters } from './sampler.js';

const T0 = 1_700_000_000_000;

function run(s: UnauthenticatedSampler, source: string, n: number, now = T0) {
  const out = { store: 0, sample: 0, skip: 0 };
  for (let i = 0; i < n; i++) out[s.admit(source, now).verdict]++;
  return out;
}

describe('UnauthenticatedSampler', () => {
  it('stores the first per-source events in full, then one in K, up to a cap', () => {
    const s = new UnauthenticatedSampler({ perSource: 5, overall: 100, sampleEvery: 10 });
    expect(run(s, '203.0.113.9', 5)).toEqual({ store: 5, sample: 0, skip: 0 });
    expect(run(s, '203.0.113.9', 100)).toEqual({ store: 0, sample: 10, skip: 90 });
    // Another source still has its own first five.
    expect(run(s, '198.51.100.7', 6)).toEqual({ store: 5, sample: 1, skip: 0 });
    const capped = new UnauthenticatedSampler({ perSource: 1, sampleEvery: 1, maxSampled: 3 });
    expect(run(capped, 'a', 10)).toEqual({ store: 1, sample: 3, skip: 6 });
  });

  it('caps what all sources together store in full', () => {
    const s = new UnauthenticatedSampler({ perSource: 5, overall: 12, sampleEvery: 1000 });
    let stored = 0;
    for (let i = 0; i < 50; i++) stored += run(s, `10.0.0.${i}`, 1).store;
    expect(stored).toBe(12);
  });

  it('summarises a window that left events out when the next begins, then starts afresh', () => {
    const s = new UnauthenticatedSampler({ perSource: 2, overall: 100, sampleEvery: 1000 });
    run(s, 'a', 10);
    run(s, 'b', 4);
    run(s, 'c', 1);
    expect(s.pendingNotStored).toBe(8 - 1 + 2);
    const next = s.admit('a', T0 + 60_000);
    expect(next.verdict).toBe('store');
    expect(next.summary).toEqual({
      start: T0,
      end: T0 + 60_000,
      seen: 15,
      stored: 5,
      sampled: 1,
      notStored: 9,
      sources: [
        ['a', 7],
        ['b', 2],
      ],
      sourceCount: 2,
    });
    expect(summaryParameters(next.summary!, s.options)).toMatchObject({
      Seen: '15',
      StoredInFull: '5',
      Sampled: '1',
      NotStored: '9',
      Sources: 'a=7, b=2',
    });
    // A window that stored everything has no summary.
    expect(s.admit('a', T0 + 120_000).summary).toBeUndefined();
    expect(s.roll(T0 + 130_000, true)).toBeUndefined();
  });

  it('tracks a bounded number of sources; the rest are counted together', () => {
    const s = new UnauthenticatedSampler({ perSource: 1, overall: 1e9, sampleEvery: 1e9 });
    for (let i = 0; i < 10_000; i++) s.admit(`2001:db8::${i.toString(16)}`, T0);
    // Past 4,096 sources the others share one count: the first of them is stored, the rest not.
    expect(s.pendingNotStored).toBe(10_000 - 4096 - 1 - 1);
    const summary = s.roll(T0, true)!;
    expect(summary.sources).toEqual([['(other sources)', 10_000 - 4096 - 2]]);
  });
});
