/**
 * @module RAM's account rows and AccessKeys in SQL. Every signed request resolves its key here
 * (one prepared query with the owning user, cached per node on SQLite).
 */
import { StoreError } from '../../../kernel/errors.js';
import type { Db } from '../../../store/db.js';
import { prepared } from '../../../store/prepared.js';
import type { CacheSpec } from '../../../store/read-cache.js';
import type { AccessKey, Account } from '../model.js';
import type { RamStore } from '../store.js';
import { insertRow, refuseAtLimit, toKey } from './common.js';

/** The read cache of AccessKeys and their owners (every signed call resolves one). */
const KEY_CACHE: CacheSpec = {
  name: 'ram-keys',
  tables: ['ram_access_keys', 'ram_users'],
  max: 4096,
};

/** `singleton` of the first account; the others count on from it (migration 0004). */
const FIRST = 1;

function toAccount(r: any): Account {
  return {
    accountId: r.account_id as string,
    accountName: r.account_name as string,
    createdAt: Number(r.created_at),
    first: Number(r.singleton) === FIRST,
  };
}

const Q = {
  accessKey: prepared((k, id: string) =>
    k.selectFrom('ram_access_keys').selectAll().where('access_key_id', '=', id),
  ),
  accessKeyWithUser: prepared((k, id: string) =>
    k
      .selectFrom('ram_access_keys as k')
      .leftJoin('ram_users as u', 'u.user_id', 'k.user_id')
      .selectAll('k')
      .select(['u.user_name', 'u.user_id as owner_user_id'])
      .where('k.access_key_id', '=', id),
  ),
};

/** The account and AccessKey part of {@link RamStore}. */
export class RamKeySql implements Pick<
  RamStore,
  | 'getAccount'
  | 'ensureAccount'
  | 'createAccount'
  | 'listAccounts'
  | 'getAccountById'
  | 'ensureRootKey'
  | 'getAccessKey'
  | 'getAccessKeyWithOwner'
  | 'insertAccessKey'
  | 'listAccessKeys'
  | 'updateAccessKeyStatus'
  | 'deleteAccessKey'
  | 'touchAccessKey'
> {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async getAccount() {
    const r: any = await this.#db.k
      .selectFrom('ram_accounts')
      .selectAll()
      .where('singleton', '=', FIRST)
      .executeTakeFirst();
    return r ? { accountId: r.account_id as string, createdAt: Number(r.created_at) } : undefined;
  }

  async listAccounts(): Promise<Account[]> {
    const rows = await this.#db.k
      .selectFrom('ram_accounts')
      .selectAll()
      .orderBy('singleton')
      .execute();
    return rows.map(toAccount);
  }

  async getAccountById(accountId: string): Promise<Account | undefined> {
    const r = await this.#db.k
      .selectFrom('ram_accounts')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r ? toAccount(r) : undefined;
  }

  async createAccount(
    account: { accountId: string; accountName: string; createdAt: number },
    rootKey: { accessKeyId: string; secret: string },
    limit: number,
  ): Promise<{ account: Account; key: AccessKey }> {
    // The ordinal is the next number, taken under the lock (two nodes creating accounts at once
    // would otherwise pick the same one; the unique constraint would still refuse the second).
    return this.#db.withLock('ram:accounts', async (tx) => {
      const r: any = await tx.k
        .selectFrom('ram_accounts')
        .select((eb: any) => [eb.fn.max('singleton').as('last'), eb.fn.countAll().as('n')])
        .executeTakeFirst();
      if (Number(r?.n ?? 0) >= limit) {
        throw new StoreError('Conflict', 'LimitExceeded', `at most ${limit} accounts`);
      }
      await insertRow(
        tx,
        'ram_accounts',
        {
          account_id: account.accountId,
          singleton: Math.max(FIRST, Number(r?.last ?? 0)) + 1,
          account_name: account.accountName,
          created_at: account.createdAt,
        },
        'Account',
      );
      const key: AccessKey = {
        ...rootKey,
        accountId: account.accountId,
        status: 'Active',
        createdAt: account.createdAt,
      };
      await new RamKeySql(tx).insertAccessKey(key);
      return { account: { ...account, first: false }, key };
    });
  }

  async ensureAccount(accountId: string, now: number): Promise<string> {
    await this.#db.k
      .insertInto('ram_accounts')
      .values({ account_id: accountId, singleton: FIRST, account_name: 'default', created_at: now })
      .onConflict((oc: any) => oc.doNothing())
      .execute();
    const a = await this.getAccount();
    if (!a) throw new StoreError('Unavailable', 'ram_accounts', 'account row missing after insert');
    return a.accountId;
  }

  async ensureRootKey(
    accountId: string,
    wanted: { accessKeyId: string; secret: string } | undefined,
    generate: () => { accessKeyId: string; secret: string },
    now: number,
  ): Promise<{ key: AccessKey; created: boolean }> {
    return this.#db.withLock(`ram:root-key:${accountId}`, async (tx) => {
      const s = new RamKeySql(tx);
      if (wanted) {
        const existing = await s.getAccessKey(wanted.accessKeyId);
        if (existing && (existing.userId !== undefined || existing.accountId !== accountId)) {
          throw new StoreError(
            'Conflict',
            'AccessKey',
            'the root access key id belongs to a RAM user',
          );
        }
        if (existing) {
          if (existing.secret !== wanted.secret || existing.status !== 'Active') {
            await tx.k
              .updateTable('ram_access_keys')
              .set({ secret: wanted.secret, status: 'Active' })
              .where('access_key_id', '=', wanted.accessKeyId)
              .execute();
          }
          return { key: { ...existing, secret: wanted.secret, status: 'Active' }, created: false };
        }
        const key: AccessKey = { ...wanted, accountId, status: 'Active', createdAt: now };
        await s.insertAccessKey(key);
        return { key, created: false };
      }
      const keys = (await s.listAccessKeys(accountId, undefined)).filter(
        (k) => k.status === 'Active',
      );
      if (keys[0]) return { key: keys[0], created: false };
      const key: AccessKey = { ...generate(), accountId, status: 'Active', createdAt: now };
      await s.insertAccessKey(key);
      return { key, created: true };
    });
  }

  async getAccessKey(accessKeyId: string) {
    const r = await Q.accessKey.first(this.#db, accessKeyId);
    return r ? toKey(r) : undefined;
  }

  getAccessKeyWithOwner(accessKeyId: string) {
    return this.#db.cached(KEY_CACHE, accessKeyId, async () => {
      const r: any = await Q.accessKeyWithUser.first(this.#db, accessKeyId);
      if (!r) return undefined;
      return {
        key: toKey(r),
        ...(r.owner_user_id
          ? { owner: { userId: r.owner_user_id as string, userName: r.user_name as string } }
          : {}),
      };
    });
  }

  async insertAccessKey(key: AccessKey, limitPerUser?: number) {
    await this.#db.withLock(`ram:keys:${key.accountId}`, async (tx) => {
      if (key.userId && limitPerUser !== undefined) {
        await refuseAtLimit(
          tx,
          'ram_access_keys',
          { user_id: key.userId },
          limitPerUser,
          'LimitExceeded.User.AccessKey',
        );
      }
      await insertRow(
        tx,
        'ram_access_keys',
        {
          access_key_id: key.accessKeyId,
          account_id: key.accountId,
          user_id: key.userId ?? null,
          secret: key.secret,
          status: key.status,
          created_at: key.createdAt,
          last_used_at: null,
        },
        'AccessKey',
      );
    });
  }

  async listAccessKeys(accountId: string, userId: string | undefined) {
    let q = this.#db.k
      .selectFrom('ram_access_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('access_key_id');
    q = userId ? q.where('user_id', '=', userId) : q.where('user_id', 'is', null);
    return (await q.execute()).map(toKey);
  }

  async updateAccessKeyStatus(accessKeyId: string, status: AccessKey['status']) {
    const r = await this.#db.k
      .updateTable('ram_access_keys')
      .set({ status })
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteAccessKey(accessKeyId: string) {
    const r = await this.#db.k
      .deleteFrom('ram_access_keys')
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async touchAccessKey(accessKeyId: string, now: number) {
    await this.#db.k
      .updateTable('ram_access_keys')
      .set({ last_used_at: now })
      .where('access_key_id', '=', accessKeyId)
      .execute();
  }
}
