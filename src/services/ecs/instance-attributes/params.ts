/**
 * @module Parameter declarations the instance attribute, key pair and placement operations share
 * with CreateInstance and RunInstances (`../operations.ts` spreads {@link launchAttributeParams}):
 * system disk, password, user data, key pair name, release protection, burstable mode; and the
 * authorisation helper these operations use.
 */
import type { AuthzCheck, RequestInfo } from '../../../kernel/context.js';
import { InvalidParameter } from '../../../protocol/rpc-errors.js';
import { p, type Param } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import { ecsArn } from '../model.js';
import {
  CREDIT_SPECIFICATIONS,
  DISK_CATEGORIES,
  PERFORMANCE_LEVELS,
  USER_DATA_MAX_BASE64,
} from './model.js';

// Printable text that does not start with a URL scheme (names, descriptions).
// eslint-disable-next-line no-control-regex
const NOT_A_URL = /^(?!https?:\/\/)[^\u0000-\u001f]*$/su;

/** The region of the call (the served one; handlers check it). */
export const RegionId = p.required(
  p.str({ min: 1, max: 64, doc: 'region id (the served region)' }),
);
/** An optional region id. */
export const OptionalRegionId = p.str({ max: 64, doc: 'region id (the served region)' });
/** One instance id. */
export const InstanceId = p.required(p.str({ min: 1, max: 64, doc: 'instance id, `i-…`' }));

/** Base64 user data, at most 32 KB decoded (doc "RunInstances", UserData). */
export const UserData = p.str({
  max: USER_DATA_MAX_BASE64,
  lengthError: E.InvalidUserDataSizeExceeded,
  doc: 'user data, Base64 of at most 32 KB (served at /latest/user-data)',
});

/** An instance password (checked by `checkPassword`; kept only as a scrypt hash). */
export const Password = p.str({
  max: 64,
  lengthError: E.InvalidPasswordMalformed,
  doc: "login password: 8-30 characters, three of upper case, lower case, digits and ()`~!@#$%^&*-_+=|{}[]:;'<>,.?/ (kept only as a hash)",
});

/** A disk name (SystemDisk.DiskName, ModifyDiskAttribute). */
export const DiskName = p.str({
  min: 2,
  max: 128,
  pattern: /^(?!https?:\/\/)\p{L}[\p{L}\p{N}:_.-]*$/u,
  lengthError: E.InvalidDiskNameMalformed,
  charsError: E.InvalidDiskNameMalformed,
  doc: 'disk name: 2-128 characters, starting with a letter; letters, digits, : _ . -',
});

/** A disk description. */
export const DiskDescription = p.str({
  min: 2,
  max: 256,
  pattern: NOT_A_URL,
  lengthError: E.InvalidDiskDescriptionMalformed,
  charsError: E.InvalidDiskDescriptionMalformed,
  doc: 'disk description, 2-256 characters',
});

/** A decimal number parameter (`Memory=0.5`), bounded. */
export function decimal(o: { min: number; max: number; doc: string }): Param<number> {
  return {
    info: { type: 'string', required: false, min: o.min, max: o.max, doc: o.doc },
    read(bag, name) {
      const v = bag.get(name);
      if (v === undefined) return undefined;
      const n = /^\d{1,9}(\.\d{1,6})?$/.test(v.trim()) ? Number(v.trim()) : NaN;
      if (!(n >= o.min && n <= o.max)) {
        throw InvalidParameter(
          `The specified parameter "${name}" is not valid: expected a number between ${o.min} and ${o.max}.`,
        );
      }
      return n;
    },
  };
}

/** Parameters CreateInstance and RunInstances take beyond placement and state. */
export const launchAttributeParams = {
  'SystemDisk.Category': p.str({
    enum: DISK_CATEGORIES,
    charsError: E.InvalidSystemDiskCategory,
    doc: `system disk category: ${DISK_CATEGORIES.join(', ')} (cloud_efficiency)`,
  }),
  'SystemDisk.Size': p.int({
    min: 1,
    max: 1_000_000,
    error: E.InvalidSystemDiskSize,
    doc: 'system disk size, GiB: 20-2048 and at least the image size (max of 40 and the image size)',
  }),
  'SystemDisk.DiskName': DiskName,
  'SystemDisk.Description': DiskDescription,
  'SystemDisk.PerformanceLevel': p.str({
    enum: PERFORMANCE_LEVELS,
    charsError: E.InvalidPerformanceLevel,
    doc: 'ESSD performance level, PL0-PL3 (PL1; cloud_essd only)',
  }),
  Password,
  KeyPairName: p.str({ max: 128, doc: 'SSH key pair to bind (CreateKeyPair, ImportKeyPair)' }),
  DeletionProtection: p.bool({ doc: 'release protection: DeleteInstance refuses while on' }),
  CreditSpecification: p.str({
    enum: CREDIT_SPECIFICATIONS,
    charsError: E.InvalidCreditSpecification,
    doc: 'burstable instances (ecs.t5, ecs.t6): Standard or Unlimited',
  }),
  'NetworkOptions.EnableJumboFrame': p.bool({ doc: 'jumbo frames (recorded, shown)' }),
};

const region = (i: { RegionId?: string }, info: RequestInfo) => i.RegionId ?? info.region;

/**
 * Authorises `action` on the ECS resource `resource(input)` in the call's region.
 * @example
 * authz: ecsCheck('ecs:DescribeDisks', () => 'disk/*'),
 */
export const ecsCheck =
  (action: string, resource: (i: any) => string | string[]) =>
  (i: any, info: RequestInfo): AuthzCheck[] => {
    const r = resource(i);
    return [...new Set(Array.isArray(r) ? r : [r])].map((res) => ({
      action,
      resource: ecsArn(region(i, info), info.accountId, res),
    }));
  };
