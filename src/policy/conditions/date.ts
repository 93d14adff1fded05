/**
 * @module Date operators: `DateEquals`, `DateNotEquals`, `DateLessThan`, `DateLessThanEquals`,
 * `DateGreaterThan`, `DateGreaterThanEquals`. Values are ISO 8601 date-times as RAM documents them
 * (`2012-11-11T23:59:59Z`); a value without an offset is UTC (never local time, unlike
 * `Date.parse`). Comparison is by instant, to the millisecond. A request value may also be epoch
 * milliseconds (a number).
 */
import type { OperatorFamily, Scalar } from './family.js';
import { compileOrderedTest, relationOf } from './numeric.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses an ISO 8601 date or date-time into epoch milliseconds (UTC when no offset is given).
 * @example
 * parseIsoDate('2012-11-11T23:59:59Z'); // 1352678399000
 * parseIsoDate('2012-11-11T23:59:59'); // same instant
 */
export function parseIsoDate(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  // setUTCFullYear takes years literally (Date.UTC maps 0-99 to 1900-1999).
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, millis);
  return d.getTime() - offsetMinutes * 60_000;
}

/** The Date family. */
export const dateFamily: OperatorFamily<number, number> = {
  name: 'Date',
  policyValueDescription: 'an ISO 8601 date-time such as `2012-11-11T23:59:59Z`',
  requestValueDescription: 'an ISO 8601 date-time',
  parsePolicyValue(v: Scalar) {
    if (typeof v !== 'string') {
      return {
        ok: false,
        reason: 'is not an ISO 8601 date-time string such as `2012-11-11T23:59:59Z`',
      };
    }
    const t = parseIsoDate(v);
    return t === undefined
      ? { ok: false, reason: 'is not an ISO 8601 date-time such as `2012-11-11T23:59:59Z`' }
      : { ok: true, value: t };
  },
  parseRequestValue(v: Scalar) {
    if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
    if (typeof v !== 'string') return undefined;
    return parseIsoDate(v);
  },
  compileTest(op: string, values: number[]) {
    return compileOrderedTest(relationOf(op, 'Date'), values);
  },
};
