/**
 * @module ECS wire shapes: domain values to the PascalCase bodies the official SDKs map (every
 * list wrapper an array, even with one element; openapi.md §d).
 */
import type { ClockReading } from '../../kernel/clock.js';
import type { Image, InstanceTypeInfo } from './catalogue.js';
import {
  ecsTime,
  hasSettled,
  macOf,
  networkInterfaceIdOf,
  visibleStatus,
  type Instance,
} from './model.js';

/** Subscription expiry Alibaba shows for pay-as-you-go instances. */
const NEVER = '2099-12-31T15:59Z';

function common(i: Instance, at: ClockReading, type: InstanceTypeInfo | undefined) {
  const status = visibleStatus(i, at);
  return {
    InstanceId: i.instanceId,
    InstanceName: i.instanceName,
    Description: i.description,
    HostName: i.hostName,
    ImageId: i.imageId,
    InstanceType: i.instanceType,
    Cpu: type?.cpu ?? 0,
    Memory: Math.round((type?.memory ?? 0) * 1024),
    RegionId: i.regionId,
    ZoneId: i.zoneId,
    Status: status,
    SerialNumber: i.serialNumber,
    CreationTime: ecsTime(i.createdAt),
    ExpiredTime: NEVER,
    InstanceChargeType: 'PostPaid',
    InternetChargeType: 'PayByTraffic',
    InternetMaxBandwidthIn: 0,
    InternetMaxBandwidthOut: 0,
    InstanceNetworkType: 'vpc',
    StoppedMode: status === 'Stopped' ? 'KeepCharging' : 'Not-applicable',
    CreditSpecification: i.creditSpecification,
    ClusterId: '',
    VlanId: '',
    VpcAttributes: {
      VpcId: i.vpcId,
      VSwitchId: i.vswitchId,
      PrivateIpAddress: { IpAddress: [i.privateIp] },
      NatIpAddress: '',
    },
    PublicIpAddress: { IpAddress: [] as string[] },
    InnerIpAddress: { IpAddress: [] as string[] },
    EipAddress: { AllocationId: '', IpAddress: '', Bandwidth: 0, InternetChargeType: '' },
    SecurityGroupIds: { SecurityGroupId: i.securityGroupIds },
    OperationLocks: { LockReason: [] as unknown[] },
  };
}

/** An instance as DescribeInstances lists it (`Instances.Instance[]`). */
export function instanceToWire(
  i: Instance,
  at: ClockReading,
  type: InstanceTypeInfo | undefined,
  image: Image | undefined,
) {
  return {
    ...common(i, at, type),
    InstanceTypeFamily: type?.family ?? '',
    OSName: image?.osName ?? '',
    OSNameEn: image?.osNameEn ?? '',
    OSType: image?.osType ?? 'linux',
    StartTime:
      i.startedAt !== undefined && (i.startedAt <= at.now || hasSettled(i, at))
        ? ecsTime(i.startedAt)
        : '',
    IoOptimized: true,
    DeletionProtection: i.deletionProtection,
    DeviceAvailable: true,
    Recyclable: false,
    GPUAmount: 0,
    GPUSpec: '',
    KeyPairName: i.keyPair?.keyPairName ?? '',
    ResourceGroupId: '',
    AutoReleaseTime: '',
    HpcClusterId: '',
    SpotStrategy: 'NoSpot',
    SpotPriceLimit: 0,
    SpotDuration: 0,
    LocalStorageAmount: 0,
    LocalStorageCapacity: 0,
    RdmaIpAddress: { IpAddress: [] as string[] },
    Tags: { Tag: i.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
    NetworkInterfaces: {
      NetworkInterface: [
        {
          NetworkInterfaceId: networkInterfaceIdOf(i.instanceId),
          MacAddress: macOf(i.seq),
          PrimaryIpAddress: i.privateIp,
          Type: 'Primary',
          PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: i.privateIp, Primary: true }] },
          Ipv6Sets: { Ipv6Set: [] as unknown[] },
          Ipv4PrefixSets: { Ipv4PrefixSet: [] as unknown[] },
          Ipv6PrefixSets: { Ipv6PrefixSet: [] as unknown[] },
        },
      ],
    },
    MetadataOptions: {
      HttpEndpoint: i.metadata.httpEndpoint,
      HttpTokens: i.metadata.httpTokens,
      HttpPutResponseHopLimit: i.metadata.hopLimit,
      InstanceMetadataTags: i.metadata.instanceMetadataTags,
    },
    CpuOptions: {
      CoreCount: Math.max(1, Math.floor((type?.cpu ?? 2) / 2)),
      ThreadsPerCore: 2,
      Numa: '',
    },
    HibernationOptions: { Configured: false },
    // Read by terraform-provider-alicloud's alicloud_instance after every change.
    DedicatedHostAttribute: {
      DedicatedHostId: '',
      DedicatedHostName: '',
      DedicatedHostClusterId: '',
    },
    DeploymentSetId: '',
    DeploymentSetGroupNo: 0,
    SpotInterruptionBehavior: 'Terminate',
    ImageOptions: { LoginAsNonRoot: false },
    AdditionalInfo: { EnableHighDensityMode: false },
  };
}

/** DescribeInstanceAttribute's body. */
export function instanceAttributeToWire(
  i: Instance,
  at: ClockReading,
  type: InstanceTypeInfo | undefined,
) {
  return {
    ...common(i, at, type),
    IoOptimized: 'optimized',
    EnableJumboFrame: i.jumboFrame,
    EnableNetworkEncryption: false,
    DedicatedHostAttribute: { DedicatedHostId: '', DedicatedHostName: '' },
  };
}

/** An image as DescribeImages lists it. */
export function imageToWire(img: Image) {
  return {
    ImageId: img.imageId,
    ImageName: img.imageName,
    ImageVersion: '',
    ImageFamily: '',
    Description: img.description,
    OSName: img.osName,
    OSNameEn: img.osNameEn,
    OSType: img.osType,
    Platform: img.platform,
    Architecture: img.architecture,
    Size: img.size,
    Status: 'Available',
    Progress: '100%',
    ImageOwnerAlias: 'system',
    IsPublic: true,
    IsSelfShared: '',
    IsSubscribed: false,
    IsCopied: false,
    IsSupportCloudinit: true,
    IsSupportIoOptimized: true,
    Usage: 'instance',
    BootMode: 'BIOS',
    ProductCode: '',
    LoginAsNonRootSupported: false,
    CreationTime: img.creationTime,
    DiskDeviceMappings: {
      DiskDeviceMapping: [
        { Device: '/dev/xvda', Size: String(img.size), Type: 'system', Format: '', SnapshotId: '' },
      ],
    },
    Features: { NvmeSupport: 'supported', ImdsSupport: 'v2' },
    Tags: { Tag: [] as unknown[] },
  };
}

/** An instance type as DescribeInstanceTypes lists it. */
export function instanceTypeToWire(t: InstanceTypeInfo) {
  return {
    InstanceTypeId: t.instanceTypeId,
    InstanceTypeFamily: t.family,
    InstanceCategory: t.category,
    InstanceFamilyLevel: t.category === 'Shared' ? 'EntryLevel' : 'EnterpriseLevel',
    CpuArchitecture: t.architecture,
    CpuCoreCount: t.cpu,
    MemorySize: t.memory,
    InstanceBandwidthRx: t.bandwidth,
    InstanceBandwidthTx: t.bandwidth,
    InstancePpsRx: t.pps,
    InstancePpsTx: t.pps,
    EniQuantity: t.eniQuantity,
    EniTotalQuantity: t.eniQuantity,
    EniPrivateIpAddressQuantity: t.eniIps,
    EniIpv6AddressQuantity: 1,
    EniTrunkSupported: true,
    GPUAmount: 0,
    GPUSpec: '',
    GPUMemorySize: 0,
    LocalStorageCategory: '',
    LocalStorageAmount: 0,
    LocalStorageCapacity: 0,
    DiskQuantity: 17,
    NvmeSupport: 'required',
    PrimaryEniQueueNumber: 2,
    SecondaryEniQueueNumber: 2,
    TotalEniQueueQuantity: 2 * t.eniQuantity,
    MaximumQueueNumberPerEni: 2,
    QueuePairNumber: 0,
    EriQuantity: 0,
    InitialCredit: 0,
    BaselineCredit: 0,
    JumboFrameSupport: false,
    NetworkEncryptionSupport: false,
    NetworkCardQuantity: 1,
    SupportedBootModes: { SupportedBootMode: ['BIOS', 'UEFI'] },
    CpuOptions: {
      Core: Math.max(1, Math.floor(t.cpu / 2)),
      ThreadsPerCore: 2,
      CoreFactor: 2,
      HyperThreadingAdjustable: false,
      SupportedTopologyTypes: { SupportedTopologyType: [] as string[] },
    },
  };
}
