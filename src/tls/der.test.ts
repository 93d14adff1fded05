import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bits,
  bool,
  children,
  explicit,
  implicitConstructed,
  int,
  nul,
  octets,
  oid,
  readTlv,
  seq,
  setOf,
  time,
  tlv,
  utf8,
} from './der.js';

const hex = (b: Buffer) => b.toString('hex');

describe('DER encoder', () => {
  it('encodes the primitives as X.690 spells them', () => {
    expect(hex(nul())).toBe('0500');
    expect(hex(bool(true))).toBe('0101ff');
    expect(hex(bool(false))).toBe('010100');
    expect(hex(int(0n))).toBe('020100');
    expect(hex(int(127n))).toBe('02017f');
    expect(hex(int(128n))).toBe('02020080');
    expect(hex(int(256n))).toBe('02020100');
    // Buffers: leading zeros dropped, a zero added before a set top bit.
    expect(hex(int(Buffer.from([0, 0, 0x12])))).toBe('020112');
    expect(hex(int(Buffer.from([0xff])))).toBe('020200ff');
    expect(hex(int(Buffer.alloc(0)))).toBe('020100');
    expect(() => int(-1n)).toThrow(RangeError);
    expect(hex(octets(Buffer.from('ab')))).toBe('04026162');
    expect(hex(bits(Buffer.from([0xaa])))).toBe('030200aa');
    expect(hex(utf8('é'))).toBe('0c02c3a9');
  });

  it('encodes object identifiers, large arcs included', () => {
    expect(hex(oid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(oid('2.5.4.3'))).toBe('0603550403');
    expect(hex(oid('2.16.840.1.101.3.4.2.1'))).toBe('0609608648016503040201');
    for (const bad of ['1', '1.x', '', '1..2']) expect(() => oid(bad)).toThrow(RangeError);
  });

  it('uses UTCTime until 2049 and GeneralizedTime after, in whole seconds', () => {
    const t = (iso: string) => time(Date.parse(iso)).toString('latin1');
    expect(t('2024-03-05T06:07:08.999Z')).toBe('\x17\x0d240305060708Z');
    expect(t('1950-01-01T00:00:00Z')).toBe('\x17\x0d500101000000Z');
    expect(t('2050-01-01T00:00:00Z')).toBe('\x18\x0f20500101000000Z');
    expect(t('1949-12-31T23:59:59Z')).toBe('\x18\x0f19491231235959Z');
  });

  it('uses the long length form from 128 octets', () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('sorts a SET OF by encoding and keeps a SEQUENCE in order', () => {
    const a = int(1n);
    const b = nul();
    expect(hex(setOf(b, a))).toBe(`3105${hex(a)}${hex(b)}`);
    expect(hex(seq(b, a))).toBe(`3005${hex(b)}${hex(a)}`);
  });

  it('tags explicitly and implicitly', () => {
    expect(hex(explicit(0, int(2n)))).toBe('a003020102');
    // [0] IMPLICIT SET: the SET's content under a context tag.
    expect(hex(implicitConstructed(0, setOf(nul())))).toBe('a0020500');
  });

  it('reads back what it writes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 6 }), (parts) => {
        const items = parts.map((p) => octets(Buffer.from(p)));
        const whole = seq(...items);
        const top = readTlv(whole, 0);
        expect(top.tag).toBe(0x30);
        expect(top.end).toBe(whole.length);
        const kids = children(top.content);
        expect(kids.map((k) => hex(k.raw))).toEqual(items.map(hex));
        expect(kids.map((k) => hex(k.content))).toEqual(parts.map((p) => hex(Buffer.from(p))));
      }),
    );
  });

  it('refuses truncated or oversized input', () => {
    expect(() => readTlv(Buffer.from([0x04]), 0)).toThrow(/truncated/);
    expect(() => readTlv(Buffer.from([0x04, 0x05, 0x00]), 0)).toThrow(/truncated/);
    expect(() => readTlv(Buffer.from([0x04, 0x82, 0x01]), 0)).toThrow(/truncated/);
    expect(() => readTlv(Buffer.from([0x04, 0x80]), 0)).toThrow(/unsupported/);
    expect(() => readTlv(Buffer.from([0x04, 0x85, 1, 1, 1, 1, 1]), 0)).toThrow(/unsupported/);
  });
});
