/**
 * @module Sampling of unauthenticated events: requests nobody signed (refused before a signature
 * held, or anonymous) cost their sender nothing, so past a rate they are counted rather than
 * stored one by one. Authenticated events never pass through here: they are always stored.
 *
 * In each one-minute window (real time, not the manual clock, which may stand still):
 * - the first {@link SamplingOptions.perSource} events of each source address, and at most
 *   {@link SamplingOptions.overall} in all, are stored in full;
 * - past either, one in {@link SamplingOptions.sampleEvery} is stored, flagged `sampled`, up to
 *   {@link SamplingOptions.maxSampled} a window; the rest are only counted;
 * - when a window that left events out ends, one summary event (`TrailEventsNotStored`, identity
 *   `yunbox`) says how many, and from which sources (the busiest ten).
 *
 * So a flood from any number of addresses stores at most `overall + maxSampled + 1` events a
 * minute, while a client with a wrong key, or a few anonymous readers, are recorded in full.
 * Anonymous requests a public bucket allows count too: they are legitimate, but a stranger sends
 * them as freely as refused ones, and a public object fetched in a loop would otherwise write an
 * event per request; their totals stay visible in the summaries.
 */
import { isoSeconds } from '../../kernel/clock.js';

/** Numbers of the sampler (see the module comment). */
export interface SamplingOptions {
  /** Events stored in full per source address and window (default 20). */
  perSource: number;
  /** Events stored in full per window, all sources together (default 120). */
  overall: number;
  /** Past those, one in this many is stored (default 100). */
  sampleEvery: number;
  /** Most sampled events per window (default 60). */
  maxSampled: number;
  /** Window length (default one minute). */
  windowMs: number;
}

/**
 * The defaults. 20 a minute per source shows a misconfigured client's every mistake (an SDK
 * retries three times; a developer re-runs a failing script a few times a minute); 120 a minute
 * in all is two a second, more than anyone reads; 60 samples a minute keep a flood's shape
 * visible. A flood is then at most about 181 events a minute, each at most 32 KiB of text
 * (bound.ts), typically under 1 KiB.
 */
export const DEFAULT_SAMPLING: Readonly<SamplingOptions> = Object.freeze({
  perSource: 20,
  overall: 120,
  sampleEvery: 100,
  maxSampled: 60,
  windowMs: 60_000,
});

/** Most source addresses counted one by one per window; the rest are counted together. */
const MAX_SOURCES = 4096;
/** The key under which sources past {@link MAX_SOURCES} are counted. */
const OTHER_SOURCES = '(other sources)';
/** Sources named in a summary. */
const SUMMARY_SOURCES = 10;

/** What to do with one unauthenticated event. */
export type SamplingVerdict = 'store' | 'sample' | 'skip';

/** One window's account of what was left out, for its summary event. */
export interface SamplingSummary {
  /** Window start and end (real time, ms). */
  start: number;
  end: number;
  /** Unauthenticated events seen, stored in full, stored as samples, and only counted. */
  seen: number;
  stored: number;
  sampled: number;
  notStored: number;
  /** Sources with events not stored, most first (at most ten), and how many sources in all. */
  sources: Array<[source: string, notStored: number]>;
  sourceCount: number;
}

/** Counts unauthenticated events per window and says which to store. */
export class UnauthenticatedSampler {
  readonly #opts: SamplingOptions;
  #start = -Infinity;
  #perSource = new Map<string, number>();
  #skippedBySource = new Map<string, number>();
  #seen = 0;
  #stored = 0;
  #sampled = 0;
  #pastLimits = 0;
  #notStored = 0;

  constructor(opts: Partial<SamplingOptions> = {}) {
    this.#opts = { ...DEFAULT_SAMPLING, ...opts };
  }

  /** The numbers in use. */
  get options(): Readonly<SamplingOptions> {
    return this.#opts;
  }

  /** End of the current window (ms), or `-Infinity` before the first event. */
  get windowEnd(): number {
    return this.#start + this.#opts.windowMs;
  }

  /** Events only counted so far in the current window. */
  get pendingNotStored(): number {
    return this.#notStored;
  }

  /**
   * The verdict for one unauthenticated event from `source` at real time `now`, and the summary
   * of the window that `now` ended, if that window left events out.
   */
  admit(source: string, now: number): { verdict: SamplingVerdict; summary?: SamplingSummary } {
    const summary = this.roll(now);
    this.#seen++;
    const key =
      this.#perSource.has(source) || this.#perSource.size < MAX_SOURCES ? source : OTHER_SOURCES;
    const fromSource = (this.#perSource.get(key) ?? 0) + 1;
    this.#perSource.set(key, fromSource);
    let verdict: SamplingVerdict;
    if (fromSource <= this.#opts.perSource && this.#stored < this.#opts.overall) {
      this.#stored++;
      verdict = 'store';
    } else if (
      this.#pastLimits++ % this.#opts.sampleEvery === 0 &&
      this.#sampled < this.#opts.maxSampled
    ) {
      this.#sampled++;
      verdict = 'sample';
    } else {
      this.#notStored++;
      this.#skippedBySource.set(key, (this.#skippedBySource.get(key) ?? 0) + 1);
      verdict = 'skip';
    }
    return summary ? { verdict, summary } : { verdict };
  }

  /**
   * Ends the current window when `now` is past it (or always, with `force`: closing), returning
   * its summary when it left events out.
   */
  roll(now: number, force = false): SamplingSummary | undefined {
    if (!force && now < this.windowEnd) return undefined;
    const summary =
      this.#notStored > 0
        ? {
            start: this.#start,
            end: Math.min(now, this.windowEnd),
            seen: this.#seen,
            stored: this.#stored,
            sampled: this.#sampled,
            notStored: this.#notStored,
            sources: [...this.#skippedBySource]
              .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
              .slice(0, SUMMARY_SOURCES),
            sourceCount: this.#skippedBySource.size,
          }
        : undefined;
    this.#start = now;
    this.#perSource = new Map();
    this.#skippedBySource = new Map();
    this.#seen = this.#stored = this.#sampled = this.#pastLimits = this.#notStored = 0;
    return summary;
  }
}

/**
 * The request parameters of a summary event (all strings, as parameters are).
 * @example
 * summaryParameters(s) // { NotStored: '940', Sampled: '9', StoredInFull: '120', Sources: '203.0.113.9=940', … }
 */
export function summaryParameters(
  s: SamplingSummary,
  opts: Readonly<SamplingOptions>,
): Record<string, string> {
  const more = s.sourceCount - s.sources.length;
  return {
    WindowStart: isoSeconds(s.start),
    WindowEnd: isoSeconds(s.end),
    Seen: String(s.seen),
    StoredInFull: String(s.stored),
    Sampled: String(s.sampled),
    NotStored: String(s.notStored),
    Sources:
      s.sources.map(([src, n]) => `${src || '(none)'}=${n}`).join(', ') +
      (more > 0 ? `, and ${more} more` : ''),
    Policy: `first ${opts.perSource} per source and ${opts.overall} in all per ${opts.windowMs / 1000} s in full, then one in ${opts.sampleEvery} (at most ${opts.maxSampled})`,
  };
}
