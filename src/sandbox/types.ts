/**
 * @module What instance sandboxes need from the ECS service, as interfaces: finding an instance
 * (status, host name, private address, VPC) and serving its metadata tree. The listener decides
 * which instance a request belongs to; the metadata handler only serves that instance's tree.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The facts of an instance a sandbox uses. */
export interface SandboxInstance {
  instanceId: string;
  /** Owning account. */
  accountId: string;
  /** ECS status: `Pending`, `Starting`, `Running`, `Stopping`, `Stopped`; only `Running` runs sandboxes. */
  status: string;
  regionId?: string;
  /** Host name (`/etc/hosts` and DNS inside the sandbox). */
  hostName?: string;
  /** Primary private IPv4 address: the source address of the sandbox's requests (`acs:SourceIp`). */
  privateIp?: string;
  /** VPC of the instance (`acs:SourceVpc`). */
  vpcId?: string;
  vswitchId?: string;
}

/** Finds instances; undefined when the instance does not exist (or was released). */
export interface InstanceLookup {
  /** The instance, restricted to `accountId`'s when given. */
  get(accountId: string | undefined, instanceId: string): Promise<SandboxInstance | undefined>;
}

/**
 * The metadata service's request handler (built by the ECS service's `createMetadataHandler`):
 * serves `instanceId`'s tree, or answers as for an unknown caller when undefined.
 */
export type MetadataHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  instanceId: string | undefined,
) => Promise<void>;
