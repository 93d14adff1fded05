/**
 * @module IMS's cases for the shared store conformance suite: provider names unique per account
 * without regard to case, issuer URLs unique per account, the limit held when two nodes create at
 * once, updates under the lock, and one issuer key per account whoever makes it first.
 */
import { expect } from 'vitest';
import { race, storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import type { OidcProvider } from './model.js';
import { ImsSqlStore } from './store-sql.js';

const ACCT = '1000000000000001';

function provider(
  name: string,
  issuerUrl = `https://${name.toLowerCase()}.example.com`,
): OidcProvider {
  return {
    accountId: ACCT,
    name,
    issuerUrl,
    clientIds: ['sts.aliyuncs.com'],
    fingerprints: ['0123456789abcdef0123456789abcdef01234567'],
    description: '',
    issuanceLimitHours: 12,
    createdAt: 1,
    updatedAt: 1,
  };
}

export const imsConformance: ConformanceSuite = {
  service: 'ims',
  cases: [
    {
      name: 'OIDC provider names and issuer URLs are unique per account; the limit holds under races',
      async run({ db, another }) {
        const a = new ImsSqlStore(db);
        const b = new ImsSqlStore(await another());
        await a.createProvider(provider('Okta'), 3);
        expect(
          (await storeError(a.createProvider(provider('OKTA', 'https://x.example.com'), 3))).entity,
        ).toBe('OIDCProvider');
        expect(
          (await storeError(a.createProvider(provider('other', 'https://okta.example.com'), 3)))
            .entity,
        ).toBe('IssuerUrl');
        // Another account may use the same name and URL.
        await a.createProvider({ ...provider('Okta'), accountId: '1000000000000002' }, 3);
        const results = await race(db, [
          () => a.createProvider(provider('p1'), 3),
          () => b.createProvider(provider('p2'), 3),
          () => a.createProvider(provider('p3'), 3),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
        const e = await storeError(a.createProvider(provider('p4'), 3));
        expect([e.kind, e.entity]).toEqual(['Conflict', 'LimitExceeded']);
        const page = await a.listProviders(ACCT, undefined, 2);
        expect(page.map((p) => p.name)).toEqual([
          'Okta',
          results[0]!.status === 'fulfilled' ? 'p1' : 'p2',
        ]);
        expect((await a.listProviders(ACCT, page[1]!.name, 10)).length).toBe(1);
      },
    },
    {
      name: 'OIDC provider updates replace under the lock; deletes report whether there was one',
      async run({ db }) {
        const s = new ImsSqlStore(db);
        await s.createProvider(provider('gh'), 100);
        const changed = await s.updateProvider(ACCT, 'GH', (p) => ({
          ...p,
          clientIds: [...p.clientIds, 'ci'],
          description: 'd',
          updatedAt: 2,
        }));
        expect(changed?.clientIds).toEqual(['sts.aliyuncs.com', 'ci']);
        expect((await s.getProvider(ACCT, 'gh'))?.description).toBe('d');
        await expect(
          s.updateProvider(ACCT, 'gh', () => {
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect((await s.getProvider(ACCT, 'gh'))?.clientIds).toHaveLength(2);
        expect(await s.updateProvider(ACCT, 'none', (p) => p)).toBeUndefined();
        expect(await s.deleteProvider(ACCT, 'Gh')).toBe(true);
        expect(await s.deleteProvider(ACCT, 'gh')).toBe(false);
      },
    },
    {
      name: 'one OIDC issuer key per account, whichever node makes it first',
      async run({ db, another }) {
        const a = new ImsSqlStore(db);
        const b = new ImsSqlStore(await another());
        const make = (kid: string) => () => ({
          accountId: ACCT,
          kid,
          privateKeyPem: `pem-${kid}`,
          publicJwk: { kid },
          createdAt: 1,
        });
        const results = await race(db, [
          () => a.ensureKey(ACCT, make('k1')),
          () => b.ensureKey(ACCT, make('k2')),
        ]);
        const kids = results.map((r) => (r.status === 'fulfilled' ? r.value.kid : 'failed'));
        expect(kids[0]).toBe(kids[1]);
        expect((await a.getKey(ACCT))?.kid).toBe(kids[0]);
        expect(await a.getKey('1000000000000009')).toBeUndefined();
      },
    },
  ],
};
