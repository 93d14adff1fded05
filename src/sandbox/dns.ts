/**
 * @module The sandbox's DNS: a small codec for DNS messages (RFC 1035 header, questions and
 * resource records with raw RDATA; names with compression pointers on input, none on output) and
 * the answering policy: every name under `aliyuncs.com` is the gateway (A), has no IPv6 address
 * (AAAA answers NOERROR with no records), the instance's own host name is its private address,
 * and everything else does not exist (NXDOMAIN). No dependency: the few record types we need are
 * simpler to write than to vet a library for.
 *
 * Decoding is bounded and total: it never throws, whatever the bytes (names at most 255 octets,
 * compression pointers only backwards, at most 128 hops, counts checked against the packet;
 * bytes after the last record are ignored).
 * Label bytes that are not printable ASCII, or are `.` or `\`, are written as `\DDD` (RFC 1035
 * §5.1 master-file escapes) so any name survives a round trip.
 */
import { isIPv4 } from 'node:net';
import { isServiceHost, normaliseHost } from './names.js';

/** Record and query types we name (others pass through as numbers). */
export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  ANY: 255,
} as const;
/** Class IN. */
export const DNS_CLASS_IN = 1;
/** Response codes we send. */
export const DnsRcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

/** Largest UDP answer without EDNS (RFC 1035 §4.2.1); longer ones are truncated (TC). */
export const UDP_MAX = 512;
const MAX_NAME_OCTETS = 255;
const MAX_POINTER_HOPS = 128;

/** Header flags. */
export interface DnsFlags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
}

/** One question. */
export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

/** One resource record; `data` is the raw RDATA. */
export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: Uint8Array;
}

/** A whole message. */
export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/** What {@link decodeDnsMessage} answers: the message, or why not (with the id when readable). */
export type DnsDecoded =
  { ok: true; message: DnsMessage } | { ok: false; error: string; id?: number; flags?: DnsFlags };

class Malformed {
  constructor(readonly reason: string) {}
}

function decodeFlags(v: number): DnsFlags {
  return {
    qr: (v & 0x8000) !== 0,
    opcode: (v >> 11) & 0xf,
    aa: (v & 0x0400) !== 0,
    tc: (v & 0x0200) !== 0,
    rd: (v & 0x0100) !== 0,
    ra: (v & 0x0080) !== 0,
    rcode: v & 0xf,
  };
}

function encodeFlags(f: DnsFlags): number {
  return (
    (f.qr ? 0x8000 : 0) |
    ((f.opcode & 0xf) << 11) |
    (f.aa ? 0x0400 : 0) |
    (f.tc ? 0x0200 : 0) |
    (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) |
    (f.rcode & 0xf)
  );
}

function labelToText(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c) out += String.fromCharCode(b);
    else out += '\\' + String(b).padStart(3, '0');
  }
  return out;
}

/** Reads a name at `offset`; returns it and the offset after it (pointers end the local part). */
function readName(buf: Uint8Array, offset: number): [string, number] {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  let octets = 1;
  let hops = 0;
  let floor = offset;
  for (;;) {
    if (pos >= buf.length) throw new Malformed('name runs past the end');
    const len = buf[pos]!;
    if (len === 0) {
      if (end === -1) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new Malformed('pointer runs past the end');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      // INVARIANT: pointers only go backwards, below every place visited, so decoding ends.
      if (target >= floor) throw new Malformed('compression pointer does not point backwards');
      if (++hops > MAX_POINTER_HOPS) throw new Malformed('too many compression pointers');
      if (end === -1) end = pos + 2;
      floor = target;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new Malformed('unsupported label type');
    if (pos + 1 + len > buf.length) throw new Malformed('label runs past the end');
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw new Malformed('name longer than 255 octets');
    labels.push(labelToText(buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return [labels.join('.'), end];
}

function u16(buf: Uint8Array, pos: number): number {
  if (pos + 2 > buf.length) throw new Malformed('message too short');
  return (buf[pos]! << 8) | buf[pos + 1]!;
}

function u32(buf: Uint8Array, pos: number): number {
  return u16(buf, pos) * 0x10000 + u16(buf, pos + 2);
}

/** Decodes a DNS message; never throws. */
export function decodeDnsMessage(packet: Uint8Array): DnsDecoded {
  if (packet.length < 12) return { ok: false, error: 'message shorter than its header' };
  const id = u16(packet, 0);
  const flags = decodeFlags(u16(packet, 2));
  try {
    const counts = [u16(packet, 4), u16(packet, 6), u16(packet, 8), u16(packet, 10)] as const;
    // Each question takes at least 5 octets and each record at least 11: reject absurd counts early.
    if (counts[0] * 5 + (counts[1] + counts[2] + counts[3]) * 11 > packet.length - 12) {
      return { ok: false, error: 'counts exceed the message', id, flags };
    }
    let pos = 12;
    const questions: DnsQuestion[] = [];
    for (let i = 0; i < counts[0]; i++) {
      const [name, next] = readName(packet, pos);
      questions.push({ name, type: u16(packet, next), class: u16(packet, next + 2) });
      pos = next + 4;
    }
    const sections: DnsRecord[][] = [[], [], []];
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s + 1]!; i++) {
        const [name, next] = readName(packet, pos);
        const type = u16(packet, next);
        const klass = u16(packet, next + 2);
        const ttl = u32(packet, next + 4);
        const rdlength = u16(packet, next + 8);
        const start = next + 10;
        if (start + rdlength > packet.length) throw new Malformed('record data runs past the end');
        sections[s]!.push({
          name,
          type,
          class: klass,
          ttl,
          data: Uint8Array.from(packet.subarray(start, start + rdlength)),
        });
        pos = start + rdlength;
      }
    }
    return {
      ok: true,
      message: {
        id,
        flags,
        questions,
        answers: sections[0]!,
        authorities: sections[1]!,
        additionals: sections[2]!,
      },
    };
  } catch (e) {
    if (e instanceof Malformed) return { ok: false, error: e.reason, id, flags };
    return { ok: false, error: 'malformed message', id, flags };
  }
}

/** The wire octets of a name written as text (with `\DDD` / `\c` escapes); throws when invalid. */
export function encodeName(name: string): Uint8Array {
  const out: number[] = [];
  if (name !== '' && name !== '.') {
    const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
    let label: number[] = [];
    const flush = () => {
      if (label.length === 0) throw new RangeError(`empty label in \`${name}\``);
      if (label.length > 63) throw new RangeError(`label longer than 63 octets in \`${name}\``);
      out.push(label.length, ...label);
      label = [];
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2e) flush();
      else if (c === 0x5c) {
        const digits = /^\d{3}/.exec(text.slice(i + 1));
        if (digits && Number(digits[0]) < 256) {
          label.push(Number(digits[0]));
          i += 3;
        } else if (i + 1 < text.length && text.charCodeAt(i + 1) < 0x80) {
          label.push(text.charCodeAt(i + 1));
          i += 1;
        } else throw new RangeError(`bad escape in \`${name}\``);
      } else if (c < 0x80) label.push(c);
      else throw new RangeError(`non-ASCII character in \`${name}\``);
    }
    flush();
  }
  out.push(0);
  if (out.length > MAX_NAME_OCTETS)
    throw new RangeError(`name longer than 255 octets: \`${name}\``);
  return Uint8Array.from(out);
}

/** Encodes a message (no compression); throws RangeError on values that do not fit. */
export function encodeDnsMessage(m: DnsMessage): Uint8Array {
  const parts: Uint8Array[] = [];
  const header = Buffer.alloc(12);
  const count = (n: number) => {
    if (n > 0xffff) throw new RangeError('too many entries in a section');
    return n;
  };
  header.writeUInt16BE(m.id & 0xffff, 0);
  header.writeUInt16BE(encodeFlags(m.flags), 2);
  header.writeUInt16BE(count(m.questions.length), 4);
  header.writeUInt16BE(count(m.answers.length), 6);
  header.writeUInt16BE(count(m.authorities.length), 8);
  header.writeUInt16BE(count(m.additionals.length), 10);
  parts.push(header);
  for (const q of m.questions) {
    parts.push(encodeName(q.name));
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type & 0xffff, 0);
    tail.writeUInt16BE(q.class & 0xffff, 2);
    parts.push(tail);
  }
  for (const r of [...m.answers, ...m.authorities, ...m.additionals]) {
    if (r.data.length > 0xffff) throw new RangeError('record data longer than 65535 octets');
    parts.push(encodeName(r.name));
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.type & 0xffff, 0);
    fixed.writeUInt16BE(r.class & 0xffff, 2);
    fixed.writeUInt32BE(r.ttl >>> 0, 4);
    fixed.writeUInt16BE(r.data.length, 8);
    parts.push(fixed, r.data);
  }
  return Buffer.concat(parts);
}

/** RDATA of an A record. */
export function ipv4Data(address: string): Uint8Array {
  if (!isIPv4(address)) throw new RangeError(`not an IPv4 address: \`${address}\``);
  return Uint8Array.from(address.split('.').map(Number));
}

/** What a sandbox's resolver knows. */
export interface DnsZone {
  /** Address every service name resolves to. */
  gatewayAddress: string;
  /** Extra names (lower case, no trailing dot) and their IPv4 address: the instance's host name. */
  hosts?: ReadonlyMap<string, string>;
  /** TTL of answers, seconds (default 60). */
  ttl?: number;
}

function reply(
  query: DnsMessage,
  rcode: number,
  aa: boolean,
  answers: DnsRecord[] = [],
): DnsMessage {
  return {
    id: query.id,
    flags: {
      qr: true,
      opcode: query.flags.opcode,
      aa,
      tc: false,
      rd: query.flags.rd,
      ra: true,
      rcode,
    },
    questions: query.questions,
    answers,
    authorities: [],
    additionals: [],
  };
}

/**
 * The answer to a decoded query, or undefined when it must be ignored (it is itself a response).
 * One question per query (RFC 9619); other opcodes are not implemented; only class IN (or ANY).
 * @example
 * answerDnsQuery(query, { gatewayAddress: '100.100.2.136' }).answers[0].data // [100, 100, 2, 136]
 */
export function answerDnsQuery(query: DnsMessage, zone: DnsZone): DnsMessage | undefined {
  if (query.flags.qr) return undefined;
  if (query.flags.opcode !== 0) return reply({ ...query, questions: [] }, DnsRcode.NOTIMP, false);
  const q = query.questions[0];
  if (query.questions.length !== 1 || !q)
    return reply({ ...query, questions: [] }, DnsRcode.FORMERR, false);
  if (q.class !== DNS_CLASS_IN && q.class !== DnsType.ANY)
    return reply(query, DnsRcode.REFUSED, false);
  const name = normaliseHost(q.name);
  const ttl = zone.ttl ?? 60;
  const address = isServiceHost(name) ? zone.gatewayAddress : zone.hosts?.get(name);
  if (address === undefined) return reply(query, DnsRcode.NXDOMAIN, false);
  if (q.type === DnsType.A || q.type === DnsType.ANY) {
    return reply(query, DnsRcode.NOERROR, true, [
      { name: q.name, type: DnsType.A, class: DNS_CLASS_IN, ttl, data: ipv4Data(address) },
    ]);
  }
  // AAAA and every other type: the name exists, with no record of that type (NODATA).
  return reply(query, DnsRcode.NOERROR, true);
}

/**
 * The reply bytes for one query packet, or undefined when nothing should be sent (too short to
 * carry an id, or a response). Malformed queries get FORMERR; never throws. Over UDP the answer is
 * truncated (TC, no records) when longer than {@link UDP_MAX}.
 */
export function respondToDnsPacket(
  packet: Uint8Array,
  zone: DnsZone,
  transport: 'udp' | 'tcp',
): Uint8Array | undefined {
  try {
    const decoded = decodeDnsMessage(packet);
    let answer: DnsMessage | undefined;
    if (decoded.ok) answer = answerDnsQuery(decoded.message, zone);
    else if (decoded.id !== undefined && decoded.flags && !decoded.flags.qr) {
      answer = {
        id: decoded.id,
        flags: {
          ...decoded.flags,
          qr: true,
          aa: false,
          tc: false,
          ra: true,
          rcode: DnsRcode.FORMERR,
        },
        questions: [],
        answers: [],
        authorities: [],
        additionals: [],
      };
    }
    if (!answer) return undefined;
    let bytes = encodeDnsMessage(answer);
    if (transport === 'udp' && bytes.length > UDP_MAX) {
      bytes = encodeDnsMessage({
        ...answer,
        flags: { ...answer.flags, tc: true },
        answers: [],
        authorities: [],
        additionals: [],
      });
    }
    return bytes;
  } catch {
    return undefined;
  }
}
