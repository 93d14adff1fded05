/**
 * @module OIDC providers as IMS serves them: the record, its ARN, and the pure checks of its
 * fields (issuer URL, client IDs, fingerprints) with Alibaba's limits. No regular expression here
 * backtracks: each is one character class with fixed anchors.
 */
import { ramArn } from '../../kernel/principal.js';

/** Most OIDC providers per account (doc "CreateOIDCProvider", Limits). */
export const MAX_PROVIDERS = 100;
/** Most client IDs per provider. */
export const MAX_CLIENT_IDS = 50;
/** Most fingerprints per provider. */
export const MAX_FINGERPRINTS = 5;
/** Default and bounds of `IssuanceLimitTime` (hours). */
export const DEFAULT_ISSUANCE_LIMIT_HOURS = 12;
export const MAX_ISSUANCE_LIMIT_HOURS = 168;

/** One OIDC identity provider of an account. */
export interface OidcProvider {
  accountId: string;
  name: string;
  issuerUrl: string;
  clientIds: string[];
  /** Lower-case hex SHA-1 fingerprints of CA certificates of the issuer's HTTPS endpoint. */
  fingerprints: string[];
  description: string;
  issuanceLimitHours: number;
  createdAt: number;
  updatedAt: number;
}

/** `acs:ram::<account>:oidc-provider/<name>` */
export function oidcProviderArn(accountId: string, name: string): string {
  return ramArn(accountId, `oidc-provider/${name}`);
}

/** Account and name of an OIDC provider ARN, or undefined. */
export function parseOidcProviderArn(arn: string): { accountId: string; name: string } | undefined {
  const m = /^acs:ram::(\d{1,32}):oidc-provider\/([A-Za-z0-9._-]{1,128})$/.exec(arn);
  return m ? { accountId: m[1]!, name: m[2]! } : undefined;
}

/** Name: letters, digits, `.`, `-`, `_`, not starting or ending with a special character. */
export function validProviderName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= 128 &&
    /^[A-Za-z0-9._-]+$/.test(name) &&
    /^[A-Za-z0-9]/.test(name) &&
    /[A-Za-z0-9]$/.test(name)
  );
}

/**
 * Issuer URL: `https://`, a host, an optional path; no query, fragment or user information;
 * at most 255 characters.
 */
export function validIssuerUrl(url: string): boolean {
  if (url.length > 255 || !url.startsWith('https://')) return false;
  if (url.includes('?') || url.includes('#') || url.includes('@')) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.hostname !== '' && !/\s/.test(url);
  } catch {
    return false;
  }
}

/** Client ID: at most 128 of letters, digits, `.-_:/`, not starting with a special character. */
export function validClientId(id: string): boolean {
  return id.length >= 1 && id.length <= 128 && /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(id);
}

/** Fingerprint: hex digits (colons allowed between bytes), at most 128 characters. */
export function normaliseFingerprint(f: string): string | undefined {
  if (f.length < 1 || f.length > 128 || !/^[A-Fa-f0-9:]+$/.test(f)) return undefined;
  const hex = f.replaceAll(':', '').toLowerCase();
  return hex.length === 40 ? hex : undefined;
}

/** Splits a comma-separated list, dropping empty items and duplicates (first kept). */
export function splitList(v: string | undefined): string[] {
  if (v === undefined) return [];
  const out: string[] = [];
  for (const item of v.split(',')) {
    const t = item.trim();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}
