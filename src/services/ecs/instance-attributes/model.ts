/**
 * @module What an instance has besides its place and state (`../model.ts`): the system disk every
 * instance has, the password (kept only as a scrypt hash), release protection, the burstable
 * performance mode, jumbo frames and the maintenance attributes; and the checks of user data and
 * passwords that CreateInstance, RunInstances and ModifyInstanceAttribute share.
 *
 * Sources: "RunInstances" and "CreateInstance" (SystemDisk.*, Password, UserData: at most 32 KB
 * before Base64), "ModifyInstanceAttribute" (a password cannot be reset while the instance is
 * Starting), "DescribeInstanceMaintenanceAttributes" (windows, ActionOnMaintenance and its
 * supported values).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import * as E from '../errors.js';

/** The disk categories yunbox offers, for system disks (and in DescribeZones). */
export const DISK_CATEGORIES = [
  'cloud_efficiency',
  'cloud_ssd',
  'cloud_essd',
  'cloud_auto',
] as const;
/** A disk category. */
export type DiskCategory = (typeof DISK_CATEGORIES)[number];
/** The system disk category when none is given (doc "CreateInstance": I/O optimized types). */
export const DEFAULT_DISK_CATEGORY: DiskCategory = 'cloud_efficiency';
/** ESSD performance levels; PL1 is the default of a `cloud_essd` disk. */
export const PERFORMANCE_LEVELS = ['PL0', 'PL1', 'PL2', 'PL3'] as const;
/** System disk sizes ECS accepts, GiB (doc "RunInstances": 20 to 2048 for all but basic disks). */
export const SYSTEM_DISK_SIZE = { min: 20, max: 2048 } as const;

/** The system disk of an instance (its id is derived from the instance's: {@link systemDiskIdOf}). */
export interface SystemDisk {
  category: DiskCategory;
  /** GiB. */
  size: number;
  name: string;
  description: string;
  /** `PL0`…`PL3` for `cloud_essd`, empty otherwise. */
  performanceLevel: string;
}

/** The system disk's id: `d-` and the instance id without `i-` (as the primary ENI's `eni-`). */
export function systemDiskIdOf(instanceId: string): string {
  return `d-${instanceId.replace(/^i-/, '')}`;
}

/** The instance a system disk id names, if it is one. */
export function instanceIdOfDisk(diskId: string): string | undefined {
  return diskId.startsWith('d-') && diskId.length > 2 ? `i-${diskId.slice(2)}` : undefined;
}

/** The system disk's default size: 40 GiB or the image's size, whichever is greater. */
export function defaultSystemDiskSize(imageSize: number | undefined): number {
  return Math.max(40, imageSize ?? 0);
}

/** What ECS does to an instance during maintenance (DescribeInstanceMaintenanceAttributes). */
export const MAINTENANCE_ACTIONS = ['Stop', 'AutoRecover', 'AutoRedeploy'] as const;
/** A maintenance action. */
export type MaintenanceAction = (typeof MAINTENANCE_ACTIONS)[number];

/** A maintenance window, times of day in UTC as ECS writes them (`02:00:00Z`). */
export interface MaintenanceWindow {
  startTime: string;
  endTime: string;
}

/** The maintenance attributes of an instance. */
export interface MaintenanceAttributes {
  windows: MaintenanceWindow[];
  action: MaintenanceAction;
  notify: boolean;
}

/** Maintenance attributes of a new instance: no window, AutoRecover, no notification. */
export const DEFAULT_MAINTENANCE: MaintenanceAttributes = {
  windows: [],
  action: 'AutoRecover',
  notify: false,
};

/** Burstable performance modes (CreditSpecification). */
export const CREDIT_SPECIFICATIONS = ['Standard', 'Unlimited'] as const;

/** The raw size limit of user data: 32 KB before Base64 (doc "RunInstances", UserData). */
export const USER_DATA_MAX_BYTES = 32 * 1024;
/** The longest Base64 text of {@link USER_DATA_MAX_BYTES} bytes. */
export const USER_DATA_MAX_BASE64 = Math.ceil(USER_DATA_MAX_BYTES / 3) * 4;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks Base64 user data: `InvalidUserData.Base64FormatInvalid` when it is not Base64,
 * `InvalidUserData.SizeExceeded` beyond 32 KB decoded. Returns the decoded bytes.
 * @example
 * checkUserData(input.UserData); // throws E.InvalidUserDataSizeExceeded for 33 KB
 */
export function checkUserData(text: string): Buffer {
  // INVARIANT: the parameter's declared bound caps `text` before this runs; BASE64 is linear.
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw E.InvalidUserDataBase64('The specified UserData is not valid: it is not Base64.');
  }
  const raw = Buffer.from(text, 'base64');
  if (raw.length > USER_DATA_MAX_BYTES) {
    throw E.InvalidUserDataSizeExceeded(
      `The specified parameter "UserData" exceeds the size: ${raw.length} bytes decoded, at most ${USER_DATA_MAX_BYTES}.`,
    );
  }
  return raw;
}

/** The special characters a password may contain (doc "RunInstances", Password). */
export const PASSWORD_SPECIALS = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/";

/**
 * Checks a password as ECS does: 8 to 30 characters, letters, digits and
 * {@link PASSWORD_SPECIALS} only, of at least three of the four kinds (upper case, lower case,
 * digits, specials). Throws `InvalidPassword.Malformed` saying which rule failed.
 */
export function checkPassword(password: string): void {
  const bad = (why: string) =>
    E.InvalidPasswordMalformed(`The specified parameter "Password" is not valid: ${why}.`);
  if (password.length < 8 || password.length > 30) {
    throw bad('it must be 8 to 30 characters long');
  }
  let upper = false;
  let lower = false;
  let digit = false;
  let special = false;
  for (const c of password) {
    if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= '0' && c <= '9') digit = true;
    else if (PASSWORD_SPECIALS.includes(c)) special = true;
    else throw bad('it may contain only letters, digits and ' + PASSWORD_SPECIALS);
  }
  if ([upper, lower, digit, special].filter(Boolean).length < 3) {
    throw bad(
      'it must contain at least three of upper-case letters, lower-case letters, digits and special characters',
    );
  }
}

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/**
 * How many scrypt computations run at once (each takes 16 MiB and tens of milliseconds): calls
 * beyond wait their turn, so many password changes at once cannot exhaust memory.
 */
export const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  // A finished computation hands its slot to the next waiter directly, so `running` never
  // exceeds the bound.
  if (running < MAX_CONCURRENT_HASHES) running++;
  else await new Promise<void>((go) => waiting.push(go));
  try {
    return await new Promise((resolve, reject) =>
      scryptCb(password, salt, KEY_LENGTH, SCRYPT, (err, key) =>
        err ? reject(err) : resolve(key),
      ),
    );
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/**
 * A salted scrypt hash of `password`, `scrypt$N$r$p$salt$hash` (Base64): what yunbox keeps of an
 * instance's password. The password itself is never stored or logged.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')]
    .map(String)
    .join('$');
}

/** True when `password` is the one `hash` was made of (constant-time comparison). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  if (Number(n) !== SCRYPT.N || Number(r) !== SCRYPT.r || Number(p) !== SCRYPT.p) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
