/**
 * @module ECS domain types (camelCase) and pure helpers: the instance state machine on the one
 * clock, identifiers derived from an instance (MAC, host name, network interface), ARNs and ECS's
 * time format.
 *
 * State transitions are time-based: an instance row holds its stable state (`Running` or
 * `Stopped`), the transitional state shown until `settlesAt` (`Pending`, `Starting`, `Stopping`),
 * and nothing else. Whoever reads it computes the visible state from `clock.now()`, so no timer
 * runs anywhere and a manual clock drives every transition.
 */

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

/** How long each transition takes on the clock (ms). */
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
  settlesAt: number;
  startedAt?: number;
  createdAt: number;
  role?: AttachedRole;
  /** Incremented at every attach, so re-attaching gives new credentials. */
  roleGeneration: number;
  metadata: MetadataOptions;
  fault: MetadataFault;
}

/** The state an instance shows at `now`. */
export function visibleStatus(
  i: Pick<Instance, 'status' | 'transition' | 'settlesAt'>,
  now: number,
) {
  return i.transition !== undefined && now < i.settlesAt ? i.transition : i.status;
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
