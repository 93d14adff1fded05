/**
 * @module The console's sign-in (`POST /_yunbox/console/session`): an AccessKey pair (the root
 * account's or a RAM user's) in, STS-style temporary credentials of that same identity out (not a
 * role's: the token's claims carry the identity, `auth/sts-token.ts`, and `auth/credentials.ts`
 * resolves them to the user or account, so the same policies decide). The long-term secret is
 * checked once and never stored or returned; the page keeps only the temporary credentials. The
 * session names the AccessKey it was made from, and ends when that key is disabled or deleted.
 * It lasts an hour of real time: issued and judged on the host's real clock, never yunbox's, so
 * moving a manual clock (even from the console's own buttons) never signs anyone out.
 * Attempts are rate-limited and recorded in the audit trail by `index.ts`.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { CredentialResolver } from '../auth/credentials.js';
import {
  newStsAccessKeyId,
  sealCredentials,
  type SessionIdentity,
  type StsKey,
} from '../auth/sts-token.js';
import { isoSeconds } from '../kernel/clock.js';
import { principalArn, type Principal } from '../kernel/principal.js';

/** How long a console session lasts (1 h, on the real clock). */
export const CONSOLE_SESSION_MS = 3600_000;

/** What signing in needs. */
export interface SessionDeps {
  resolver: CredentialResolver;
  /** The current STS sealing key. */
  stsKey(now: number): Promise<StsKey>;
  /** yunbox's clock. */
  now(): number;
  /** The host's real clock, which sessions live on. */
  real(): number;
  region: string;
}

/** A console answer: status and JSON body (`Code` and `Message` on errors). */
export interface ConsoleReply {
  status: number;
  body: Record<string, unknown>;
}

/** A sign-in attempt's answer, and what the audit trail records of it. */
export interface SignInOutcome {
  reply: ConsoleReply;
  /** The AccessKeyId presented (`''` when there was none). */
  presentedKeyId: string;
  /** Who signed in, on success. */
  principal?: Extract<Principal, { kind: 'user' | 'account' }>;
}

const fail = (status: number, code: string, message: string): ConsoleReply => ({
  status,
  body: { Code: code, Message: message },
});

function sameSecret(a: string, b: string): boolean {
  // Hashes first, so the comparison takes the same time whatever the lengths.
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Signs in with `body` (`{accessKeyId, accessKeySecret}`): the temporary credentials, their expiry
 * and who they are for, or `Code`/`Message`; with the key presented and, on success, the
 * principal (for the trail). A key that does not exist and a wrong secret get the same answer.
 * @example
 * (await signIn(deps, { accessKeyId: 'LTAI…', accessKeySecret: '…' })).reply // { status: 200, body: { AccessKeyId: 'STS.…', … } }
 */
export async function signIn(deps: SessionDeps, body: unknown): Promise<SignInOutcome> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const id = b.accessKeyId;
  const secret = b.accessKeySecret;
  const presentedKeyId = typeof id === 'string' ? id : '';
  const refuse = (status: number, code: string, message: string): SignInOutcome => ({
    reply: fail(status, code, message),
    presentedKeyId,
  });
  if (typeof id !== 'string' || id === '' || id.length > 128) {
    return refuse(400, 'MissingAccessKeyId', 'an AccessKey id is required');
  }
  if (typeof secret !== 'string' || secret === '' || secret.length > 256) {
    return refuse(400, 'MissingAccessKeySecret', 'an AccessKey secret is required');
  }
  if (id.startsWith('STS.')) {
    return refuse(
      400,
      'InvalidAccessKeyId.Temporary',
      'sign in with a long-term AccessKey (root or RAM user), not a temporary `STS.` one',
    );
  }
  const now = deps.now();
  const real = deps.real();
  const found = await deps.resolver.resolve(id, undefined, { now, real });
  // One answer for a missing key, an inactive one and a wrong secret: nobody learns which keys
  // exist without proving one.
  const invalid = () =>
    refuse(
      401,
      'InvalidAccessKey',
      'the AccessKey id or secret is not valid, or the key is inactive',
    );
  if (!found.ok || !sameSecret(found.secret, secret)) return invalid();
  const p = found.principal;
  if (p.kind !== 'user' && p.kind !== 'account') return invalid();
  const identity: SessionIdentity =
    p.kind === 'user'
      ? { kind: 'user', userId: p.userId, userName: p.userName, longTermKeyId: id }
      : { kind: 'account', longTermKeyId: id };
  const expiresAt = Math.floor(real / 1000) * 1000 + CONSOLE_SESSION_MS;
  const creds = sealCredentials(
    {
      accessKeyId: newStsAccessKeyId(),
      accountId: p.accountId,
      roleId: '',
      roleName: '',
      sessionName: 'console',
      issuedAt: real,
      expiresAt,
      source: `console:${principalArn(p)}`,
      identity,
    },
    await deps.stsKey(now),
  );
  return {
    presentedKeyId,
    principal: p,
    reply: {
      status: 200,
      body: {
        AccessKeyId: creds.accessKeyId,
        AccessKeySecret: creds.accessKeySecret,
        SecurityToken: creds.securityToken,
        Expiration: isoSeconds(expiresAt),
        Identity: {
          Type: p.kind === 'user' ? 'RAMUser' : 'Account',
          Arn: principalArn(p),
          AccountId: p.accountId,
          ...(p.kind === 'user' ? { UserName: p.userName, UserId: p.userId } : {}),
        },
        Region: deps.region,
      },
    },
  };
}
