/**
 * @module Wildcard matching for Action, Resource, Principal entries and `StringLike`: `*` matches
 * any run of characters (including none, and including `/` and `:`), `?` matches exactly one
 * character (code point, newline included). RAM documents both for element values ("Policy
 * structure and syntax": `*` any number of characters including zero, `?` one character).
 *
 * No regular expression is built from a pattern: a backtracking `RegExp` made from an ordinary
 * Resource with six `*` once blocked the event loop for 19 s on one 500-character key.
 * A pattern is compiled into its `*`-free segments, each a list of literal runs and `?`s, and
 * matched in one pass, the glob algorithm that only ever backtracks to the last `*`:
 *
 * ```
 * pattern  head * middle1 * middle2 * tail      input  [ head | ... middle1 ... middle2 ... | tail ]
 * head     must match at 0 (forwards)               tail  must end at input.length (backwards)
 * middles  each at its leftmost place after the one before; an earlier `*` is never revisited
 * ```
 *
 * Taking the leftmost place is always right: a later place ends later and leaves less room for
 * what follows. The middles are searched left to right over the input once: a literal middle
 * with `indexOf`, a middle with `?` with a shift-and automaton (one step per input code point,
 * one 32-bit word per 32 code points of the segment). One match therefore costs at most
 * O(n·⌈m/32⌉ + m) for an input of n and a pattern of m characters, never worse than O(n·m).
 * Patterns are compiled once into an exact-match set, a prefix list and these segment matchers. The limits on patterns
 * ({@link MAX_PATTERN_WILDCARDS}, {@link MAX_PATTERN_LENGTH}) and on the values `StringLike`
 * compares ({@link MAX_LIKE_VALUE_LENGTH}) are enforced by validate.ts and conditions/string.ts.
 */

/** A compiled set of patterns; `test` is true when any pattern matches the whole input. */
export interface PatternSet {
  test(input: string): boolean;
  /** True when the set contains a bare `*` (matches everything). */
  readonly matchesAll: boolean;
}

/**
 * Most wildcards (`*` and `?` together) one pattern may have. No policy in test/policy-corpus or
 * among the system policies has more than 4; the bound keeps a segment's token list short.
 */
export const MAX_PATTERN_WILDCARDS = 16;

/**
 * Longest pattern, in characters. An OSS object ARN is at most about 1,110 characters (a
 * 1,023-byte key), so an exact Resource fits with room to spare.
 */
export const MAX_PATTERN_LENGTH = 2048;

/**
 * Longest request value `StringLike`/`StringNotLike` compare, in characters (UTF-16 code units).
 * Every bounded value yunbox puts in a request context fits (`sts:ExternalId` 1,224, `oss:Prefix`
 * 1,023, tags 128); a longer one (a 128 KiB `User-Agent`) makes the condition unknown: an Allow
 * never applies and a Deny does, so padding a value can neither gain access nor slip past a Deny.
 */
export const MAX_LIKE_VALUE_LENGTH = 2048;

const ALWAYS: PatternSet = { test: () => true, matchesAll: true };
const NEVER: PatternSet = { test: () => false, matchesAll: false };

/** Whether a pattern contains a wildcard character. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/**
 * Number of wildcard characters (`*` and `?`) in a pattern.
 * @example
 * countWildcards('acs:oss:*:*:logs/*.gz'); // 3
 */
export function countWildcards(pattern: string): number {
  let n = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 42 /* * */ || c === 63 /* ? */) n++;
  }
  return n;
}

// ---------------------------------------------------------------- code points

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Whether position `i` of `s` is between two code points (not inside a surrogate pair). */
function boundary(s: string, i: number): boolean {
  return i <= 0 || i >= s.length || !(isHigh(s.charCodeAt(i - 1)) && isLow(s.charCodeAt(i)));
}

/** Whether `lit` occurs in `s` at `i` as whole code points. */
function literalAt(s: string, lit: string, i: number): boolean {
  if (!s.startsWith(lit, i)) return false;
  // Only a literal that starts with a low or ends with a high surrogate can cut a pair in two.
  if (isLow(lit.charCodeAt(0)) && !boundary(s, i)) return false;
  return !isHigh(lit.charCodeAt(lit.length - 1)) || boundary(s, i + lit.length);
}

// ---------------------------------------------------------------- segments

/**
 * A `*`-free part of a pattern, in order: `null` for `?`, a number for a one-unit literal (a
 * character code, never a surrogate), a string for a longer literal run.
 */
interface Segment {
  tokens: (string | number | null)[];
  /** The first token when it is a literal, as text (for `indexOf`). */
  first: string | undefined;
  /** For a middle segment with `?`: its shift-and search. */
  shiftAnd?: ShiftAnd;
}

function segment(text: string, questionMark: boolean): Segment {
  const tokens: (string | number | null)[] = [];
  let lit = '';
  const flush = () => {
    if (lit === '') return;
    const c = lit.charCodeAt(0);
    tokens.push(lit.length === 1 && !isHigh(c) && !isLow(c) ? c : lit);
    lit = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '?' && questionMark) {
      flush();
      tokens.push(null);
    } else {
      lit += ch;
    }
  }
  flush();
  const t0 = tokens[0];
  const first = typeof t0 === 'number' ? String.fromCharCode(t0) : (t0 ?? undefined);
  return { tokens, first };
}

/** Matches `seg` forwards from `i`, within `[i, limit]`; its end, or -1. */
function forward(seg: Segment, s: string, i: number, limit: number): number {
  const tokens = seg.tokens;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (typeof t === 'number') {
      if (i >= limit || s.charCodeAt(i) !== t) return -1;
      i += 1;
    } else if (t === null) {
      if (i >= limit) return -1;
      i += isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
    } else {
      if (i + t.length > limit || !literalAt(s, t, i)) return -1;
      i += t.length;
    }
  }
  return i <= limit ? i : -1;
}

/** Matches `seg` backwards so that it ends at `j`, within `[floor, j]`; its start, or -1. */
function backward(seg: Segment, s: string, j: number, floor: number): number {
  const tokens = seg.tokens;
  for (let k = tokens.length - 1; k >= 0; k--) {
    const t = tokens[k]!;
    if (typeof t === 'number') {
      if (j <= floor || s.charCodeAt(j - 1) !== t) return -1;
      j -= 1;
    } else if (t === null) {
      if (j <= floor) return -1;
      j -= j >= 2 && isLow(s.charCodeAt(j - 1)) && isHigh(s.charCodeAt(j - 2)) ? 2 : 1;
    } else {
      const start = j - t.length;
      if (start < floor || !literalAt(s, t, start)) return -1;
      j = start;
    }
  }
  return j >= floor ? j : -1;
}

/**
 * A segment with `?` compiled for the shift-and search: bit j of the state is set when the first
 * j + 1 code points of the segment end at the current input position. Every match of a segment
 * has the same number of code points, so the first position where the last bit is set ends the
 * leftmost match. One step per input code point costs one operation per 32 pattern code points.
 */
interface ShiftAnd {
  /** Pattern code points. */
  length: number;
  words: number;
  /** Bits of the `?` positions. */
  any: Uint32Array;
  /** Bits of the positions of each literal code point (ASCII in an array, the rest in a map). */
  ascii: (Uint32Array | undefined)[];
  other: Map<number, Uint32Array>;
  /**
   * Scratch state, reused by every search of this segment. INVARIANT: a search runs to its end
   * synchronously and calls nothing that could search again, so no two searches share it.
   */
  state: Uint32Array;
}

function shiftAnd(seg: Segment): ShiftAnd {
  const points: (number | null)[] = [];
  for (const t of seg.tokens) {
    if (t === null || typeof t === 'number') points.push(t);
    else for (const ch of t) points.push(ch.codePointAt(0)!);
  }
  const words = Math.ceil(points.length / 32);
  const any = new Uint32Array(words);
  const ascii: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(128);
  const other = new Map<number, Uint32Array>();
  points.forEach((c, j) => {
    const bit = 1 << (j & 31);
    if (c === null) {
      any[j >>> 5]! |= bit;
      return;
    }
    let m = c < 128 ? ascii[c] : other.get(c);
    if (m === undefined) {
      m = new Uint32Array(words);
      if (c < 128) ascii[c] = m;
      else other.set(c, m);
    }
    m[j >>> 5]! |= bit;
  });
  return { length: points.length, words, any, ascii, other, state: new Uint32Array(words) };
}

/** The end of the leftmost match of a shift-and segment within `[lo, hi]`, or -1. */
function shiftAndSearch(sa: ShiftAnd, s: string, lo: number, hi: number): number {
  // Each code point takes at least one unit: a segment longer than the room left cannot fit.
  if (hi - lo < sa.length) return -1;
  const { words, any, state } = sa;
  const last = (sa.length - 1) >>> 5;
  const lastBit = 1 << ((sa.length - 1) & 31);
  state.fill(0);
  // Words from `top` up are zero; only word `top` can gain a bit (the carry) in the next step.
  let top = 0;
  let i = lo;
  while (i < hi) {
    const c = s.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    const m = c < 128 ? sa.ascii[c] : sa.other.get(c);
    const limit = top < words ? top + 1 : words;
    let carry = 1;
    top = 0;
    for (let w = 0; w < limit; w++) {
      const d = state[w]!;
      const next = ((d << 1) | carry) & (m === undefined ? any[w]! : any[w]! | m[w]!);
      state[w] = next;
      carry = d >>> 31;
      if (next !== 0) top = w + 1;
    }
    if ((state[last]! & lastBit) !== 0) return i;
  }
  return -1;
}

/** The leftmost place of `seg` within `[lo, hi]` (starting on a code point); its end, or -1. */
function leftmost(seg: Segment, s: string, lo: number, hi: number): number {
  if (seg.shiftAnd !== undefined) return shiftAndSearch(seg.shiftAnd, s, lo, hi);
  // A segment without `?` is one literal run: its leftmost place is `indexOf`'s.
  const first = seg.first!;
  for (
    let i = s.indexOf(first, lo);
    i >= 0 && i + first.length <= hi;
    i = s.indexOf(first, i + 1)
  ) {
    if (literalAt(s, first, i)) return i + first.length;
  }
  return -1;
}

/**
 * Compiles one pattern into a matcher for whole strings. `questionMark: false` treats `?` as an
 * ordinary character (OSS CORS rules and ECS name filters know only `*`).
 * @example
 * const m = compileGlob('acs:oss:*:*:logs/*.gz');
 * m('acs:oss:*:123:logs/a/b.gz'); // true
 */
export function compileGlob(
  pattern: string,
  opts: { questionMark?: boolean } = {},
): (input: string) => boolean {
  const questionMark = opts.questionMark ?? true;
  const parts = pattern.split('*');
  const head = segment(parts[0]!, questionMark);
  if (parts.length === 1) return (s) => forward(head, s, 0, s.length) === s.length;
  const tail = segment(parts[parts.length - 1]!, questionMark);
  const middles = parts
    .slice(1, -1)
    .filter((p) => p !== '')
    .map((p) => {
      const seg = segment(p, questionMark);
      if (seg.tokens.includes(null)) seg.shiftAnd = shiftAnd(seg);
      return seg;
    });
  return (s) => {
    const n = s.length;
    const a = forward(head, s, 0, n);
    if (a < 0) return false;
    const b = backward(tail, s, n, a);
    if (b < 0) return false;
    let i = a;
    for (const m of middles) {
      i = leftmost(m, s, i, b);
      if (i < 0) return false;
    }
    return true;
  };
}

/**
 * Compiles glob patterns into one matcher. With `ignoreCase`, patterns are lower-cased here and the
 * caller must pass lower-cased input to `test` (so that the input is folded once per request).
 * @example
 * const s = compilePatterns(['oss:get*', 'ram:createrole'], true);
 * s.test('oss:getobjectacl'); // true
 */
export function compilePatterns(patterns: readonly string[], ignoreCase = false): PatternSet {
  if (patterns.length === 0) return NEVER;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const globs: ((s: string) => boolean)[] = [];
  for (const raw of patterns) {
    const p = ignoreCase ? raw.toLowerCase() : raw;
    if (p === '*') return ALWAYS;
    if (!hasWildcard(p)) {
      exact.add(p);
    } else if (
      p.endsWith('*') &&
      !hasWildcard(p.slice(0, -1)) &&
      !isHigh(p.charCodeAt(p.length - 2))
    ) {
      prefixes.push(p.slice(0, -1));
    } else {
      globs.push(compileGlob(p));
    }
  }
  const nPrefixes = prefixes.length;
  const nGlobs = globs.length;
  if (nPrefixes === 0 && nGlobs === 0) {
    if (exact.size === 1) {
      const only = exact.values().next().value as string;
      return { test: (s) => s === only, matchesAll: false };
    }
    return { test: (s) => exact.has(s), matchesAll: false };
  }
  return {
    matchesAll: false,
    test(s: string): boolean {
      if (exact.has(s)) return true;
      for (let i = 0; i < nPrefixes; i++) {
        if (s.startsWith(prefixes[i]!)) return true;
      }
      for (let i = 0; i < nGlobs; i++) {
        if (globs[i]!(s)) return true;
      }
      return false;
    },
  };
}

/**
 * Matches one glob pattern against a string (case-sensitive). For one-off checks; the engine
 * uses {@link compilePatterns}.
 * @example
 * globMatch('acs:oss:*:*:bucket/*', 'acs:oss:*:123:bucket/a/b.txt'); // true
 */
export function globMatch(pattern: string, input: string): boolean {
  return compilePatterns([pattern]).test(input);
}

/**
 * Matches a pattern whose only wildcard is `*` (`?` is literal), as OSS CORS rules and ECS name
 * filters have them; case-sensitive, linear like every match here.
 * @example
 * starMatch('x-oss-meta-*', 'x-oss-meta-a'); // true
 * starMatch('web-?', 'web-1'); // false
 */
export function starMatch(pattern: string, input: string): boolean {
  return compileGlob(pattern, { questionMark: false })(input);
}

/**
 * Whether a Resource pattern matches a resource ARN, as RAM does: case-sensitive wildcard match on
 * the whole ARN (`acs:oss:*:*:bucket/*` covers the objects but not the bucket itself).
 * @example
 * matchesArn('acs:oss:*:*:bucket/*', 'acs:oss:*:123:bucket'); // false
 * matchesArn('acs:oss:*:*:bucket*', 'acs:oss:*:123:bucket'); // true
 */
export function matchesArn(pattern: string, arn: string): boolean {
  return globMatch(pattern, arn);
}

/**
 * Whether an Action pattern matches an action; action names are case-insensitive in RAM
 * ("Permission policy elements": the value is case-insensitive in most cases).
 * @example
 * matchesAction('oss:Get*', 'oss:GetObjectAcl'); // true
 */
export function matchesAction(pattern: string, action: string): boolean {
  return compilePatterns([pattern], true).test(action.toLowerCase());
}
