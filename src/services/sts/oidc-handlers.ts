/**
 * @module STS AssumeRoleWithOIDC (unsigned, doc "AssumeRoleWithOIDC"): the OIDC token is the
 * caller's only credential. In order, each refusal with Alibaba's code and yunbox's reason:
 *
 * ```
 * provider   OIDCProviderArn names a provider of the role's account      AuthenticationFail.NoPermission
 * decode     three base64url parts, JSON, alg RS256 or ES256              AuthenticationFail.OIDCToken.Invalid
 * iss        the provider's issuer URL (before anything is fetched)       AuthenticationFail.OIDCToken.Invalid
 * keys       discovery + JWKS over verified HTTPS                         AuthenticationFail.OIDCToken.HttpsUrlInvalid
 *            a presented certificate has a registered fingerprint         AuthenticationFail.OIDCToken.PublicKeyFingerprintMismatch
 * signature  by the key its `kid` names (or any, without one)             AuthenticationFail.OIDCToken.InvalidSignature
 * times      exp > now >= nbf, iat <= now, iat within IssuanceLimitTime   AuthenticationFail.OIDCToken.Expired / .Invalid
 * aud        one of the provider's client IDs                            AuthenticationFail.OIDCToken.AudienceNotMatch
 * role       exists; its trust policy allows the provider (Federated)    EntityNotExist.Role /
 *            under conditions on oidc:iss, oidc:aud, oidc:sub             AuthenticationFail.NoPermission
 * ```
 * Times are yunbox's clock. The session is issued like AssumeRole's, so its credentials work
 * everywhere AssumeRole's do.
 */
import { compilePolicy, evaluateTrust } from '../../policy/index.js';
import { isoSeconds } from '../../kernel/clock.js';
import { ramArn } from '../../kernel/principal.js';
import { decodeJwt, verifyJwtSignature, type DecodedJwt } from '../../auth/jwt.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import type { RamApi } from '../ram/api.js';
import { parseOidcProviderArn, type ImsApi, type OidcProvider } from '../ims/index.js';
import type { StsIssuer } from './issuer.js';
import { IssuerFetchError, type OidcKeySource } from './oidc-keys.js';
import type { AssumeRoleWithOIDC } from './operations.js';
import { checkedSessionPolicy, roleArnParts } from './handlers.js';
import {
  AuthenticationFailNoPermission,
  AuthenticationFailOIDCTokenAudienceNotMatch,
  AuthenticationFailOIDCTokenExpired,
  AuthenticationFailOIDCTokenFingerprintMismatch,
  AuthenticationFailOIDCTokenHttpsUrlInvalid,
  AuthenticationFailOIDCTokenInvalid,
  AuthenticationFailOIDCTokenInvalidSignature,
  InvalidParameterDurationSeconds,
  InvalidParameterOIDCProviderArn,
  StsEntityNotExistRole,
} from './errors.js';

/** Dependencies of AssumeRoleWithOIDC. */
export interface OidcHandlerDeps {
  ram: RamApi;
  ims: ImsApi;
  issuer: StsIssuer;
  keys: OidcKeySource;
}

/** The claims checked, as read from a token. */
interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number | undefined;
}

function readClaims(jwt: DecodedJwt): Claims {
  const c = jwt.payload;
  const missing = (name: string) =>
    AuthenticationFailOIDCTokenInvalid(
      `The Jwt content is invalid that cannot be recognized: the claim \`${name}\` is missing or not of its type.`,
    );
  if (typeof c.iss !== 'string' || c.iss === '') throw missing('iss');
  if (typeof c.sub !== 'string' || c.sub === '') throw missing('sub');
  const aud =
    typeof c.aud === 'string'
      ? [c.aud]
      : Array.isArray(c.aud) && c.aud.length > 0 && c.aud.every((a) => typeof a === 'string')
        ? (c.aud as string[])
        : undefined;
  if (!aud) throw missing('aud');
  if (typeof c.exp !== 'number' || !Number.isFinite(c.exp)) throw missing('exp');
  if (typeof c.iat !== 'number' || !Number.isFinite(c.iat)) throw missing('iat');
  if (c.nbf !== undefined && (typeof c.nbf !== 'number' || !Number.isFinite(c.nbf))) {
    throw missing('nbf');
  }
  return { iss: c.iss, sub: c.sub, aud, exp: c.exp, iat: c.iat, nbf: c.nbf as number | undefined };
}

function iso(seconds: number): string {
  return isoSeconds(Math.round(seconds) * 1000);
}

/** Checks the token's signature against the provider's issuer keys. */
async function checkSignature(
  deps: OidcHandlerDeps,
  provider: OidcProvider,
  jwt: DecodedJwt,
): Promise<void> {
  const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
  const load = async (fresh: boolean) => {
    try {
      return await deps.keys.keys(provider.issuerUrl, fresh);
    } catch (e) {
      if (e instanceof IssuerFetchError) {
        throw AuthenticationFailOIDCTokenHttpsUrlInvalid(
          `Invoke url failed due to certificate chain validation: the keys of issuer \`${provider.issuerUrl}\` could not be fetched: ${e.message}.`,
        );
      }
      throw e;
    }
  };
  let keys = await load(false);
  if (kid !== undefined && !keys.keys.some((k) => k.kid === kid)) keys = await load(true);
  if (!keys.fingerprints.some((f) => provider.fingerprints.includes(f))) {
    throw AuthenticationFailOIDCTokenFingerprintMismatch(
      `The fingerprint of the certificate of the OIDC provider URL matches none of the fingerprints of the OIDC provider: \`${provider.issuerUrl}\` presented ${keys.fingerprints.join(', ') || 'no certificate'}; registered ${provider.fingerprints.join(', ')}.`,
    );
  }
  const candidates = keys.keys.filter((k) => kid === undefined || k.kid === kid);
  if (!candidates.some((k) => verifyJwtSignature(jwt, k.key))) {
    throw AuthenticationFailOIDCTokenInvalidSignature(
      kid !== undefined && candidates.length === 0
        ? `OIDC token validate failed: invalid signature. The issuer's JWKS has no key \`${kid.slice(0, 64)}\`.`
        : `OIDC token validate failed: invalid signature. No ${String(jwt.header.alg)} key of the issuer's JWKS verifies it.`,
    );
  }
}

/** AssumeRoleWithOIDC. */
export function assumeRoleWithOidc(
  deps: OidcHandlerDeps,
): Handler<(typeof AssumeRoleWithOIDC)['params']> {
  return async (ctx, input) => {
    const providerRef = parseOidcProviderArn(input.OIDCProviderArn);
    if (!providerRef) throw InvalidParameterOIDCProviderArn();
    const [roleAccount, roleName] = roleArnParts(input.RoleArn);
    const sessionPolicy = checkedSessionPolicy(input.Policy);
    // The provider must be the role's account's: a role trusts only its own account's IdPs.
    const provider =
      providerRef.accountId === roleAccount
        ? await deps.ims.getOidcProvider(providerRef.accountId, providerRef.name)
        : undefined;
    if (!provider) {
      throw AuthenticationFailNoPermission(
        providerRef.accountId === roleAccount
          ? `No such OIDC Provider registered: \`${providerRef.name}\` in account ${providerRef.accountId}.`
          : `No such OIDC Provider registered: the provider is in account ${providerRef.accountId}, the role in account ${roleAccount}; a role trusts providers of its own account.`,
      );
    }
    // The role's account has this provider: its trail gets the event, refused or not (the call
    // is unsigned, so no caller's account would hold it).
    ctx.attributeTo?.(roleAccount);
    const decoded = decodeJwt(input.OIDCToken);
    if (!decoded.ok) throw AuthenticationFailOIDCTokenInvalid(decoded.message);
    const jwt = decoded.jwt;
    const claims = readClaims(jwt);
    if (claims.iss !== provider.issuerUrl) {
      throw AuthenticationFailOIDCTokenInvalid(
        `The issuer of the OIDCToken \`${claims.iss.slice(0, 256)}\` is not the issuer URL \`${provider.issuerUrl}\` of OIDC provider \`${provider.name}\`.`,
      );
    }
    await checkSignature(deps, provider, jwt);
    const now = ctx.now / 1000;
    if (claims.exp <= now) {
      throw AuthenticationFailOIDCTokenExpired(
        `This JsonWebToken is expired: it expired at ${iso(claims.exp)}, and the time is ${isoSeconds(ctx.now)} by yunbox's clock.`,
      );
    }
    if (claims.nbf !== undefined && claims.nbf > now) {
      throw AuthenticationFailOIDCTokenInvalid(
        `The OIDCToken is not valid yet: its nbf is ${iso(claims.nbf)}, and the time is ${isoSeconds(ctx.now)} by yunbox's clock.`,
      );
    }
    if (claims.iat > now) {
      throw AuthenticationFailOIDCTokenInvalid(
        `The OIDCToken was issued in the future: its iat is ${iso(claims.iat)}, and the time is ${isoSeconds(ctx.now)} by yunbox's clock.`,
      );
    }
    if (claims.iat < now - provider.issuanceLimitHours * 3600) {
      throw AuthenticationFailOIDCTokenInvalid(
        `The OIDCToken was issued at ${iso(claims.iat)}, more than the IssuanceLimitTime of ${provider.issuanceLimitHours} hours of OIDC provider \`${provider.name}\` ago.`,
      );
    }
    if (!claims.aud.some((a) => provider.clientIds.includes(a))) {
      throw AuthenticationFailOIDCTokenAudienceNotMatch(
        `Invalid audience: the token's aud ${claims.aud.map((a) => `\`${a.slice(0, 128)}\``).join(', ')} is none of the client IDs of OIDC provider \`${provider.name}\` (${provider.clientIds.join(', ') || 'none'}).`,
      );
    }
    const role = await deps.ram.getRole(roleAccount, roleName);
    if (!role) throw StsEntityNotExistRole();
    const providerArn = ramArn(provider.accountId, `oidc-provider/${provider.name}`);
    const trust = compilePolicy(role.trustPolicy, 'trust');
    if (!trust.ok) throw AuthenticationFailNoPermission('The trust policy of the role is invalid.');
    const decision = evaluateTrust(
      { name: `${role.roleName} trust policy`, type: 'Trust', policy: trust.policy },
      { kind: 'federated', provider: providerArn },
      {
        'acs:SourceIp': ctx.sourceIp,
        'acs:SecureTransport': ctx.secure,
        'acs:CurrentTime': isoSeconds(ctx.now),
        'oidc:iss': claims.iss,
        'oidc:aud': claims.aud,
        'oidc:sub': claims.sub,
      },
    );
    if (decision.decision !== 'allow') {
      throw AuthenticationFailNoPermission(
        `There is no permission: the trust policy of role \`${role.roleName}\` does not allow OIDC provider \`${provider.name}\` with subject \`${claims.sub.slice(0, 255)}\` to assume it: ${decision.explanation}`,
      );
    }
    const duration = input.DurationSeconds ?? 3600;
    if (duration < 900 || duration > role.maxSessionDuration) {
      throw InvalidParameterDurationSeconds(
        `The Min/Max value of DurationSeconds is 15min/${role.maxSessionDuration / 3600}hr.`,
      );
    }
    const sessionName = input.RoleSessionName ?? `oidc-${Math.floor(ctx.now / 1000)}`;
    const session = await deps.issuer.issue({
      role: { accountId: role.accountId, roleId: role.roleId, roleName: role.roleName },
      sessionName,
      issuedAt: ctx.now,
      expiresAt: ctx.now + duration * 1000,
      ...(sessionPolicy !== undefined ? { policy: sessionPolicy } : {}),
      source: `${providerArn}/${claims.sub.slice(0, 255)}`,
    });
    return {
      OIDCTokenInfo: {
        Subject: claims.sub,
        Issuer: claims.iss,
        ClientIds: claims.aud.join(','),
        IssuanceTime: iso(claims.iat),
        ExpirationTime: iso(claims.exp),
        VerificationInfo: `Success: signature verified with a key of ${provider.issuerUrl}`,
      },
      AssumedRoleUser: {
        AssumedRoleId: `${role.roleId}:${sessionName}`,
        Arn: ramArn(role.accountId, `role/${role.roleName}/${sessionName}`),
      },
      Credentials: {
        AccessKeyId: session.accessKeyId,
        AccessKeySecret: session.accessKeySecret,
        SecurityToken: session.securityToken,
        Expiration: isoSeconds(session.expiresAt),
      },
    };
  };
}
