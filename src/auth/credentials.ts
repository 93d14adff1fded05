/**
 * @module From an AccessKeyId (and SecurityToken) to the signing secret and the principal, for
 * every protocol (RPC, OSS). Long-term keys come from RAM; `STS.` keys are checked against their
 * sealed token, with expiry on the one clock. Failures are reasons each protocol maps to its own
 * error codes.
 */
import type { Principal } from '../kernel/principal.js';
import { deriveStsSecret, openToken, type StsKey } from './sts-token.js';

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
  resolve(
    accessKeyId: string,
    securityToken: string | undefined,
    now: number,
  ): Promise<CredentialResult>;
}

/** Peeks the key id of a sealed token without opening it. */
function tokenKeyId(token: string): string | undefined {
  if (!token.startsWith('CAIS')) return undefined;
  const head = Buffer.from(token.slice(4, 4 + 360), 'base64');
  if (head.length < 2) return undefined;
  return head.subarray(2, 2 + head[1]!).toString('utf8');
}

/** Builds a resolver over `sources`. */
export function createCredentialResolver(sources: CredentialSources): CredentialResolver {
  return {
    async resolve(accessKeyId, securityToken, now) {
      if (accessKeyId.startsWith('STS.')) {
        if (securityToken === undefined || securityToken === '') {
          return { ok: false, reason: 'token-missing' };
        }
        const id = tokenKeyId(securityToken);
        const key = id !== undefined ? await sources.stsKey(id) : undefined;
        if (!key) return { ok: false, reason: 'token-malformed' };
        const opened = openToken(securityToken, (k) => (k === key.id ? key : undefined));
        if (!opened.ok) return { ok: false, reason: 'token-malformed' };
        const c = opened.claims;
        if (c.accessKeyId !== accessKeyId) return { ok: false, reason: 'token-mismatch' };
        if (now >= c.expiresAt) return { ok: false, reason: 'token-expired' };
        return {
          ok: true,
          secret: deriveStsSecret(key, accessKeyId),
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
