/**
 * @module ECS 2014-05-26 operations, declared once: parameters with Alibaba's limits and codes,
 * the ECS action and resource each is authorised against, and a doc line. `ram:PassRole` is not
 * declared here: the handlers check it themselves so its denial carries ECS's own code
 * (`InvalidUser.PassRoleForbidden`).
 */
import type { AuthzCheck, RequestInfo } from '../../kernel/context.js';
import { defineOperation } from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import * as E from './errors.js';
import { UserData, launchAttributeParams } from './instance-attributes/params.js';
import { instanceTypeFilterParams } from './placement/type-filters.js';
import { INSTANCE_STATUSES, ecsArn } from './model.js';

// Printable text that does not start with a URL scheme (names, descriptions).
// eslint-disable-next-line no-control-regex
const NOT_A_URL = /^(?!https?:\/\/)[^\u0000-\u001f]*$/su;

const RegionId = p.required(p.str({ min: 1, max: 64, doc: 'region id (the served region)' }));
const InstanceId = p.required(p.str({ min: 1, max: 64, doc: 'instance id, `i-…`' }));
const InstanceIdsJson = (doc: string) =>
  p.jsonStringArray({
    minItems: 1,
    maxItems: 100,
    error: E.InvalidInstanceIdsMalformed,
    doc: `${doc}: a JSON array of up to 100 instance ids, e.g. ["i-…"]`,
  });
const DryRun = p.bool({ doc: 'only check the request (DryRunOperation when it would pass)' });
const Ignored = (doc: string) => p.str({ max: 1024, doc: `${doc} (accepted, not used)` });
const RamRoleName = p.str({ min: 1, max: 64, doc: 'instance RAM role name' });
/** Shared with ModifyInstanceAttribute (instance-attributes/). */
export const InstanceName = p.str({
  min: 2,
  max: 128,
  pattern: /^(?!https?:\/\/)[\p{L}][\p{L}\p{N}:_.,[\]-]*$/u,
  lengthError: E.InvalidInstanceNameMalformed,
  charsError: E.InvalidInstanceNameMalformed,
  doc: 'instance name: 2-128 characters, starting with a letter; letters, digits, : _ - . , [ ]',
});
/** Shared with ModifyInstanceAttribute (instance-attributes/). */
export const HostName = p.str({
  min: 2,
  max: 64,
  pattern: /^[A-Za-z0-9](?:[A-Za-z0-9]|[.-](?=[A-Za-z0-9]))*$/,
  lengthError: E.InvalidHostNameMalformed,
  charsError: E.InvalidHostNameMalformed,
  doc: 'host name: 2-64 letters, digits, . and -, not starting or ending with . or -',
});
/** Shared with ModifyInstanceAttribute (instance-attributes/). */
export const Description = p.str({
  min: 2,
  max: 256,
  pattern: NOT_A_URL,
  lengthError: E.EcsInvalidDescription,
  charsError: E.EcsInvalidDescription,
  doc: 'description, 2-256 characters',
});
const Tag = p.objectList(
  {
    Key: p.str({
      min: 1,
      max: 128,
      lengthError: E.InvalidTagKeyMalformed,
      doc: 'tag key',
    }),
    Value: p.str({ max: 128, doc: 'tag value' }),
  },
  { max: 20, doc: 'tags (Tag.N.Key, Tag.N.Value)' },
);
const HttpEndpoint = p.str({
  enum: ['enabled', 'disabled'],
  charsError: E.InvalidHttpEndpointNotSupported,
  doc: 'metadata service: enabled (default) or disabled',
});
const HttpTokens = p.str({
  enum: ['optional', 'required'],
  charsError: E.InvalidHttpTokensNotSupported,
  doc: 'security hardening mode: optional (default) or required',
});
const HttpPutResponseHopLimit = p.int({
  min: 1,
  max: 64,
  error: E.InvalidHttpPutResponseHopLimit,
  doc: 'accepted and shown, not enforced',
});
const PageNumber = p.int({
  min: 1,
  max: 1_000_000,
  error: E.EcsInvalidPageNumber,
  doc: 'page, from 1',
});
const PageSize = (max: number) =>
  p.int({ min: 1, max, error: E.EcsInvalidPageSize, doc: `page size, 1-${max} (10)` });

const region = (i: { RegionId?: string }, info: RequestInfo) => i.RegionId ?? info.region;
const on =
  (action: string, resource: (i: any) => string) =>
  (i: any, info: RequestInfo): AuthzCheck[] => [
    { action, resource: ecsArn(region(i, info), info.accountId, resource(i)) },
  ];
const eachInstance =
  (action: string) =>
  (i: any, info: RequestInfo): AuthzCheck[] =>
    [...new Set<string>(i.InstanceIds ?? [])].map((id) => ({
      action,
      resource: ecsArn(region(i, info), info.accountId, `instance/${id}`),
    }));

const launchParams = {
  RegionId,
  ImageId: p.required(p.str({ min: 1, max: 128, doc: 'image id (DescribeImages)' })),
  InstanceType: p.required(
    p.str({ min: 1, max: 64, doc: 'instance type (DescribeInstanceTypes)' }),
  ),
  VSwitchId: p.str({
    min: 1,
    max: 64,
    doc: 'vSwitch id; required (yunbox has no classic network)',
  }),
  ZoneId: p.str({ max: 64, doc: "zone id; must be the vSwitch's when given" }),
  SecurityGroupId: p.str({
    max: 100,
    doc: "security group of the vSwitch's VPC (optional in yunbox)",
  }),
  RamRoleName,
  InstanceName,
  HostName,
  Description,
  UserData,
  PrivateIpAddress: p.str({ max: 15, doc: "private IPv4 address in the vSwitch's block" }),
  Tag,
  HttpEndpoint,
  HttpTokens,
  HttpPutResponseHopLimit,
  DryRun,
  ClientToken: Ignored('idempotency token'),
  InstanceChargeType: Ignored('billing method'),
  InternetMaxBandwidthOut: Ignored('public bandwidth'),
  ...launchAttributeParams,
};

export const CreateInstance = defineOperation({
  name: 'CreateInstance',
  params: launchParams,
  authz: on('ecs:CreateInstance', () => 'instance/*'),
  handlerActions: ['ram:PassRole'],
  doc: 'Create an instance in a vSwitch (it ends Stopped: Pending, then Stopped); `RamRoleName` also needs `ram:PassRole` and a role that trusts ecs.aliyuncs.com',
});
export const RunInstances = defineOperation({
  name: 'RunInstances',
  params: {
    ...launchParams,
    Amount: p.int({
      min: 1,
      max: 100,
      error: E.InvalidAmountMalformed,
      doc: 'how many, 1-100 (1)',
    }),
    MinAmount: Ignored('minimum amount'),
    HostNames: p.list(HostName, { max: 100, doc: 'one host name per instance (HostNames.N)' }),
    SecurityGroupIds: p.list(p.str({ max: 100 }), {
      max: 16,
      doc: "security groups of the vSwitch's VPC, one type, up to 5 (SecurityGroupIds.N)",
    }),
    UniqueSuffix: p.bool({ doc: 'append 001, 002, … to HostName and InstanceName' }),
  },
  authz: on('ecs:RunInstances', () => 'instance/*'),
  handlerActions: ['ram:PassRole'],
  doc: 'Create and start instances (Pending, then Running); same role rules as CreateInstance',
});
export const StartInstance = defineOperation({
  name: 'StartInstance',
  params: { InstanceId, InitLocalDisk: p.bool({ doc: 'accepted, not used' }), DryRun },
  authz: on('ecs:StartInstance', (i) => `instance/${i.InstanceId}`),
  doc: 'Start a Stopped instance (Starting, then Running)',
});
export const StopInstance = defineOperation({
  name: 'StopInstance',
  params: {
    InstanceId,
    ForceStop: p.bool({ doc: 'accepted; stopping is always clean here' }),
    StoppedMode: p.str({
      enum: ['StopCharging', 'KeepCharging'],
      doc: 'accepted, not used',
    }),
    ConfirmStop: p.bool({ doc: 'ignored' }),
    Hibernate: p.bool({ doc: 'ignored' }),
    DryRun,
  },
  authz: on('ecs:StopInstance', (i) => `instance/${i.InstanceId}`),
  doc: 'Stop a Running instance (Stopping, then Stopped)',
});
export const RebootInstance = defineOperation({
  name: 'RebootInstance',
  params: { InstanceId, ForceStop: p.bool({ doc: 'accepted, not used' }), DryRun },
  authz: on('ecs:RebootInstance', (i) => `instance/${i.InstanceId}`),
  doc: 'Restart a Running instance (Starting, then Running)',
});
export const DeleteInstance = defineOperation({
  name: 'DeleteInstance',
  params: {
    InstanceId,
    Force: p.bool({ doc: 'release even when not Stopped' }),
    ForceStop: p.bool({ doc: 'accepted, not used' }),
    TerminateSubscription: p.bool({ doc: 'accepted, not used' }),
    DryRun,
  },
  authz: on('ecs:DeleteInstance', (i) => `instance/${i.InstanceId}`),
  doc: 'Release an instance (Stopped, or any state with Force); its address is freed',
});
export const DescribeInstances = defineOperation({
  name: 'DescribeInstances',
  params: {
    RegionId,
    InstanceIds: p.jsonStringArray({
      maxItems: 100,
      error: E.InvalidInstanceIdsMalformed,
      doc: 'JSON array of instance ids',
    }),
    VpcId: p.str({ max: 64, doc: 'VPC id' }),
    VSwitchId: p.str({ max: 64, doc: 'vSwitch id' }),
    ZoneId: p.str({ max: 64, doc: 'zone id' }),
    Status: p.str({
      enum: INSTANCE_STATUSES,
      charsError: E.InvalidStatusNotFound,
      doc: 'Pending, Running, Starting, Stopping or Stopped',
    }),
    InstanceName: p.str({ max: 128, doc: 'instance name; `*` matches any characters' }),
    ImageId: p.str({ max: 128, doc: 'image id' }),
    InstanceType: p.str({ max: 64, doc: 'instance type' }),
    KeyPairName: p.str({ max: 128, doc: 'instances bound to this SSH key pair' }),
    PrivateIpAddresses: p.jsonStringArray({ maxItems: 100, doc: 'JSON array of private IPs' }),
    Tag,
    HttpEndpoint,
    HttpTokens,
    PageNumber,
    PageSize: PageSize(100),
    NextToken: p.str({ max: 256, doc: 'token from the previous page (with MaxResults)' }),
    MaxResults: p.int({
      min: 1,
      max: 100,
      error: E.EcsInvalidPageSize,
      doc: 'page size in token mode, 1-100 (10)',
    }),
    DryRun,
  },
  authz: on('ecs:DescribeInstances', () => 'instance/*'),
  readOnly: true,
  doc: 'List instances with filters; pages by PageNumber/PageSize or NextToken/MaxResults',
});
export const DescribeInstanceStatus = defineOperation({
  name: 'DescribeInstanceStatus',
  params: {
    RegionId,
    InstanceId: p.list(p.str({ max: 64 }), { max: 100, doc: 'instance ids (InstanceId.N)' }),
    ZoneId: p.str({ max: 64, doc: 'zone id' }),
    PageNumber,
    PageSize: PageSize(50),
  },
  authz: on('ecs:DescribeInstanceStatus', () => 'instance/*'),
  readOnly: true,
  doc: 'List the state of instances',
});
export const DescribeInstanceAttribute = defineOperation({
  name: 'DescribeInstanceAttribute',
  params: { InstanceId },
  authz: on('ecs:DescribeInstanceAttribute', (i) => `instance/${i.InstanceId}`),
  readOnly: true,
  doc: 'Show an instance',
});
export const AttachInstanceRamRole = defineOperation({
  name: 'AttachInstanceRamRole',
  params: {
    RegionId,
    RamRoleName: p.required(RamRoleName),
    InstanceIds: p.required(InstanceIdsJson('instances')),
    Policy: p.str({
      min: 1,
      max: 1024,
      lengthError: E.InvalidPolicyMalformed,
      doc: "extra policy (1-1024 characters), intersected with the role's",
    }),
  },
  authz: eachInstance('ecs:AttachInstanceRamRole'),
  handlerActions: ['ram:PassRole'],
  doc: 'Attach an instance RAM role (needs `ram:PassRole` and a role trusting ecs.aliyuncs.com); per-instance results',
});
export const DetachInstanceRamRole = defineOperation({
  name: 'DetachInstanceRamRole',
  params: {
    RegionId,
    InstanceIds: p.required(InstanceIdsJson('instances')),
    RamRoleName,
  },
  authz: eachInstance('ecs:DetachInstanceRamRole'),
  doc: 'Detach the instance RAM role; the metadata service stops issuing credentials at once',
});
export const DescribeInstanceRamRole = defineOperation({
  name: 'DescribeInstanceRamRole',
  params: {
    RegionId,
    InstanceIds: p.jsonStringArray({
      maxItems: 100,
      error: E.InvalidInstanceIdsMalformed,
      doc: 'JSON array of instance ids',
    }),
    RamRoleName,
    PageNumber,
    PageSize: PageSize(50),
  },
  authz: on('ecs:DescribeInstanceRamRole', () => 'instance/*'),
  readOnly: true,
  doc: 'List instance RAM roles by instances or by role (one of them is required)',
});
export const ModifyInstanceMetadataOptions = defineOperation({
  name: 'ModifyInstanceMetadataOptions',
  params: {
    RegionId,
    InstanceId,
    HttpEndpoint,
    HttpTokens,
    HttpPutResponseHopLimit,
    InstanceMetadataTags: p.str({
      enum: ['enabled', 'disabled'],
      charsError: E.InvalidInstanceMetadataTags,
      doc: 'accepted and shown (tags are not served)',
    }),
  },
  authz: on('ecs:ModifyInstanceMetadataOptions', (i) => `instance/${i.InstanceId}`),
  doc: 'Turn the metadata service on or off and require tokens (security hardening mode)',
});
export const DescribeImages = defineOperation({
  name: 'DescribeImages',
  params: {
    RegionId,
    ImageId: p.str({ max: 4096, doc: 'image ids, comma-separated' }),
    ImageName: p.str({ max: 128, doc: 'image name' }),
    ImageOwnerAlias: p.str({ max: 32, doc: 'system, self, others or marketplace' }),
    OSType: p.str({ max: 16, doc: 'linux or windows' }),
    Architecture: p.str({ max: 16, doc: 'x86_64, i386 or arm64' }),
    Status: p.str({ max: 128, doc: 'image states, comma-separated (Available)' }),
    InstanceType: p.str({ max: 64, doc: 'images that can run on this type' }),
    PageNumber,
    PageSize: PageSize(100),
    DryRun,
  },
  authz: on('ecs:DescribeImages', () => 'image/*'),
  readOnly: true,
  doc: 'List the built-in public images',
});
export const DescribeInstanceTypes = defineOperation({
  name: 'DescribeInstanceTypes',
  params: {
    InstanceTypes: p.list(p.str({ max: 64 }), { max: 10, doc: 'instance types (InstanceTypes.N)' }),
    ...instanceTypeFilterParams,
    InstanceTypeFamily: p.str({ max: 64, doc: 'family, e.g. ecs.g6' }),
    CpuArchitecture: p.str({ max: 16, doc: 'X86 or ARM' }),
    MaxResults: p.int({
      min: 1,
      max: 1600,
      error: E.EcsInvalidPageSize,
      doc: 'page size (all)',
    }),
    NextToken: p.str({ max: 256, doc: 'token from the previous page' }),
  },
  authz: (_i, info) => [
    {
      action: 'ecs:DescribeInstanceTypes',
      resource: ecsArn(info.region, info.accountId, 'instancetype/*'),
    },
  ],
  readOnly: true,
  doc: 'List the built-in instance types',
});
