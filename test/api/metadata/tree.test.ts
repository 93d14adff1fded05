/**
 * The metadata tree over real HTTP against the plain listener, checked field by field against
 * test/vectors/metadata-responses.json: statuses, content types, exact bytes of
 * listings and documents (no trailing newlines), key order of the identity and credential
 * documents, `meta-data/all`'s shape, the role listing (404 without a role), user data, both
 * version prefixes, trailing-slash and `Ram` spellings, and the hardened-mode token flow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../src/testing/server.js';
import { restoreClock } from '../../../src/testing/clock.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { createEcsRole, rootOf } from '../../../src/testing/fixtures.js';
import { credentialDocument } from '../../../src/services/ecs/index.js';
import { REPO_ROOT } from '../../../src/testing/spawn.js';
import { md, metadataServer, runningInstance, type RunningInstance } from './setup.js';

const vectors = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test', 'vectors', 'metadata-responses.json'), 'utf8'),
);
const R = vectors.responses;
const ROLE: string = vectors.roleName;

let yb: TestServer;
let withRole: RunningInstance;
let noRole: RunningInstance;
let attr: $Ecs.DescribeInstanceAttributeResponseBody;

beforeAll(async () => {
  yb = await metadataServer();
  await createEcsRole(yb, rootOf(yb), ROLE);
  withRole = await runningInstance(yb, {
    roleName: ROLE,
    userData: Buffer.from('#!/bin/sh\necho hello\n').toString('base64'),
  });
  noRole = await runningInstance(yb);
  attr = (
    await ecsClient(yb, rootOf(yb)).describeInstanceAttribute(
      new $Ecs.DescribeInstanceAttributeRequest({ instanceId: withRole.instanceId }),
    )
  ).body!;
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

describe('metadata tree (vectors/metadata-responses.json)', () => {
  it('lists the versions at /', async () => {
    const r = await md(withRole.url, R.versions.request.path);
    expect([r.status, r.contentType, r.body]).toEqual([
      R.versions.status,
      R.versions.contentType,
      R.versions.body,
    ]);
  });

  it('lists meta-data/ as documented, under both prefixes and with or without the slash', async () => {
    const r = await md(withRole.url, R.metaDataRootListing.request.path);
    expect(r.status).toBe(200);
    expect(r.contentType).toBe('text/plain');
    const documented: string[] = R.metaDataRootListing.body.split('\n');
    const served = r.body.split('\n');
    // yunbox instances have no EIP and no key pair: those two entries are absent.
    expect(documented.filter((l) => !served.includes(l))).toEqual(['eipv4', 'public-keys/']);
    expect(served.filter((l) => !documented.includes(l))).toEqual([]);
    expect(served).toEqual(documented.filter((l) => l !== 'eipv4' && l !== 'public-keys/'));
    expect(r.body.endsWith('\n')).toBe(false);
    for (const path of ['/latest/meta-data', '/2016-01-01/meta-data/', '/2016-01-01/meta-data']) {
      expect((await md(withRole.url, path)).body).toBe(r.body);
    }
  });

  it("serves the leaves with this instance's values", async () => {
    const leaf = async (path: string) => {
      const r = await md(withRole.url, path);
      expect(r.status).toBe(200);
      expect(r.contentType).toBe('text/plain');
      return r.body;
    };
    expect(await leaf(R.leafInstanceId.request.path)).toBe(withRole.instanceId);
    expect(await leaf(R.leafRegionId.request.path)).toBe(R.leafRegionId.body);
    expect(await leaf(R.leafInstanceType.request.path)).toBe('ecs.g6.large');
    expect(await leaf(R.leafNameserversMultiValue.request.path)).toBe(
      R.leafNameserversMultiValue.body,
    );
    const ip = attr.vpcAttributes!.privateIpAddress!.ipAddress![0]!;
    expect(await leaf('/latest/meta-data/private-ipv4')).toBe(ip);
    expect(await leaf('/latest/meta-data/hostname')).toBe(attr.hostName);
    expect(await leaf('/latest/meta-data/zone-id')).toBe('cn-hangzhou-i');
    expect(await leaf('/latest/meta-data/vpc-id')).toBe(attr.vpcAttributes!.vpcId);
    expect(await leaf('/latest/meta-data/vswitch-id')).toBe(attr.vpcAttributes!.vSwitchId);
    expect(await leaf('/latest/meta-data/vpc-cidr-block')).toBe('192.168.0.0/16');
    expect(await leaf('/latest/meta-data/vswitch-cidr-block')).toBe('192.168.0.0/24');
    expect(await leaf('/latest/meta-data/owner-account-id')).toBe(yb.accountId);
    expect(await leaf('/latest/meta-data/image-id')).toBe(attr.imageId);
    expect(await leaf('/latest/meta-data/serial-number')).toBe(attr.serialNumber);
    expect(await leaf('/latest/meta-data/network-type')).toBe('vpc');
    const mac = await leaf('/latest/meta-data/mac');
    expect(mac).toMatch(/^00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    // macsListing: the MAC as a directory.
    expect(await leaf(R.macsListing.request.path.replace('00:16:3e:00:00:01', ''))).toBe(`${mac}/`);
    // leafPrivateIpv4sJsonText: a JSON array as text.
    expect(await leaf(`/latest/meta-data/network/interfaces/macs/${mac}/private-ipv4s`)).toBe(
      JSON.stringify([ip]),
    );
    expect(await leaf(`/latest/meta-data/network/interfaces/macs/${mac}/gateway`)).toBe(
      '192.168.0.253',
    );
    expect(await leaf(`/latest/meta-data/network/interfaces/macs/${mac}/netmask`)).toBe(
      '255.255.255.0',
    );
  });

  it('answers 404 "Not Found" for what is not there', async () => {
    for (const v of [R.spotTerminationTimeNotScheduled, R.credentialWrongRole]) {
      const r = await md(withRole.url, v.request.path);
      expect([r.status, r.contentType, r.body]).toEqual([v.status, v.contentType, v.body]);
    }
    const none = await md(noRole.url, R.userDataNone.request.path);
    expect([none.status, none.body]).toEqual([R.userDataNone.status, R.userDataNone.body]);
    expect((await md(withRole.url, '/latest/meta-data/no-such-item')).status).toBe(404);
    expect((await md(withRole.url, '/2017-01-01/meta-data/')).status).toBe(404);
  });

  it('serves user data decoded, and lists it', async () => {
    const r = await md(withRole.url, '/latest/user-data');
    expect([r.status, r.body]).toEqual([200, '#!/bin/sh\necho hello\n']);
    expect((await md(withRole.url, '/latest/')).body).toBe('dynamic/\nmeta-data/\nuser-data');
    expect((await md(noRole.url, '/latest')).body).toBe('dynamic/\nmeta-data/');
  });

  it('serves the identity document with the documented keys in order', async () => {
    const r = await md(withRole.url, R.identityDocument.request.path);
    expect([r.status, r.contentType]).toEqual([200, R.identityDocument.contentType]);
    const ours = JSON.parse(r.body);
    expect(Object.keys(ours)).toEqual(Object.keys(JSON.parse(R.identityDocument.body)));
    expect(ours['instance-id']).toBe(withRole.instanceId);
    expect(ours['owner-account-id']).toBe(yb.accountId);
    expect(r.body).toBe(JSON.stringify(ours));
    expect((await md(withRole.url, '/latest/dynamic/instance-identity/')).body).toBe(
      'document\npkcs7',
    );
  });

  it("serves meta-data/all with cloud-init's shape", async () => {
    const r = await md(withRole.url, R.metaDataAllForCloudInit.request.path);
    expect(r.status).toBe(200);
    const ours = JSON.parse(r.body);
    const want = R.metaDataAllForCloudInit.json;
    const missing: string[] = [];
    const walk = (w: any, o: any, at: string) => {
      for (const [k, v] of Object.entries(w)) {
        const key = at === 'network.interfaces.macs' ? Object.keys(o)[0]! : k;
        if (!(key in o)) {
          missing.push(`${at}.${k}`);
          continue;
        }
        if (Array.isArray(v)) expect(Array.isArray(o[key]), `${at}.${k}`).toBe(true);
        else if (typeof v === 'object') walk(v, o[key], at ? `${at}.${k}` : k);
        else expect(typeof o[key], `${at}.${k}`).toBe('string');
      }
    };
    walk(want, ours, '');
    expect(missing).toEqual(['.eipv4', '.public-keys']);
    expect(ours['dns-conf'].nameservers).toEqual(want['dns-conf'].nameservers);
    expect(ours['ntp-conf']['ntp-servers']).toEqual(want['ntp-conf']['ntp-servers']);
    expect(ours.ram).toBeUndefined();
  });

  it('lists the attached role, exactly, and 404 without one', async () => {
    const r = await md(withRole.url, R.roleListing.request.path);
    expect([r.status, r.contentType, r.body]).toEqual([
      R.roleListing.status,
      R.roleListing.contentType,
      R.roleListing.body,
    ]);
    const none = await md(noRole.url, R.roleListingNoRoleAttached.request.path);
    expect([none.status, none.contentType, none.body]).toEqual([
      R.roleListingNoRoleAttached.status,
      R.roleListingNoRoleAttached.contentType,
      R.roleListingNoRoleAttached.body,
    ]);
    expect((await md(withRole.url, '/latest/meta-data/ram/')).body).toBe('security-credentials/');
    expect((await md(withRole.url, '/latest/meta-data/ram/security-credentials')).body).toBe(ROLE);
  });

  it('serves the credential document in the documented format, also under `Ram/`', async () => {
    const v = R.credentialDocument;
    const r = await md(withRole.url, v.request.path);
    expect([r.status, r.contentType]).toEqual([v.status, v.contentType]);
    const ours = JSON.parse(r.body);
    expect(Object.keys(ours)).toEqual(Object.keys(v.json));
    // Same bytes as the documented example once the values are swapped in.
    expect(
      credentialDocument({
        accessKeyId: v.json.AccessKeyId,
        accessKeySecret: v.json.AccessKeySecret,
        securityToken: v.json.SecurityToken,
        issuedAt: Date.parse(v.json.LastUpdated),
        expiresAt: Date.parse(v.json.Expiration),
      }),
    ).toBe(v.body);
    expect(r.body).toBe(
      credentialDocument({
        accessKeyId: ours.AccessKeyId,
        accessKeySecret: ours.AccessKeySecret,
        securityToken: ours.SecurityToken,
        issuedAt: Date.parse(ours.LastUpdated),
        expiresAt: Date.parse(ours.Expiration),
      }),
    );
    expect(ours.Code).toBe('Success');
    expect(ours.AccessKeyId).toMatch(/^STS\./);
    expect(ours.SecurityToken).toMatch(/^CAIS/);
    expect(ours.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ours.LastUpdated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(ours.Expiration) - Date.parse(ours.LastUpdated)).toBe(6 * 3600_000);
    const variant = await md(withRole.url, R.credentialCaseVariantPath.request.path);
    expect([variant.status, variant.body]).toEqual([200, r.body]);
  });

  it('supports HEAD and refuses other methods', async () => {
    const head = await md(withRole.url, '/latest/meta-data/instance-id', { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
    const post = await md(withRole.url, '/latest/meta-data/instance-id', { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe('token flow (vectors tokenFlow)', () => {
  const step = (name: string) => vectors.tokenFlow.find((s: any) => s.step.startsWith(name));

  it('issues a bare token and accepts it', async () => {
    const issue = step('issue');
    const r = await md(withRole.url, issue.request.path, {
      method: 'PUT',
      headers: issue.request.headers,
    });
    expect([r.status, r.contentType]).toEqual([200, issue.response.contentType]);
    expect(r.body).toMatch(/^[A-Za-z0-9_-]+$/);
    const use = step('use');
    const got = await md(withRole.url, use.request.path, {
      headers: { 'x-aliyun-ecs-metadata-token': r.body },
    });
    expect([got.status, got.body]).toEqual([200, withRole.instanceId]);
  });

  it('answers the documented refusals', async () => {
    for (const name of [
      'ttl-out-of-range',
      'ttl-missing',
      'x-forwarded-for-on-put',
      'invalid-or-expired-token',
    ]) {
      const s = step(name);
      const r = await md(withRole.url, s.request.path, {
        method: s.request.method,
        headers: s.request.headers,
      });
      expect([r.status, r.contentType, r.body], name).toEqual([
        s.response.status,
        s.response.contentType,
        s.response.body,
      ]);
    }
  });
});
