/**
 * @module The built-in catalogue of images and instance types (DescribeImages,
 * DescribeInstanceTypes, and what CreateInstance accepts). Small on purpose: the tutorial's
 * `centos_7_03_64_40G_alibase_20170503.vhd` and `ecs.g6.large`, the images and types in
 * Alibaba's API examples and terraform-provider-alicloud's, and a few common families. Every
 * zone offers every type (placement/catalogue.ts); docs/ecs-catalogue.md lists them.
 */

/** A public image. */
export interface Image {
  imageId: string;
  imageName: string;
  osName: string;
  osNameEn: string;
  osType: 'linux' | 'windows';
  platform: string;
  architecture: 'x86_64' | 'arm64';
  /** System disk size, GiB. */
  size: number;
  creationTime: string;
  description: string;
}

/** An instance type. */
export interface InstanceTypeInfo {
  instanceTypeId: string;
  family: string;
  cpu: number;
  /** GiB. */
  memory: number;
  /** Kbit/s. */
  bandwidth: number;
  pps: number;
  eniQuantity: number;
  eniIps: number;
  category: string;
  architecture: 'X86' | 'ARM';
}

const img = (
  imageId: string,
  osName: string,
  platform: string,
  size: number,
  creationTime: string,
  architecture: Image['architecture'] = 'x86_64',
): Image => ({
  imageId,
  imageName: imageId,
  osName,
  osNameEn: osName,
  osType: 'linux',
  platform,
  architecture,
  size,
  creationTime,
  description: `${osName} public image`,
});

/** The public images. */
export const IMAGES: readonly Image[] = [
  img(
    'centos_7_03_64_40G_alibase_20170503.vhd',
    'CentOS  7.3 64位',
    'CentOS',
    40,
    '2017-05-03T00:00:00Z',
  ),
  img(
    'centos_7_9_x64_20G_alibase_20240628.vhd',
    'CentOS  7.9 64位',
    'CentOS',
    20,
    '2024-06-28T00:00:00Z',
  ),
  img(
    'aliyun_3_x64_20G_alibase_20210425.vhd',
    'Alibaba Cloud Linux  3.2104 64位',
    'Aliyun',
    20,
    '2021-04-25T00:00:00Z',
  ),
  img(
    'aliyun_3_x64_20G_alibase_20240819.vhd',
    'Alibaba Cloud Linux  3.2104 LTS 64位',
    'Aliyun',
    20,
    '2024-08-19T00:00:00Z',
  ),
  img(
    'aliyun_3_arm64_20G_alibase_20240819.vhd',
    'Alibaba Cloud Linux  3.2104 LTS 64位 ARM版',
    'Aliyun',
    20,
    '2024-08-19T00:00:00Z',
    'arm64',
  ),
  img(
    'ubuntu_18_04_64_20G_alibase_20190624.vhd',
    'Ubuntu  18.04 64位',
    'Ubuntu',
    20,
    '2019-06-24T00:00:00Z',
  ),
  img(
    'ubuntu_22_04_x64_20G_alibase_20240710.vhd',
    'Ubuntu  22.04 64位',
    'Ubuntu',
    20,
    '2024-07-10T00:00:00Z',
  ),
  img(
    'debian_12_6_x64_20G_alibase_20240715.vhd',
    'Debian  12.6 64位',
    'Debian',
    20,
    '2024-07-15T00:00:00Z',
  ),
];

const type = (
  instanceTypeId: string,
  cpu: number,
  memory: number,
  bandwidth: number,
  pps: number,
  category = 'General-purpose',
  architecture: InstanceTypeInfo['architecture'] = 'X86',
): InstanceTypeInfo => ({
  instanceTypeId,
  // `ecs.t6-c1m1.large` is of family `ecs.t6`.
  family: instanceTypeId.split('.').slice(0, 2).join('.').replace(/-.*$/, ''),
  cpu,
  memory,
  bandwidth,
  pps,
  eniQuantity: cpu <= 2 ? 2 : 3,
  eniIps: cpu <= 2 ? 6 : 10,
  category,
  architecture,
});

/** The instance types. */
export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  type('ecs.g6.large', 2, 8, 1_000_000, 300_000),
  type('ecs.g6.xlarge', 4, 16, 1_500_000, 500_000),
  type('ecs.g7.large', 2, 8, 2_000_000, 900_000),
  type('ecs.g7.xlarge', 4, 16, 3_000_000, 1_000_000),
  type('ecs.c6.large', 2, 4, 1_000_000, 300_000, 'Compute-optimized'),
  type('ecs.c7.large', 2, 4, 2_000_000, 900_000, 'Compute-optimized'),
  type('ecs.r6.large', 2, 16, 1_000_000, 300_000, 'Memory-optimized'),
  type('ecs.g8y.large', 2, 8, 2_000_000, 1_000_000, 'General-purpose', 'ARM'),
  type('ecs.t6-c1m1.large', 2, 2, 200_000, 60_000, 'Shared'),
  // Types of terraform-provider-alicloud's examples and of Alibaba's docs.
  type('ecs.t5-lc1m2.small', 1, 2, 100_000, 60_000, 'Shared'),
  type('ecs.n4.large', 2, 4, 500_000, 100_000),
  type('ecs.sn1ne.large', 2, 4, 1_000_000, 300_000, 'Compute-optimized'),
  type('ecs.g5.large', 2, 8, 1_000_000, 300_000),
  type('ecs.g6e.large', 2, 8, 1_200_000, 900_000),
];

/** The image with `id`, if any. */
export function findImage(id: string): Image | undefined {
  return IMAGES.find((i) => i.imageId === id);
}

/** The instance type with `id`, if any. */
export function findInstanceType(id: string): InstanceTypeInfo | undefined {
  return INSTANCE_TYPES.find((t) => t.instanceTypeId === id);
}
