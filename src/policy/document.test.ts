/**
 * @module Unit tests of the location-preserving JSON parser: values, positions, pointers, errors.
 */
import { describe, expect, it } from 'vitest';
import { jsonPointer, parseJson, pointerToken } from './document.js';

describe('parseJson', () => {
  it('parses values and records positions of keys and elements', () => {
    const r = parseJson('{\n  "Version": "1",\n  "Statement": [\n    {"Effect": "Allow"}\n  ]\n}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.json.value).toEqual({ Version: '1', Statement: [{ Effect: 'Allow' }] });
    expect(r.json.positions.get('')).toEqual({ line: 1, column: 1 });
    expect(r.json.positions.get('/Version')).toEqual({ line: 2, column: 3 });
    expect(r.json.positions.get('/Statement/0')).toEqual({ line: 4, column: 5 });
    expect(r.json.positions.get('/Statement/0/Effect')).toEqual({ line: 4, column: 6 });
  });

  it('escapes pointer tokens (RFC 6901)', () => {
    expect(pointerToken('acs:ResourceTag/team')).toBe('acs:ResourceTag~1team');
    expect(pointerToken('a~b')).toBe('a~0b');
    expect(jsonPointer('Statement', 0, 'Condition')).toBe('/Statement/0/Condition');
    const r = parseJson('{"a/b":{"c~d":1}}');
    expect(r.ok && r.json.positions.has('/a~1b/c~0d')).toBe(true);
  });

  it('decodes escapes, numbers and literals', () => {
    const r = parseJson(
      '[" \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 ", -1.5e2, 0, true, false, null]',
    );
    expect(r.ok && r.json.value).toEqual([' " \\ / \b \f \n \r \t é ', -150, 0, true, false, null]);
  });

  it('keeps __proto__ as an ordinary member', () => {
    const r = parseJson('{"__proto__": {"x": 1}}');
    expect(r.ok && Object.keys(r.json.value as object)).toEqual(['__proto__']);
  });

  it('skips a byte order mark', () => {
    expect(parseJson('\ufeff{}').ok).toBe(true);
  });

  it.each([
    ['', 'the document is empty', 1, 1],
    ['{"a":1,}', 'trailing comma before `}`', 1, 8],
    ['[1,]', 'trailing comma before `]`', 1, 4],
    ['{"a":1,"a":2}', 'duplicate member `a`', 1, 8],
    ["{'a':1}", "expected a member name in double quotes but found `'`", 1, 2],
    ['{"a" 1}', 'expected `:` after member name but found `1`', 1, 6],
    ['{"a":1\n"b":2}', 'expected `,` or `}` but found `"`', 2, 1],
    ['"abc', 'unterminated string', 1, 1],
    ['"a\\x"', 'invalid escape `\\x` in string', 1, 3],
    ['"a\\u12"', 'malformed \\u escape in string', 1, 3],
    ['"a\tb"', 'control character U+0009 in string (escape it)', 1, 3],
    ['01', 'unexpected text after the JSON value', 1, 2],
    ['-', 'malformed number', 1, 1],
    ['tru', 'expected a JSON value but found `t`', 1, 1],
    ['{} x', 'unexpected text after the JSON value', 1, 4],
    ['['.repeat(100), 'nesting is deeper than 64 levels', 1, 66],
  ])('rejects %j with a located message', (text, message, line, column) => {
    const r = parseJson(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toBe(message);
    expect(r.error.position).toEqual({ line, column });
  });
});
