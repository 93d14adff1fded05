/**
 * @module ECS (2014-05-26): instances in VPC vSwitches with Alibaba's state machine, instance
 * RAM roles, metadata options and a built-in catalogue, on the RPC gateway at
 * `ecs.<region>.aliyuncs.com` (plus the SDK's legacy VPC calls, served by the VPC module); and the
 * instance metadata service (`metadata/`), which hands out the attached role's STS credentials.
 */
import type { Logger } from 'pino';
import type { ListenAddress } from '../../config/config.js';
import type { Authorizer } from '../../kernel/authorizer.js';
import type { Clock } from '../../kernel/clock.js';
import type { ListenerLimits } from '../../kernel/limits.js';
import { bind, type BoundOperation, type RpcProduct } from '../../protocol/rpc-operation.js';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import type { RamApi } from '../ram/index.js';
import type { VpcApi } from '../vpc/index.js';
import { createEcsApi, type EcsApi } from './api.js';
import type { CredentialMinter } from './credentials.js';
import { EcsForbidden } from './errors.js';
import { ecsHandlers } from './handlers.js';
import { instanceAttributeHandlers } from './instance-attributes/handlers.js';
import * as IA from './instance-attributes/operations.js';
import { InstanceAttributeSqlStore, taggableSystemDisks } from './instance-attributes/store-sql.js';
import { keyPairHandlers } from './key-pairs/handlers.js';
import * as KP from './key-pairs/operations.js';
import { KeyPairSqlStore, taggableKeyPairs } from './key-pairs/store-sql.js';
import {
  createMetadataHandler,
  type MetadataDeps,
  type MetadataHandler,
} from './metadata/handler.js';
import { IdentitySigner } from './metadata/identity.js';
import { PlainMetadataListener } from './metadata/plain-listener.js';
import { m0001Init } from './migrations/0001-init.js';
import { m0002SettlesAtReal } from './migrations/0002-settles-at-real.js';
import { m0003SecurityGroups } from './migrations/0003-security-groups.js';
import { m0004InstanceAttributes } from './migrations/0004-instance-attributes.js';
import { networkInterfaceHandlers, taggableInterfaces } from './network-interfaces/handlers.js';
import * as NO from './network-interfaces/operations.js';
import { m0005TagsIdentity } from './migrations/0005-tags-identity.js';
import { m0006TagsEverywhere } from './migrations/0006-tags-everywhere.js';
import * as O from './operations.js';
import { placementHandlers } from './placement/handlers.js';
import * as PL from './placement/operations.js';
import { securityGroupHandlers } from './security-groups/handlers.js';
import * as SO from './security-groups/operations.js';
import { ruleHandlers } from './security-groups/rule-handlers.js';
import { SecurityGroupSqlStore, taggableSecurityGroups } from './security-groups/store-sql.js';
import type { SecurityGroupStore } from './security-groups/store.js';
import { EcsSqlStore, taggableInstances } from './store-sql.js';
import type { EcsStore } from './store.js';
import { tagHandlers } from './tags/handlers.js';
import * as TagOps from './tags/operations.js';
import type { TaggableType } from './tags/store.js';

export { networkOf, type EcsApi, type InstanceNetwork, type InstanceSummary } from './api.js';
export {
  CREDENTIAL_LIFETIME_MS,
  ROTATION_WINDOW_MS,
  credentialWindow,
  instanceCredential,
} from './credentials.js';
export { InvalidInstanceIdNotFound } from './errors.js';
export * from './metadata/index.js';
export {
  FAULT_MODES,
  NO_FAULT,
  TRANSITION_MS,
  macOf,
  visibleStatus,
  type FaultMode,
  type Instance,
  type InstanceStatus,
  type MetadataFault,
} from './model.js';

/** API version of the ECS product. */
export const ECS_API_VERSION = '2014-05-26';

/** ECS's migrations (after VPC's: instances reference vSwitches). */
export const ecsMigrations: MigrationSet = {
  service: 'ecs',
  migrations: [
    m0001Init,
    m0002SettlesAtReal,
    m0003SecurityGroups,
    m0004InstanceAttributes,
    m0005TagsIdentity,
    m0006TagsEverywhere,
  ],
};

/** What ECS needs from other services. */
export interface EcsDeps {
  vpc: VpcApi;
  ram: RamApi;
  sts: CredentialMinter;
  authorizer: Authorizer;
  /** VPC's operations, served again under ECS's version (the SDK's legacy calls). */
  legacyVpcOperations: BoundOperation[];
  /** The audit trail, told of metadata requests (services/trail). */
  trail?: MetadataDeps['trail'];
}

/** The ECS service. */
export interface EcsService {
  product: RpcProduct;
  store: EcsStore;
  /** Security groups, their rules and members. */
  securityGroups: SecurityGroupStore;
  api: EcsApi;
  /** Signs instance identity documents; its certificate is public (metadata/identity.ts). */
  identity: IdentitySigner;
  /** The metadata handler for listeners that identify the instance themselves (sandboxes). */
  metadataHandler(opts: { clock: Clock; log: Logger }): MetadataHandler;
  /** Starts the plain `--metadata-listen` listener (one per process). */
  startPlainMetadataListener(opts: {
    listen: ListenAddress;
    handler: MetadataHandler;
    log: Logger;
    /** Time limits and connection caps shared with the other listeners (kernel/limits.ts). */
    limits?: ListenerLimits;
  }): Promise<PlainMetadataListener>;
  /** Calls `fn` after instances change on this node (a hint; the store is the authority). */
  onChange(fn: () => void): () => void;
}

/** Builds the ECS service. */
export function createEcsService(db: Db, deps: EcsDeps): EcsService {
  const store = new EcsSqlStore(db);
  const securityGroups = new SecurityGroupSqlStore(db);
  const listeners = new Set<() => void>();
  let plain: PlainMetadataListener | undefined;
  const handlerDeps = {
    store,
    securityGroups,
    vpc: deps.vpc,
    ram: deps.ram,
    authorizer: deps.authorizer,
    keyPairs: new KeyPairSqlStore(db),
    changed: () => {
      for (const fn of listeners) fn();
    },
  };
  const h = ecsHandlers(handlerDeps);
  const ia = instanceAttributeHandlers({
    ...handlerDeps,
    attributes: new InstanceAttributeSqlStore(db),
  });
  const sg = {
    ...securityGroupHandlers({ groups: securityGroups, instances: store, vpc: deps.vpc }),
    ...ruleHandlers({ groups: securityGroups, instances: store, vpc: deps.vpc }),
    ...networkInterfaceHandlers({ store, db }),
  };
  const kp = keyPairHandlers(handlerDeps);
  const pl = placementHandlers();
  const api = createEcsApi(store, () => plain);
  // The resource types TagResources can tag, by ResourceType (tags/store.ts says how to add one).
  const taggable = new Map<string, TaggableType>([
    ['instance', taggableInstances],
    ['disk', taggableSystemDisks],
    ['securitygroup', taggableSecurityGroups],
    ['keypair', taggableKeyPairs],
    ['eni', taggableInterfaces],
  ]);
  const tags = tagHandlers({ db, taggable });
  const identity = new IdentitySigner(db);
  return {
    store,
    securityGroups,
    api,
    identity,
    product: {
      product: 'Ecs',
      version: ECS_API_VERSION,
      hostId: (region) => `ecs.${region}.aliyuncs.com`,
      denied: (message, detail) => EcsForbidden(message, { AccessDeniedDetail: detail }),
      operations: [
        bind(O.CreateInstance, h.createInstance),
        bind(O.RunInstances, h.runInstances),
        bind(O.StartInstance, h.startInstance),
        bind(O.StopInstance, h.stopInstance),
        bind(O.RebootInstance, h.rebootInstance),
        bind(O.DeleteInstance, h.deleteInstance),
        bind(O.DescribeInstances, h.describeInstances),
        bind(O.DescribeInstanceStatus, h.describeInstanceStatus),
        bind(O.DescribeInstanceAttribute, h.describeInstanceAttribute),
        bind(O.AttachInstanceRamRole, h.attachInstanceRamRole),
        bind(O.DetachInstanceRamRole, h.detachInstanceRamRole),
        bind(O.DescribeInstanceRamRole, h.describeInstanceRamRole),
        bind(O.ModifyInstanceMetadataOptions, h.modifyInstanceMetadataOptions),
        bind(O.DescribeImages, h.describeImages),
        bind(O.DescribeInstanceTypes, h.describeInstanceTypes),
        bind(SO.CreateSecurityGroup, sg.createSecurityGroup),
        bind(SO.DescribeSecurityGroups, sg.describeSecurityGroups),
        bind(SO.DescribeSecurityGroupAttribute, sg.describeSecurityGroupAttribute),
        bind(SO.ModifySecurityGroupAttribute, sg.modifySecurityGroupAttribute),
        bind(SO.ModifySecurityGroupPolicy, sg.modifySecurityGroupPolicy),
        bind(SO.AuthorizeSecurityGroup, sg.authorizeSecurityGroup),
        bind(SO.AuthorizeSecurityGroupEgress, sg.authorizeSecurityGroupEgress),
        bind(SO.RevokeSecurityGroup, sg.revokeSecurityGroup),
        bind(SO.RevokeSecurityGroupEgress, sg.revokeSecurityGroupEgress),
        bind(SO.ModifySecurityGroupRule, sg.modifySecurityGroupRule),
        bind(SO.ModifySecurityGroupEgressRule, sg.modifySecurityGroupEgressRule),
        bind(SO.JoinSecurityGroup, sg.joinSecurityGroup),
        bind(SO.LeaveSecurityGroup, sg.leaveSecurityGroup),
        bind(SO.DeleteSecurityGroup, sg.deleteSecurityGroup),
        bind(NO.DescribeNetworkInterfaces, sg.describeNetworkInterfaces),
        // Instance attributes and system disks (instance-attributes/).
        bind(IA.DescribeDisks, ia.describeDisks),
        bind(IA.ModifyDiskAttribute, ia.modifyDiskAttribute),
        bind(IA.DescribeUserData, ia.describeUserData),
        bind(IA.ModifyInstanceAttribute, ia.modifyInstanceAttribute),
        bind(IA.DescribeInstanceMaintenanceAttributes, ia.describeInstanceMaintenanceAttributes),
        bind(IA.ModifyInstanceSpec, ia.modifyInstanceSpec),
        bind(IA.ModifyInstanceMaintenanceAttributes, ia.modifyInstanceMaintenanceAttributes),
        bind(IA.DescribeInstanceAttachmentAttributes, ia.describeInstanceAttachmentAttributes),
        // SSH key pairs (key-pairs/).
        bind(KP.CreateKeyPair, kp.createKeyPair),
        bind(KP.ImportKeyPair, kp.importKeyPair),
        bind(KP.DescribeKeyPairs, kp.describeKeyPairs),
        bind(KP.DeleteKeyPairs, kp.deleteKeyPairs),
        bind(KP.AttachKeyPair, kp.attachKeyPair),
        bind(KP.DetachKeyPair, kp.detachKeyPair),
        // Regions, zones and what they offer (placement/).
        bind(PL.DescribeRegions, pl.describeRegions),
        bind(PL.DescribeZones, pl.describeZones),
        bind(PL.DescribeAvailableResource, pl.describeAvailableResource),
        bind(PL.DescribeInstanceTypeFamilies, pl.describeInstanceTypeFamilies),
        bind(PL.DescribeImageSupportInstanceTypes, pl.describeImageSupportInstanceTypes),
        bind(TagOps.TagResources, tags.tagResources),
        bind(TagOps.UntagResources, tags.untagResources),
        bind(TagOps.ListTagResources, tags.listTagResources),
        ...deps.legacyVpcOperations,
      ],
    },
    metadataHandler: ({ clock, log }) =>
      createMetadataHandler({
        getInstance: (id) => store.getInstance(id),
        ram: deps.ram,
        sts: deps.sts,
        clock,
        log,
        identity,
        trail: deps.trail,
      }),
    async startPlainMetadataListener({ listen, handler, log, limits }) {
      if (plain) throw new Error('the plain metadata listener is already running');
      let stopFollowing = () => {};
      const listener = new PlainMetadataListener({
        listen,
        handler,
        log,
        ...(limits ? { limits } : {}),
        instances: {
          listSeqs: () => store.listSeqs(),
          idBySeq: async (seq) => (await store.getInstanceBySeq(seq))?.instanceId,
        },
        onClose: () => {
          stopFollowing();
          if (plain === listener) plain = undefined;
        },
      });
      await listener.start();
      plain = listener;
      const follow = () => void listener.reconcile();
      listeners.add(follow);
      stopFollowing = () => listeners.delete(follow);
      return listener;
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
