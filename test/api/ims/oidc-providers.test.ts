/**
 * IMS OIDC providers with the official client (@alicloud/ims20190815): create, get, list with
 * paging, update, client IDs and fingerprints added and removed, delete; Alibaba's limits and
 * error codes; a RAM user needs `ram:<Action>` on `acs:ram::<account>:oidc-provider/<name>`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $Ims, imsClient, popClient } from '../../../src/testing/sdk.js';
import { failure, outcome } from '../../../src/testing/failure.js';
import { createUserWithKey, grantCustomPolicy, rootOf } from '../../../src/testing/fixtures.js';

const FP1 = '902ef2deeb3c5b13ea4c3d5193629309e231ab12';
const FP2 = '0123456789ABCDEF0123456789ABCDEF01234567';

let yb: TestServer;
let ims: ReturnType<typeof imsClient>;

beforeAll(async () => {
  yb = await startTestServer();
  ims = imsClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

const create = (name: string, extra: Record<string, unknown> = {}) =>
  ims.createOIDCProvider(
    new $Ims.CreateOIDCProviderRequest({
      OIDCProviderName: name,
      issuerUrl: `https://${name.toLowerCase()}.example.com`,
      fingerprints: FP1,
      clientIds: 'sts.aliyuncs.com',
      ...extra,
    }),
  );

describe('OIDC providers', () => {
  it('creates, gets, updates and deletes a provider', async () => {
    const r = await create('TestOIDCProvider', {
      clientIds: 'sts.aliyuncs.com,app-1',
      fingerprints: `${FP1},${FP2}`,
      description: 'Okta',
      issuanceLimitTime: 6,
    });
    const p = r.body!.OIDCProvider!;
    expect(p.arn).toBe(`acs:ram::${yb.accountId}:oidc-provider/TestOIDCProvider`);
    expect(p.issuerUrl).toBe('https://testoidcprovider.example.com');
    expect(p.clientIds).toBe('sts.aliyuncs.com,app-1');
    expect(p.fingerprints).toBe(`${FP1},${FP2.toLowerCase()}`);
    expect(p.issuanceLimitTime).toBe(6);
    expect(p.createDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const got = await ims.getOIDCProvider(
      new $Ims.GetOIDCProviderRequest({ OIDCProviderName: 'testoidcprovider' }),
    );
    expect(got.body!.OIDCProvider!.OIDCProviderName).toBe('TestOIDCProvider');

    const up = await ims.updateOIDCProvider(
      new $Ims.UpdateOIDCProviderRequest({
        OIDCProviderName: 'TestOIDCProvider',
        clientIds: 'only-this',
        newDescription: 'changed',
      }),
    );
    expect(up.body!.OIDCProvider!.clientIds).toBe('only-this');
    expect(up.body!.OIDCProvider!.description).toBe('changed');
    expect(up.body!.OIDCProvider!.issuanceLimitTime).toBe(6);

    await ims.addClientIdToOIDCProvider(
      new $Ims.AddClientIdToOIDCProviderRequest({
        OIDCProviderName: 'TestOIDCProvider',
        clientId: 'sts.aliyuncs.com',
      }),
    );
    expect(
      await outcome(
        ims.addClientIdToOIDCProvider(
          new $Ims.AddClientIdToOIDCProviderRequest({
            OIDCProviderName: 'TestOIDCProvider',
            clientId: 'only-this',
          }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.OIDCProvider.ClientId');
    await ims.removeClientIdFromOIDCProvider(
      new $Ims.RemoveClientIdFromOIDCProviderRequest({
        OIDCProviderName: 'TestOIDCProvider',
        clientId: 'only-this',
      }),
    );
    await ims.removeFingerprintFromOIDCProvider(
      new $Ims.RemoveFingerprintFromOIDCProviderRequest({
        OIDCProviderName: 'TestOIDCProvider',
        fingerprint: FP2,
      }),
    );
    expect(
      await outcome(
        ims.removeFingerprintFromOIDCProvider(
          new $Ims.RemoveFingerprintFromOIDCProviderRequest({
            OIDCProviderName: 'TestOIDCProvider',
            fingerprint: FP2,
          }),
        ),
      ),
    ).toBe('404 EntityNotExist.OIDCProvider.Fingerprint');
    const after = await ims.getOIDCProvider(
      new $Ims.GetOIDCProviderRequest({ OIDCProviderName: 'TestOIDCProvider' }),
    );
    expect(after.body!.OIDCProvider!.clientIds).toBe('sts.aliyuncs.com');
    expect(after.body!.OIDCProvider!.fingerprints).toBe(FP1);

    await ims.deleteOIDCProvider(
      new $Ims.DeleteOIDCProviderRequest({ OIDCProviderName: 'TestOIDCProvider' }),
    );
    expect(
      await outcome(
        ims.getOIDCProvider(
          new $Ims.GetOIDCProviderRequest({ OIDCProviderName: 'TestOIDCProvider' }),
        ),
      ),
    ).toBe('404 EntityNotExist.OIDCProvider');
  });

  it("refuses bad fields and taken names or issuer URLs with IMS's codes", async () => {
    await create('dup');
    expect(await outcome(create('DUP', { issuerUrl: 'https://other.example.com' }))).toBe(
      '409 EntityAlreadyExists.OIDCProvider',
    );
    expect(await outcome(create('dup2', { issuerUrl: 'https://dup.example.com' }))).toBe(
      '409 EntityAlreadyExists.OIDCProvider',
    );
    expect(await outcome(create('-bad'))).toBe('400 InvalidParameter.OIDCProviderName');
    expect(await outcome(create('u1', { issuerUrl: 'http://u1.example.com' }))).toBe(
      '400 InvalidParameter.IssuerUrl',
    );
    expect(await outcome(create('u2', { issuerUrl: 'https://u2.example.com/?a=b' }))).toBe(
      '400 InvalidParameter.IssuerUrl',
    );
    expect(await outcome(create('f1', { fingerprints: 'nothex' }))).toBe(
      '400 InvalidParameter.Fingerprints',
    );
    const six = Array.from({ length: 6 }, (_, i) => String(i).repeat(40)).join(',');
    expect(await outcome(create('f2', { fingerprints: six }))).toBe(
      '409 LimitExceeded.OIDCProvider.Fingerprint',
    );
    const many = Array.from({ length: 51 }, (_, i) => `c${i}`).join(',');
    expect(await outcome(create('c1', { clientIds: many }))).toBe(
      '409 LimitExceeded.OIDCProvider.ClientId',
    );
    expect(await outcome(create('t1', { issuanceLimitTime: 169 }))).toBe(
      '400 InvalidParameter.IssuanceLimitTime',
    );
    expect(
      await outcome(
        ims.createOIDCProvider(
          new $Ims.CreateOIDCProviderRequest({ OIDCProviderName: 'x', fingerprints: FP1 }),
        ),
      ),
    ).toMatch(/^400 Missing/);
  });

  it('lists providers page by page', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await create(n);
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await ims.listOIDCProviders(
        new $Ims.ListOIDCProvidersRequest({ maxItems: 2, ...(marker ? { marker } : {}) }),
      );
      seen.push(...r.body!.OIDCProviders!.OIDCProvider!.map((p) => p.OIDCProviderName!));
      if (!r.body!.isTruncated) break;
      marker = r.body!.marker!;
    }
    expect(seen.filter((n) => n.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c']);
  });

  it('asks RAM: a user needs ram:<Action> on the provider', async () => {
    const dev = await createUserWithKey(yb, rootOf(yb), 'oidc-dev');
    const devIms = imsClient(yb, dev);
    expect(await outcome(devIms.listOIDCProviders(new $Ims.ListOIDCProvidersRequest({})))).toBe(
      '403 NoPermission',
    );
    await grantCustomPolicy(yb, rootOf(yb), 'oidc-dev', 'OidcRead', [
      {
        Effect: 'Allow',
        Action: ['ram:GetOIDCProvider', 'ram:ListOIDCProviders'],
        Resource: `acs:ram::${yb.accountId}:oidc-provider/*`,
      },
    ]);
    await devIms.listOIDCProviders(new $Ims.ListOIDCProvidersRequest({}));
    expect(
      await outcome(
        devIms.deleteOIDCProvider(new $Ims.DeleteOIDCProviderRequest({ OIDCProviderName: 'dup' })),
      ),
    ).toBe('403 NoPermission');
  });

  it("yunbox's issuer needs the HTTPS listener, and RAM's leave for a user", async () => {
    // pop-core reports the code (its errors carry no HTTP status field).
    const yunbox = popClient(yb, rootOf(yb), '2026-11-01');
    const code = async (p: Promise<unknown>) => (await failure(p)).code;
    expect(await code(yunbox.request('DescribeOIDCIssuer', {}, { method: 'POST' }))).toBe(
      'OperationDenied.NoHttpsListener',
    );
    const dev = await createUserWithKey(yb, rootOf(yb), 'token-dev');
    const asDev = popClient(yb, dev, '2026-11-01');
    const claims = { Subject: 'me', Audience: 'sts.aliyuncs.com' };
    expect(await code(asDev.request('IssueOIDCToken', claims, { method: 'POST' }))).toBe(
      'Forbidden.RAM',
    );
    expect(
      await code(
        yunbox.request('IssueOIDCToken', { ...claims, Audience: '-bad' }, { method: 'POST' }),
      ),
    ).toBe('InvalidParameter.Audience');
  });
});
