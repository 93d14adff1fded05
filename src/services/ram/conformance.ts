/**
 * @module RAM's cases for the shared store conformance suite: constraints, conflicts, limits,
 * pagination, and races between two handles on one database (two nodes).
 */
import { expect } from 'vitest';
import { StoreError } from '../../kernel/errors.js';
import { storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import type { Db } from '../../store/db.js';
import { policyId, type Policy, type Role, type User } from './model.js';
import { RamSqlStore } from './store-sql.js';

const ACCT = '1000000000000001';
const DOC = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}';

function role(name: string, n = 0): Role {
  return {
    roleId: `9${String(n).padStart(16, '0')}${name.length}`,
    accountId: ACCT,
    roleName: name,
    description: '',
    trustPolicy: '{}',
    maxSessionDuration: 3600,
    createdAt: 1000 + n,
    updatedAt: 1000 + n,
  };
}
function user(name: string): User {
  return {
    userId: `u-${name}`,
    accountId: ACCT,
    userName: name,
    displayName: name,
    email: '',
    mobilePhone: '',
    comments: '',
    createdAt: 1,
    updatedAt: 1,
  };
}
function group(name: string, id: string) {
  return {
    groupId: id,
    accountId: ACCT,
    groupName: name,
    comments: '',
    createdAt: 1,
    updatedAt: 1,
  };
}
function policy(name: string): Policy {
  return {
    policyId: policyId(ACCT, 'Custom', name),
    accountId: ACCT,
    policyType: 'Custom',
    policyName: name,
    description: '',
    defaultVersion: 'v1',
    nextVersion: 2,
    createdAt: 1,
    updatedAt: 1,
  };
}

async function setup(db: Db): Promise<RamSqlStore> {
  const s = new RamSqlStore(db);
  await s.ensureAccount(ACCT, 1);
  return s;
}

/** Runs two creates at once: exactly one succeeds, the other is refused as `AlreadyExists`. */
async function expectOneCreated(a: Promise<unknown>, b: Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled([a, b]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect((rejected.reason as StoreError).kind).toBe('AlreadyExists');
}

export const ramConformance: ConformanceSuite = {
  service: 'ram',
  cases: [
    {
      name: "a principal's documents follow every change, from this handle or another",
      async run({ db, another }) {
        const a = await setup(db);
        const b = new RamSqlStore(await another());
        const r = role('docs', 1);
        const u = user('docs');
        await a.createRole(r, 10);
        await a.createUser(u, 10);
        const p = policy('docs');
        await a.createPolicy(p, DOC, 10);
        // Each read twice: the second may be served from a node cache.
        const roleDocs = async () => {
          await a.roleDocuments(r.roleId);
          return (await a.roleDocuments(r.roleId)).map((d) => `${d.policyName}@${d.versionId}`);
        };
        const userDocs = async () => {
          await a.userDocuments(u.userId);
          return (await a.userDocuments(u.userId)).map((d) => d.policyName);
        };
        expect(await roleDocs()).toEqual([]);
        await b.attach(ACCT, p, 'Role', r.roleId, 2, 10);
        expect(await roleDocs()).toEqual(['docs@v1']);
        await b.createPolicyVersion(p.policyId, DOC, true, false, 5, 3);
        expect(await roleDocs()).toEqual(['docs@v2']);
        await a.detach(p.policyId, 'Role', r.roleId);
        expect(await roleDocs()).toEqual([]);
        const g = { groupId: 'g-docs', accountId: ACCT, groupName: 'docs', comments: '' };
        await b.createGroup({ ...g, createdAt: 1, updatedAt: 1 }, 10);
        await b.attach(ACCT, p, 'Group', g.groupId, 4, 10);
        expect(await userDocs()).toEqual([]);
        await b.addUserToGroup(g.groupId, u.userId, 5, 10);
        expect(await userDocs()).toEqual(['docs']);
        await b.removeUserFromGroup(g.groupId, u.userId);
        expect(await userDocs()).toEqual([]);
      },
    },
    {
      name: 'account is created once, even when two nodes race',
      async run({ db, another }) {
        const db2 = await another();
        const [a, b] = await Promise.all([
          new RamSqlStore(db).ensureAccount('1111111111111111', 1),
          new RamSqlStore(db2).ensureAccount('2222222222222222', 1),
        ]);
        expect(a).toBe(b);
      },
    },
    {
      name: 'accounts: two nodes create different accounts at once; a name is taken once',
      async run({ db, another }) {
        const a = await setup(db);
        const b = new RamSqlStore(await another());
        const make = (s: RamSqlStore, id: string, name: string, key: string) =>
          s.createAccount(
            { accountId: id, accountName: name, createdAt: 2 },
            { accessKeyId: key, secret: 's'.repeat(30) },
            10,
          );
        await Promise.all([
          make(a, '2000000000000002', 'team-b', 'LTAIteamb'),
          make(b, '3000000000000003', 'team-c', 'LTAIteamc'),
        ]);
        const listed = await b.listAccounts();
        // The first stays first; the two others in whichever order the race let them in.
        expect(listed[0]).toMatchObject({ accountName: 'default', first: true });
        expect(
          listed
            .slice(1)
            .map((x) => `${x.accountName}:${x.first}`)
            .sort(),
        ).toEqual(['team-b:false', 'team-c:false']);
        await expectOneCreated(
          make(a, '4000000000000004', 'team-d', 'LTAIteamd1'),
          make(b, '5000000000000005', 'team-d', 'LTAIteamd2'),
        );
        expect((await a.getAccountById('2000000000000002'))?.accountName).toBe('team-b');
        expect(await a.getAccountById('9999999999999999')).toBeUndefined();
        expect((await a.getAccount())?.accountId).toBe(ACCT);
      },
    },
    {
      name: 'root key is created once, even when two nodes race',
      async run({ db, another }) {
        await setup(db);
        const db2 = await another();
        let n = 0;
        const gen = () => ({ accessKeyId: `LTAIrace${n++}`, secret: 's'.repeat(30) });
        const [a, b] = await Promise.all([
          new RamSqlStore(db).ensureRootKey(ACCT, undefined, gen, 1),
          new RamSqlStore(db2).ensureRootKey(ACCT, undefined, gen, 1),
        ]);
        expect(a.key.accessKeyId).toBe(b.key.accessKeyId);
        expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
        const again = await new RamSqlStore(db).ensureRootKey(ACCT, undefined, gen, 2);
        expect(again).toEqual({ key: a.key, created: false });
        const wanted = await new RamSqlStore(db).ensureRootKey(
          ACCT,
          { accessKeyId: 'LTAIwanted', secret: 'x'.repeat(20) },
          gen,
          3,
        );
        expect(wanted.key.accessKeyId).toBe('LTAIwanted');
        expect((await new RamSqlStore(db).getAccessKey('LTAIwanted'))?.secret).toBe('x'.repeat(20));
      },
    },
    {
      name: 'role names are unique by constraint, also across two nodes',
      async run({ db, another }) {
        const s = await setup(db);
        await s.createRole(role('app', 1), 10);
        expect((await storeError(s.createRole(role('app', 2), 10))).kind).toBe('AlreadyExists');
        const s2 = new RamSqlStore(await another());
        await expectOneCreated(
          s.createRole(role('race', 3), 10),
          s2.createRole(role('race', 4), 10),
        );
        expect((await s.listRoles(ACCT, { limit: 100 })).items.map((r) => r.roleName)).toEqual([
          'app',
          'race',
        ]);
      },
    },
    {
      name: 'names are unique without regard to case, also across two nodes',
      async run({ db, another }) {
        const s = await setup(db);
        const s2 = new RamSqlStore(await another());
        await s.createRole(role('AppRole', 1), 10);
        expect((await storeError(s.createRole(role('approle', 2), 10))).kind).toBe('AlreadyExists');
        await s.createUser(user('Alice'), 10);
        expect((await storeError(s.createUser({ ...user('ALICE'), userId: 'u-2' }, 10))).kind).toBe(
          'AlreadyExists',
        );
        await s.createGroup(group('Devs', 'g-1'), 10);
        expect((await storeError(s.createGroup(group('DEVS', 'g-2'), 10))).kind).toBe(
          'AlreadyExists',
        );
        await s.createPolicy(policy('ReadAll'), DOC, 10);
        expect((await storeError(s.createPolicy(policy('readall'), DOC, 10))).kind).toBe(
          'AlreadyExists',
        );
        await expectOneCreated(
          s.createRole(role('Race', 3), 10),
          s2.createRole(role('rACE', 4), 10),
        );
        expect((await s.listRoles(ACCT, { limit: 100 })).items).toHaveLength(2);
      },
    },
    {
      name: 'names are found without regard to case and keep their spelling',
      async run({ db }) {
        const s = await setup(db);
        const r = role('AppRole', 1);
        await s.createRole(r, 10);
        await s.createUser(user('Alice'), 10);
        await s.createGroup(group('Devs', 'g-1'), 10);
        await s.createPolicy(policy('ReadAll'), DOC, 10);
        await s.upsertSystemPolicy('AliyunOSSReadOnlyAccess', 'd', DOC, 1);
        // Twice each: the second may come from a node cache.
        for (let i = 0; i < 2; i++) {
          expect((await s.getRole(ACCT, 'approle'))?.roleName).toBe('AppRole');
          expect((await s.getRole(ACCT, 'APPROLE'))?.roleId).toBe(r.roleId);
          expect((await s.getUser(ACCT, 'alice'))?.userName).toBe('Alice');
          expect((await s.getGroup(ACCT, 'dEVS'))?.groupName).toBe('Devs');
          expect((await s.getPolicy(ACCT, 'Custom', 'readall'))?.policyName).toBe('ReadAll');
          const sys = await s.getPolicy(ACCT, 'System', 'aliyunossreadonlyaccess');
          expect(sys?.policyName).toBe('AliyunOSSReadOnlyAccess');
        }
        expect(await s.getRole(ACCT, 'approle2')).toBeUndefined();
        expect(await s.getPolicy(ACCT, 'System', 'readall')).toBeUndefined();
        // A change is seen through every spelling, also after a cached read.
        await s.updateRole({ ...r, description: 'changed', updatedAt: 5 });
        expect((await s.getRole(ACCT, 'approle'))?.description).toBe('changed');
        await s.deleteUser(ACCT, 'ALICE');
        await s.deleteGroup(ACCT, 'devs');
        await s.deleteRole(ACCT, 'appROLE');
        expect(await s.getRole(ACCT, 'AppRole')).toBeUndefined();
        expect(await s.getUser(ACCT, 'Alice')).toBeUndefined();
      },
    },
    {
      name: 'a rename may change case of its own name, never take another name in any case',
      async run({ db }) {
        const s = await setup(db);
        const a = user('alice');
        await s.createUser(a, 10);
        await s.createUser({ ...user('bob'), userId: 'u-bob' }, 10);
        await s.updateUser({ ...a, userName: 'Alice', updatedAt: 2 });
        expect((await s.getUser(ACCT, 'alice'))?.userName).toBe('Alice');
        const e = await storeError(s.updateUser({ ...a, userName: 'BOB', updatedAt: 3 }));
        expect(e.kind).toBe('AlreadyExists');
        await s.updateUser({ ...a, userName: 'carol', updatedAt: 4 });
        expect(await s.getUser(ACCT, 'alice')).toBeUndefined();
        expect((await storeError(s.createUser({ ...user('CAROL'), userId: 'u-3' }, 10))).kind).toBe(
          'AlreadyExists',
        );
        await s.createUser({ ...user('ALICE'), userId: 'u-4' }, 10);
        const g = group('ops', 'g-1');
        await s.createGroup(g, 10);
        await s.createGroup(group('dev', 'g-2'), 10);
        expect((await storeError(s.updateGroup({ ...g, groupName: 'Dev' }))).kind).toBe(
          'AlreadyExists',
        );
        await s.updateGroup({ ...g, groupName: 'OPS' });
        expect((await s.getGroup(ACCT, 'ops'))?.groupName).toBe('OPS');
      },
    },
    {
      name: 'role limit is enforced',
      async run({ db }) {
        const s = await setup(db);
        await s.createRole(role('a', 1), 2);
        await s.createRole(role('b', 2), 2);
        const e = await storeError(s.createRole(role('c', 3), 2));
        expect([e.kind, e.entity]).toEqual(['Conflict', 'LimitExceeded.Role']);
      },
    },
    {
      name: 'listings page by name with a marker, without gaps or repeats',
      async run({ db }) {
        const s = await setup(db);
        const names = Array.from({ length: 23 }, (_, i) => `r-${String(i).padStart(2, '0')}`);
        for (const [i, n] of [...names].reverse().entries()) await s.createRole(role(n, i), 100);
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await s.listRoles(ACCT, {
            limit: 5,
            ...(after !== undefined ? { after } : {}),
          });
          seen.push(...page.items.map((r) => r.roleName));
          if (!page.next) break;
          after = page.next;
        }
        expect(seen).toEqual(names);
      },
    },
    {
      name: 'a role with attached policies cannot be deleted; detached it can',
      async run({ db }) {
        const s = await setup(db);
        const r = role('holder', 1);
        await s.createRole(r, 10);
        const p = policy('pol');
        await s.createPolicy(p, DOC, 10);
        await s.attach(ACCT, p, 'Role', r.roleId, 2, 10);
        expect((await storeError(s.attach(ACCT, p, 'Role', r.roleId, 3, 10))).kind).toBe(
          'AlreadyExists',
        );
        const e = await storeError(s.deleteRole(ACCT, 'holder'));
        expect([e.kind, e.entity]).toEqual(['Conflict', 'Role.Policy']);
        expect((await storeError(s.deletePolicy(p.policyId, true))).entity).toBe('Policy.Role');
        expect(await s.detach(p.policyId, 'Role', r.roleId)).toBe(true);
        expect(await s.detach(p.policyId, 'Role', r.roleId)).toBe(false);
        await s.deleteRole(ACCT, 'holder');
        expect(await s.getRole(ACCT, 'holder')).toBeUndefined();
        expect((await storeError(s.deleteRole(ACCT, 'holder'))).kind).toBe('NotFound');
      },
    },
    {
      name: 'attachment limits count per policy type',
      async run({ db }) {
        const s = await setup(db);
        const r = role('limited', 1);
        await s.createRole(r, 10);
        for (const [i, n] of ['p1', 'p2'].entries()) {
          await s.createPolicy(policy(n), DOC, 10);
          await s.attach(ACCT, policy(n), 'Role', r.roleId, 1 + i, 2);
        }
        await s.createPolicy(policy('p3'), DOC, 10);
        const e = await storeError(s.attach(ACCT, policy('p3'), 'Role', r.roleId, 1, 2));
        expect(e.entity).toBe('LimitExceeded.Role.Policy');
        await s.upsertSystemPolicy('SysA', 'd', DOC, 1);
        const sys = (await s.getPolicy(ACCT, 'System', 'SysA'))!;
        await s.attach(ACCT, sys, 'Role', r.roleId, 5, 2);
        expect((await s.listAttachments('Role', r.roleId)).map((a) => a.policy.policyName)).toEqual(
          ['p1', 'p2', 'SysA'],
        );
      },
    },
    {
      name: 'policy versions: rotate, default protected, cascade delete',
      async run({ db }) {
        const s = await setup(db);
        const p = policy('versioned');
        await s.createPolicy(p, DOC, 10);
        for (let i = 0; i < 4; i++)
          await s.createPolicyVersion(p.policyId, DOC, false, false, 5, 10 + i);
        expect(
          (await storeError(s.createPolicyVersion(p.policyId, DOC, false, false, 5, 20))).entity,
        ).toBe('LimitExceeded.Policy.Version');
        const v6 = await s.createPolicyVersion(
          p.policyId,
          DOC.replace('Get', 'List'),
          true,
          true,
          5,
          21,
        );
        expect(v6.versionId).toBe('v6');
        const versions = (await s.listPolicyVersions(p.policyId)).map((v) => v.versionId);
        expect(versions).toEqual(['v1', 'v3', 'v4', 'v5', 'v6']);
        expect((await s.getPolicy(ACCT, 'Custom', 'versioned'))!.defaultVersion).toBe('v6');
        expect((await storeError(s.deletePolicyVersion(p.policyId, 'v6'))).entity).toBe(
          'Policy.Version.Default',
        );
        await s.deletePolicyVersion(p.policyId, 'v1');
        await s.setDefaultPolicyVersion(p.policyId, 'v3', 30);
        expect((await storeError(s.setDefaultPolicyVersion(p.policyId, 'v99', 30))).kind).toBe(
          'NotFound',
        );
        expect((await storeError(s.deletePolicy(p.policyId, false))).entity).toBe('Policy.Version');
        await s.deletePolicy(p.policyId, true);
        expect(await s.getPolicy(ACCT, 'Custom', 'versioned')).toBeUndefined();
        expect(await s.listPolicyVersions(p.policyId)).toEqual([]);
      },
    },
    {
      name: 'users: keys, groups and policies block deletion; key limit; effective documents',
      async run({ db }) {
        const s = await setup(db);
        const u = user('alice');
        await s.createUser(u, 10);
        expect((await storeError(s.createUser(user('alice'), 10))).kind).toBe('AlreadyExists');
        const key = {
          accessKeyId: 'LTAIalice1',
          accountId: ACCT,
          userId: u.userId,
          secret: 'x',
          status: 'Active' as const,
          createdAt: 1,
        };
        await s.insertAccessKey(key, 2);
        await s.insertAccessKey({ ...key, accessKeyId: 'LTAIalice2' }, 2);
        expect(
          (await storeError(s.insertAccessKey({ ...key, accessKeyId: 'LTAIalice3' }, 2))).entity,
        ).toBe('LimitExceeded.User.AccessKey');
        expect((await storeError(s.deleteUser(ACCT, 'alice'))).entity).toBe('User.AccessKey');
        await s.deleteAccessKey('LTAIalice1');
        await s.deleteAccessKey('LTAIalice2');
        await s.createGroup(
          {
            groupId: 'g1',
            accountId: ACCT,
            groupName: 'devs',
            comments: '',
            createdAt: 1,
            updatedAt: 1,
          },
          10,
        );
        await s.addUserToGroup('g1', u.userId, 1, 5);
        expect((await storeError(s.addUserToGroup('g1', u.userId, 1, 5))).kind).toBe(
          'AlreadyExists',
        );
        expect((await storeError(s.deleteUser(ACCT, 'alice'))).entity).toBe('User.Group');
        expect((await storeError(s.deleteGroup(ACCT, 'devs'))).entity).toBe('Group.User');
        const gp = policy('group-pol');
        await s.createPolicy(gp, DOC, 10);
        await s.attach(ACCT, gp, 'Group', 'g1', 1, 10);
        const up = policy('user-pol');
        await s.createPolicy(up, DOC.replace('Get', 'Put'), 10);
        await s.attach(ACCT, up, 'User', u.userId, 1, 10);
        const docs = await s.effectiveDocuments([
          { type: 'User', id: u.userId },
          { type: 'Group', id: 'g1' },
        ]);
        expect(docs.map((d) => d.policyName).sort()).toEqual(['group-pol', 'user-pol']);
        expect((await storeError(s.deleteUser(ACCT, 'alice'))).entity).toBe('User.Policy');
        await s.removeUserFromGroup('g1', u.userId);
        await s.detach(up.policyId, 'User', u.userId);
        await s.deleteUser(ACCT, 'alice');
        expect((await storeError(s.deleteGroup(ACCT, 'devs'))).entity).toBe('Group.Policy');
      },
    },
    {
      name: 'system policies: upsert is idempotent and updates documents',
      async run({ db, another }) {
        const s = await setup(db);
        const s2 = new RamSqlStore(await another());
        await Promise.all([
          s.upsertSystemPolicy('Sys', 'd', DOC, 1),
          s2.upsertSystemPolicy('Sys', 'd', DOC, 1),
        ]);
        await s.upsertSystemPolicy('Sys', 'd2', DOC.replace('Get', 'List'), 2);
        const p = (await s.getPolicy(ACCT, 'System', 'Sys'))!;
        expect(p.description).toBe('d2');
        expect((await s.getPolicyVersion(p.policyId, 'v1'))!.document).toContain('List');
        const page = await s.listPolicies(ACCT, 'System', { limit: 10 });
        expect(page.items.map((x) => x.policyName)).toEqual(['Sys']);
      },
    },
  ],
};
