/**
 * @module VPC's error catalogue (doc "VPC API error codes", "CreateVSwitch", "DeleteVSwitch",
 * "DeleteVpc"; the legacy ECS-API twins use the same codes). Messages copy Alibaba's wording.
 */
import { defineError } from '../../kernel/errors.js';

/** Denial of a VPC call (ECS's code; the VPC docs do not publish another). */
export const VpcForbidden = defineError(
  'Forbidden.RAM',
  403,
  "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
);
export const InvalidRegionIdNotFound = defineError(
  'InvalidRegionId.NotFound',
  404,
  'The specified RegionId does not exist.',
);
export const InvalidVpcIdNotFound = defineError(
  'InvalidVpcId.NotFound',
  404,
  'Specified VPC does not exist.',
);
export const InvalidVSwitchIdNotFound = defineError(
  'InvalidVSwitchId.NotFound',
  404,
  'Specified virtual switch does not exist.',
);
export const InvalidZoneIdNotFound = defineError(
  'InvalidZoneId.NotFound',
  404,
  'The specified zoneId does not exist.',
);
export const InvalidCidrBlockMalformed = defineError(
  'InvalidCidrBlock.Malformed',
  400,
  'Specified CIDR block is not valid.',
);
export const InvalidCidrBlockOverlapped = defineError(
  'InvalidCidrBlock.Overlapped',
  400,
  'Specified CIDR block overlapped with other subnets.',
);
export const InvalidVpcNameMalformed = defineError(
  'InvalidVpcName.Malformed',
  400,
  'Specified VPC name is not valid.',
);
export const InvalidVSwitchNameMalformed = defineError(
  'InvalidVSwitchName.Malformed',
  400,
  'Specified virtual switch name is not valid.',
);
export const InvalidDescriptionMalformed = defineError(
  'InvalidDescription.Malformed',
  400,
  'Invalid description.',
);
export const DependencyViolation = defineError(
  'DependencyViolation',
  400,
  'Specified object has dependent resources.',
);
export const DependencyViolationVSwitch = defineError(
  'DependencyViolation.VSwitch',
  400,
  'Specified object has dependent resources',
);
export const VpcDryRunOperation = defineError(
  'DryRunOperation',
  400,
  'Request validation has been passed with DryRun flag set.',
);
export const InvalidPageNumber = defineError(
  'InvalidPageNumber',
  400,
  'The specified parameter PageNumber is not valid.',
);
export const InvalidPageSize = defineError(
  'InvalidPageSize',
  400,
  'The specified parameter PageSize is not valid.',
);
export const DependencyViolationSecurityGroup = defineError(
  'DependencyViolation.SecurityGroup',
  400,
  'Specified object has dependent resources SecurityGroup.',
);
/**
 * ModifyRouteTableAttributes and DescribeRouteTableList on a route table that does not exist.
 * The code follows VPC's `Invalid<Entity>Id.NotFound` pattern; its table was not found published.
 */
export const InvalidRouteTableIdNotFound = defineError(
  'InvalidRouteTableId.NotFound',
  404,
  'Specified route table does not exist.',
);
export const InvalidRouteTableNameMalformed = defineError(
  'InvalidRouteTableName.Malformed',
  400,
  'Specified route table name is not valid.',
);
/** TagResources / UnTagResources / ListTagResources (doc "TagResources" error table). */
export const InvalidResourceTypeNotFound = defineError(
  'InvalidResourceType.NotFound',
  404,
  'The ResourceType provided does not exist in our records.',
);
export const InvalidResourceIdNotFound = defineError(
  'InvalidResourceId.NotFound',
  404,
  'The specified ResourceIds are not found in our records.',
);
export const NumberExceedResourceIds = defineError(
  'NumberExceed.ResourceIds',
  400,
  "The ResourceIds parameter's number is exceed , Valid : 50",
);
export const NumberExceedTags = defineError(
  'NumberExceed.Tags',
  400,
  "The Tags parameter's number is exceed , Valid : 20",
);
export const DuplicateTagKey = defineError(
  'Duplicate.TagKey',
  400,
  'The Tag.N.Key contain duplicate key.',
);
export const VpcInvalidTagKeyMalformed = defineError(
  'InvalidTagKey.Malformed',
  400,
  'The specified Tag.n.Key is not valid.',
);
export const VpcInvalidTagValueMalformed = defineError(
  'InvalidTagValue.Malformed',
  400,
  'The specified Tag.n.Value is not valid.',
);
export const OperationDeniedQuotaExceed = defineError(
  'OperationDenied.QuotaExceed',
  400,
  'The quota of tags on resource is beyond permitted range.',
);
