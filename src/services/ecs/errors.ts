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

// Security groups and network interfaces (doc "CreateSecurityGroup", "AuthorizeSecurityGroup",
// "AuthorizeSecurityGroupEgress", "RevokeSecurityGroup", "ModifySecurityGroupPolicy",
// "JoinSecurityGroup", "LeaveSecurityGroup", "DeleteSecurityGroup", "DescribeSecurityGroups",
// "DescribeSecurityGroupAttribute" error tables). Where Alibaba's message is a bare `%s`, ours says
// what was wrong.
export const InvalidSecurityGroupIdNotFound = defineError(
  'InvalidSecurityGroupId.NotFound',
  404,
  'The specified SecurityGroupId does not exist.',
);
export const InvalidSecurityGroupIdMalformed = defineError(
  'InvalidSecurityGroupId.Malformed',
  400,
  'The specified parameter SecurityGroupId is not valid.',
);
/** CreateSecurityGroup without VpcId: yunbox, like a VPC-only region, has no classic network. */
export const SecurityGroupVpcIdMissing = defineError(
  'InvalidVpcId.NotFound',
  403,
  'vpc id must not empty when only support vpc vm.',
);
export const EcsInvalidVpcIdNotFound = defineError(
  'InvalidVpcId.NotFound',
  404,
  'Specified VPC does not exist.',
);
export const InvalidSecurityGroupNameMalformed = defineError(
  'InvalidSecurityGroupName.Malformed',
  400,
  'Specified security group name is not valid.',
);
export const InvalidParameterSecurityGroupType = defineError(
  'InvalidParameter.SecurityGroupType',
  400,
  'The specified SecurityGroupType is not valid.',
);
export const QuotaExceedSecurityGroup = defineError(
  'QuotaExceed.SecurityGroup',
  403,
  'The maximum number of security groups is reached.',
);
export const DependencyViolationInstances = defineError(
  'DependencyViolation',
  403,
  'There is still instance(s) in the specified security group.',
);
export const DependencyViolationAuthorized = defineError(
  'DependencyViolation',
  403,
  'The specified security group has been authorized in another one.',
);
export const InvalidIpProtocolValueNotSupported = defineError(
  'InvalidIpProtocol.ValueNotSupported',
  400,
  'The parameter IpProtocol must be specified with case insensitive TCP, UDP, ICMP, GRE or All.',
);
export const InvalidPortRangeMalformed = defineError(
  'InvalidPortRange.Malformed',
  400,
  'The specified parameter PortRange must set.',
);
export const InvalidParamPortRange = defineError(
  'InvalidParam.PortRange',
  400,
  'The specified parameter PortRange is not valid. It should be two integers less than 65535 in ?/? format.',
);
export const InvalidSourcePortRangeMalformed = defineError(
  'InvalidSourcePortRange.Malformed',
  400,
  'The specified parameter SourcePortRange is not valid.',
);
export const OperationDeniedProtocolPort = defineError(
  'OperationDenied',
  400,
  'The specified IpProtocol does not exist or IpProtocol and PortRange do not match.',
);
export const InvalidPolicyMalformedRule = defineError(
  'InvalidPolicy.Malformed',
  400,
  'The specified parameter Policy is not valid.',
);
export const InvalidPriorityMalformed = defineError(
  'InvalidPriority.Malformed',
  400,
  'The parameter Priority is invalid.',
);
export const InvalidPriorityValueNotSupported = defineError(
  'InvalidPriority.ValueNotSupported',
  400,
  'The specified parameter Priority is invalid.',
);
export const InvalidNicTypeValueNotSupported = defineError(
  'InvalidNicType.ValueNotSupported',
  400,
  'The specified NicType does not exist.',
);
export const MissingParameterSource = defineError(
  'MissingParameter.Source',
  400,
  'One of the parameters SourceCidrIp, Ipv6SourceCidrIp, SourceGroupId or SourcePrefixListId must be specified.',
);
export const MissingParameterDest = defineError(
  'MissingParameter.Dest',
  400,
  'One of the parameters DestCidrIp, Ipv6DestCidrIp, DestGroupId or DestPrefixListId must be specified.',
);
export const InvalidParamSourceIp = defineError(
  'InvalidParam.SourceIp',
  400,
  'The Parameters SourceCidrIp and Ipv6SourceCidrIp cannot be set at the same time.',
);
export const InvalidParamDestIp = defineError(
  'InvalidParam.DestIp',
  400,
  'The Parameters DestCidrIp and Ipv6DestCidrIp cannot be set at the same time.',
);
export const InvalidParamSourceCidrIp = defineError(
  'InvalidParam.SourceCidrIp',
  400,
  'The specified parameter SourceCidrIp is not valid.',
);
export const InvalidParamDestCidrIp = defineError(
  'InvalidParam.DestCidrIp',
  400,
  'The specified parameter DestCidrIp is not valid.',
);
export const InvalidParamIpv6SourceCidrIp = defineError(
  'InvalidParam.Ipv6SourceCidrIp',
  400,
  'The specified parameter Ipv6SourceCidrIp is not valid.',
);
export const InvalidParamIpv6DestCidrIp = defineError(
  'InvalidParam.Ipv6DestCidrIp',
  400,
  'The specified parameter Ipv6DestCidrIp is not valid.',
);
export const Ipv4ProtocolConflictWithIpv6Address = defineError(
  'InvalidParam.Ipv4ProtocolConflictWithIpv6Address',
  400,
  'IPv6 address cannot be specified for IPv4-specific protocol.',
);
export const Ipv6ProtocolConflictWithIpv4Address = defineError(
  'InvalidParam.Ipv6ProtocolConflictWithIpv4Address',
  400,
  'IPv4 address cannot be specified for IPv6-specific protocol.',
);
export const InvalidSecurityGroupDescriptionMalformed = defineError(
  'InvalidSecurityGroupDiscription.Malformed',
  400,
  'The specified security group rule description is not valid.',
);
export const InvalidParamPermissions = defineError(
  'InvalidParam.Permissions',
  400,
  'The specified parameter Permissions cannot coexist with other parameters.',
);
export const InvalidParamDuplicatePermissions = defineError(
  'InvalidParam.DuplicatePermissions',
  400,
  'There are duplicate permissions in the specified parameter Permissions.',
);
export const InvalidSourceGroupIdNotFound = defineError(
  'InvalidSourceGroupId.NotFound',
  404,
  'The SourceGroupId provided does not exist in our records.',
);
export const InvalidDestGroupIdNotFound = defineError(
  'InvalidDestGroupId.NotFound',
  404,
  'The DestGroupId provided does not exist in our records.',
);
export const InvalidSourceGroupIdMismatch = defineError(
  'InvalidSourceGroupId.Mismatch',
  400,
  'Specified security group and source group are not in the same VPC.',
);
export const InvalidDestGroupIdMismatch = defineError(
  'InvalidDestGroupId.Mismatch',
  400,
  'Specified security group and destination group are not in the same VPC.',
);
/** An ingress rule naming its own group (doc "AuthorizeSecurityGroup"; the code's spelling is Alibaba's). */
export const InvalidParamterConflict = defineError(
  'InvalidParamter.Conflict',
  403,
  'The specified SecurityGroupId should be different from the SourceGroupId.',
);
export const InvalidSecurityGroupIsSame = defineError(
  'InvalidSecurityGroup.IsSame',
  403,
  'The authorized SecurityGroupId should be different from the DestGroupId.',
);
export const InvalidPrefixListIdNotFound = defineError(
  'InvalidPrefixListId.NotFound',
  404,
  'The specified prefix list was not found.',
);
export const InvalidPortRangeListIdNotFound = defineError(
  'InvalidPortRangeListId.NotFound',
  400,
  'The specified port range list was not found.',
);
export const InvalidGroupParameterOperationDenied = defineError(
  'InvalidGroupParameter.OperationDenied',
  400,
  'The attributes Policy, SourceGroupId, DestGroupId of enterprise level security groups are not allowed to be set or modified.',
);
export const InvalidGroupAuthParameterOperationDenied = defineError(
  'InvalidGroupAuthParameter.OperationDenied',
  400,
  'The security group can not authorize to enterprise level security group.',
);
export const AuthorizationLimitExceed = defineError(
  'AuthorizationLimitExceed',
  403,
  'The limit of authorization records in the security group reaches.',
);
export const AuthorizedGroupRuleLimitExceed = defineError(
  'AuthorizedGroupRule.LimitExceed',
  400,
  'You have reached the limit on the number of group authorization rules that you can add to a security group.When authorization object of rule is security group, the limit is 20.',
);
export const InvalidSecurityGroupRuleIdNotFound = defineError(
  'InvalidSecurityGroupRuleId.NotFound',
  404,
  'The specified SecurityGroupRuleId is not exists.',
);
export const InvalidParamSecurityGroupRuleIdRepeated = defineError(
  'InvalidParam.SecurityGroupRuleIdRepeated',
  400,
  'The specified parameter SecurityGroupRuleId is repeated.',
);
export const InvalidSecurityGroupRuleRuleNotExist = defineError(
  'InvalidSecurityGroupRule.RuleNotExist',
  400,
  'The specified rule does not exist.',
);
export const InvalidParamterDirection = defineError('InvalidParamter', 400, 'Invalid Parameter.');
export const InvalidParameterAttributeNotSupported = defineError(
  'InvalidParameter.AttributeNotSupported',
  400,
  'The specified value for parameter Attribute is not supported. Valid values: snapshotPolicyIds.',
);
export const InvalidInstanceIdMismatch = defineError(
  'InvalidInstanceId.Mismatch',
  400,
  'Specified instance and security group are not in the same VPC.',
);
export const InvalidInstanceIdAlreadyExists = defineError(
  'InvalidInstanceId.AlreadyExists',
  403,
  'The specified instance already exists in the specified security group.',
);
export const InstanceSecurityGroupLimitExceeded = defineError(
  'InstanceSecurityGroupLimitExceeded',
  400,
  'Exceeding the allowed amount of security groups that an instance can be in.',
);
export const InvalidOperationMultiGroupType = defineError(
  'InvalidOperation.MultiGroupType',
  400,
  "The specified instance can't join different types of security group.",
);
export const InstanceLastSecurityGroup = defineError(
  'InstanceLastSecurityGroup',
  403,
  'The specified security group is the last security group for the instance.',
);
export const InvalidSecurityGroupAssociationNotFound = defineError(
  'InvalidSecurityGroupAssociation.NotFound',
  400,
  'The specified instance or network interface is not in the specified security group.',
);
export const InvalidParamEniIdAndInstanceIdConflict = defineError(
  'InvalidParam.EniIdAndInstanceId.Conflict',
  403,
  'The parameters InstanceId and NetworkInterfaceId cannot be specified at the same time.',
);
export const InvalidEniIdNotFound = defineError(
  'InvalidEniId.NotFound',
  404,
  'The specified NetworkInterfaceId does not exist.',
);
export const InvalidParameterSecurityGroupIdRepeated = defineError(
  'InvalidParameter.SecurityGroupIdRepeated',
  400,
  'The specified SecurityGroupIds contain duplicate values.',
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
