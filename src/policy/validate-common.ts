/**
 * @module What validate.ts and its parts (validate-principal.ts, validate-condition.ts) share: the
 * {@link Reporter} that collects diagnostics with their line and column, the helpers that read
 * elements and word messages, and {@link checkPattern}, the limits every wildcard pattern keeps.
 */
import type { Scalar } from './conditions/index.js';
import type { JsonValue, SourcePosition } from './document.js';
import type { Diagnostic, PolicyKind } from './types.js';
import { MAX_PATTERN_LENGTH, MAX_PATTERN_WILDCARDS, countWildcards } from './wildcard.js';

/** How messages name each kind of document. */
export const KIND_LABEL: Record<PolicyKind, string> = {
  identity: 'a permission policy',
  session: 'a session policy',
  trust: 'a trust policy',
  bucket: 'a bucket policy',
};

/** Collects diagnostics, locating each by its JSON pointer. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  readonly #positions: Map<string, SourcePosition>;
  /** Whether {@link checkPattern} enforces its limits (false for documents stored earlier). */
  readonly patternLimits: boolean;

  constructor(positions: Map<string, SourcePosition>, patternLimits = true) {
    this.#positions = positions;
    this.patternLimits = patternLimits;
  }

  #add(severity: 'error' | 'warning', code: string, message: string, pointer: string): void {
    const pos = this.#positions.get(pointer);
    const d: Diagnostic = { code, message, pointer, severity };
    if (pos) {
      d.line = pos.line;
      d.column = pos.column;
    }
    this.diagnostics.push(d);
  }

  /** Records an error (the document is refused). */
  error(code: string, message: string, pointer: string): void {
    this.#add('error', code, message, pointer);
  }

  /** Records a warning (advice; the document is accepted). */
  warn(code: string, message: string, pointer: string): void {
    this.#add('warning', code, message, pointer);
  }

  /** Number of errors so far. */
  errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  /** Whether every diagnostic recorded after the first `since` is a warning. */
  onlyWarningsSince(since: number): boolean {
    return this.diagnostics.slice(since).every((d) => d.severity === 'warning');
  }
}

/**
 * Checks the limits of one wildcard pattern (an Action, Resource or Principal entry, a
 * `StringLike` value): at most {@link MAX_PATTERN_LENGTH} characters and
 * {@link MAX_PATTERN_WILDCARDS} wildcards. Reports `PatternTooLong` or `TooManyWildcards` and
 * returns false when one is exceeded; always true when the reporter's `patternLimits` is off.
 * @example
 * checkPattern(r, 'acs:oss:*:*:logs/*.gz', '/Statement/0/Resource'); // true
 */
export function checkPattern(r: Reporter, pattern: string, pointer: string): boolean {
  if (!r.patternLimits) return true;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    r.error(
      'PatternTooLong',
      `${quote(pattern)} has ${pattern.length} characters; a pattern may have at most ${MAX_PATTERN_LENGTH}`,
      pointer,
    );
    return false;
  }
  const n = countWildcards(pattern);
  if (n > MAX_PATTERN_WILDCARDS) {
    r.error(
      'TooManyWildcards',
      `${quote(pattern)} has ${n} wildcards (\`*\` and \`?\`); a pattern may have at most ${MAX_PATTERN_WILDCARDS}`,
      pointer,
    );
    return false;
  }
  return true;
}

/**
 * Reads an element that is a string or a non-empty list of non-empty strings; reports `code`
 * otherwise.
 */
export function stringList(
  r: Reporter,
  v: JsonValue,
  pointer: string,
  element: string,
  code: string,
): string[] | undefined {
  if (typeof v === 'string') {
    if (v.length === 0) {
      r.error(code, `\`${element}\` must not be an empty string`, pointer);
      return undefined;
    }
    return [v];
  }
  if (!Array.isArray(v)) {
    r.error(
      code,
      `\`${element}\` must be a string or a list of strings, not ${typeName(v)}`,
      pointer,
    );
    return undefined;
  }
  if (v.length === 0) {
    r.error(code, `\`${element}\` is an empty list`, pointer);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  v.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0) {
      r.error(
        code,
        `\`${element}\` entries must be non-empty strings, not ${typeof item === 'string' ? 'an empty string' : typeName(item)}`,
        `${pointer}/${i}`,
      );
      ok = false;
    } else {
      out.push(item);
    }
  });
  return ok ? out : undefined;
}

/** Whether `s` has a control character (below U+0020). */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32) return true;
  return false;
}

/** Whether a JSON value is an object (not null, not a list). */
export function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a JSON value is a string, number or boolean. */
export function isScalar(v: JsonValue): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** A JSON value's type for messages: `a list`, `an object`, `a string`... */
export function typeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** User input for a message: in backticks, at most 80 characters, on one line. */
export function quote(s: string): string {
  const short = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return '`' + short.replace(/`/g, "'").replace(/[\r\n\t]/g, ' ') + '`';
}

/** `; did you mean ...?` when `written` is a candidate in another case, else empty. */
export function suggest(written: string, candidates: readonly string[]): string {
  const lower = written.toLowerCase();
  const hit = candidates.find((c) => c.toLowerCase() === lower);
  return hit ? `; did you mean \`${hit}\`?` : '';
}
