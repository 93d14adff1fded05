/**
 * @module ECS domain types (camelCase) and pure helpers: the instance state machine on the clocks,
 * identifiers derived from an instance (MAC, host name, network interface), ARNs and ECS's time
 * format.
 *
 * State transitions are time-based: an instance row holds its stable state (`Running` or
 * `Stopped`), the transitional state (`Pending`, `Starting`, `Stopping`) and when it ends, on
 * yunbox's clock (`settlesAt`) and on the real one (`settlesAtReal`), and nothing else. Whoever
 * reads it computes the visible state from both clocks, so no timer runs anywhere: moving a
 * manual clock settles a transition at once, and one nobody moves still settles once its usual
 * duration has passed in real time, so a client polling for `Running` never waits forever. With
 * the system clock the two are one.
 */
import type { ClockReading } from '../../kernel/clock.js';
import type { MaintenanceAttributes, SystemDisk } from './instance-attributes/model.js';
import type { AttachedKeyPair } from './key-pairs/model.js';

/** A settled instance state. */
export type StableStatus = 'Running' | 'Stopped';
/** A state an instance passes through. */
export type TransitionStatus = 'Pending' | 'Starting' | 'Stopping';
/** Alibaba's instance state names. */
export type InstanceStatus = StableStatus | TransitionStatus;

/** Every state name DescribeInstances accepts as `Status`. */
export const INSTANCE_STATUSES: readonly InstanceStatus[] = [
  'Pending',
  'Running',
  'Starting',
  'Stopping',
  'Stopped',
];

/** How long each transition takes (ms), on either clock. */
export const TRANSITION_MS: Record<TransitionStatus, number> = {
  Pending: 2_000,
  Starting: 2_000,
  Stopping: 2_000,
};

/** Instance metadata options (ModifyInstanceMetadataOptions). */
export interface MetadataOptions {
  httpEndpoint: 'enabled' | 'disabled';
  httpTokens: 'optional' | 'required';
  hopLimit: number;
  instanceMetadataTags: 'enabled' | 'disabled';
}

/** Default metadata options of a new instance. */
export const DEFAULT_METADATA_OPTIONS: MetadataOptions = {
  httpEndpoint: 'enabled',
  httpTokens: 'optional',
  hopLimit: 1,
  instanceMetadataTags: 'disabled',
};

/** How the metadata service of an instance misbehaves on purpose (tests of client resilience). */
export type FaultMode = 'none' | 'slow' | 'error' | 'expired-credential' | 'refuse-token';

/** Every fault mode. */
export const FAULT_MODES: readonly FaultMode[] = [
  'none',
  'slow',
  'error',
  'expired-credential',
  'refuse-token',
];

/** A fault setting: the mode, the delay of `slow`, the status of `error` / `refuse-token`. */
export interface MetadataFault {
  mode: FaultMode;
  delayMs: number;
  statusCode: number;
}

/** No fault. */
export const NO_FAULT: MetadataFault = { mode: 'none', delayMs: 0, statusCode: 0 };

/** The instance RAM role attached to an instance. */
export interface AttachedRole {
  roleName: string;
  /** When it was attached (ms); credential rotation windows start here. */
  attachedAt: number;
  /** Extra policy of AttachInstanceRamRole, intersected with the role's policies. */
  policy?: string;
}

/** A tag. */
export interface Tag {
  key: string;
  value: string;
}

/** An ECS instance. */
export interface Instance {
  instanceId: string;
  accountId: string;
  regionId: string;
  zoneId: string;
  /** Unique, never reused sequence number (MAC address, loopback metadata address). */
  seq: number;
  vpcId: string;
  vswitchId: string;
  vpcCidr: string;
  vswitchCidr: string;
  privateIp: string;
  instanceName: string;
  hostName: string;
  description: string;
  imageId: string;
  instanceType: string;
  /** Base64 user data as given, if any. */
  userData?: string;
  securityGroupIds: string[];
  tags: Tag[];
  serialNumber: string;
  status: StableStatus;
  transition?: TransitionStatus;
  /** When the transition ends on yunbox's clock (ms). */
  settlesAt: number;
  /**
   * When it ends on the real clock (ms; host time, shared by the nodes of one machine and, by
   * NTP, of a cluster). 0 for rows written before it was kept: settled.
   */
  settlesAtReal: number;
  startedAt?: number;
  createdAt: number;
  role?: AttachedRole;
  /** Incremented at every attach, so re-attaching gives new credentials. */
  roleGeneration: number;
  metadata: MetadataOptions;
  fault: MetadataFault;
  /** The system disk every instance has (instance-attributes/). */
  systemDisk: SystemDisk;
  /** The SSH key pair bound to it, with its public key for the metadata service (key-pairs/). */
  keyPair?: AttachedKeyPair;
  /** scrypt hash of the password set at launch or by ModifyInstanceAttribute; never the password. */
  passwordHash?: string;
  /** Release protection: DeleteInstance refuses while it is on. */
  deletionProtection: boolean;
  /** Performance mode of a burstable instance (`Standard`, `Unlimited`), empty for others. */
  creditSpecification: string;
  jumboFrame: boolean;
  maintenance: MaintenanceAttributes;
}

/**
 * The state an instance shows at `at`: the transition until it has ended on either clock.
 * @example
 * visibleStatus(instance, readClock(ctx.clock, ctx.now)) // 'Pending'
 */
export function visibleStatus(
  i: Pick<Instance, 'status' | 'transition' | 'settlesAt' | 'settlesAtReal'>,
  at: ClockReading,
): InstanceStatus {
  return i.transition !== undefined && !hasSettled(i, at) ? i.transition : i.status;
}

/** True when the instance's last transition has ended on yunbox's clock or the real one. */
export function hasSettled(
  i: Pick<Instance, 'settlesAt' | 'settlesAtReal'>,
  at: ClockReading,
): boolean {
  return at.now >= i.settlesAt || at.real >= i.settlesAtReal;
}

/** The MAC address of an instance's primary interface: Alibaba's OUI `00:16:3e` + the sequence. */
export function macOf(seq: number): string {
  const b = [(seq >>> 16) & 255, (seq >>> 8) & 255, seq & 255];
  return ['00', '16', '3e', ...b.map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

/** Alibaba's default host name: `iZ` + the id without `i-` + `Z`. */
export function defaultHostName(instanceId: string): string {
  return `iZ${instanceId.replace(/^i-/, '')}Z`;
}

/** The primary network interface's id. */
export function networkInterfaceIdOf(instanceId: string): string {
  return `eni-${instanceId.replace(/^i-/, '')}`;
}

/** `acs:ecs:<region>:<uid>:<resource>` */
export function ecsArn(region: string, accountId: string, resource: string): string {
  return `acs:ecs:${region}:${accountId}:${resource}`;
}

/** Time as ECS prints instance times: `YYYY-MM-DDTHH:mmZ` (no seconds). */
export function ecsTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16) + 'Z';
}
