/**
 * @module String operators: `StringEquals`, `StringNotEquals` (case-sensitive),
 * `StringEqualsIgnoreCase`, `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike` (`*` any run,
 * `?` one character, case-sensitive), as in RAM's "Conditional operators". Numbers and booleans in
 * the policy or the request are compared by their JSON text (`1`, `true`). `StringLike` and
 * `StringNotLike` compare request values of at most `MAX_LIKE_VALUE_LENGTH` characters; a longer
 * one makes the condition unknown (fail closed), so that one match stays in bounded time.
 */
import { compilePatterns, MAX_LIKE_VALUE_LENGTH } from '../wildcard.js';
import type { OperatorFamily, Scalar } from './family.js';

/** The String family. */
export const stringFamily: OperatorFamily<string, string> = {
  name: 'String',
  policyValueDescription: 'a string',
  requestValueDescription: 'a string',
  parsePolicyValue(v: Scalar) {
    return { ok: true, value: String(v) };
  },
  parseRequestValue(v: Scalar) {
    return String(v);
  },
  compileTest(op: string, values: string[]) {
    switch (op) {
      case 'StringEquals': {
        if (values.length === 1) {
          const only = values[0]!;
          return (c) => c === only;
        }
        const set = new Set(values);
        return (c) => set.has(c);
      }
      case 'StringEqualsIgnoreCase': {
        const set = new Set(values.map((v) => v.toLowerCase()));
        return (c) => set.has(c.toLowerCase());
      }
      case 'StringLike': {
        const patterns = compilePatterns(values);
        return (c) => patterns.test(c);
      }
      default:
        throw new Error(`not a positive string operator: ${op}`);
    }
  },
  maxRequestValueLength(op: string) {
    return op === 'StringLike' ? MAX_LIKE_VALUE_LENGTH : undefined;
  },
};
