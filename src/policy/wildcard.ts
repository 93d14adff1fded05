/**
 * @module Wildcard matching for Action, Resource, Principal entries and `StringLike`: `*` matches
 * any run of characters (including none, and including `/` and `:`), `?` matches exactly one
 * character (code point). RAM documents both for element values ("Policy structure and syntax":
 * `*` any number of characters including zero, `?` one character). Patterns are compiled once into
 * an exact-match set, a prefix list and at most one regular expression.
 */

/** A compiled set of patterns; `test` is true when any pattern matches the whole input. */
export interface PatternSet {
  test(input: string): boolean;
  /** True when the set contains a bare `*` (matches everything). */
  readonly matchesAll: boolean;
}

const ALWAYS: PatternSet = { test: () => true, matchesAll: true };
const NEVER: PatternSet = { test: () => false, matchesAll: false };

/** Whether a pattern contains a wildcard character. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Regular-expression source for one glob pattern (no anchors). */
export function globToRegexSource(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if ('^$\\.+()[]{}|/'.includes(ch)) out += '\\' + ch;
    else out += ch;
  }
  return out;
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
  const regexParts: string[] = [];
  for (const raw of patterns) {
    const p = ignoreCase ? raw.toLowerCase() : raw;
    if (p === '*') return ALWAYS;
    if (!hasWildcard(p)) {
      exact.add(p);
    } else if (p.endsWith('*') && !hasWildcard(p.slice(0, -1))) {
      prefixes.push(p.slice(0, -1));
    } else {
      regexParts.push(globToRegexSource(p));
    }
  }
  const re = regexParts.length > 0 ? new RegExp(`^(?:${regexParts.join('|')})$`, 'su') : null;
  const nPrefixes = prefixes.length;
  if (nPrefixes === 0 && re === null) {
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
      return re !== null && re.test(s);
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
