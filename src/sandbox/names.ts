/**
 * @module Names and addresses of instance sandboxes: the two addresses a sandbox sees (the
 * metadata service and the gateway), which host names resolve to the gateway, the certificate
 * names that cover them, and the naming of network namespaces (`ybx-<serverId>-<n>`), which is how
 * a starting yunbox recognises the leftovers of a crashed one.
 */
import { randomBytes } from 'node:crypto';
import { defaultServiceNames } from '../tls/ca.js';

/** The instance metadata service, as every SDK hard-codes it (metadata.md §1). */
export const METADATA_ADDRESS = '100.100.100.200';

/**
 * The gateway inside a sandbox: DNS on port 53 (UDP and TCP), the RPC and OSS gateway on 80 and
 * 443. It is the resolver address of Alibaba Cloud VPC instances (their `/etc/resolv.conf` lists
 * `100.100.2.136`), inside 100.64.0.0/10 like the metadata address, so it never collides with the
 * instance's own private network.
 */
export const SANDBOX_GATEWAY_ADDRESS = '100.100.2.136';

/** Prefix of every sandbox network namespace. */
export const NETNS_PREFIX = 'ybx-';

const NETNS_NAME = /^ybx-([0-9a-z]{1,16})-(\d{1,9})$/;

/** A random id for one yunbox process's sandboxes (8 lower-case hex digits). */
export function newServerId(): string {
  return randomBytes(4).toString('hex');
}

/**
 * The network namespace name of sandbox number `n` of server `serverId`.
 * @example
 * netnsName('1a2b3c4d', 7) // 'ybx-1a2b3c4d-7'
 */
export function netnsName(serverId: string, n: number): string {
  if (!/^[0-9a-z]{1,16}$/.test(serverId)) throw new Error(`invalid server id \`${serverId}\``);
  if (!Number.isInteger(n) || n < 0 || n > 999_999_999)
    throw new Error(`invalid sandbox number \`${n}\``);
  return `${NETNS_PREFIX}${serverId}-${n}`;
}

/** The server id and number of a sandbox namespace name; undefined for any other name. */
export function parseNetnsName(name: string): { serverId: string; n: number } | undefined {
  const m = NETNS_NAME.exec(name);
  return m ? { serverId: m[1]!, n: Number(m[2]) } : undefined;
}

/** Lower-cases a DNS name and drops one trailing dot. */
export function normaliseHost(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * True for names a sandbox resolves to the gateway: `aliyuncs.com` and every name under it (RAM,
 * STS, ECS, VPC, OSS endpoints with or without region and `-internal`/`-vpc`, and bucket virtual
 * hosts whatever the bucket, so buckets created later resolve too). Case-insensitive; labels must
 * be well-formed.
 * @example
 * isServiceHost('mybucket.oss-cn-hangzhou.aliyuncs.com') // true
 * isServiceHost('100.100.100.200') // false
 */
export function isServiceHost(name: string): boolean {
  const host = normaliseHost(name);
  if (host.length > 253) return false;
  if (host !== 'aliyuncs.com' && !host.endsWith('.aliyuncs.com')) return false;
  return host.split('.').every((label) => LABEL.test(label));
}

/**
 * Names on the sandbox gateway's certificate: the gateway's usual names for `region` (bucket hosts
 * as one-label wildcards, `-internal` variants), every `<service>.<region>.aliyuncs.com`, and the
 * gateway address itself.
 * @example
 * sandboxCertificateNames('cn-hangzhou').includes('*.cn-hangzhou.aliyuncs.com') // true
 */
export function sandboxCertificateNames(region: string): string[] {
  return [
    ...new Set([
      ...defaultServiceNames([region]),
      `*.${region}.aliyuncs.com`,
      SANDBOX_GATEWAY_ADDRESS,
    ]),
  ];
}
