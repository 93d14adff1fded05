/**
 * @module The signing keys of OIDC issuers, as AssumeRoleWithOIDC needs them: the issuer's
 * discovery document (`<issuer>/.well-known/openid-configuration`) names its JWKS, both fetched
 * over HTTPS only, with the certificate chain verified (system CAs plus yunbox's own CA, so
 * yunbox's issuers verify too), a time limit per request, a size limit per document, no redirects,
 * and a bounded count of keys. The SHA-1 fingerprints of the certificates presented are kept with
 * the keys, so every use is checked against the provider's registered fingerprints (doc
 * "CreateOIDCProvider": the fingerprint of the issuer's HTTPS CA certificate).
 *
 * Keys are cached per issuer URL (at most {@link MAX_ISSUERS}, each for {@link KEY_TTL_MS} of real
 * time; a token naming an unknown `kid` refetches at most every {@link REFETCH_MS}); one fetch per
 * issuer is in flight at a time. The cache holds remote data, never an authority of yunbox's.
 */
import { request } from 'node:https';
import { rootCertificates, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { KeyObject } from 'node:crypto';
import { importJwk } from '../../auth/jwt.js';

/** Longest wait for one document (connect + answer). */
export const FETCH_TIMEOUT_MS = 5000;
/** Largest discovery document or JWKS read. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
/** Most keys kept from one JWKS. */
export const MAX_KEYS = 32;
/** Most issuers whose keys are cached. */
export const MAX_ISSUERS = 256;
/** How long fetched keys are used. */
export const KEY_TTL_MS = 5 * 60_000;
/** Shortest interval between fetches of one issuer when a token names a key not (yet) known. */
export const REFETCH_MS = 30_000;

/** One issuer's keys and the fingerprints of the certificates its endpoints presented. */
export interface IssuerKeys {
  keys: Array<{ kid: string | undefined; key: KeyObject }>;
  /** Lower-case hex SHA-1 of every certificate in the presented chains. */
  fingerprints: string[];
  fetchedAt: number;
}

/** Why an issuer's keys could not be had (`HttpsUrlInvalid` in Alibaba's words). */
export class IssuerFetchError extends Error {}

/** Fetches and caches issuers' keys. */
export interface OidcKeySource {
  /** The issuer's keys; `fresh` forces a refetch (rate-limited by {@link REFETCH_MS}). */
  keys(issuerUrl: string, fresh?: boolean): Promise<IssuerKeys>;
}

function chainFingerprints(cert: PeerCertificate | undefined): string[] {
  const out: string[] = [];
  let c: any = cert;
  for (let i = 0; c && c.fingerprint && i < 10; i++) {
    const f = String(c.fingerprint).replaceAll(':', '').toLowerCase();
    if (!out.includes(f)) out.push(f);
    if (!c.issuerCertificate || c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  return out;
}

/** GETs `url` (HTTPS only) as JSON, with the fingerprints of the chain presented. */
function getJson(url: string, ca: string[]): Promise<{ body: unknown; fingerprints: string[] }> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new IssuerFetchError(`\`${url.slice(0, 256)}\` is not a URL`));
      return;
    }
    if (u.protocol !== 'https:' || u.username !== '' || u.password !== '') {
      reject(new IssuerFetchError(`\`${url.slice(0, 256)}\` is not an https URL`));
      return;
    }
    const req = request(
      u,
      {
        method: 'GET',
        ca,
        agent: false,
        timeout: FETCH_TIMEOUT_MS,
        headers: { accept: 'application/json' },
      },
      (res) => {
        const fingerprints = chainFingerprints(
          (res.socket as TLSSocket).getPeerCertificate?.(true),
        );
        if (res.statusCode !== 200) {
          res.resume();
          reject(new IssuerFetchError(`GET ${u.href} answered ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_DOCUMENT_BYTES) {
            req.destroy(
              new IssuerFetchError(`GET ${u.href} is larger than ${MAX_DOCUMENT_BYTES} bytes`),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          try {
            resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), fingerprints });
          } catch {
            reject(new IssuerFetchError(`GET ${u.href} is not JSON`));
          }
        });
        res.on('error', (e) => reject(new IssuerFetchError(`GET ${u.href}: ${e.message}`)));
      },
    );
    const timer = setTimeout(
      () =>
        req.destroy(new IssuerFetchError(`GET ${u.href} took longer than ${FETCH_TIMEOUT_MS} ms`)),
      FETCH_TIMEOUT_MS,
    );
    req.on('timeout', () =>
      req.destroy(new IssuerFetchError(`GET ${u.href} took longer than ${FETCH_TIMEOUT_MS} ms`)),
    );
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(
        e instanceof IssuerFetchError ? e : new IssuerFetchError(`GET ${u.href}: ${e.message}`),
      );
    });
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

/** Fetches an issuer's discovery document and JWKS: its keys, with the chains' fingerprints. */
async function fetchIssuerKeys(issuerUrl: string, ca: string[], now: number): Promise<IssuerKeys> {
  const base = issuerUrl.endsWith('/') ? issuerUrl.slice(0, -1) : issuerUrl;
  const disco = await getJson(`${base}/.well-known/openid-configuration`, ca);
  const d = disco.body as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null || typeof d.jwks_uri !== 'string') {
    throw new IssuerFetchError('the discovery document names no `jwks_uri`');
  }
  if (d.issuer !== issuerUrl) {
    throw new IssuerFetchError(
      `the discovery document's issuer \`${String(d.issuer).slice(0, 256)}\` is not \`${issuerUrl}\``,
    );
  }
  const jwks = await getJson(d.jwks_uri, ca);
  const list = (jwks.body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new IssuerFetchError('the JWKS has no `keys` list');
  const keys: IssuerKeys['keys'] = [];
  for (const k of list.slice(0, MAX_KEYS)) {
    if (typeof k !== 'object' || k === null) continue;
    const jwk = k as Record<string, unknown>;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    const key = importJwk(jwk);
    if (key) keys.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, key });
  }
  const fingerprints = [...new Set([...disco.fingerprints, ...jwks.fingerprints])];
  return { keys, fingerprints, fetchedAt: now };
}

/**
 * The key source over HTTPS; `extraCas()` gives CA certificates trusted besides the system's
 * (yunbox's own CA, once the HTTPS listener runs).
 */
export function httpsKeySource(extraCas: () => string[]): OidcKeySource {
  const cache = new Map<string, IssuerKeys>();
  const inFlight = new Map<string, Promise<IssuerKeys>>();
  const fetchOnce = (issuerUrl: string): Promise<IssuerKeys> => {
    const running = inFlight.get(issuerUrl);
    if (running) return running;
    const p = fetchIssuerKeys(issuerUrl, [...rootCertificates, ...extraCas()], performance.now())
      .then((k) => {
        cache.delete(issuerUrl);
        if (cache.size >= MAX_ISSUERS) cache.delete(cache.keys().next().value!);
        cache.set(issuerUrl, k);
        return k;
      })
      .finally(() => inFlight.delete(issuerUrl));
    inFlight.set(issuerUrl, p);
    return p;
  };
  return {
    async keys(issuerUrl, fresh = false) {
      const hit = cache.get(issuerUrl);
      const age = hit ? performance.now() - hit.fetchedAt : Infinity;
      if (hit && age < KEY_TTL_MS && (!fresh || age < REFETCH_MS)) return hit;
      return fetchOnce(issuerUrl);
    },
  };
}
