/**
 * @module What IMS handlers need from storage: OIDC providers per account. One SQL
 * implementation serves SQLite and PostgreSQL (`store-sql.ts`). Names are unique per account
 * without regard to case, issuer URLs per account; creates count under the account's lock, so
 * two nodes cannot pass the limit together.
 */
import type { OidcProvider } from './model.js';

/** OIDC provider storage. */
export interface ImsStore {
  /**
   * Creates a provider: `AlreadyExists('OIDCProvider')`, `AlreadyExists('IssuerUrl')`, or
   * `Conflict('LimitExceeded')` when the account has `limit` already.
   */
  createProvider(p: OidcProvider, limit: number): Promise<void>;
  getProvider(accountId: string, name: string): Promise<OidcProvider | undefined>;
  /** Providers ordered by name, those after `after`, at most `limit`. */
  listProviders(
    accountId: string,
    after: string | undefined,
    limit: number,
  ): Promise<OidcProvider[]>;
  /**
   * Replaces a provider by `change(current)` under the account's lock; undefined when there is
   * none. An error thrown by `change` leaves it unchanged.
   */
  updateProvider(
    accountId: string,
    name: string,
    change: (current: OidcProvider) => OidcProvider,
  ): Promise<OidcProvider | undefined>;
  /** Deletes a provider; false when there was none. */
  deleteProvider(accountId: string, name: string): Promise<boolean>;
}

/** yunbox's own issuer key pair of an account (private key never leaves the store and server). */
export interface IssuerKey {
  accountId: string;
  kid: string;
  privateKeyPem: string;
  publicJwk: Record<string, unknown>;
  createdAt: number;
}

/** Issuer key storage. */
export interface IssuerKeyStore {
  /** The account's key, created by `make` on first use (race-safe: the first insert wins). */
  ensureKey(accountId: string, make: () => IssuerKey): Promise<IssuerKey>;
  getKey(accountId: string): Promise<IssuerKey | undefined>;
}
