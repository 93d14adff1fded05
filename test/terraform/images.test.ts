/**
 * Terraform replay of `data "alicloud_images"` with the official Tea ECS client, as
 * terraform-provider-alicloud's data_source_alicloud_images.go reads it: DescribeImages with
 * PageNumber 1 and PageSize 100 and the configured owners, status, image id and name, instance
 * type, architecture and OS type, page after page while a page is full; `name_regex` and
 * `most_recent` (latest RFC 3339 CreationTime) applied client-side; then each image's tags
 * through DescribeTags, whose failure the provider ignores. Checks every attribute it sets. Runs
 * on the store YUNBOX_TEST_STORE selects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf } from '../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { declared, rpcPost, type EcsClient } from './provider-rpc.js';

let yb: TestServer;
let ecs: EcsClient;

beforeAll(async () => {
  yb = await startTestServer();
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

interface ImagesArgs {
  name_regex?: string;
  owners?: string;
  most_recent?: boolean;
  instance_type?: string;
  architecture?: string;
  os_type?: string;
  status?: string;
}

/** dataSourceAlicloudImagesRead: the calls and the attributes it sets. */
async function readImages(args: ImagesArgs) {
  const all: $Ecs.DescribeImagesResponseBodyImagesImage[] = [];
  for (let pageNumber = 1; pageNumber < 20; pageNumber++) {
    const r = await ecs.describeImages(
      new $Ecs.DescribeImagesRequest({
        regionId: yb.region,
        pageNumber,
        pageSize: 100,
        ...(args.owners ? { imageOwnerAlias: args.owners } : {}),
        ...(args.status ? { status: args.status } : {}),
        ...(args.instance_type ? { instanceType: args.instance_type } : {}),
        ...(args.architecture ? { architecture: args.architecture } : {}),
        ...(args.os_type ? { OSType: args.os_type } : {}),
      }),
    );
    const page = r.body!.images?.image ?? [];
    if (page.length < 1) break;
    all.push(...page);
    if (page.length < 50) break;
  }
  let images = args.name_regex
    ? all.filter((i) => i.imageName !== '' && new RegExp(args.name_regex!).test(i.imageName!))
    : all;
  if (images.length > 1 && args.most_recent) {
    images = [
      images.reduce((a, b) => (Date.parse(b.creationTime!) > Date.parse(a.creationTime!) ? b : a)),
    ];
  }
  const out = [];
  for (const image of images) {
    // imageTagsMappings: DescribeTags, a failure read as no tags.
    let tags: unknown = null;
    if (declared('Ecs', 'DescribeTags')) {
      tags = await rpcPost(ecs, 'DescribeTags', {
        RegionId: yb.region,
        ResourceType: 'image',
        ResourceId: image.imageId,
      }).catch(() => null);
    }
    expect(Date.parse(image.creationTime!), 'CreationTime is RFC 3339').not.toBeNaN();
    out.push({
      id: image.imageId,
      architecture: image.architecture,
      creation_time: image.creationTime,
      description: image.description,
      image_id: image.imageId,
      image_owner_alias: image.imageOwnerAlias,
      os_name: image.OSName,
      os_name_en: image.OSNameEn,
      os_type: image.OSType,
      name: image.imageName,
      platform: image.platform,
      status: image.status,
      state: image.status,
      size: image.size,
      is_self_shared: image.isSelfShared,
      is_subscribed: image.isSubscribed,
      is_copied: image.isCopied,
      is_support_io_optimized: image.isSupportIoOptimized,
      image_version: image.imageVersion,
      progress: image.progress,
      usage: image.usage,
      product_code: image.productCode,
      disk_device_mappings: image.diskDeviceMappings!.diskDeviceMapping!.map((m) => ({
        device: m.device,
        size: m.size,
        snapshot_id: m.snapshotId,
      })),
      tags,
    });
  }
  return out;
}

describe('data "alicloud_images"', () => {
  it('the most recent 64-bit Ubuntu of the system images, with every attribute read', async () => {
    const [image, ...rest] = await readImages({
      name_regex: '^ubuntu_[0-9]+_[0-9]+_x64*',
      owners: 'system',
      most_recent: true,
    });
    expect(rest).toEqual([]);
    expect(image).toMatchObject({
      id: 'ubuntu_22_04_x64_20G_alibase_20240710.vhd',
      image_id: 'ubuntu_22_04_x64_20G_alibase_20240710.vhd',
      name: 'ubuntu_22_04_x64_20G_alibase_20240710.vhd',
      architecture: 'x86_64',
      creation_time: '2024-07-10T00:00:00Z',
      image_owner_alias: 'system',
      os_type: 'linux',
      platform: 'Ubuntu',
      status: 'Available',
      state: 'Available',
      size: 20,
      is_subscribed: false,
      is_copied: false,
      is_support_io_optimized: true,
      progress: '100%',
      usage: 'instance',
      disk_device_mappings: [{ device: '/dev/xvda', size: '20', snapshot_id: '' }],
    });
    expect(image!.os_name).toContain('Ubuntu');
  });

  it('every CentOS 7, the images of an ARM type, and no custom images', async () => {
    const centos = await readImages({ name_regex: '^centos_7', owners: 'system' });
    expect(centos.map((i) => i.id)).toEqual([
      'centos_7_03_64_40G_alibase_20170503.vhd',
      'centos_7_9_x64_20G_alibase_20240628.vhd',
    ]);
    const arm = await readImages({ instance_type: 'ecs.g8y.large' });
    expect(arm.map((i) => i.architecture)).toEqual(['arm64']);
    expect(await readImages({ architecture: 'arm64', most_recent: true })).toHaveLength(1);
    expect(await readImages({ owners: 'self' })).toEqual([]);
    expect((await readImages({ os_type: 'windows' })).length).toBe(0);
  });
});
