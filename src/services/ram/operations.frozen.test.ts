/**
 * Every RAM operation, run through its bound handler over a store whose every result is frozen
 * (as a read cache's are): a handler that assigns to what the store gave it fails here at once,
 * on any store, whether or not that row is cached today (UpdateRole answered 500 for that).
 * Names are written in other cases throughout: handlers receive and answer stored spellings, and
 * the stored spelling's ARN is authorised too.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthzCheck, HandlerContext } from '../../kernel/context.js';
import { ManualClock } from '../../kernel/clock.js';
import type { BoundOperation } from '../../protocol/rpc-operation.js';
import { openDb, type Db } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import { freezingResults } from '../../testing/frozen.js';
import { ramMigrations, ramOperations } from './index.js';
import { RamSqlStore } from './store-sql.js';

const ACCT = '1000000000000001';
const TRUST = JSON.stringify({
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCT}:root`] } },
  ],
});
const DOC = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}';
const DOC2 = DOC.replace('Get', 'List');

let db: Db;
let ops: BoundOperation[];
const storeCalls = new Set<string>();
const called = new Set<string>();
const checks: AuthzCheck[] = [];
let now = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  db = await openDb({ kind: 'sqlite', file: ':memory:' });
  await migrate(db, [ramMigrations]);
  const raw = new RamSqlStore(db);
  await raw.ensureAccount(ACCT, now);
  await raw.upsertSystemPolicy('AliyunOSSReadOnlyAccess', 'read OSS', DOC, now);
  ops = ramOperations(freezingResults(raw, storeCalls));
});
afterAll(async () => {
  await db?.close();
});

function ctx(): HandlerContext {
  now += 1000;
  return {
    requestId: 'req',
    now,
    clock: new ManualClock(now),
    region: 'cn-hangzhou',
    principal: { kind: 'account', accountId: ACCT, accessKeyId: 'LTAIroot' },
    accountId: ACCT,
    sourceIp: '127.0.0.1',
    secure: false,
    host: 'ram.aliyuncs.com',
    log: pino({ level: 'silent' }),
    async authorize(c) {
      checks.push(...(Array.isArray(c) ? c : [c]));
    },
  };
}

/** Calls operation `name` as the pipeline would after parsing and the declared checks. */
async function call(name: string, input: Record<string, unknown> = {}): Promise<any> {
  const op = ops.find((o) => o.decl.name === name);
  if (!op) throw new Error(`no operation ${name}`);
  called.add(name);
  const c = ctx();
  if (typeof op.decl.authz === 'function') await c.authorize(op.decl.authz(input, c));
  return op.handler(c, input);
}

describe('RAM operations over frozen store results', () => {
  it('roles: create, read in any case, every UpdateRole combination, delete', async () => {
    await call('CreateRole', { RoleName: 'AppRole', AssumeRolePolicyDocument: TRUST });
    const got = await call('GetRole', { RoleName: 'approle' });
    expect(got.Role).toMatchObject({ RoleName: 'AppRole', Arn: `acs:ram::${ACCT}:role/AppRole` });
    expect(checks).toContainEqual({
      action: 'ram:GetRole',
      resource: `acs:ram::${ACCT}:role/AppRole`,
    });
    expect((await call('ListRoles')).Roles.Role.map((r: any) => r.RoleName)).toEqual(['AppRole']);

    const trust2 = TRUST.replace('root', 'user/ci');
    const steps: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ NewDescription: 'one' }, { Description: 'one' }],
      [{ NewAssumeRolePolicyDocument: trust2 }, { AssumeRolePolicyDocument: trust2 }],
      [{ NewMaxSessionDuration: 7200 }, { MaxSessionDuration: 7200 }],
      [
        { NewDescription: '', NewAssumeRolePolicyDocument: TRUST, NewMaxSessionDuration: 3600 },
        { Description: '', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 3600 },
      ],
      [{}, { Description: '', MaxSessionDuration: 3600 }],
    ];
    for (const [change, shown] of steps) {
      const r = await call('UpdateRole', { RoleName: 'APPROLE', ...change });
      expect(r.Role).toMatchObject({ RoleName: 'AppRole', ...shown });
      expect((await call('GetRole', { RoleName: 'AppRole' })).Role).toMatchObject(shown);
    }
  });

  it('policies, versions and attachments, names in any case', async () => {
    await call('CreatePolicy', { PolicyName: 'ReadAll', PolicyDocument: DOC });
    const p = await call('GetPolicy', { PolicyName: 'readall', PolicyType: 'Custom' });
    expect(p.Policy.PolicyName).toBe('ReadAll');
    await call('ListPolicies', { PolicyType: 'Custom' });
    const u = await call('UpdatePolicyDescription', { PolicyName: 'READALL', NewDescription: 'x' });
    expect(u.Policy).toMatchObject({ PolicyName: 'ReadAll', Description: 'x' });
    await call('CreatePolicyVersion', {
      PolicyName: 'readall',
      PolicyDocument: DOC2,
      SetAsDefault: true,
    });
    await call('GetPolicyVersion', {
      PolicyName: 'readall',
      PolicyType: 'Custom',
      VersionId: 'v2',
    });
    await call('ListPolicyVersions', { PolicyName: 'readall', PolicyType: 'Custom' });
    await call('SetDefaultPolicyVersion', { PolicyName: 'readall', VersionId: 'v1' });
    await call('DeletePolicyVersion', { PolicyName: 'readall', VersionId: 'v2' });

    await call('CreateUser', { UserName: 'Alice', DisplayName: 'Alice' });
    await call('CreateGroup', { GroupName: 'Devs' });
    const sys = { PolicyType: 'System', PolicyName: 'aliyunossreadonlyaccess' };
    const custom = { PolicyType: 'Custom', PolicyName: 'readall' };
    for (const pol of [sys, custom]) {
      await call('AttachPolicyToRole', { ...pol, RoleName: 'approle' });
      await call('AttachPolicyToUser', { ...pol, UserName: 'alice' });
      await call('AttachPolicyToGroup', { ...pol, GroupName: 'devs' });
    }
    expect(checks).toContainEqual({
      action: 'ram:AttachPolicyToRole',
      resource: `acs:ram::${ACCT}:policy/AliyunOSSReadOnlyAccess`,
    });
    for (const [op, field, name] of [
      ['ListPoliciesForRole', 'RoleName', 'APPROLE'],
      ['ListPoliciesForUser', 'UserName', 'ALICE'],
      ['ListPoliciesForGroup', 'GroupName', 'DEVS'],
    ] as const) {
      const l = await call(op, { [field]: name });
      expect(l.Policies.Policy.map((x: any) => x.PolicyName)).toEqual([
        'AliyunOSSReadOnlyAccess',
        'ReadAll',
      ]);
    }
    const e = await call('ListEntitiesForPolicy', sys);
    expect(e.Roles.Role.map((r: any) => r.RoleName)).toEqual(['AppRole']);
    expect(e.Users.User.map((r: any) => r.UserName)).toEqual(['Alice']);
    expect(e.Groups.Group.map((r: any) => r.GroupName)).toEqual(['Devs']);
    for (const pol of [sys, custom]) {
      await call('DetachPolicyFromRole', { ...pol, RoleName: 'appRole' });
      await call('DetachPolicyFromUser', { ...pol, UserName: 'aLICE' });
      await call('DetachPolicyFromGroup', { ...pol, GroupName: 'dEVS' });
    }
  });

  it('tags of roles and policies, names in any case', async () => {
    const tags = (t: Record<string, string>) =>
      JSON.stringify(Object.entries(t).map(([Key, Value]) => ({ Key, Value })));
    await call('TagResources', {
      ResourceType: 'role',
      ResourceNames: ['approle'],
      Tag: tags({ env: 'dev', team: 'a' }),
    });
    expect(checks).toContainEqual({
      action: 'ram:TagResources',
      resource: `acs:ram::${ACCT}:role/AppRole`,
    });
    await call('TagResources', {
      ResourceType: 'policy',
      ResourceNames: ['READALL'],
      Tag: tags({ env: 'prod' }),
    });
    await call('UntagResources', {
      ResourceType: 'role',
      ResourceNames: ['AppRole'],
      TagKeys: ['team'],
    });
    const l = await call('ListTagResources', { ResourceType: 'role', ResourceNames: ['APPROLE'] });
    expect(l.TagResources).toEqual([
      { ResourceName: 'AppRole', ResourceType: 'role', TagKey: 'env', TagValue: 'dev' },
    ]);
    const p = await call('ListTagResources', { ResourceType: 'policy' });
    expect(p.TagResources).toEqual([
      { ResourceName: 'ReadAll', ResourceType: 'policy', TagKey: 'env', TagValue: 'prod' },
    ]);
  });

  it('users, groups and access keys, including renames', async () => {
    expect((await call('GetUser', { UserName: 'alice' })).User.UserName).toBe('Alice');
    await call('ListUsers');
    const u = await call('UpdateUser', {
      UserName: 'ALICE',
      NewDisplayName: 'A',
      NewEmail: 'a@example.com',
      NewMobilePhone: '86-18600000000',
      NewComments: 'c',
    });
    expect(u.User).toMatchObject({ UserName: 'Alice', DisplayName: 'A', Comments: 'c' });
    expect((await call('GetGroup', { GroupName: 'devs' })).Group.GroupName).toBe('Devs');
    await call('ListGroups');
    const g = await call('UpdateGroup', { GroupName: 'DEVS', NewComments: 'team' });
    expect(g.Group).toMatchObject({ GroupName: 'Devs', Comments: 'team' });
    await call('AddUserToGroup', { GroupName: 'devs', UserName: 'alice' });
    expect((await call('ListGroupsForUser', { UserName: 'alice' })).Groups.Group).toHaveLength(1);
    const members = await call('ListUsersForGroup', { GroupName: 'devs' });
    expect(members.Users.User.map((x: any) => x.UserName)).toEqual(['Alice']);

    const k = await call('CreateAccessKey', { UserName: 'alice' });
    expect(checks).toContainEqual({
      action: 'ram:CreateAccessKey',
      resource: `acs:ram::${ACCT}:user/Alice`,
    });
    const id = k.AccessKey.AccessKeyId as string;
    await call('ListAccessKeys', { UserName: 'ALICE' });
    await call('UpdateAccessKey', { UserName: 'alice', UserAccessKeyId: id, Status: 'Inactive' });
    await call('GetAccessKeyLastUsed', { UserName: 'alice', UserAccessKeyId: id });
    await call('DeleteAccessKey', { UserName: 'alice', UserAccessKeyId: id });

    await call('RemoveUserFromGroup', { GroupName: 'devs', UserName: 'alice' });
    const renamed = await call('UpdateUser', { UserName: 'alice', NewUserName: 'Alice2' });
    expect(renamed.User.UserName).toBe('Alice2');
    expect((await call('GetUser', { UserName: 'alice2' })).User.UserName).toBe('Alice2');
    const g2 = await call('UpdateGroup', { GroupName: 'devs', NewGroupName: 'Ops' });
    expect(g2.Group.GroupName).toBe('Ops');
    await call('DeleteGroup', { GroupName: 'OPS' });
    await call('DeleteUser', { UserName: 'ALICE2' });
    await call('DeletePolicy', { PolicyName: 'readall' });
    await call('DeleteRole', { RoleName: 'approle' });
  });

  it('left no operation out, and every one read the store', () => {
    expect([...called].sort()).toEqual(ops.map((o) => o.decl.name).sort());
    expect(storeCalls.size).toBeGreaterThan(20);
  });
});
