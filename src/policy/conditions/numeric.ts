/**
 * @module Numeric operators: `NumericEquals`, `NumericNotEquals`, `NumericLessThan`,
 * `NumericLessThanEquals`, `NumericGreaterThan`, `NumericGreaterThanEquals`. Policy and request
 * values may be JSON numbers or decimal strings (`"10"`, `"-1.5"`, `"2e3"`).
 */
import type { OperatorFamily, Scalar } from './family.js';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads a number from a JSON number or a decimal string; `undefined` otherwise.
 * @example
 * parseNumber('2e3'); // 2000
 */
export function parseNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !DECIMAL.test(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Builds the comparison tests shared by the numeric and date families. */
export function compileOrderedTest(
  relation: 'Equals' | 'LessThan' | 'LessThanEquals' | 'GreaterThan' | 'GreaterThanEquals',
  values: number[],
): (c: number) => boolean {
  switch (relation) {
    case 'Equals':
      return (c) => values.includes(c);
    case 'LessThan':
      return (c) => values.some((v) => c < v);
    case 'LessThanEquals':
      return (c) => values.some((v) => c <= v);
    case 'GreaterThan':
      return (c) => values.some((v) => c > v);
    case 'GreaterThanEquals':
      return (c) => values.some((v) => c >= v);
  }
}

/** Splits `NumericLessThan` / `DateLessThan` into the relation name. */
export function relationOf(
  op: string,
  familyPrefix: string,
): 'Equals' | 'LessThan' | 'LessThanEquals' | 'GreaterThan' | 'GreaterThanEquals' {
  const rel = op.slice(familyPrefix.length);
  if (
    rel === 'Equals' ||
    rel === 'LessThan' ||
    rel === 'LessThanEquals' ||
    rel === 'GreaterThan' ||
    rel === 'GreaterThanEquals'
  ) {
    return rel;
  }
  throw new Error(`not a positive ${familyPrefix} operator: ${op}`);
}

/** The Numeric family. */
export const numericFamily: OperatorFamily<number, number> = {
  name: 'Numeric',
  policyValueDescription: 'a number',
  requestValueDescription: 'a number',
  parsePolicyValue(v: Scalar) {
    const n = parseNumber(v);
    return n === undefined ? { ok: false, reason: 'is not a number' } : { ok: true, value: n };
  },
  parseRequestValue: parseNumber,
  compileTest(op: string, values: number[]) {
    return compileOrderedTest(relationOf(op, 'Numeric'), values);
  },
};
