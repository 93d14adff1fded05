/**
 * @module The read caches' cases for the shared store suite: a cached read on one node follows
 * every write another node acknowledged (store/read-cache.ts, store/pg-generations.ts). On
 * SQLite, one process, both "nodes" are the same handle, and the cases check the same promise
 * within it.
 */
import { expect } from 'vitest';
import { policyId, type Policy, type Role } from '../../services/ram/model.js';
import { RamSqlStore } from '../../services/ram/store-sql.js';
import type { ConformanceSuite } from './runner.js';

const ACCT = '1000000000000021';
const DOC = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}';
const ROUNDS = 20;

const POLICY: Policy = {
  policyId: policyId(ACCT, 'Custom', 'toggled'),
  accountId: ACCT,
  policyType: 'Custom',
  policyName: 'toggled',
  description: '',
  defaultVersion: 'v1',
  nextVersion: 2,
  createdAt: 1,
  updatedAt: 1,
};

const ROLE: Role = {
  roleId: '300000000000000021',
  accountId: ACCT,
  roleName: 'cached',
  description: '',
  trustPolicy: '{}',
  maxSessionDuration: 3600,
  createdAt: 1,
  updatedAt: 1,
};

export const readCacheConformance: ConformanceSuite = {
  service: 'read caches',
  cases: [
    {
      name: 'a cached AccessKey, its status and its owner follow another node’s writes',
      async run({ db, another }) {
        const a = new RamSqlStore(db);
        const b = new RamSqlStore(await another());
        await a.ensureAccount(ACCT, 1);
        const user = {
          userId: 'u-cached',
          accountId: ACCT,
          userName: 'cached',
          displayName: 'cached',
          email: '',
          mobilePhone: '',
          comments: '',
          createdAt: 1,
          updatedAt: 1,
        };
        await a.createUser(user, 10);
        const key = {
          accessKeyId: 'LTAIcachedkey1',
          accountId: ACCT,
          userId: user.userId,
          secret: 'x',
          status: 'Active' as const,
          createdAt: 1,
        };
        expect(await b.getAccessKeyWithOwner(key.accessKeyId)).toBeUndefined();
        await a.insertAccessKey(key, 2);
        for (let i = 0; i < ROUNDS; i++) {
          expect((await b.getAccessKeyWithOwner(key.accessKeyId))?.key.status).toBe('Active');
          await a.updateAccessKeyStatus(key.accessKeyId, 'Inactive');
          expect((await b.getAccessKeyWithOwner(key.accessKeyId))?.key.status).toBe('Inactive');
          await a.updateAccessKeyStatus(key.accessKeyId, 'Active');
        }
        expect((await b.getAccessKeyWithOwner(key.accessKeyId))?.owner?.userName).toBe('cached');
        await a.deleteAccessKey(key.accessKeyId);
        expect(await b.getAccessKeyWithOwner(key.accessKeyId)).toBeUndefined();
      },
    },
    {
      name: 'cached policy documents and roles follow another node’s attach, detach and delete',
      async run({ db, another }) {
        const a = new RamSqlStore(db);
        const b = new RamSqlStore(await another());
        await a.ensureAccount(ACCT, 1);
        await a.createRole(ROLE, 10);
        await a.createPolicy(POLICY, DOC, 10);
        expect((await b.getRoleById(ROLE.roleId))?.roleName).toBe('cached');
        for (let i = 0; i < ROUNDS; i++) {
          expect(await b.roleDocuments(ROLE.roleId)).toEqual([]);
          await a.attach(ACCT, POLICY, 'Role', ROLE.roleId, 1, 10);
          expect((await b.roleDocuments(ROLE.roleId)).map((d) => d.policyName)).toEqual([
            'toggled',
          ]);
          await a.detach(POLICY.policyId, 'Role', ROLE.roleId);
        }
        await a.deleteRole(ACCT, 'cached');
        expect(await b.getRoleById(ROLE.roleId)).toBeUndefined();
      },
    },
  ],
};
