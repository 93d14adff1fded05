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

// Instance attributes, system disks, key pairs, regions and zones (docs "ModifyInstanceAttribute",
// "RunInstances", "DeleteInstance", "DescribeDisks", "ModifyDiskAttribute", "CreateKeyPair",
// "ImportKeyPair", "DeleteKeyPairs", "AttachKeyPair"): instance-attributes/, key-pairs/, placement/.
export const InvalidPasswordMalformed = defineError(
  'InvalidPassword.Malformed',
  400,
  'The specified parameter "Password" is not valid.',
);
export const InvalidSystemDiskCategory = defineError(
  'InvalidSystemDiskCategory.ValueNotSupported',
  400,
  'The specified parameter SystemDisk.Category is not valid.',
);
export const InvalidSystemDiskSize = defineError(
  'InvalidSystemDiskSize',
  404,
  'The specified parameter SystemDisk.Size is invalid.',
);
export const InvalidSystemDiskSizeLessThanImageSize = defineError(
  'InvalidSystemDiskSize.LessThanImageSize',
  404,
  'The specified parameter SystemDisk.Size is less than the image size.',
);
export const InvalidSystemDiskSizeLessThanMinSize = defineError(
  'InvalidSystemDiskSize.LessThanMinSize',
  404,
  'The specified parameter SystemDisk.Size is less than the min size.',
);
export const InvalidSystemDiskSizeMoreThanMaxSize = defineError(
  'InvalidSystemDiskSize.MoreThanMaxSize',
  404,
  'The specified SystemDisk.Size parameter exceeds the maximum size.',
);
export const InvalidPerformanceLevel = defineError(
  'InvalidPerformanceLevel.Malformed',
  400,
  'The specified parameter PerformanceLevel is not valid.',
);
export const InvalidDiskNameMalformed = defineError(
  'InvalidDiskName.Malformed',
  400,
  'Specified disk name is not valid.',
);
export const InvalidDiskDescriptionMalformed = defineError(
  'InvalidDiskDescription.Malformed',
  400,
  'Specified disk description is not valid.',
);
export const InvalidDiskIdNotFound = defineError(
  'InvalidDiskId.NotFound',
  404,
  'The specified disk does not exist.',
);
export const InvalidDiskIdsMalformed = defineError(
  'InvalidDiskIds.Malformed',
  400,
  'The specified parameter DiskIds is not valid.',
);
export const InvalidOperationDeletionProtection = defineError(
  'InvalidOperation.DeletionProtection',
  403,
  'The instance cannot be released because release protection is enabled.',
);
export const InvalidCreditSpecification = defineError(
  'InvalidParameter.CreditSpecification',
  400,
  'The specified CreditSpecification is not supported in this region.',
);
export const InvalidKeyPairNameMalformed = defineError(
  'InvalidKeyPairName.Malformed',
  400,
  'Specified Key Pair name is not valid.',
);
export const KeyPairAlreadyExist = defineError(
  'KeyPair.AlreadyExist',
  400,
  'The key pair already exist.',
);
export const QuotaExceedKeyPair = defineError(
  'QuotaExceed.KeyPair',
  403,
  'The key pair quota exceeds.',
);
export const InvalidPublicKeyBodyMalformed = defineError(
  'InvalidPublicKeyBody.Malformed',
  400,
  'The PublicKeyBody format is not supported.',
);
/** RunInstances / CreateInstance: no key pair of that name (404). */
export const InvalidKeyPairNameNotFoundLaunch = defineError(
  'InvalidKeyPairName.NotFound',
  404,
  'The specified parameter "KeyPairName" does not exist in our records.',
);
/** AttachKeyPair / DetachKeyPair: no key pair of that name (400). */
export const InvalidKeyPairNameNotFound = defineError(
  'InvalidKeyPairName.NotFound',
  400,
  'The specified KeyPairName does not exist in our records.',
);
export const InvalidKeyPairNamesValueNotSupported = defineError(
  'InvalidKeyPairNames.ValueNotSupported',
  400,
  'The specified parameter "KeyPairNames" is not valid.',
);
export const KeypairAlreadyAttachedInstance = defineError(
  'InvalidParameter.KeypairAlreadyAttachedInstance',
  400,
  'The specified parameter "KeyPairNames" attached to instances can not be deleted.',
);
export const InvalidInstanceIdsValueNotSupported = defineError(
  'InvalidInstanceIds.ValueNotSupported',
  400,
  'The specified parameter InstanceIds is not valid.',
);
export const InstanceKeyPairLimitExceeded = defineError(
  'InstanceKeyPairLimitExceeded',
  403,
  'The specified instances are beyond the permitted range.',
);
