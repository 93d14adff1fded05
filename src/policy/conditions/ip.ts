/**
 * @module IP operators: `IpAddress` and `NotIpAddress` on `acs:SourceIp`. Policy values are IPv4 or
 * IPv6 addresses or CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`); host bits in a CIDR are ignored.
 * A request address in IPv4-mapped IPv6 form (`::ffff:10.1.2.3`, as Node reports IPv4 clients on a
 * dual-stack socket) is compared as the IPv4 address. IPv4 and IPv6 never match each other.
 */
import type { OperatorFamily, Scalar } from './family.js';

/** An address: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. */
export type IpAddr = { v: 4; n: number } | { v: 6; n: bigint };

/** A CIDR block with its base already masked. */
export type Cidr = { v: 4; base: number; mask: number } | { v: 6; base: bigint; mask: bigint };

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const ALL128 = (1n << 128n) - 1n;

/**
 * Parses a dotted-quad IPv4 address (no leading zeros, which some parsers read as octal).
 * @example
 * parseIpv4('10.0.0.1'); // 167772161
 */
export function parseIpv4(s: string): number | undefined {
  const m = V4.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part[0] === '0') return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

/**
 * Parses an IPv6 address (with `::` compression and an optional dotted IPv4 tail; no zone id).
 * @example
 * parseIpv6('::1'); // 1n
 */
export function parseIpv6(s: string): bigint | undefined {
  if (s.length < 2 || s.length > 45 || s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return undefined;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  if (head === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const tail = parseGroups(halves[1]!);
    if (tail === undefined) return undefined;
    // An IPv4 tail is only allowed at the very end.
    if (halves[0]!.includes('.')) return undefined;
    if (head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/**
 * Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 becomes IPv4.
 * @example
 * parseIp('::ffff:10.1.2.3'); // { v: 4, n: 167838211 }
 */
export function parseIp(s: string): IpAddr | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { v: 4, n: v4 };
  const v6 = parseIpv6(s);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { v: 4, n: Number(v6 & 0xffffffffn) };
  return { v: 6, n: v6 };
}

/**
 * Parses an address or CIDR block into a masked block (a bare address is a /32 or /128).
 * @example
 * parseCidr('10.1.2.3/8'); // { v: 4, base: 167772160, mask: 4278190080 }
 */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const addrPart = slash < 0 ? s : s.slice(0, slash);
  const lenPart = slash < 0 ? undefined : s.slice(slash + 1);
  if (lenPart !== undefined && !/^(?:0|[1-9]\d{0,2})$/.test(lenPart)) return undefined;
  const v4 = parseIpv4(addrPart);
  if (v4 !== undefined) {
    const len = lenPart === undefined ? 32 : Number(lenPart);
    if (len > 32) return undefined;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return { v: 4, base: (v4 & mask) >>> 0, mask };
  }
  const v6 = parseIpv6(addrPart);
  if (v6 === undefined) return undefined;
  const len = lenPart === undefined ? 128 : Number(lenPart);
  if (len > 128) return undefined;
  const mask = ALL128 ^ ((1n << BigInt(128 - len)) - 1n);
  return { v: 6, base: v6 & mask, mask };
}

/** Whether `ip` lies in `cidr`. */
export function cidrContains(cidr: Cidr, ip: IpAddr): boolean {
  if (cidr.v === 4) return ip.v === 4 && (ip.n & cidr.mask) >>> 0 === cidr.base;
  return ip.v === 6 && (ip.n & cidr.mask) === cidr.base;
}

/** The IpAddress family. */
export const ipFamily: OperatorFamily<Cidr, IpAddr> = {
  name: 'IpAddress',
  policyValueDescription: 'an IP address or CIDR block',
  requestValueDescription: 'an IP address',
  parsePolicyValue(v: Scalar) {
    const c = typeof v === 'string' ? parseCidr(v) : undefined;
    return c === undefined
      ? { ok: false, reason: 'is not an IPv4 or IPv6 address or CIDR block' }
      : { ok: true, value: c };
  },
  parseRequestValue(v: Scalar) {
    return typeof v === 'string' ? parseIp(v) : undefined;
  },
  compileTest(op: string, values: Cidr[]) {
    if (op !== 'IpAddress') throw new Error(`not a positive IP operator: ${op}`);
    if (values.length === 1) {
      const only = values[0]!;
      return (c) => cidrContains(only, c);
    }
    return (c) => values.some((cidr) => cidrContains(cidr, c));
  },
};
