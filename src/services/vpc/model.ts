/**
 * @module VPC domain types (camelCase) and pure helpers: IPv4 and CIDR arithmetic, Alibaba's
 * reserved addresses in a vSwitch, ARNs and wire shapes.
 */

/** A tag on a VPC resource (the VPC API prints it as `Key` / `Value`). */
export interface Tag {
  key: string;
  value: string;
}

/** A virtual private cloud. */
export interface Vpc {
  vpcId: string;
  accountId: string;
  regionId: string;
  cidrBlock: string;
  vpcName: string;
  description: string;
  vRouterId: string;
  routeTableId: string;
  createdAt: number;
  /** Tags (none when absent). */
  tags?: Tag[];
  /** Name and description of the VPC's system route table (ModifyRouteTableAttributes). */
  routeTableName?: string;
  routeTableDescription?: string;
  /** Route propagation of the system route table (true when absent). */
  routePropagation?: boolean;
  /** Tags of the system route table. */
  routeTableTags?: Tag[];
}

/** A vSwitch: one zone's slice of a VPC's CIDR block. */
export interface VSwitch {
  vswitchId: string;
  accountId: string;
  regionId: string;
  vpcId: string;
  zoneId: string;
  cidrBlock: string;
  vswitchName: string;
  description: string;
  createdAt: number;
  /** Tags (none when absent). */
  tags?: Tag[];
}

/** An IPv4 CIDR block, as an unsigned 32-bit network address and a prefix length. */
export interface Cidr {
  base: number;
  prefix: number;
}

/** Parses a dotted-quad IPv4 address to an unsigned 32-bit integer; `undefined` when malformed. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Formats an unsigned 32-bit integer as a dotted quad. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * Parses `a.b.c.d/n` strictly: the host bits must be zero (as Alibaba requires).
 * @example
 * parseCidr('172.16.0.0/12'); // { base: 2886729728, prefix: 12 }
 * parseCidr('172.16.0.1/12'); // undefined
 */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const base = parseIpv4(m[1]!);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  if (base % cidrSize({ base: 0, prefix }) !== 0) return undefined;
  return { base, prefix };
}

/** Formats a CIDR block. */
export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** Number of addresses in a block. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** True when `inner` lies entirely within `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base + cidrSize(inner) <= outer.base + cidrSize(outer)
  );
}

/** True when the blocks share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** True when `ip` is in `c`. */
export function cidrHas(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + cidrSize(c);
}

/** The dotted netmask of a prefix length (`24` -> `255.255.255.0`). */
export function netmask(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/**
 * The addresses instances may use in a vSwitch: the first and the last three addresses of each
 * vSwitch CIDR block are reserved (doc "CreateVSwitch": for 192.168.1.0/24, .0, .253, .254 and
 * .255 are reserved).
 */
export function usableRange(c: Cidr): { first: number; last: number; count: number } {
  const first = c.base + 1;
  const last = c.base + cidrSize(c) - 4;
  return { first, last, count: Math.max(0, last - first + 1) };
}

/** The vSwitch gateway yunbox reports: the first reserved address at the top (`.253` in a /24). */
export function gatewayOf(c: Cidr): string {
  return formatIpv4(c.base + cidrSize(c) - 3);
}

/** Address space VPC CIDR blocks may not use (RFC 6598 shared space, loopback, link-local, multicast). */
const FORBIDDEN_VPC_SPACE: Cidr[] = [
  { base: 0, prefix: 8 },
  { base: parseIpv4('100.64.0.0')!, prefix: 10 },
  { base: parseIpv4('127.0.0.0')!, prefix: 8 },
  { base: parseIpv4('169.254.0.0')!, prefix: 16 },
  { base: parseIpv4('224.0.0.0')!, prefix: 3 },
];

/** True when `c` is acceptable as a VPC CIDR block (mask 8-28, outside reserved space). */
export function isValidVpcCidr(c: Cidr): boolean {
  return c.prefix >= 8 && c.prefix <= 28 && !FORBIDDEN_VPC_SPACE.some((f) => cidrOverlaps(f, c));
}

/** VPC CIDR block used when CreateVpc gets none (the documented default). */
export const DEFAULT_VPC_CIDR = '172.16.0.0/12';

/** `acs:vpc:<region>:<uid>:<resource>` */
export function vpcArn(region: string, accountId: string, resource: string): string {
  return `acs:vpc:${region}:${accountId}:${resource}`;
}

/** Time as the VPC API prints it: `YYYY-MM-DDTHH:mm:ssZ`. */
export function vpcTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The zones yunbox offers in a region: `<region>-a` … `<region>-k`. */
export function zonesOf(region: string): string[] {
  return 'abcdefghijk'.split('').map((l) => `${region}-${l}`);
}
