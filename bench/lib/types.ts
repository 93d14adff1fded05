/**
 * @module The harness's vocabulary: settings of a run, a scenario, the rows it reports and the
 * goals they are judged by. Scenarios live in `bench/scenarios/`, one file each, and are listed
 * in `bench/scenarios/index.ts`.
 */
import type { Resources } from './resources.js';

/** How long and how hard to measure. `--quick` and the full run differ only here. */
export interface Settings {
  quick: boolean;
  /** Load-generator connections (fixed for every throughput scenario). */
  connections: number;
  /** Warm-up per target before the measured rounds, seconds. */
  warmupSec: number;
  /** Length of one measured round, seconds. */
  roundSec: number;
  /** Measured rounds per target (targets alternate round by round). */
  rounds: number;
  /** Rounds of the process-start scenarios (cold start, `node -e`). */
  startRounds: number;
  /** Keys in the bucket of the ListObjects scenario. */
  listKeys: number;
  /** Size of the large object of the throughput scenario, bytes. */
  streamBytes: number;
  /** Size of the object streamed while RSS is sampled, bytes. */
  rssStreamBytes: number;
  /** Iterations per round of the in-process policy benchmark (yunbox). */
  policyIterations: number;
  /** Iterations per round for Cedar (slower, so fewer). */
  cedarIterations: number;
  /** Write `.cpuprofile` files of the yunbox servers and summarise them. */
  profile: boolean;
  /** Extra flags for every yunbox `node` process (experiments; recorded with the results). */
  nodeFlags: string[];
  /** PostgreSQL base URL for the `postgres` scenarios. */
  pgUrl: string;
}

/** Summary of one figure measured over several rounds. */
export interface Stat {
  /** Median across rounds (the figure reported). */
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  /** Every round's figure, in the order measured. */
  rounds: number[];
  /** Latency percentiles (median across rounds), microseconds, when measured. */
  p50Us?: number;
  p99Us?: number;
  /** Requests answered with a non-2xx status or failed, over all rounds. */
  failures?: number;
}

/** Unit of a figure, and whether more is better. */
export type Unit = 'req/s' | 'MB/s' | 'ns' | 'ms' | 'MB' | 'µs';

/** A goal a row is judged by. */
export type Goal =
  /** yunbox / baseline >= ratio (higher-is-better units). */
  | { kind: 'ratio-at-least'; ratio: number; text: string }
  /** the figure itself >= value. */
  | { kind: 'at-least'; value: number; text: string }
  /** the figure itself <= value (lower-is-better units). */
  | { kind: 'at-most'; value: number; text: string; of?: 'median' | 'p99' }
  /** yunbox below the baseline (lower-is-better units). */
  | { kind: 'below-baseline'; text: string }
  /** yunbox - baseline <= value (lower-is-better units). */
  | { kind: 'over-baseline-at-most'; value: number; text: string };

/** Outcome of one goal. */
export interface GoalResult {
  text: string;
  met: boolean;
  /** How far off a missed goal is, in words. */
  off?: string;
}

/** One line of the results table. */
export interface Row {
  /** Scenario id (`--only` selects by it). */
  scenario: string;
  /** What was measured. */
  name: string;
  unit: Unit;
  /** `ok`, `unavailable` (service not landed yet), `error` (setup or run failed). */
  status: 'ok' | 'unavailable' | 'error';
  yunbox?: Stat;
  baseline?: { name: string; stat: Stat };
  /** yunbox / baseline. */
  ratio?: number;
  goals: Goal[];
  results?: GoalResult[];
  /** Why unavailable, what failed, or a remark on the figure. */
  note?: string;
}

/** What a scenario gets to run with. */
export interface BenchContext {
  settings: Settings;
  resources: Resources;
  log(line: string): void;
}

/** One scenario (one file in `bench/scenarios/`). */
export interface Scenario {
  /** Stable id, for `--only` and the JSON. */
  id: string;
  /** One line for `--list`. */
  title: string;
  /** Runs in `--quick` too (default true). */
  quick?: boolean;
  /**
   * Why it cannot run today (a service not landed yet), or undefined when it can. The rows it
   * would print are given so that the table shows what is missing.
   */
  unavailable?(): { reason: string; rows: Array<Pick<Row, 'name' | 'unit' | 'goals'>> } | undefined;
  run(ctx: BenchContext): Promise<Row[]>;
}
