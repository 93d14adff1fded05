/**
 * @module Instance RAM role credentials, as the metadata service hands them out: STS credentials
 * of the attached role, rotated in deterministic windows so every read in a window, on any node,
 * returns the identical credential without storing one.
 *
 * Alibaba documents 6-hour credentials and a new credential 30 minutes before the current one
 * expires, both valid meanwhile (doc "Use RAM roles to access other Alibaba Cloud services").
 * With W = 5.5 h counted from the moment the role was attached, credential k is issued at
 * `attachedAt + k·W` and expires 6 h later; during the first 30 minutes of window k credential
 * k-1 is still valid. The AccessKeyId and the token's GCM IV are HMACs of the STS sealing key over
 * (instance, attach generation, window, role), so the same claims always seal to the same token.
 */
import { createHmac } from 'node:crypto';
import type { IssuedSession, StsIssuer, StsKeyStore } from '../sts/index.js';
import type { Instance } from './model.js';

/** Lifetime of an instance credential (6 h, as in Alibaba's examples). */
export const CREDENTIAL_LIFETIME_MS = 6 * 3600_000;
/** A new credential every 5.5 h: 30 minutes before the previous one expires. */
export const ROTATION_WINDOW_MS = 5.5 * 3600_000;

/** One rotation window. */
export interface CredentialWindow {
  index: number;
  issuedAt: number;
  expiresAt: number;
}

/**
 * The window `now` falls in, for a role attached at `attachedAt`.
 * @example
 * credentialWindow(0, 5.5 * 3600_000); // { index: 1, issuedAt: 19800000, expiresAt: 41400000 }
 */
export function credentialWindow(attachedAt: number, now: number): CredentialWindow {
  const index = Math.max(0, Math.floor((now - attachedAt) / ROTATION_WINDOW_MS));
  const issuedAt = attachedAt + index * ROTATION_WINDOW_MS;
  return { index, issuedAt, expiresAt: issuedAt + CREDENTIAL_LIFETIME_MS };
}

/** The role an instance credential is for. */
export interface CredentialRole {
  accountId: string;
  roleId: string;
  roleName: string;
}

/** What minting instance credentials needs from STS. */
export interface CredentialMinter {
  issuer: StsIssuer;
  keys: StsKeyStore;
}

/** Credentials of current windows, by their inputs (oldest first; a bounded memo). */
const issuedCredentials = new Map<string, { sealedBy: CredentialMinter; session: IssuedSession }>();
const MEMO_SIZE = 4096;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += ALNUM[bytes[i % bytes.length]! % 62];
  return out;
}

/**
 * The credential the metadata service serves for `instance` at `now`: the current window's, or,
 * with `expired`, one that expired a minute ago (the `expired-credential` fault).
 */
export async function instanceCredential(
  sts: CredentialMinter,
  instance: Pick<Instance, 'instanceId' | 'roleGeneration' | 'role'>,
  role: CredentialRole,
  now: number,
  expired = false,
): Promise<IssuedSession> {
  const attached = instance.role!;
  const w = expired
    ? (() => {
        const issuedAt = Math.floor(now / 1000) * 1000 - CREDENTIAL_LIFETIME_MS - 60_000;
        return { index: -issuedAt, issuedAt, expiresAt: issuedAt + CREDENTIAL_LIFETIME_MS };
      })()
    : credentialWindow(attached.attachedAt, now);
  const key = await sts.keys.current(now);
  // The same inputs always seal to the same credential (see the module note), so a window's
  // credential is memoised: the metadata service reads it on every request.
  const memoKey = expired
    ? undefined
    : [
        key.id,
        instance.instanceId,
        instance.roleGeneration,
        w.index,
        w.issuedAt,
        role.accountId,
        role.roleId,
        role.roleName,
        attached.policy ?? '',
      ].join('\0');
  const memoised = memoKey === undefined ? undefined : issuedCredentials.get(memoKey);
  if (memoised && memoised.sealedBy === sts) return memoised.session;
  const derive = (label: string) =>
    createHmac('sha256', key.key)
      .update(
        [
          'yunbox-ecs-instance-credential',
          label,
          instance.instanceId,
          String(instance.roleGeneration),
          String(w.index),
          role.roleId,
          role.roleName,
        ].join('\0'),
      )
      .digest();
  const session = await sts.issuer.issue({
    role,
    sessionName: instance.instanceId,
    issuedAt: w.issuedAt,
    expiresAt: w.expiresAt,
    ...(attached.policy !== undefined ? { policy: attached.policy } : {}),
    source: `ecs:${instance.instanceId}`,
    accessKeyId: 'STS.' + alnum(derive('access-key-id'), 25),
    iv: derive('iv').subarray(0, 12),
  });
  if (memoKey !== undefined) {
    issuedCredentials.set(memoKey, { sealedBy: sts, session });
    if (issuedCredentials.size > MEMO_SIZE) {
      issuedCredentials.delete(issuedCredentials.keys().next().value!);
    }
  }
  return session;
}
