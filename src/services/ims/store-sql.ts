/**
 * @module IMS storage in SQL, one implementation for SQLite and PostgreSQL (Kysely). Creates and
 * updates run under the account's lock (a PostgreSQL advisory lock across nodes): the limit is
 * counted, and a taken name or issuer URL named, before the insert; the unique constraints still
 * hold should anything slip past.
 */
import type { Db } from '../../store/db.js';
import { StoreError } from '../../kernel/errors.js';
import type { OidcProvider } from './model.js';
import type { ImsStore, IssuerKey, IssuerKeyStore } from './store.js';

const fold = (name: string) => name.toLowerCase();
const lockName = (accountId: string) => `ims:oidc:${accountId}`;

const toProvider = (r: any): OidcProvider => ({
  accountId: r.account_id,
  name: r.name,
  issuerUrl: r.issuer_url,
  clientIds: JSON.parse(r.client_ids) as string[],
  fingerprints: JSON.parse(r.fingerprints) as string[],
  description: r.description,
  issuanceLimitHours: Number(r.issuance_limit_hours),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** IMS storage over a {@link Db}. */
export class ImsSqlStore implements ImsStore, IssuerKeyStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async createProvider(p: OidcProvider, limit: number): Promise<void> {
    await this.#db.withLock(lockName(p.accountId), async (tx) => {
      const taken = await tx.k
        .selectFrom('ims_oidc_providers')
        .select(['name_folded', 'issuer_url'])
        .where('account_id', '=', p.accountId)
        .where((eb: any) =>
          eb.or([eb('name_folded', '=', fold(p.name)), eb('issuer_url', '=', p.issuerUrl)]),
        )
        .execute();
      if (taken.some((r: any) => r.name_folded === fold(p.name))) {
        throw new StoreError('AlreadyExists', 'OIDCProvider');
      }
      if (taken.length > 0) throw new StoreError('AlreadyExists', 'IssuerUrl');
      const count: any = await tx.k
        .selectFrom('ims_oidc_providers')
        .select((eb: any) => eb.fn.countAll().as('n'))
        .where('account_id', '=', p.accountId)
        .executeTakeFirst();
      if (Number(count?.n ?? 0) >= limit) throw new StoreError('Conflict', 'LimitExceeded');
      try {
        await tx.k
          .insertInto('ims_oidc_providers')
          .values({
            account_id: p.accountId,
            name: p.name,
            name_folded: fold(p.name),
            issuer_url: p.issuerUrl,
            client_ids: JSON.stringify(p.clientIds),
            fingerprints: JSON.stringify(p.fingerprints),
            description: p.description,
            issuance_limit_hours: p.issuanceLimitHours,
            created_at: p.createdAt,
            updated_at: p.updatedAt,
          })
          .execute();
      } catch (e) {
        if (tx.dialect.isUniqueViolation(e)) throw new StoreError('AlreadyExists', 'OIDCProvider');
        throw e;
      }
    });
  }

  async getProvider(accountId: string, name: string): Promise<OidcProvider | undefined> {
    const r = await this.#db.k
      .selectFrom('ims_oidc_providers')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('name_folded', '=', fold(name))
      .executeTakeFirst();
    return r ? toProvider(r) : undefined;
  }

  async listProviders(
    accountId: string,
    after: string | undefined,
    limit: number,
  ): Promise<OidcProvider[]> {
    let q = this.#db.k
      .selectFrom('ims_oidc_providers')
      .selectAll()
      .where('account_id', '=', accountId);
    if (after !== undefined) q = q.where('name_folded', '>', fold(after));
    const rows = await q.orderBy('name_folded').limit(limit).execute();
    return rows.map(toProvider);
  }

  async updateProvider(
    accountId: string,
    name: string,
    change: (current: OidcProvider) => OidcProvider,
  ): Promise<OidcProvider | undefined> {
    return this.#db.withLock(lockName(accountId), async (tx) => {
      const r = await tx.k
        .selectFrom('ims_oidc_providers')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('name_folded', '=', fold(name))
        .executeTakeFirst();
      if (!r) return undefined;
      const next = change(toProvider(r));
      await tx.k
        .updateTable('ims_oidc_providers')
        .set({
          client_ids: JSON.stringify(next.clientIds),
          fingerprints: JSON.stringify(next.fingerprints),
          description: next.description,
          issuance_limit_hours: next.issuanceLimitHours,
          updated_at: next.updatedAt,
        })
        .where('account_id', '=', accountId)
        .where('name_folded', '=', fold(name))
        .execute();
      return next;
    });
  }

  async deleteProvider(accountId: string, name: string): Promise<boolean> {
    const r = await this.#db.k
      .deleteFrom('ims_oidc_providers')
      .where('account_id', '=', accountId)
      .where('name_folded', '=', fold(name))
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async ensureKey(accountId: string, make: () => IssuerKey): Promise<IssuerKey> {
    const found = await this.getKey(accountId);
    if (found) return found;
    const k = make();
    await this.#db.k
      .insertInto('ims_issuer_keys')
      .values({
        account_id: accountId,
        kid: k.kid,
        private_key_pem: k.privateKeyPem,
        public_jwk: JSON.stringify(k.publicJwk),
        created_at: k.createdAt,
      })
      .onConflict((oc: any) => oc.doNothing())
      .execute();
    const stored = await this.getKey(accountId);
    if (!stored) throw new Error('issuer key missing after insert');
    return stored;
  }

  async getKey(accountId: string): Promise<IssuerKey | undefined> {
    const r: any = await this.#db.k
      .selectFrom('ims_issuer_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      accountId: r.account_id,
      kid: r.kid,
      privateKeyPem: r.private_key_pem,
      publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
      createdAt: Number(r.created_at),
    };
  }
}
