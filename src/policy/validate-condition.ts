/**
 * @module Validation of a statement's `Condition` block (part of validate.ts): operators as RAM's
 * "Conditional operators" lists them (`...IfExists` and `Null` refused, set qualifiers warned),
 * known condition keys and their types, and each value read by its operator family.
 * `StringLike`/`StringNotLike` values are wildcard patterns and keep {@link checkPattern}'s limits.
 */
import { classifyKey, familyForKeyType, parseOperator, type Scalar } from './conditions/index.js';
import { pointerToken, type JsonValue } from './document.js';
import {
  checkPattern,
  isObject,
  isScalar,
  quote,
  suggest,
  typeName,
  type Reporter,
} from './validate-common.js';

/** One `Operator: { key: values }` pair of a statement's Condition block. */
export interface PolicyCondition {
  operator: string;
  key: string;
  values: Scalar[];
  pointer: string;
}

const CONDITION_KEY_RE = /^[A-Za-z0-9_.*-]+:[^\s]+$/;

/** Validates a `Condition` element: the conditions it holds (those without errors). */
export function validateConditionBlock(
  r: Reporter,
  v: JsonValue,
  pointer: string,
): PolicyCondition[] {
  const out: PolicyCondition[] = [];
  if (!isObject(v)) {
    r.error(
      'InvalidCondition',
      `\`Condition\` must be an object of operators, not ${typeName(v)}`,
      pointer,
    );
    return out;
  }
  for (const operator of Object.keys(v)) {
    const opPointer = `${pointer}/${pointerToken(operator)}`;
    const parsed = parseOperator(operator);
    if (!parsed.ok) {
      if (parsed.reason === 'unsupported') {
        r.error(
          'UnsupportedConditionOperator',
          `the condition operator ${quote(operator)} is not supported by RAM; RAM has the String, Numeric, Date, Bool and IpAddress operators`,
          opPointer,
        );
      } else {
        r.error(
          'UnknownConditionOperator',
          `unknown condition operator ${quote(operator)}${parsed.suggestion ? `; did you mean \`${parsed.suggestion}\`?` : ''}`,
          opPointer,
        );
      }
      continue;
    }
    if (parsed.qualifier) {
      r.warn(
        'SetOperatorNotDocumented',
        `\`${parsed.qualifier}:\` is not in RAM's documented operator list; RAM may reject this document`,
        opPointer,
      );
    }
    const body = v[operator]!;
    if (!isObject(body)) {
      r.error(
        'InvalidCondition',
        `${quote(operator)} must map condition keys to values, not ${typeName(body)}`,
        opPointer,
      );
      continue;
    }
    const keys = Object.keys(body);
    if (keys.length === 0) {
      r.error('InvalidCondition', `${quote(operator)} has no condition keys`, opPointer);
      continue;
    }
    const family = parsed.info.family;
    for (const key of keys) {
      const keyPointer = `${opPointer}/${pointerToken(key)}`;
      if (!CONDITION_KEY_RE.test(key)) {
        r.error(
          'InvalidConditionKey',
          `${quote(key)} is not a condition key; write \`<prefix>:<name>\` such as \`acs:SourceIp\``,
          keyPointer,
        );
        continue;
      }
      const cls = classifyKey(key);
      if (cls.status === 'unknown-global') {
        r.error(
          'UnknownConditionKey',
          `unknown global condition key ${quote(key)}${suggest(key, ['acs:SourceIp', 'acs:SecureTransport', 'acs:CurrentTime', 'acs:MFAPresent', 'acs:SourceVpc', 'acs:AccessId', 'acs:UserAgent', 'acs:TagKeys'])}`,
          keyPointer,
        );
        continue;
      }
      if (cls.status === 'unknown-service') {
        r.warn(
          'UnknownConditionKey',
          `condition key ${quote(key)} is not one the engine knows; check its spelling`,
          keyPointer,
        );
      } else {
        const expected = familyForKeyType(cls.type);
        if (expected !== family.name) {
          if (family.name === 'String') {
            r.warn(
              'ConditionKeyTypeMismatch',
              `${quote(key)} holds ${cls.type === 'ip' ? 'an IP address' : cls.type === 'bool' ? 'a boolean' : 'a date'}; ${quote(operator)} compares it as text (use a ${expected} operator)`,
              keyPointer,
            );
          } else {
            r.error(
              'ConditionKeyTypeMismatch',
              `${quote(operator)} cannot test ${quote(key)}, which holds ${cls.type === 'string' ? 'a string' : cls.type === 'ip' ? 'an IP address' : cls.type === 'bool' ? 'a boolean' : 'a date'}; use a ${expected} operator`,
              keyPointer,
            );
            continue;
          }
        }
      }
      const raw = body[key]!;
      const list: { value: JsonValue; pointer: string }[] = Array.isArray(raw)
        ? raw.map((value, i) => ({ value, pointer: `${keyPointer}/${i}` }))
        : [{ value: raw, pointer: keyPointer }];
      if (list.length === 0) {
        r.error('InvalidConditionValue', `${quote(key)} has an empty list of values`, keyPointer);
        continue;
      }
      const values: Scalar[] = [];
      const isPattern = parsed.info.positive === 'StringLike';
      let ok = true;
      for (const item of list) {
        if (!isScalar(item.value)) {
          r.error(
            'InvalidConditionValue',
            `condition values must be strings, numbers or booleans, not ${typeName(item.value)}`,
            item.pointer,
          );
          ok = false;
          continue;
        }
        const pv = family.parsePolicyValue(item.value);
        if (!pv.ok) {
          r.error(
            'InvalidConditionValue',
            `${quote(String(item.value))} ${pv.reason} (for ${quote(operator)} on ${quote(key)})`,
            item.pointer,
          );
          ok = false;
          continue;
        }
        if (isPattern && !checkPattern(r, String(item.value), item.pointer)) {
          ok = false;
          continue;
        }
        values.push(item.value);
      }
      if (ok) out.push({ operator, key, values, pointer: keyPointer });
    }
  }
  return out;
}
