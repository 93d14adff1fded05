/**
 * @module yunbox as an OIDC issuer, so federation can be tried with nothing outside: each account
 * has an issuer at `<https gateway>/_yunbox/oidc/<account>` whose discovery document and JWKS the
 * gateway serves to anyone (public documents, like a real issuer's), and whose RS256 key pair is
 * made once, on the first signed call that describes or uses it, and kept in the store (the private key is
 * never logged or answered). The Yunbox API's `DescribeOIDCIssuer` tells what to register
 * (issuer URL, SHA-1 fingerprint of the CA that vouches for the HTTPS listener) and
 * `IssueOIDCToken` signs a token, both decided by RAM (`yunbox:<Action>` on
 * `acs:yunbox::<account>:oidc-issuer`).
 */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isoSeconds } from '../../kernel/clock.js';
import type { AuthzCheck, RequestInfo } from '../../kernel/context.js';
import { defineError } from '../../kernel/errors.js';
import { signJwtRs256 } from '../../auth/jwt.js';
import {
  bind,
  defineOperation,
  type BoundOperation,
  type Handler,
} from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import { validClientId } from './model.js';
import type { IssuerKey, IssuerKeyStore } from './store.js';

/** Path prefix of the issuers on the gateway. */
export const OIDC_ISSUER_PATH = '/_yunbox/oidc/';
/** Longest and shortest token lifetime `IssueOIDCToken` signs (seconds). */
export const MAX_TOKEN_TTL = 86_400;
export const MIN_TOKEN_TTL = 60;

/** DescribeOIDCIssuer or IssueOIDCToken on a server without its HTTPS listener. */
export const OperationDeniedNoHttps = defineError(
  'OperationDenied.NoHttpsListener',
  403,
  'The OIDC issuer is served on the HTTPS gateway, which this server does not run. Start yunbox with --tls-listen.',
);
export const InvalidParameterSubject = defineError(
  'InvalidParameter.Subject',
  400,
  'The parameter Subject is invalid: 1-255 printable characters.',
);
export const InvalidParameterAudience = defineError(
  'InvalidParameter.Audience',
  400,
  'The parameter Audience is invalid: a client ID of up to 128 letters, digits, `.`, `-`, `_`, `:`, `/`.',
);
export const InvalidParameterTokenDuration = defineError(
  'InvalidParameter.DurationSeconds',
  400,
  `The parameter DurationSeconds is invalid: ${MIN_TOKEN_TTL} to ${MAX_TOKEN_TTL} seconds.`,
);

/** Where the issuers are reached and what vouches for them (set once the HTTPS listener runs). */
export interface IssuerEndpoint {
  /** `https://host:port` of the HTTPS gateway. */
  httpsEndpoint: string;
  /** PEM of the CA that signed the gateway's certificate. */
  caPem: string;
}

/** `acs:yunbox::<account>:oidc-issuer` */
export function issuerResource(accountId: string): string {
  return `acs:yunbox::${accountId}:oidc-issuer`;
}

/** Lower-case hex SHA-1 of a PEM certificate's DER (the fingerprint IMS takes). */
export function certificateFingerprint(pem: string): string {
  return createHash('sha1').update(new X509Certificate(pem).raw).digest('hex');
}

function newKey(accountId: string, now: number): IssuerKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  return {
    accountId,
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
    createdAt: now,
  };
}

/** yunbox's per-account OIDC issuers. */
export class OidcIssuer {
  readonly #keys: IssuerKeyStore;
  #endpoint: IssuerEndpoint | undefined;
  constructor(keys: IssuerKeyStore) {
    this.#keys = keys;
  }

  /**
   * Tells where the HTTPS gateway listens (main.ts, once it does). A wildcard listen address
   * becomes loopback, a name the gateway's certificate carries.
   */
  configure(endpoint: IssuerEndpoint): void {
    const httpsEndpoint = endpoint.httpsEndpoint
      .replace(/^https:\/\/0\.0\.0\.0:/, 'https://127.0.0.1:')
      .replace(/^https:\/\/\[::\]:/, 'https://[::1]:');
    this.#endpoint = { ...endpoint, httpsEndpoint };
  }

  /** The HTTPS gateway and its CA, when it runs. */
  get endpoint(): IssuerEndpoint | undefined {
    return this.#endpoint;
  }

  /** The issuer URL of `accountId`, or undefined without the HTTPS listener. */
  issuerUrl(accountId: string): string | undefined {
    return this.#endpoint ? `${this.#endpoint.httpsEndpoint}/_yunbox/oidc/${accountId}` : undefined;
  }

  /** The account's key pair, made on first use. */
  ensureKey(accountId: string, now: number): Promise<IssuerKey> {
    return this.#keys.ensureKey(accountId, () => newKey(accountId, now));
  }

  /** Signs a token for `sub` and `aud`, valid `ttl` seconds from `now` (ms). */
  async sign(accountId: string, sub: string, aud: string, now: number, ttl: number) {
    const iss = this.issuerUrl(accountId);
    if (iss === undefined) throw OperationDeniedNoHttps();
    const key = await this.ensureKey(accountId, now);
    const iat = Math.floor(now / 1000);
    const token = signJwtRs256(
      { iss, sub, aud, iat, nbf: iat, exp: iat + ttl, jti: randomBytes(12).toString('hex') },
      key.privateKeyPem,
      key.kid,
    );
    return { token, expiresAt: (iat + ttl) * 1000, issuer: iss };
  }

  /**
   * Serves `GET <issuer>/.well-known/openid-configuration` and `GET <issuer>/jwks.json`; false
   * for other paths. Accounts without a key (none signed yet) are 404: a stranger's request never
   * makes a key.
   */
  admin() {
    return async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (!path.startsWith(OIDC_ISSUER_PATH)) return false;
      const m =
        /^\/_yunbox\/oidc\/(\d{1,32})\/(\.well-known\/openid-configuration|jwks\.json)$/.exec(path);
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          'cache-control': status === 200 ? 'max-age=300' : 'no-cache',
          'x-yunbox-request-id': requestId,
        });
        res.end(req.method === 'HEAD' ? undefined : text);
        return true;
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(405, { error: `method \`${req.method}\` not allowed here` });
      }
      const accountId = m?.[1];
      const iss = accountId !== undefined ? this.issuerUrl(accountId) : undefined;
      const key = accountId !== undefined ? await this.#keys.getKey(accountId) : undefined;
      if (!m || !accountId || !iss || !key) {
        return send(404, { error: 'no such oidc issuer document' });
      }
      if (m[2] === 'jwks.json') return send(200, { keys: [key.publicJwk] });
      return send(200, {
        issuer: iss,
        jwks_uri: `${iss}/jwks.json`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'],
      });
    };
  }
}

const onIssuer =
  (action: string) =>
  (_: unknown, info: RequestInfo): AuthzCheck[] => [
    { action, resource: issuerResource(info.accountId) },
  ];

export const DescribeOIDCIssuer = defineOperation({
  name: 'DescribeOIDCIssuer',
  params: {},
  authz: onIssuer('yunbox:DescribeOIDCIssuer'),
  readOnly: true,
  doc: "Show the account's OIDC issuer: URL, JWKS URL and the CA fingerprint to register",
});

export const IssueOIDCToken = defineOperation({
  name: 'IssueOIDCToken',
  params: {
    Subject: p.required(
      p.str({
        min: 1,
        max: 255,
        pattern: /^[\x21-\x7e]+$/,
        lengthError: InvalidParameterSubject,
        charsError: InvalidParameterSubject,
        doc: 'the `sub` claim, e.g. system:serviceaccount:default:app',
      }),
    ),
    Audience: p.required(
      p.str({
        min: 1,
        max: 128,
        lengthError: InvalidParameterAudience,
        doc: 'the `aud` claim: a client ID registered with the OIDC provider',
      }),
    ),
    DurationSeconds: p.int({
      min: MIN_TOKEN_TTL,
      max: MAX_TOKEN_TTL,
      error: InvalidParameterTokenDuration,
      doc: `validity in seconds, ${MIN_TOKEN_TTL}-${MAX_TOKEN_TTL} (default 3600)`,
    }),
  },
  authz: onIssuer('yunbox:IssueOIDCToken'),
  doc: "Sign an OIDC token with the account's issuer",
});

/** The issuer's Yunbox API operations. */
export function issuerOperations(issuer: OidcIssuer): BoundOperation[] {
  const describe: Handler<(typeof DescribeOIDCIssuer)['params']> = async (ctx) => {
    const iss = issuer.issuerUrl(ctx.accountId);
    const ep = issuer.endpoint;
    if (iss === undefined || !ep) throw OperationDeniedNoHttps();
    // Its documents are served from now on: a provider can be registered and checked at once.
    await issuer.ensureKey(ctx.accountId, ctx.now);
    return {
      IssuerUrl: iss,
      JwksUri: `${iss}/jwks.json`,
      Fingerprint: certificateFingerprint(ep.caPem),
      Algorithm: 'RS256',
    };
  };
  const issue: Handler<(typeof IssueOIDCToken)['params']> = async (ctx, i) => {
    if (!validClientId(i.Audience)) throw InvalidParameterAudience();
    const ttl = i.DurationSeconds ?? 3600;
    const t = await issuer.sign(ctx.accountId, i.Subject, i.Audience, ctx.now, ttl);
    return { Token: t.token, IssuerUrl: t.issuer, Expiration: isoSeconds(t.expiresAt) };
  };
  return [bind(DescribeOIDCIssuer, describe), bind(IssueOIDCToken, issue)];
}
