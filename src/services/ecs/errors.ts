/**
 * @module ECS's error catalogue (doc "CreateInstance", "RunInstances", "AttachInstanceRamRole",
 * "StartInstance" error tables; openapi.md §d). Messages copy Alibaba's wording; where the same
 * code has two statuses (`InvalidRamRole.NotEcsRole`: 401 on Create/Run, 404 on Attach) both are
 * declared and the handler picks.
 */
import { defineError } from '../../kernel/errors.js';

/** ECS's denial code. */
export const EcsForbidden = defineError(
  'Forbidden.RAM',
  403,
  "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
);
export const EcsInvalidRegionId = defineError(
  'InvalidRegionId.NotFound',
  404,
  'The specified RegionId does not exist.',
);
export const InvalidInstanceIdNotFound = defineError(
  'InvalidInstanceId.NotFound',
  404,
  'The specified InstanceId does not exist.',
);
export const InvalidInstanceIdsMalformed = defineError(
  'InvalidInstanceIds.Malformed',
  400,
  'The specified instanceIds are not valid.',
);
export const IncorrectInstanceStatus = defineError(
  'IncorrectInstanceStatus',
  403,
  'The current status of the resource does not support this operation.',
);
export const InvalidImageIdNotFound = defineError(
  'InvalidImageId.NotFound',
  404,
  'The specified ImageId does not exist.',
);
export const InvalidInstanceTypeValueNotSupported = defineError(
  'InvalidInstanceType.ValueNotSupported',
  400,
  'The specified InstanceType does not exist or beyond the permitted range.',
);
export const ImageNotSupportInstanceType = defineError(
  'ImageNotSupportInstanceType',
  403,
  'The specified image does not support the specified InstanceType.',
);
export const EcsInvalidVSwitchIdNotFound = defineError(
  'InvalidVSwitchId.NotFound',
  404,
  'Specified virtual switch does not exist.',
);
export const InvalidVSwitchIdNecessary = defineError(
  'InvalidVSwitchId.Necessary',
  400,
  'The VSwitchId is necessary',
);
export const InvalidParameterMismatch = defineError(
  'InvalidParameter.Mismatch',
  400,
  'Specified virtual switch is not in the specified zone.',
);
export const EcsInvalidZoneId = defineError(
  'InvalidZoneId.NotFound',
  404,
  'The specified zoneId does not exist.',
);
export const InvalidPrivateIpAddress = defineError(
  'InvalidPrivateIpAddress',
  400,
  'Specified private IP address is not in the CIDR block of virtual switch.',
);
export const InvalidPrivateIpAddressMalformed = defineError(
  'InvalidPrivateIpAddress.Malformed',
  400,
  'Specified private IP address is malformed.',
);
export const InvalidPrivateIpAddressDuplicated = defineError(
  'InvalidPrivateIpAddress.Duplicated',
  400,
  'Specified private IP address is duplicated.',
);
export const QuotaExceededPrivateIpAddress = defineError(
  'QuotaExceeded.PrivateIpAddress',
  400,
  "Don't have enough private IPs in this switch",
);
export const InvalidInstanceNameMalformed = defineError(
  'InvalidInstanceName.Malformed',
  400,
  'The specified parameter "InstanceName" is not valid.',
);
export const InvalidHostNameMalformed = defineError(
  'InvalidHostName.Malformed',
  400,
  'The specified parameter HostName is not valid.',
);
export const EcsInvalidDescription = defineError(
  'InvalidDescription.Malformed',
  400,
  'Invalid description.',
);
export const InvalidUserDataBase64 = defineError(
  'InvalidUserData.Base64FormatInvalid',
  400,
  'The specified UserData is not valid',
);
export const InvalidUserDataSizeExceeded = defineError(
  'InvalidUserData.SizeExceeded',
  400,
  'The specified parameter "UserData" exceeds the size.',
);
export const InvalidAmountMalformed = defineError(
  'InvalidAmount.Malformed',
  400,
  'The specified parameter Amount is not valid.',
);
export const InvalidTagKeyMalformed = defineError(
  'InvalidTagKey.Malformed',
  400,
  'The specified Tag.n.Key is not valid.',
);
export const InvalidNetworkTypeMismatchRamRole = defineError(
  'InvalidNetworkType.MismatchRamRole',
  403,
  "A RAM role can't be used for classic instance.",
);
export const InvalidUserPassRoleForbidden = defineError(
  'InvalidUser.PassRoleForbidden',
  403,
  'The RAM user does not have the privilege to pass a RAM role.',
);
export const InvalidRamRoleNotFound = defineError(
  'InvalidRamRole.NotFound',
  404,
  'The specified RAMRoleName does not exist.',
);
/** CreateInstance / RunInstances: the role does not trust `ecs.aliyuncs.com` (401). */
export const InvalidRamRoleNotEcsRoleCreate = defineError(
  'InvalidRamRole.NotEcsRole',
  401,
  'The specified ram role is not authorized for ecs, please check your role policy.',
);
/** AttachInstanceRamRole: the role does not trust `ecs.aliyuncs.com` (404). */
export const InvalidRamRoleNotEcsRoleAttach = defineError(
  'InvalidRamRole.NotEcsRole',
  404,
  'The specified ram role is not authorized for ecs, please check your role policy.',
);
export const InvalidPolicyMalformed = defineError(
  'InvalidParameter.Policy',
  400,
  'The specified parameter Policy is not valid.',
);
export const InvalidHttpEndpointNotSupported = defineError(
  'InvalidHttpEndpoint.NotSupported',
  400,
  'The specified HttpEndpoint not supported, you can use enabled(default) or disabled.',
);
export const InvalidHttpTokensNotSupported = defineError(
  'InvalidHttpTokens.NotSupported',
  400,
  'The specified HttpTokens not supported, you can use optional(default) or required.',
);
export const InvalidHttpPutResponseHopLimit = defineError(
  'InvalidHttpPutResponseHopLimit.NotSupported',
  400,
  'The specified HttpPutResponseHopLimit not supported, more than 1 and less than 64 is reasonable.',
);
export const InvalidInstanceMetadataTags = defineError(
  'InvalidInstanceMetadataTags.NotSupported',
  400,
  'The specified InstanceMetadataTags not supported, you can use enabled or disabled(default).',
);
export const InvalidStatusNotFound = defineError(
  'InvalidStatus.NotFound',
  404,
  'The Status provided does not exist in our records.',
);
export const EcsDryRunOperation = defineError(
  'DryRunOperation',
  400,
  'Request validation has been passed with DryRun flag set.',
);
export const EcsInvalidPageSize = defineError(
  'InvalidPageSize',
  400,
  'The specified parameter PageSize is not valid.',
);
export const EcsInvalidPageNumber = defineError(
  'InvalidPageNumber',
  400,
  'The specified parameter PageNumber is not valid.',
);
export const InvalidNextTokenMalformed = defineError(
  'InvalidNextToken.Malformed',
  400,
  'The specified parameter NextToken is not valid.',
);
export const EcsMissingParameter = defineError(
  'MissingParameter',
  400,
  'The input parameter that is mandatory for processing this request is not supplied.',
);

// ---- Tags (TagResources, UntagResources, ListTagResources; tags/): doc "TagResources" error codes.
export const EcsMissingResourceType = defineError(
  'MissingParameter.ResourceType',
  404,
  'The parameter - ResourceType should not be null',
);
export const EcsMissingTags = defineError(
  'MissingParameter.Tags',
  404,
  'The parameter - Tags should not be null',
);
export const EcsInvalidResourceTypeNotFound = defineError(
  'InvalidResourceType.NotFound',
  404,
  'The ResourceType provided does not exist in our records.',
);
export const EcsInvalidResourceIdNotFound = defineError(
  'InvalidResourceId.NotFound',
  404,
  'The specified ResourceIds are not found in our records.',
);
export const EcsNumberExceedResourceIds = defineError(
  'NumberExceed.ResourceIds',
  400,
  "The ResourceIds parameter's number is exceed , Valid : 50",
);
export const EcsNumberExceedTags = defineError(
  'NumberExceed.Tags',
  400,
  "The Tags parameter's number is exceed , Valid : 20",
);
export const EcsDuplicateTagKey = defineError(
  'Duplicate.TagKey',
  400,
  'The Tag.N.Key contain duplicate key.',
);
export const InvalidTagValueMalformed = defineError(
  'InvalidTagValue.Malformed',
  400,
  'The specified Tag.n.Value is not valid.',
);
export const EcsTagQuotaExceed = defineError(
  'OperationDenied.QuotaExceed',
  400,
  'The quota of tags on resource is beyond permitted range.',
);
export const EcsInvalidParameterTagValue = defineError(
  'InvalidParameter.TagValue',
  400,
  'The specified parameter Tag.N.Value is not valid without Tag.N.Key.',
);
