/**
 * @module A small DER (X.690) encoder, and a reader of one TLV at a time: enough to build an X.509
 * certificate and a CMS SignedData (signed-data.ts) without a general ASN.1 library. Every encoder
 * returns the complete TLV as a Buffer; constructed values take their encoded children.
 *
 * ```
 * seq(oid('1.2.840.113549.1.1.1'), nul())   // AlgorithmIdentifier rsaEncryption
 * explicit(0, int(2n))                       // [0] EXPLICIT INTEGER (a certificate's version)
 * ```
 */

/** The length octets of a TLV (short form below 128, long form above). */
function lengthOf(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A TLV with tag byte `tag` and `content`. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthOf(content.length), content]);
}

/** SEQUENCE of the encoded `items`. */
export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));

/**
 * SET OF the encoded `items`, in DER order (sorted by their encodings, as X.690 11.6 requires).
 */
export const setOf = (...items: Buffer[]): Buffer =>
  tlv(0x31, Buffer.concat([...items].sort(Buffer.compare)));

/** [n] EXPLICIT: a constructed context tag around one encoded value. */
export const explicit = (n: number, value: Buffer): Buffer => tlv(0xa0 | n, value);

/** [n] IMPLICIT for a constructed value: `encoded`'s content under a context tag. */
export function implicitConstructed(n: number, encoded: Buffer): Buffer {
  return tlv(0xa0 | n, readTlv(encoded, 0).content);
}

/** NULL. */
export const nul = (): Buffer => Buffer.from([0x05, 0x00]);

/** BOOLEAN. */
export const bool = (v: boolean): Buffer => Buffer.from([0x01, 0x01, v ? 0xff : 0x00]);

/** INTEGER of a non-negative value (minimal two's complement, a leading 0 when the top bit is set). */
export function int(v: bigint | Buffer): Buffer {
  let bytes: Buffer;
  if (typeof v === 'bigint') {
    if (v < 0n) throw new RangeError('negative INTEGER is not supported');
    let hex = v.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    bytes = Buffer.from(hex, 'hex');
  } else {
    let start = 0;
    while (start < v.length - 1 && v[start] === 0) start++;
    bytes = v.subarray(start);
  }
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`bad OID \`${dotted}\``);
    return BigInt(a);
  });
  if (arcs.length < 2) throw new RangeError(`bad OID \`${dotted}\``);
  const out: number[] = [];
  const push = (v: bigint) => {
    const groups: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) groups.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Buffer.from(out));
}

/** OCTET STRING. */
export const octets = (v: Buffer): Buffer => tlv(0x04, v);

/** BIT STRING with no unused bits. */
export const bits = (v: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), v]));

/** UTF8String. */
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A time as RFC 5280 4.1.2.5 wants it: UTCTime (`YYMMDDHHMMSSZ`) for 1950-2049, GeneralizedTime
 * (`YYYYMMDDHHMMSSZ`) otherwise; whole seconds.
 */
export function time(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const y = d.getUTCFullYear();
  const rest =
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds()) +
    'Z';
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(two(y % 100) + rest, 'latin1'));
  return tlv(0x18, Buffer.from(String(y).padStart(4, '0') + rest, 'latin1'));
}

/** One TLV read from DER. */
export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset just past the value. */
  end: number;
  content: Buffer;
  /** The whole TLV. */
  raw: Buffer;
}

/** Reads the TLV at `offset` of `der` (single-byte tags, definite lengths); throws on a bad one. */
export function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset];
  let len = der[offset + 1];
  if (tag === undefined || len === undefined) throw new RangeError('truncated DER');
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new RangeError('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) {
      const b = der[pos++];
      if (b === undefined) throw new RangeError('truncated DER');
      len = len * 256 + b;
    }
  }
  const end = pos + len;
  if (end > der.length) throw new RangeError('truncated DER');
  return {
    tag,
    start: offset,
    end,
    content: der.subarray(pos, end),
    raw: der.subarray(offset, end),
  };
}

/** The TLVs directly inside a constructed value's content. */
export function children(content: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < content.length;) {
    const t = readTlv(content, at);
    out.push(t);
    at = t.end;
  }
  return out;
}
