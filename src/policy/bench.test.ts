/**
 * @module Runs the decision micro-benchmarks once with few iterations; no timing assertion.
 */
import { describe, expect, it } from 'vitest';
import { benchWorstCases, worstCases } from './bench-worst.js';
import { benchDecision } from './bench.js';
import { MAX_PATTERN_WILDCARDS } from './wildcard.js';

describe('benchDecision', () => {
  it('returns nanoseconds per decision (no timing assertion)', () => {
    const ns = benchDecision(2000, 2);
    expect(ns).toBeGreaterThan(0);
    expect(Number.isFinite(ns)).toBe(true);
  });
});

describe('benchWorstCases', () => {
  it('decides every pathological case as expected and times it (no timing assertion)', () => {
    const cases = worstCases();
    expect(cases.map((c) => c.name).join('\n')).toContain(`${MAX_PATTERN_WILDCARDS} wildcards`);
    const timings = benchWorstCases(1, 1);
    expect(timings.map((t) => t.name)).toEqual(cases.map((c) => c.name));
    for (const t of timings) expect(t.us).toBeGreaterThan(0);
  });
});
