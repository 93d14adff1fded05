/**
 * @module The metadata tree of one instance (metadata.md §2), as plain data: directories are
 * objects, leaves strings, multi-value leaves arrays (one value per line on the wire, an array in
 * `meta-data/all`). The RAM credential subtree is served by the handler, not stored here.
 */
import { gatewayOf, netmask, parseCidr } from '../../vpc/index.js';
import { findInstanceType } from '../catalogue.js';
import { macOf, networkInterfaceIdOf, type Instance } from '../model.js';

/** A node of the tree. */
export type MetadataNode = string | string[] | MetadataDir;
/** A directory. */
export interface MetadataDir {
  [name: string]: MetadataNode;
}

/** Alibaba's VPC DNS servers, as instances see them. */
export const NAMESERVERS = ['100.100.2.136', '100.100.2.138'];
/** Alibaba's NTP servers, as instances see them. */
export const NTP_SERVERS = ['ntp1.aliyun.com', 'ntp1.cloud.aliyuncs.com'];

function landingTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The `meta-data/` tree of `i` (without `ram/`, which the handler serves). */
export function metaDataTree(i: Instance): MetadataDir {
  const mac = macOf(i.seq);
  const vswitch = parseCidr(i.vswitchCidr);
  const type = findInstanceType(i.instanceType);
  return {
    'dns-conf': { nameservers: NAMESERVERS },
    hostname: i.hostName,
    'image-id': i.imageId,
    'instance-id': i.instanceId,
    instance: {
      'instance-name': i.instanceName,
      'instance-type': i.instanceType,
      'max-netbw-egress': String(type?.bandwidth ?? 0),
      'max-netbw-ingress': String(type?.bandwidth ?? 0),
      'virtualization-solution': 'ECS Virt',
      'virtualization-solution-version': '2.0',
      'last-host-landing-time': landingTime(i.startedAt ?? i.createdAt),
    },
    mac,
    'network-type': 'vpc',
    network: {
      interfaces: {
        macs: {
          [mac]: {
            'network-interface-id': networkInterfaceIdOf(i.instanceId),
            netmask: vswitch ? netmask(vswitch.prefix) : '',
            gateway: vswitch ? gatewayOf(vswitch) : '',
            'primary-ip-address': i.privateIp,
            'private-ipv4s': JSON.stringify([i.privateIp]),
            'vpc-cidr-block': i.vpcCidr,
            'vpc-id': i.vpcId,
            'vswitch-cidr-block': i.vswitchCidr,
            'vswitch-id': i.vswitchId,
          },
        },
      },
    },
    'ntp-conf': { 'ntp-servers': NTP_SERVERS },
    'owner-account-id': i.accountId,
    'private-ipv4': i.privateIp,
    // The bound SSH key pair, as cloud-init reads it (`public-keys/<id>/openssh-key`);
    // absent (404) when none is bound.
    ...(i.keyPair
      ? { 'public-keys': { [i.keyPair.keyPairId]: { 'openssh-key': i.keyPair.publicKey } } }
      : {}),
    'region-id': i.regionId,
    'serial-number': i.serialNumber,
    'source-address': 'http://mirrors.cloud.aliyuncs.com',
    'sub-private-ipv4-list': '',
    'vpc-cidr-block': i.vpcCidr,
    'vpc-id': i.vpcId,
    'vswitch-cidr-block': i.vswitchCidr,
    'vswitch-id': i.vswitchId,
    'zone-id': i.zoneId,
  };
}

/**
 * The instance identity document, keys in the documented order (metadata.md §2.2; the vector's
 * `identityDocument`).
 */
export function identityDocument(i: Instance): string {
  return JSON.stringify({
    'zone-id': i.zoneId,
    'serial-number': i.serialNumber,
    'instance-id': i.instanceId,
    'region-id': i.regionId,
    'private-ipv4': i.privateIp,
    'owner-account-id': i.accountId,
    mac: macOf(i.seq),
    'image-id': i.imageId,
    'instance-type': i.instanceType,
  });
}

/**
 * A directory listing: one name per line, sub-directories with a trailing `/`, sorted, no
 * trailing newline (metadata.md §2.3).
 */
export function listing(dir: MetadataDir, extra: string[] = []): string {
  return [
    ...Object.entries(dir).map(([k, v]) =>
      typeof v === 'object' && !Array.isArray(v) ? `${k}/` : k,
    ),
    ...extra,
  ]
    .sort()
    .join('\n');
}

/** Looks a child up: exact name first, then case-insensitively (docs spell `Ram` too). */
export function child(dir: MetadataDir, name: string): MetadataNode | undefined {
  if (Object.hasOwn(dir, name)) return dir[name];
  const lower = name.toLowerCase();
  const key = Object.keys(dir).find((k) => k.toLowerCase() === lower);
  return key !== undefined ? dir[key] : undefined;
}
