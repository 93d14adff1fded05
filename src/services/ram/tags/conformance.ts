/**
 * @module Conformance cases of RAM tags (`ram_tags`), on both dialects: tags given at creation are
 * written with the role or policy, read by any node, and deleted with it, so a role created again
 * under the same name starts without tags; a creation that fails writes none; tags added while the
 * role or policy is deleted on another node leave no row behind.
 */
import { expect } from 'vitest';
import { race, storeError } from '../../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../../store/conformance/runner.js';
import { policyId, type Policy, type Role } from '../model.js';
import { RamSqlStore } from '../store-sql.js';

const ACCT = '1000000000000001';
const DOC = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}';

const role = (roleId: string, roleName: string): Role => ({
  roleId,
  accountId: ACCT,
  roleName,
  description: '',
  trustPolicy: '{}',
  maxSessionDuration: 3600,
  createdAt: 1,
  updatedAt: 1,
});
const policy = (name: string): Policy => ({
  policyId: policyId(ACCT, 'Custom', name),
  accountId: ACCT,
  policyType: 'Custom',
  policyName: name,
  description: '',
  defaultVersion: 'v1',
  nextVersion: 2,
  createdAt: 1,
  updatedAt: 1,
});
const kv = (key: string, value = '') => ({ key, value });

export const ramTagsConformance: ConformanceSuite = {
  service: 'ram-tags',
  cases: [
    {
      name: 'tags come with a role or policy, are read by any node, and go with it',
      async run({ db, another }) {
        const a = new RamSqlStore(db);
        const b = new RamSqlStore(await another());
        await a.ensureAccount(ACCT, 1);
        await a.createRole(role('300000000000000001', 'AppRole'), 10, [kv('env', 'dev'), kv('a')]);
        await a.createPolicy(policy('ReadAll'), DOC, 10, [kv('env', 'prod')]);
        const roleTags = await b.tagsOf(ACCT, 'role', ['300000000000000001']);
        expect(roleTags.get('300000000000000001')).toEqual([kv('env', 'dev'), kv('a')]);
        const pid = policyId(ACCT, 'Custom', 'ReadAll');
        expect((await b.tagsOf(ACCT, 'policy', [pid])).get(pid)).toEqual([kv('env', 'prod')]);
        // A creation refused writes no tag.
        const dup = await storeError(
          a.createRole(role('300000000000000002', 'approle'), 10, [kv('x')]),
        );
        expect(dup.kind).toBe('AlreadyExists');
        expect((await a.tagsOf(ACCT, 'role', ['300000000000000002'])).size).toBe(0);
        // Deleted with it: the next role of that name starts bare.
        await b.deleteRole(ACCT, 'APPROLE');
        await b.deletePolicy(pid, true);
        await a.createRole(role('300000000000000003', 'AppRole'), 10);
        const all = await a.listTags({ accountId: ACCT, resourceType: 'role', limit: 50 });
        expect(all.entries).toEqual([]);
        expect(
          (await a.listTags({ accountId: ACCT, resourceType: 'policy', limit: 50 })).entries,
        ).toEqual([]);
      },
    },
    {
      name: 'tags are not added to a role or policy that is gone',
      async run({ db }) {
        const a = new RamSqlStore(db);
        await a.ensureAccount(ACCT, 1);
        await a.createRole(role('300000000000000011', 'Gone'), 10);
        await a.deleteRole(ACCT, 'Gone');
        const e = await storeError(a.addTags(ACCT, 'role', ['300000000000000011'], [kv('k')]));
        expect([e.kind, e.entity]).toEqual(['NotFound', 'Role']);
        const pid = policyId(ACCT, 'Custom', 'GonePolicy');
        const p = await storeError(a.addTags(ACCT, 'policy', [pid], [kv('k')]));
        expect([p.kind, p.entity]).toEqual(['NotFound', 'Policy']);
        expect((await a.tagsOf(ACCT, 'role', ['300000000000000011'])).size).toBe(0);
        expect((await a.tagsOf(ACCT, 'policy', [pid])).size).toBe(0);
      },
    },
    {
      name: 'TagResources racing the delete of its role or policy leaves no tag behind',
      async run({ db, another }) {
        const a = new RamSqlStore(db);
        const b = new RamSqlStore(await another());
        await a.ensureAccount(ACCT, 1);
        for (let n = 0; n < 5; n++) {
          const id = `30000000000000010${n}`;
          await a.createRole(role(id, `Racing${n}`), 100, [kv('was', 'here')]);
          const pol = policy(`RacingPolicy${n}`);
          await a.createPolicy(pol, DOC, 100);
          const results = await race<unknown>(db, [
            () => a.addTags(ACCT, 'role', [id], [kv('late', String(n))]),
            () => b.deleteRole(ACCT, `Racing${n}`),
            () => a.addTags(ACCT, 'policy', [pol.policyId], [kv('late', String(n))]),
            () => b.deletePolicy(pol.policyId, true),
          ]);
          // Deletes always succeed; a tag call either came first or finds nothing.
          expect(results[1]!.status).toBe('fulfilled');
          expect(results[3]!.status).toBe('fulfilled');
          for (const r of [results[0]!, results[2]!]) {
            if (r.status === 'rejected') expect(r.reason).toMatchObject({ kind: 'NotFound' });
          }
          expect(await a.getRole(ACCT, `Racing${n}`)).toBeUndefined();
          expect((await a.tagsOf(ACCT, 'role', [id])).size).toBe(0);
          expect((await a.tagsOf(ACCT, 'policy', [pol.policyId])).size).toBe(0);
        }
      },
    },
  ],
};
