/**
 * @module Small statistics: median, percentiles, and the summary of a figure measured over several
 * rounds (median, spread, latency percentiles).
 */
import type { Stat } from './types.js';

/**
 * The p-th percentile (0..100) of a list, nearest-rank on a sorted copy; NaN when empty.
 * @example
 * percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * The median of a list (mean of the middle two when even); NaN when empty.
 * @example
 * median([3, 1, 2]) // 2
 */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One measured round, as the load worker reports it. */
export interface RoundSample {
  value: number;
  p50Us?: number;
  p99Us?: number;
  failures?: number;
}

/**
 * Summarises rounds: median of the figure, min, max, spread, and the median of each round's
 * latency percentiles.
 * @example
 * summarize([{ value: 10 }, { value: 12 }, { value: 11 }]).median // 11
 */
export function summarize(samples: RoundSample[]): Stat {
  const values = samples.map((s) => s.value);
  const med = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const stat: Stat = {
    median: med,
    min,
    max,
    spreadPct: med === 0 ? 0 : ((max - min) / med) * 100,
    rounds: values,
  };
  const p50 = samples.flatMap((s) => (s.p50Us === undefined ? [] : [s.p50Us]));
  const p99 = samples.flatMap((s) => (s.p99Us === undefined ? [] : [s.p99Us]));
  if (p50.length) stat.p50Us = median(p50);
  if (p99.length) stat.p99Us = median(p99);
  const failures = samples.reduce((n, s) => n + (s.failures ?? 0), 0);
  if (samples.some((s) => s.failures !== undefined)) stat.failures = failures;
  return stat;
}
