/**
 * @module The `Bool` operator: policy values `true`/`false` (JSON booleans or the strings, in any
 * case); request values the same. A missing key does not match, which is why `acs:MFAPresent`
 * tests do not apply to AccessKey/STS calls, where the key is absent (field report in
 * ../shared/spec/openapi.md f.4).
 */
import type { OperatorFamily, Scalar } from './family.js';

/**
 * Reads a boolean from `true`/`false` or the strings `"true"`/`"false"` (any case).
 * @example
 * parseBool('TRUE'); // true
 */
export function parseBool(v: Scalar): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  return undefined;
}

/** The Bool family. */
export const boolFamily: OperatorFamily<boolean, boolean> = {
  name: 'Bool',
  policyValueDescription: '`true` or `false`',
  requestValueDescription: '`true` or `false`',
  parsePolicyValue(v: Scalar) {
    const b = parseBool(v);
    return b === undefined
      ? { ok: false, reason: 'is not `true` or `false`' }
      : { ok: true, value: b };
  },
  parseRequestValue: parseBool,
  compileTest(op: string, values: boolean[]) {
    if (op !== 'Bool') throw new Error(`not a Bool operator: ${op}`);
    const t = values.includes(true);
    const f = values.includes(false);
    return (c) => (c ? t : f);
  },
};
