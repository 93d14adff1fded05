/**
 * @module Names on certificates: which strings are DNS names and which IP addresses, and the names
 * the gateway answers to (loopback and the Alibaba Cloud endpoints of each region).
 */
import { isIP } from 'node:net';

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Names split by kind, as they go into subjectAltName. */
export interface CertificateNames {
  /** Lower-case DNS names, wildcards included. */
  dnsNames: string[];
  /** IPv4 and IPv6 literals, without brackets. */
  ipAddresses: string[];
}

/**
 * Split certificate names into DNS names and IP addresses, validating and de-duplicating them.
 *
 * Throws on an empty list or a name that is neither an IP literal nor a DNS name (labels of
 * `a-z 0-9 -`, at most 253 characters, a wildcard only as the whole leftmost label and followed by
 * at least two labels).
 * @example
 * classifyNames(['localhost', '127.0.0.1', '[::1]', '*.oss-cn-hangzhou.aliyuncs.com'])
 * // { dnsNames: ['localhost', '*.oss-cn-hangzhou.aliyuncs.com'], ipAddresses: ['127.0.0.1', '::1'] }
 */
export function classifyNames(names: readonly string[]): CertificateNames {
  if (names.length === 0) throw new Error('a server certificate needs at least one name');
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
    if (isIP(bare) !== 0) {
      if (!ipAddresses.includes(bare)) ipAddresses.push(bare);
      continue;
    }
    const dns = name.toLowerCase().replace(/\.$/, '');
    if (!isDnsName(dns))
      throw new Error(`certificate name \`${raw}\` is not a dns name or ip address`);
    if (!dnsNames.includes(dns)) dnsNames.push(dns);
  }
  return { dnsNames, ipAddresses };
}

function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  const rest = wildcard ? labels.slice(1) : labels;
  if (wildcard && rest.length < 2) return false;
  return rest.every((label) => DNS_LABEL.test(label));
}

/**
 * The names the gateway answers to: loopback, and the Alibaba Cloud endpoints the SDKs use
 * (openapi.md a.2; OSS bucket virtual hosts as one-label wildcards) for each region.
 *
 * Throws on a region that is not lower-case letters, digits and single hyphens.
 * @example
 * defaultServiceNames(['cn-hangzhou'])
 * // ['localhost', '127.0.0.1', '::1', '*.aliyuncs.com', 'ram.aliyuncs.com', ..., '*.oss-cn-hangzhou-internal.aliyuncs.com']
 */
export function defaultServiceNames(regions: readonly string[]): string[] {
  const names = [
    'localhost',
    '127.0.0.1',
    '::1',
    '*.aliyuncs.com',
    'ram.aliyuncs.com',
    'sts.aliyuncs.com',
    'ecs.aliyuncs.com',
    'vpc.aliyuncs.com',
  ];
  for (const region of regions) {
    if (!REGION.test(region)) throw new Error(`region \`${region}\` is not a valid region id`);
    names.push(
      `sts.${region}.aliyuncs.com`,
      `sts-vpc.${region}.aliyuncs.com`,
      `ecs.${region}.aliyuncs.com`,
      `ecs-${region}.aliyuncs.com`,
      `vpc.${region}.aliyuncs.com`,
      `oss-${region}.aliyuncs.com`,
      `oss-${region}-internal.aliyuncs.com`,
      `*.oss-${region}.aliyuncs.com`,
      `*.oss-${region}-internal.aliyuncs.com`,
    );
  }
  return [...new Set(names)];
}
