/**
 * @module What CreateInstance and RunInstances check and record beyond placement and state: the
 * system disk (category, size against the image and ECS's bounds, ESSD level), the password
 * (checked, then kept as a scrypt hash), the key pair to bind, release protection, the burstable
 * mode and jumbo frames. `../handlers.ts` calls {@link launchAttributes} before its DryRun check,
 * so a dry run refuses what a real launch would.
 */
import type { HandlerContext } from '../../../kernel/context.js';
import type { Image, InstanceTypeInfo } from '../catalogue.js';
import * as E from '../errors.js';
import type { KeyPairStore } from '../key-pairs/store.js';
import type { NewInstance } from '../store.js';
import {
  DEFAULT_DISK_CATEGORY,
  SYSTEM_DISK_SIZE,
  checkPassword,
  defaultSystemDiskSize,
  hashPassword,
  type DiskCategory,
} from './model.js';

/** The launch parameters this module reads (see `params.ts` `launchAttributeParams`). */
export interface LaunchAttributeInput {
  'SystemDisk.Category'?: string;
  'SystemDisk.Size'?: number;
  'SystemDisk.DiskName'?: string;
  'SystemDisk.Description'?: string;
  'SystemDisk.PerformanceLevel'?: string;
  Password?: string;
  KeyPairName?: string;
  DeletionProtection?: boolean;
  CreditSpecification?: string;
  'NetworkOptions.EnableJumboFrame'?: boolean;
}

/** Burstable families, the only ones with a CreditSpecification (doc "RunInstances"). */
export function isBurstable(type: InstanceTypeInfo): boolean {
  return /^ecs\.t[56]$/.test(type.family);
}

/**
 * Checks the launch attributes and returns what every instance of the launch records (the same
 * for each), but the password hash: {@link launchPasswordHash} makes it once every other check,
 * DryRun included, has passed.
 */
export async function launchAttributes(
  deps: { keyPairs: KeyPairStore },
  ctx: HandlerContext,
  regionId: string,
  input: LaunchAttributeInput,
  image: Image,
  type: InstanceTypeInfo,
): Promise<Partial<NewInstance>> {
  const category = (input['SystemDisk.Category'] ?? DEFAULT_DISK_CATEGORY) as DiskCategory;
  const size = input['SystemDisk.Size'] ?? defaultSystemDiskSize(image.size);
  if (size < SYSTEM_DISK_SIZE.min) {
    throw E.InvalidSystemDiskSizeLessThanMinSize(
      `The specified parameter SystemDisk.Size is less than the min size: ${size} GiB, at least ${SYSTEM_DISK_SIZE.min}.`,
    );
  }
  if (size > SYSTEM_DISK_SIZE.max) {
    throw E.InvalidSystemDiskSizeMoreThanMaxSize(
      `The specified SystemDisk.Size parameter exceeds the maximum size: ${size} GiB, at most ${SYSTEM_DISK_SIZE.max}.`,
    );
  }
  if (size < image.size) {
    throw E.InvalidSystemDiskSizeLessThanImageSize(
      `The specified parameter SystemDisk.Size is less than the image size: ${size} GiB, and \`${image.imageId}\` needs ${image.size}.`,
    );
  }
  if (input.CreditSpecification !== undefined && !isBurstable(type)) {
    throw E.InvalidCreditSpecification(
      `The specified CreditSpecification is not supported: \`${type.instanceTypeId}\` is not a burstable type (ecs.t5, ecs.t6).`,
    );
  }
  if (input.Password !== undefined && input.Password !== '') checkPassword(input.Password);
  let keyPair: NewInstance['keyPair'];
  if (input.KeyPairName !== undefined && input.KeyPairName !== '') {
    const kp = await deps.keyPairs.get(ctx.accountId, regionId, input.KeyPairName);
    if (!kp) {
      throw E.InvalidKeyPairNameNotFoundLaunch(
        `The specified parameter "KeyPairName" does not exist in our records: \`${input.KeyPairName}\` (DescribeKeyPairs lists yours).`,
      );
    }
    keyPair = { keyPairId: kp.keyPairId, keyPairName: kp.keyPairName, publicKey: kp.publicKey };
  }
  return {
    systemDisk: {
      category,
      size,
      name: input['SystemDisk.DiskName'] ?? '',
      description: input['SystemDisk.Description'] ?? '',
      performanceLevel:
        category === 'cloud_essd' ? (input['SystemDisk.PerformanceLevel'] ?? 'PL1') : '',
    },
    ...(keyPair ? { keyPair } : {}),
    deletionProtection: input.DeletionProtection ?? false,
    creditSpecification: isBurstable(type) ? (input.CreditSpecification ?? 'Standard') : '',
    jumboFrame: input['NetworkOptions.EnableJumboFrame'] ?? false,
  };
}

/** The scrypt hash of the launch's password, if it sets one (checked by {@link launchAttributes}). */
export async function launchPasswordHash(
  input: LaunchAttributeInput,
): Promise<Partial<NewInstance>> {
  return input.Password !== undefined && input.Password !== ''
    ? { passwordHash: await hashPassword(input.Password) }
    : {};
}
