/**
 * @module From an AccessKeyId (and SecurityToken) to the signing secret and the principal, for
 * every protocol (RPC, OSS). Long-term keys come from RAM; `STS.` keys are checked against their
 * sealed token, with expiry on yunbox's clock (role sessions and instance credentials), or on the
 * real clock for console sessions, which moving a manual clock must never end. Failures are
 * reasons each protocol maps to its own error codes.
 */
import type { ClockReading } from '../kernel/clock.js';
import type { Principal } from '../kernel/principal.js';
import { deriveStsSecret, openToken, type StsClaims, type StsKey } from './sts-token.js';

/** Why credentials were refused. */
export type CredentialFailure =
  | 'key-not-found'
  | 'key-inactive'
  | 'token-missing'
  | 'token-malformed'
  | 'token-expired'
  | 'token-mismatch';

/** Resolution result. */
export type CredentialResult =
  | { ok: true; secret: string; principal: Exclude<Principal, { kind: 'anonymous' }> }
  | { ok: false; reason: CredentialFailure };

/** Where keys come from. */
export interface CredentialSources {
  /** A long-term key with its owner, or `undefined`. */
  longTermKey(accessKeyId: string): Promise<
    | {
        secret: string;
        active: boolean;
        principal: Exclude<Principal, { kind: 'anonymous' | 'role-session' }>;
      }
    | undefined
  >;
  /** A sealing key by id (cache, then store). */
  stsKey(id: string): Promise<StsKey | undefined>;
}

/** Resolves credentials of requests. */
export interface CredentialResolver {
  /** The secret and principal of `accessKeyId`, with token expiry judged at `at`. */
  resolve(
    accessKeyId: string,
    securityToken: string | undefined,
    at: ClockReading,
  ): Promise<CredentialResult>;
}

/** Peeks the key id of a sealed token without opening it. */
function tokenKeyId(token: string): string | undefined {
  if (!token.startsWith('CAIS')) return undefined;
  const head = Buffer.from(token.slice(4, 4 + 360), 'base64');
  if (head.length < 2) return undefined;
  return head.subarray(2, 2 + head[1]!).toString('utf8');
}

/** Tokens opened recently, newest last (a Map keeps insertion order): the LRU of the resolver. */
const OPENED_CACHE_SIZE = 2048;

/** A token already opened: its claims, the key that sealed it and the derived secret. */
interface Opened {
  key: StsKey;
  claims: StsClaims;
  secret: string;
}

/** Builds a resolver over `sources`. */
export function createCredentialResolver(sources: CredentialSources): CredentialResolver {
  // Opening a token (AES-GCM, JSON, HMAC for the secret) is a tenth of an OSS GET; a workload
  // presents the same token for up to an hour. A token's claims never change, so the opened form
  // is kept by the exact token text; the sealing key is still looked up every time (a retired
  // key stops its tokens at once), and expiry and the key id are checked on every request.
  const opened = new Map<string, Opened>();
  const open = (token: string, key: StsKey): Opened | undefined => {
    const hit = opened.get(token);
    if (hit && hit.key.id === key.id && hit.key.key.equals(key.key)) {
      opened.delete(token);
      opened.set(token, hit);
      return hit;
    }
    const o = openToken(token, (k) => (k === key.id ? key : undefined));
    if (!o.ok) return undefined;
    const entry = { key, claims: o.claims, secret: deriveStsSecret(key, o.claims.accessKeyId) };
    opened.set(token, entry);
    if (opened.size > OPENED_CACHE_SIZE) opened.delete(opened.keys().next().value!);
    return entry;
  };
  return {
    async resolve(accessKeyId, securityToken, at) {
      if (accessKeyId.startsWith('STS.')) {
        if (securityToken === undefined || securityToken === '') {
          return { ok: false, reason: 'token-missing' };
        }
        const id = tokenKeyId(securityToken);
        const key = id !== undefined ? await sources.stsKey(id) : undefined;
        if (!key) return { ok: false, reason: 'token-malformed' };
        const token = open(securityToken, key);
        if (!token) return { ok: false, reason: 'token-malformed' };
        const c = token.claims;
        if (c.accessKeyId !== accessKeyId) return { ok: false, reason: 'token-mismatch' };
        // Console sessions are issued and judged on the real clock (`console/session.ts`).
        const now = c.identity !== undefined ? at.real : at.now;
        if (now >= c.expiresAt) return { ok: false, reason: 'token-expired' };
        // A console session (src/console/session.ts) is its user's or account's own identity,
        // decided by the same policies as that identity's long-term keys, and lasts only while
        // the key it was signed in with does: disabling or deleting the key (or its user) ends it.
        if (c.identity !== undefined) {
          const k = await sources.longTermKey(c.identity.longTermKeyId);
          if (!k || k.principal.accountId !== c.accountId)
            return { ok: false, reason: 'key-not-found' };
          if (!k.active) return { ok: false, reason: 'key-inactive' };
          const p = k.principal;
          if (c.identity.kind === 'user') {
            if (p.kind !== 'user' || p.userId !== c.identity.userId) {
              return { ok: false, reason: 'key-not-found' };
            }
            return {
              ok: true,
              secret: token.secret,
              principal: {
                kind: 'user',
                accountId: c.accountId,
                userId: p.userId,
                userName: p.userName,
                accessKeyId,
              },
            };
          }
          if (p.kind !== 'account') return { ok: false, reason: 'key-not-found' };
          return {
            ok: true,
            secret: token.secret,
            principal: { kind: 'account', accountId: c.accountId, accessKeyId },
          };
        }
        return {
          ok: true,
          secret: token.secret,
          principal: {
            kind: 'role-session',
            accountId: c.accountId,
            roleId: c.roleId,
            roleName: c.roleName,
            sessionName: c.sessionName,
            accessKeyId,
            issuedAt: c.issuedAt,
            expiresAt: c.expiresAt,
            ...(c.policy !== undefined ? { sessionPolicy: c.policy } : {}),
            ...(c.source !== undefined ? { source: c.source } : {}),
          },
        };
      }
      const k = await sources.longTermKey(accessKeyId);
      if (!k) return { ok: false, reason: 'key-not-found' };
      if (!k.active) return { ok: false, reason: 'key-inactive' };
      return { ok: true, secret: k.secret, principal: k.principal };
    },
  };
}
