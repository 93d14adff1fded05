/**
 * Migration 0002 on data written before names were folded, on SQLite and PostgreSQL: names that
 * differ only in case all survive with their attachments; the oldest owns the folded name, the
 * others stay reachable by their exact spelling; afterwards no new case variant can be created.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../kernel/errors.js';
import { openDb, type Db } from '../../../store/db.js';
import { migrate } from '../../../store/migrate.js';
import { pgSkipReason } from '../../../testing/pg.js';
import { freshPgSchema, testPgUrl } from '../../../testing/server.js';
import { ramMigrations } from '../index.js';
import { RamSqlStore } from '../store-sql.js';
import { m0001Init } from './0001-init.js';

const ACCT = '1000000000000001';
const DOC = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Rows as 0001's schema held them, case variants included. */
async function legacyData(db: Db): Promise<void> {
  await migrate(db, [{ service: 'ram', migrations: [m0001Init] }]);
  const k = db.k;
  await k
    .insertInto('ram_accounts')
    .values({ account_id: ACCT, singleton: 1, created_at: 1 })
    .execute();
  const role = (id: string, name: string, at: number) => ({
    role_id: id,
    account_id: ACCT,
    role_name: name,
    description: name,
    trust_policy: '{}',
    max_session_duration: 3600,
    created_at: at,
    updated_at: at,
  });
  // Inserted newest first: the owner is chosen by creation time, not by row order.
  await k
    .insertInto('ram_roles')
    .values([role('r3', 'APPROLE', 30), role('r2', 'approle', 20), role('r1', 'AppRole', 10)])
    .execute();
  const user = (id: string, name: string, at: number) => ({
    user_id: id,
    account_id: ACCT,
    user_name: name,
    display_name: name,
    created_at: at,
    updated_at: at,
  });
  await k
    .insertInto('ram_users')
    .values([user('u2', 'alice', 5), user('u1', 'Alice', 5)])
    .execute();
  await k
    .insertInto('ram_groups')
    .values([
      { group_id: 'g1', account_id: ACCT, group_name: 'Devs', created_at: 1, updated_at: 1 },
      { group_id: 'g2', account_id: ACCT, group_name: 'devs', created_at: 2, updated_at: 2 },
    ])
    .execute();
  const policy = (name: string, at: number) => ({
    policy_id: `custom:${ACCT}:${name}`,
    account_id: ACCT,
    policy_type: 'Custom',
    policy_name: name,
    default_version: 'v1',
    next_version: 2,
    created_at: at,
    updated_at: at,
  });
  await k
    .insertInto('ram_policies')
    .values([policy('Pol', 1), policy('pol', 2)])
    .execute();
  await k
    .insertInto('ram_policy_versions')
    .values(
      ['Pol', 'pol'].map((n) => ({
        policy_id: `custom:${ACCT}:${n}`,
        version_id: 'v1',
        document: DOC,
        created_at: 1,
      })),
    )
    .execute();
  await k
    .insertInto('ram_attachments')
    .values({
      policy_id: `custom:${ACCT}:pol`,
      account_id: ACCT,
      principal_key: 'role:r2',
      role_id: 'r2',
      attached_at: 3,
    })
    .execute();
}

async function checks(db: Db): Promise<void> {
  await legacyData(db);
  expect(await migrate(db, [ramMigrations])).toEqual([
    'ram/0002-folded-names',
    'ram/0003-tags',
    'ram/0004-accounts',
  ]);
  const s = new RamSqlStore(db);
  // Nothing lost.
  const roles = (await s.listRoles(ACCT, { limit: 10 })).items.map((r) => r.roleName);
  expect(roles.sort()).toEqual(['APPROLE', 'AppRole', 'approle']);
  expect((await s.listUsers(ACCT, { limit: 10 })).items).toHaveLength(2);
  expect((await s.listGroups(ACCT, { limit: 10 })).items).toHaveLength(2);
  // Exact spellings reach each row; any other spelling reaches the oldest.
  expect((await s.getRole(ACCT, 'approle'))?.roleId).toBe('r2');
  expect((await s.getRole(ACCT, 'APPROLE'))?.roleId).toBe('r3');
  expect((await s.getRole(ACCT, 'AppRole'))?.roleId).toBe('r1');
  expect((await s.getRole(ACCT, 'appRole'))?.roleId).toBe('r1');
  expect((await s.getUser(ACCT, 'ALICE'))?.userId).toBe('u1'); // same time: lowest id
  expect((await s.getUser(ACCT, 'alice'))?.userId).toBe('u2');
  expect((await s.getGroup(ACCT, 'devs'))?.groupId).toBe('g2');
  expect((await s.getPolicy(ACCT, 'Custom', 'POL'))?.policyName).toBe('Pol');
  expect((await s.getPolicy(ACCT, 'Custom', 'pol'))?.policyName).toBe('pol');
  const r2 = (await s.listAttachments('Role', 'r2')).map((a) => a.policy.policyName);
  expect(r2).toEqual(['pol']);
  // No new variant.
  const dup = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e instanceof StoreError ? e.kind : e;
    }
    return 'created';
  };
  const newRole = {
    roleId: 'r9',
    accountId: ACCT,
    roleName: 'aPPROLE',
    description: '',
    trustPolicy: '{}',
    maxSessionDuration: 3600,
    createdAt: 40,
    updatedAt: 40,
  };
  expect(await dup(s.createRole(newRole, 100))).toBe('AlreadyExists');
  // A legacy variant edited keeps its place; renamed, it owns its new name.
  const u2 = (await s.getUser(ACCT, 'alice'))!;
  await s.updateUser({ ...u2, comments: 'still here', updatedAt: 50 });
  expect((await s.getUser(ACCT, 'alice'))?.comments).toBe('still here');
  expect(await dup(s.updateUser({ ...u2, userName: 'ALICE', updatedAt: 51 }))).toBe(
    'AlreadyExists',
  );
  await s.updateUser({ ...u2, userName: 'alice2', updatedAt: 52 });
  expect((await s.getUser(ACCT, 'ALICE2'))?.userId).toBe('u2');
  // With the owner gone, another spelling reaches the oldest variant left.
  await s.deleteRole(ACCT, 'AppRole');
  expect((await s.getRole(ACCT, 'Approle'))?.roleId).toBe('r2');
}

describe('0002-folded-names on data with case variants', () => {
  it('sqlite', async () => {
    const db = await openDb({ kind: 'sqlite', file: ':memory:' });
    cleanups.push(() => db.close());
    await checks(db);
  });

  it('postgres', async (t) => {
    const skip = await pgSkipReason();
    if (skip !== undefined) return t.skip(skip);
    const schema = await freshPgSchema();
    cleanups.push(() => schema.drop());
    const db = await openDb({ kind: 'postgres', url: testPgUrl(), schema: schema.schema });
    cleanups.push(() => db.close());
    await checks(db);
  });
});
