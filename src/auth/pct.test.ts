import { stringify } from 'node:querystring';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFormComponent, parseFormEncoded, pct } from './pct.js';

/** The SDK signers' own implementation (openapi.md b.1). */
function sdkEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const pairs = fc.array(fc.tuple(anyText, anyText), { maxLength: 12 });

describe('pct', () => {
  it('escapes as openapi.md b.1 lists', () => {
    expect(pct('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(pct(' ')).toBe('%20');
    expect(pct("*!'()")).toBe('%2A%21%27%28%29');
    expect(pct('acs:oss:*:*:demo-bucket')).toBe('acs%3Aoss%3A%2A%3A%2A%3Ademo-bucket');
    expect(pct('测试 é')).toBe('%E6%B5%8B%E8%AF%95%20%C3%A9');
    expect(pct('%+/=&')).toBe('%25%2B%2F%3D%26');
  });

  it('matches the SDK encoder on every well-formed string', () => {
    fc.assert(fc.property(anyText, (s) => pct(s) === sdkEncode(s)));
  });

  it('never throws, encoding a lone surrogate as U+FFFD', () => {
    expect(pct('a\uD800b')).toBe('a%EF%BF%BDb');
    expect(pct('\uDC00')).toBe('%EF%BF%BD');
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          expect(() => pct(s)).not.toThrow();
        },
      ),
    );
  });
});

describe('decodeFormComponent', () => {
  it('decodes `+` as space and percent escapes as utf-8', () => {
    expect(decodeFormComponent('a+b%20c')).toEqual({ ok: true, value: 'a b c' });
    expect(decodeFormComponent('%2B')).toEqual({ ok: true, value: '+' });
    expect(decodeFormComponent('%e6%b5%8b%E8%AF%95')).toEqual({ ok: true, value: '测试' });
    expect(decodeFormComponent("!*'()~")).toEqual({ ok: true, value: "!*'()~" });
    expect(decodeFormComponent('测%20试')).toEqual({ ok: true, value: '测 试' });
  });

  it('keeps a leading byte order mark', () => {
    expect(decodeFormComponent('%EF%BB%BFx')).toEqual({ ok: true, value: '\uFEFFx' });
  });

  it('rejects a `%` without two hex digits', () => {
    for (const [input, offset] of [
      ['%', 0],
      ['100%', 3],
      ['%G1', 0],
      ['a%2', 1],
      ['%41%4', 3],
      ['%41%%42', 3],
    ] as const) {
      const r = decodeFormComponent(input);
      expect(r.ok, input).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ reason: 'malformed-percent', offset });
    }
  });

  it('rejects escapes that are not utf-8', () => {
    for (const input of ['%FF', '%E6%B5', '%C0%AF', '%ED%A0%80', 'ok%80']) {
      const r = decodeFormComponent(input);
      expect(r.ok, input).toBe(false);
      if (!r.ok) expect(r.error.reason).toBe('invalid-utf8');
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('%', '+', 'a', 'F', '0', 'é', '\uD800', 'E', '8') }),
        (s) => {
          const r = decodeFormComponent(s);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
    );
  });

  it('inverts pct', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(decodeFormComponent(pct(s))).toEqual({ ok: true, value: s });
      }),
    );
  });
});

describe('parseFormEncoded', () => {
  it('splits pairs in received order, keeping duplicates and empty values', () => {
    expect(parseFormEncoded('')).toEqual({ ok: true, pairs: [] });
    expect(parseFormEncoded('b=2&a=1&b=3')).toEqual({
      ok: true,
      pairs: [
        ['b', '2'],
        ['a', '1'],
        ['b', '3'],
      ],
    });
    expect(parseFormEncoded('&&Flag&x=&=v&y=a=b&')).toEqual({
      ok: true,
      pairs: [
        ['Flag', ''],
        ['x', ''],
        ['', 'v'],
        ['y', 'a=b'],
      ],
    });
  });

  it('reports errors with offsets into the whole string', () => {
    const r = parseFormEncoded('a=1&bad%zz=2');
    expect(r).toMatchObject({ ok: false, error: { reason: 'malformed-percent', offset: 7 } });
    const v = parseFormEncoded('a=1&b=%FF');
    expect(v).toMatchObject({ ok: false, error: { reason: 'invalid-utf8', offset: 6 } });
    if (!v.ok)
      expect(v.error.message).toBe('percent-escaped bytes at offset 6 are not valid utf-8');
  });

  it('round-trips pct-encoded pairs (pop-core wire form)', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const raw = ps.map(([n, v]) => `${pct(n)}=${pct(v)}`).join('&');
        expect(parseFormEncoded(raw)).toEqual({ ok: true, pairs: ps });
      }),
    );
  });

  it('decodes what the Tea SDKs (querystring.stringify) and URLSearchParams put on the wire', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          anyText.filter((k) => k !== '__proto__'),
          anyText,
        ),
        (record) => {
          const expected = Object.entries(record);
          expect(parseFormEncoded(stringify(record))).toEqual({ ok: true, pairs: expected });
          const usp = new URLSearchParams(expected).toString();
          expect(parseFormEncoded(usp)).toEqual({ ok: true, pairs: expected });
        },
      ),
    );
  });
});
