/**
 * Migration 0004 on a store that holds the one account 0001 allowed, on SQLite and PostgreSQL:
 * that account becomes the first, named `default`, and keeps its keys; other accounts can then be
 * created with their root keys, under unique names and ids, up to the limit.
 */
import { expect } from 'vitest';
import { StoreError } from '../../../kernel/errors.js';
import { migrate } from '../../../store/migrate.js';
import { describeOnEachStore } from '../../../testing/each-store.js';
import { ramMigrations } from '../index.js';
import { RamSqlStore } from '../store-sql.js';
import { m0001Init } from './0001-init.js';

const FIRST = '1000000000000001';

describeOnEachStore('0004-accounts on a store with the one account of 0001', async (db) => {
  await migrate(db, [{ service: 'ram', migrations: [m0001Init] }]);
  await db.k
    .insertInto('ram_accounts')
    .values({ account_id: FIRST, singleton: 1, created_at: 1 })
    .execute();
  await db.k
    .insertInto('ram_access_keys')
    .values({
      access_key_id: 'LTAIfirst',
      account_id: FIRST,
      user_id: null,
      secret: 's',
      status: 'Active',
      created_at: 1,
      last_used_at: null,
    })
    .execute();
  expect(await migrate(db, [ramMigrations])).toContain('ram/0004-accounts');
  const s = new RamSqlStore(db);
  expect(await s.getAccount()).toEqual({ accountId: FIRST, createdAt: 1 });
  expect(await s.ensureAccount('2000000000000002', 5)).toBe(FIRST);
  expect(await s.listAccounts()).toEqual([
    { accountId: FIRST, accountName: 'default', createdAt: 1, first: true },
  ]);

  const made = await s.createAccount(
    { accountId: '3000000000000003', accountName: 'team-b', createdAt: 7 },
    { accessKeyId: 'LTAIteamb', secret: 't' },
    3,
  );
  expect(made.account).toEqual({
    accountId: '3000000000000003',
    accountName: 'team-b',
    createdAt: 7,
    first: false,
  });
  expect(await s.getAccessKeyWithOwner('LTAIteamb')).toMatchObject({
    key: { accountId: '3000000000000003', status: 'Active' },
  });
  expect(await s.getAccount()).toMatchObject({ accountId: FIRST });

  // A taken name or id is refused, and nothing of the refused account is written.
  for (const [id, name, key] of [
    ['4000000000000004', 'team-b', 'LTAIdup1'],
    ['3000000000000003', 'team-c', 'LTAIdup2'],
  ] as const) {
    const e = await s
      .createAccount(
        { accountId: id, accountName: name, createdAt: 8 },
        { accessKeyId: key, secret: 'x' },
        3,
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).kind).toBe('AlreadyExists');
    expect(await s.getAccessKey(key)).toBeUndefined();
  }
  await s.createAccount(
    { accountId: '5000000000000005', accountName: 'team-c', createdAt: 9 },
    { accessKeyId: 'LTAIteamc', secret: 'c' },
    3,
  );
  const full = await s
    .createAccount(
      { accountId: '6000000000000006', accountName: 'team-d', createdAt: 10 },
      { accessKeyId: 'LTAIteamd', secret: 'd' },
      3,
    )
    .catch((x: unknown) => x);
  expect((full as StoreError).kind).toBe('Conflict');
  expect((await s.listAccounts()).map((x) => x.accountName)).toEqual([
    'default',
    'team-b',
    'team-c',
  ]);
});
