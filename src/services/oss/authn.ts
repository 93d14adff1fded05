/**
 * @module The OSS authn stage (oss.md §3.4, §4): read whichever signature a request carries (V1,
 * OSS2 or V4; header or URL; or none), check its time (its own date within 15 minutes of yunbox's
 * clock or the host's real one; presigned expiry on yunbox's clock), resolve the AccessKeyId (RAM
 * key or STS token, expiry on yunbox's clock) and verify the signature.
 * Failures carry OSS's own codes: `InvalidAccessKeyId`, `SecurityTokenExpired`,
 * `InvalidSecurityToken`, `RequestTimeTooSkewed`, `AccessDenied` "Request has expired.",
 * `SignatureDoesNotMatch`. Anonymous requests go through as the anonymous principal.
 */
import type { CredentialFailure, CredentialResolver } from '../../auth/credentials.js';
import {
  invalidAccessKeyId,
  invalidSecurityToken,
  securityTokenExpired,
  signatureDoesNotMatch,
} from '../../auth/oss-common.js';
import { checkOssAuthTime, readOssAuth, verifyOssSignature } from '../../auth/oss-auth.js';
import type { OssRequest } from '../../auth/oss-request.js';
import type { ClockReading } from '../../kernel/clock.js';
import type { Principal } from '../../kernel/principal.js';
import type { OssFailure } from '../../protocol/oss-errors.js';
import { OssError } from './errors.js';

/** The failure of a credential resolution, in OSS's codes. */
export function credentialFailure(
  reason: CredentialFailure,
  accessKeyId: string,
  securityToken: string | undefined,
): OssFailure {
  switch (reason) {
    case 'key-not-found':
      return invalidAccessKeyId(accessKeyId);
    case 'key-inactive':
      return invalidAccessKeyId(accessKeyId, { disabled: true });
    case 'token-missing':
      return invalidAccessKeyId(accessKeyId, { stsWithoutToken: true });
    case 'token-malformed':
    case 'token-mismatch':
      return invalidSecurityToken();
    case 'token-expired':
      return securityTokenExpired(securityToken ?? '');
  }
}

/** Who signed, with the secret to check other signatures by (PostObject's policy). */
export interface Resolved {
  principal: Exclude<Principal, { kind: 'anonymous' }>;
  secret: string;
}

/** Resolves an AccessKeyId (and token); throws the OSS error when refused. */
export async function resolveKey(
  resolver: CredentialResolver,
  accessKeyId: string,
  securityToken: string | undefined,
  at: ClockReading,
): Promise<Resolved> {
  const r = await resolver.resolve(accessKeyId, securityToken, at);
  if (!r.ok) throw OssError.from(credentialFailure(r.reason, accessKeyId, securityToken));
  return { principal: r.principal, secret: r.secret };
}

/**
 * Authenticates a request signed in its header or URL; `anonymous` when unsigned. `region` is
 * the standard region id a V4 scope must name (the bucket's, or the endpoint's).
 * @example
 * const who = await authenticate(resolver, request, 'cn-hangzhou', readClock(clock));
 */
export async function authenticate(
  resolver: CredentialResolver,
  request: OssRequest,
  region: string,
  at: ClockReading,
): Promise<Principal> {
  const read = readOssAuth(request, { regions: [region] });
  if (!read.ok) throw OssError.from(read);
  if (read.value === 'anonymous') return { kind: 'anonymous' };
  const auth = read.value;
  const late = checkOssAuthTime(auth, at);
  if (late) throw OssError.from(late);
  const { principal, secret } = await resolveKey(
    resolver,
    auth.accessKeyId,
    auth.securityToken,
    at,
  );
  if (!verifyOssSignature(auth, secret)) throw OssError.from(signatureDoesNotMatch(auth));
  return principal;
}
