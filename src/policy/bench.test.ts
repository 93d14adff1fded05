/**
 * @module Runs the decision micro-benchmark once with few iterations; no timing assertion.
 */
import { describe, expect, it } from 'vitest';
import { benchDecision } from './bench.js';

describe('benchDecision', () => {
  it('returns nanoseconds per decision (no timing assertion)', () => {
    const ns = benchDecision(2000, 2);
    expect(ns).toBeGreaterThan(0);
    expect(Number.isFinite(ns)).toBe(true);
  });
});
