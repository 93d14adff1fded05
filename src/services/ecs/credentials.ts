/**
 * @module Instance RAM role credentials, as the metadata service hands them out: STS credentials
 * of the attached role, rotated in deterministic windows so every read in a window, on any node,
 * returns the identical credential without storing one.
 *
 * Alibaba documents 6-hour credentials and a new credential 30 minutes before the current one
 * expires, both valid meanwhile (doc "Use RAM roles to access other Alibaba Cloud services").
 * With W = 5.5 h counted from the moment the role was attached, credential k is issued at
 * `attachedAt + k·W` and expires 6 h later; during the first 30 minutes of window k credential
 * k-1 is still valid. The AccessKeyId is an HMAC under the STS sealing key of everything the
 * credential's claims are made of (instance, attach generation, window or fault, times, role,
 * policy), and the token is sealed with a synthetic nonce, an HMAC of the claims themselves
 * (`auth/sts-token.ts`): the same claims always seal to the same token, and different claims
 * never share a nonce, whatever the clock, window, fault or re-attachment.
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

/**
 * The credential the `expired-credential` fault serves at `now`: issued 6 h and a minute before
 * `now` (whole seconds), so it expired a minute ago. It belongs to no rotation window.
 * @example
 * expiredCredentialWindow(6 * 3600_000 + 60_000); // { issuedAt: 0, expiresAt: 21600000 }
 */
export function expiredCredentialWindow(now: number): Omit<CredentialWindow, 'index'> {
  const issuedAt = Math.floor(now / 1000) * 1000 - CREDENTIAL_LIFETIME_MS - 60_000;
  return { issuedAt, expiresAt: issuedAt + CREDENTIAL_LIFETIME_MS };
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
  const rotation = expired ? undefined : credentialWindow(attached.attachedAt, now);
  const w = rotation ?? expiredCredentialWindow(now);
  const key = await sts.keys.current(now);
  // INVARIANT: every input the claims are made of, unambiguously (a JSON array): credentials
  // whose claims differ get different AccessKeyIds. A fault credential is no window (its old
  // `index = -issuedAt` collided with real windows: `String(-0) === '0'`).
  const inputs = JSON.stringify([
    'yunbox-ecs-instance-credential-v2',
    rotation ? 'window' : 'expired',
    rotation ? rotation.index : null,
    instance.instanceId,
    instance.roleGeneration,
    w.issuedAt,
    w.expiresAt,
    role.accountId,
    role.roleId,
    role.roleName,
    attached.policy ?? null,
  ]);
  // The same inputs always seal to the same credential (see the module note), so a window's
  // credential is memoised: the metadata service reads it on every request.
  const memoKey = rotation === undefined ? undefined : key.id + '\0' + inputs;
  const memoised = memoKey === undefined ? undefined : issuedCredentials.get(memoKey);
  if (memoised && memoised.sealedBy === sts) return memoised.session;
  const session = await sts.issuer.issue({
    role,
    sessionName: instance.instanceId,
    issuedAt: w.issuedAt,
    expiresAt: w.expiresAt,
    ...(attached.policy !== undefined ? { policy: attached.policy } : {}),
    source: `ecs:${instance.instanceId}`,
    accessKeyId: 'STS.' + alnum(createHmac('sha256', key.key).update(inputs).digest(), 25),
    nonce: 'synthetic',
  });
  if (memoKey !== undefined) {
    // Handed to every reader of the window: frozen, as every cache's data.
    issuedCredentials.set(memoKey, { sealedBy: sts, session: Object.freeze(session) });
    if (issuedCredentials.size > MEMO_SIZE) {
      issuedCredentials.delete(issuedCredentials.keys().next().value!);
    }
  }
  return session;
}
