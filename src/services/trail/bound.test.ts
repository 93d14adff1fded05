/**
 * Unit tests of the event bounds: every string field (known or added later) and every parameter
 * is cut at its limit on a character boundary with a marker saying how much went, control
 * characters are replaced, an event's total stays within the documented maximum whatever it
 * holds, nothing is copied when nothing needs cutting, and the input is never modified.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DROPPED_PARAMETERS,
  MAX_EVENT_BYTES,
  MAX_FIELD_BYTES,
  MAX_LONG_FIELD_BYTES,
  MAX_PARAMETERS,
  MAX_PARAMETER_NAME_BYTES,
  MAX_UNAUTHENTICATED_EVENT_BYTES,
  PARAMETER_LIMITS,
  boundEvent,
  boundString,
} from './bound.js';
import { trailEvent } from '../../testing/trail.js';
import { toWireEvent, type TrailEvent } from './model.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const event = trailEvent;

/** The bytes removed, as the marker states them. */
function removed(s: string): number {
  const m = /…\[truncated (\d+) bytes\]$/.exec(s);
  if (!m) throw new Error(`no marker in ${s.slice(-40)}`);
  return Number(m[1]);
}

/** Bytes of every string of an event (fields, parameter names and values). */
function textBytes(e: TrailEvent): number {
  let n = 0;
  for (const v of Object.values(e)) {
    if (typeof v === 'string') n += bytes(v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) n += bytes(k) + bytes(String(x));
    }
  }
  return n;
}

describe('boundString', () => {
  it('leaves short text alone and cuts long text to the limit with the bytes removed', () => {
    expect(boundString('hello', 64)).toBe('hello');
    const cut = boundString('x'.repeat(5000), 1024);
    expect(bytes(cut)).toBeLessThanOrEqual(1024);
    expect(cut.indexOf('…') + removed(cut)).toBe(5000);
  });

  it('never cuts inside a character', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 0, maxLength: 600 }),
        fc.integer({ min: 48, max: 700 }),
        (raw, max) => {
          // eslint-disable-next-line no-control-regex
          const s = raw.replace(/[\u0000-\u001F\u007F]/g, '');
          const out = boundString(s, max);
          expect(bytes(out)).toBeLessThanOrEqual(max);
          if (out === s) return;
          const kept = out.slice(0, out.lastIndexOf('…[truncated '));
          expect(s.startsWith(kept)).toBe(true);
          // Re-encoding the kept part changes nothing: no lone surrogate, no half character.
          expect(Buffer.from(kept, 'utf8').toString('utf8')).toBe(kept);
          expect(bytes(kept) + removed(out)).toBe(bytes(s));
        },
      ),
    );
  });

  it('replaces control characters except tab, line feed and carriage return', () => {
    expect(boundString('a\u0000b\u001b[31mc\u007f\td\ne\rf')).toBe(
      'a\uFFFDb\uFFFD[31mc\uFFFD\td\ne\rf',
    );
  });
});

describe('boundEvent', () => {
  it('returns the event itself when nothing needs bounding', () => {
    const e = event();
    expect(boundEvent(e)).toBe(e);
  });

  it('cuts every string field, long ones at 2 KiB, and flags the event', () => {
    const huge = 'é'.repeat(1_000_000);
    const e = event({ userAgent: huge, errorMessage: huge, resourceName: huge, accessKeyId: huge });
    const frozen = Object.freeze({ ...e, requestParameters: Object.freeze(e.requestParameters) });
    const b = boundEvent(frozen);
    expect(b).not.toBe(frozen);
    expect(frozen.userAgent).toBe(huge);
    for (const f of ['userAgent', 'errorMessage', 'accessKeyId'] as const) {
      expect(bytes(b[f])).toBeLessThanOrEqual(MAX_FIELD_BYTES);
      expect(bytes(b[f])).toBeGreaterThan(MAX_FIELD_BYTES - 40);
    }
    expect(bytes(b.resourceName)).toBeLessThanOrEqual(MAX_LONG_FIELD_BYTES);
    expect(bytes(b.resourceName)).toBeGreaterThan(MAX_FIELD_BYTES);
    expect(b.flags).toEqual(['truncated']);
    expect(toWireEvent(b).additionalEventData.Truncated).toBe(true);
    expect(toWireEvent(event()).additionalEventData).not.toHaveProperty('Truncated');
  });

  it('bounds string fields it does not know (a kind of event added later)', () => {
    const e = { ...event(), consoleNote: 'n'.repeat(10_000) } as TrailEvent;
    const b = boundEvent(e) as TrailEvent & { consoleNote: string };
    expect(bytes(b.consoleNote)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
  });

  it('keeps a signed request’s policy document, cuts a stranger’s parameters to 1 KiB', () => {
    const policy = 'p'.repeat(6144);
    const signed = boundEvent(event({ requestParameters: { PolicyDocument: policy } }));
    expect(signed.requestParameters.PolicyDocument).toBe(policy);
    const stranger = boundEvent(
      event({ identityType: 'unknown', requestParameters: { PolicyDocument: policy } }),
    );
    expect(bytes(stranger.requestParameters.PolicyDocument!)).toBeLessThanOrEqual(
      PARAMETER_LIMITS.unauthenticated.value,
    );
    expect(stranger.flags).toEqual(['truncated']);
  });

  it('counts the parameters past the total or the count it left out', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 300; i++) many[`P${i}`] = 'v'.repeat(500);
    const b = boundEvent(event({ identityType: 'anonymous', requestParameters: many }));
    const names = Object.keys(b.requestParameters);
    expect(names.at(-1)).toBe(DROPPED_PARAMETERS);
    expect(names.length).toBeLessThan(20);
    const kept = names.length - 1;
    let leftBytes = 0;
    for (let i = kept; i < 300; i++) leftBytes += bytes(`P${i}`) + 500;
    expect(b.requestParameters[DROPPED_PARAMETERS]).toBe(
      `${300 - kept} more parameters not kept (${leftBytes} bytes)`,
    );
    const signed = boundEvent(
      event({ requestParameters: Object.fromEntries(Object.entries(many).map(([k]) => [k, 'v'])) }),
    );
    expect(Object.keys(signed.requestParameters)).toHaveLength(MAX_PARAMETERS + 1);
    expect(signed.requestParameters[DROPPED_PARAMETERS]).toMatch(/^200 more parameters not kept/);
  });

  it('cuts long parameter names', () => {
    const b = boundEvent(event({ requestParameters: { ['N'.repeat(5000)]: 'v' } }));
    const [name] = Object.keys(b.requestParameters);
    expect(bytes(name!)).toBeLessThanOrEqual(MAX_PARAMETER_NAME_BYTES);
  });

  it('keeps any event within the documented total', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 4000 }),
      fc.integer({ min: 0, max: 20_000 }).map((n) => '\u{1F600}x'.repeat(n)),
    );
    const fields = Object.keys(event()).filter((k) => typeof (event() as any)[k] === 'string');
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(fields.map((f) => [f, text]))),
        fc.dictionary(text, text, { maxKeys: 150 }),
        fc.constantFrom('root-account', 'unknown', 'anonymous') as fc.Arbitrary<
          TrailEvent['identityType']
        >,
        (strings, params, identityType) => {
          const b = boundEvent(event({ ...strings, requestParameters: params, identityType }));
          const max =
            identityType === 'root-account' ? MAX_EVENT_BYTES : MAX_UNAUTHENTICATED_EVENT_BYTES;
          expect(textBytes(b)).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 40 },
    );
    expect(MAX_UNAUTHENTICATED_EVENT_BYTES).toBeLessThanOrEqual(36 * 1024);
    expect(MAX_EVENT_BYTES).toBeLessThanOrEqual(64 * 1024);
  });
});
