/**
 * Finding 1 of the security issue, performed against a spawned `yunbox serve`: a bucket policy
 * that lets anyone read `.gz` objects four levels under `logs/` (a Resource with six `*`) and,
 * under `ua/`, callers whose User-Agent is like `*a*a*a*a*x`. With the backtracking matcher one anonymous GET of a 500-character key froze the
 * server for about 19 s, and a 200-character User-Agent for 21 s. Here dozens of such requests,
 * and a ListObjectsV2 whose continuation token is 60,000 `=` (quadratic in the `/=+$/` it was
 * trimmed with), get their answers while `/_yunbox/health` keeps answering. Then the limits:
 * AssumeRole with a session policy over the wildcard limit is refused with STS's error
 * (@alicloud/sts20150401), PutBucketPolicy with OSS's (ali-oss), CreatePolicy with RAM's.
 */
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LIKE_VALUE_LENGTH, MAX_PATTERN_WILDCARDS } from '../../src/policy/wildcard.js';
import { failure } from '../../src/testing/failure.js';
import {
  createRamRole,
  createUserWithKey,
  policyDocument,
  ramTrustPolicy,
} from '../../src/testing/fixtures.js';
import { $Ram, $Sts, ossClient, ramClient, stsClient } from '../../src/testing/sdk.js';
import { rootCredentialsIn, serveIn, type ServeProcess } from '../../src/testing/spawn.js';

const BUCKET = 'wild-logs';
let server: ServeProcess;
let dir: string;
let root: { accessKeyId: string; accessKeySecret: string; accountId: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-wildcard-'));
  server = await serveIn(dir);
  root = await rootCredentialsIn(dir);
  const oss = ossClient(server, root, { bucket: BUCKET });
  await oss.putBucket(BUCKET);
  await oss.put('logs/2026/12/07/app.gz', Buffer.from('gz'));
  await oss.put('ua/doc.txt', Buffer.from('doc'));
  await oss.putBucketPolicy(BUCKET, {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Principal: ['*'],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:*:${BUCKET}/logs/*/*/*/*.gz`],
      },
      {
        Effect: 'Allow',
        Principal: ['*'],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:*:${BUCKET}/ua/*`],
        Condition: { StringLike: { 'acs:UserAgent': ['*a*a*a*a*x'] } },
      },
      {
        Effect: 'Allow',
        Principal: ['*'],
        Action: ['oss:ListObjects'],
        Resource: [`acs:oss:*:*:${BUCKET}`],
      },
    ],
  });
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An anonymous path-style GET (node:http, so that the User-Agent is exactly ours). */
function anonymousGet(
  path: string,
  userAgent = 'wildcard-test',
): Promise<{ status: number; text: string }> {
  const port = Number(server.address.slice(server.address.lastIndexOf(':') + 1));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { host: `localhost:${port}`, 'user-agent': userAgent },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to GET ${path.slice(0, 60)}`)));
    req.on('error', reject);
    req.end();
  });
}

const code = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

describe('pathological wildcard requests against a running server', () => {
  it('answers them all while /_yunbox/health keeps answering', async () => {
    // Probe health every 20 ms for as long as the attack lasts; a probe that gets no answer
    // within 5 s fails (the backtracking matcher blocked the event loop for 19 s per request).
    let attacking = true;
    const probes: (number | string)[] = [];
    const prober = (async () => {
      while (attacking) {
        try {
          const r = await fetch(`${server.endpoint}/_yunbox/health`, {
            signal: AbortSignal.timeout(5000),
          });
          probes.push(r.status);
          await r.arrayBuffer();
        } catch (e) {
          probes.push(`no answer: ${(e as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const longKey = `/${BUCKET}/logs/${'a/'.repeat(247)}x`; // 500 characters, no `.gz`
    expect(longKey.length - BUCKET.length - 2).toBe(500);
    const gz = `/${BUCKET}/logs/2026/12/07/app.gz`;
    const ua = `/${BUCKET}/ua/doc.txt`;
    const near = 'a'.repeat(MAX_LIKE_VALUE_LENGTH - 1);
    const over = 'a'.repeat(MAX_LIKE_VALUE_LENGTH) + 'x';
    let attack: { status: number; text: string }[];
    try {
      attack = await Promise.all([
        ...Array.from({ length: 20 }, () => anonymousGet(longKey)),
        ...Array.from({ length: 20 }, () => anonymousGet(ua, near)),
        anonymousGet(gz),
        anonymousGet(ua, `${near}x`),
        anonymousGet(ua, over),
        anonymousGet(`/${BUCKET}/?list-type=2&continuation-token=${'='.repeat(60_000)}x`),
      ]);
    } finally {
      attacking = false;
      await prober;
    }

    const [keys, agents, [allowedGz, allowedUa, padded, listing]] = [
      attack.slice(0, 20),
      attack.slice(20, 40),
      attack.slice(40),
    ] as const;
    // As the policy says: no `.gz` and no `x` at the end are refused, the others allowed.
    for (const r of [...keys, ...agents]) {
      expect({ status: r.status, code: code(r.text) }).toEqual({
        status: 403,
        code: 'AccessDenied',
      });
    }
    expect(allowedGz).toEqual({ status: 200, text: 'gz' });
    expect(allowedUa).toEqual({ status: 200, text: 'doc' });
    // A User-Agent longer than StringLike compares makes the condition unknown: no Allow.
    expect({ status: padded!.status, code: code(padded!.text) }).toEqual({
      status: 403,
      code: 'AccessDenied',
    });
    // The token is refused as malformed (or, should the server's header limit ever drop below
    // this 60 KB request line, the whole request is, with 431).
    if (listing!.status !== 431) {
      expect({ status: listing!.status, code: code(listing!.text) }).toEqual({
        status: 400,
        code: 'InvalidArgument',
      });
    }
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.filter((s) => s !== 200)).toEqual([]);
  });
});

describe('the wildcard limits, refused in each service error format', () => {
  const over = `acs:oss:*:*:${BUCKET}/${'*a'.repeat(MAX_PATTERN_WILDCARDS)}`; // 18 wildcards
  const atLimit = `acs:oss:*:*:${BUCKET}/${'*a'.repeat(MAX_PATTERN_WILDCARDS - 2)}`; // 16
  const doc = (resource: string) =>
    policyDocument([{ Effect: 'Allow', Action: 'oss:GetObject', Resource: resource }]);

  it('STS AssumeRole: InvalidParameter.PolicyGrammar for a session policy over the limit', async () => {
    const alice = await createUserWithKey(server, root, 'wild-alice', [
      'AliyunSTSAssumeRoleAccess',
    ]);
    await createRamRole(server, root, 'wild-reader', [`acs:ram::${root.accountId}:root`]);
    const assume = (policy: string) =>
      stsClient(server, alice).assumeRole(
        new $Sts.AssumeRoleRequest({
          roleArn: `acs:ram::${root.accountId}:role/wild-reader`,
          roleSessionName: 'wild',
          policy,
        }),
      );
    const e = await failure(assume(doc(over)));
    expect(e.code).toBe('InvalidParameter.PolicyGrammar');
    expect(e.statusCode).toBe(400);
    expect(e.data.Message).toContain(
      `has ${MAX_PATTERN_WILDCARDS + 2} wildcards (\`*\` and \`?\`); a pattern may have at most ${MAX_PATTERN_WILDCARDS} (at /Statement/0/Resource)`,
    );
    const ok = await assume(doc(atLimit));
    expect(ok.body!.credentials!.accessKeyId).toMatch(/^STS\./);
  });

  it('OSS PutBucketPolicy: InvalidPolicyDocument', async () => {
    const oss = ossClient(server, root, { bucket: BUCKET });
    const e = await failure(
      oss.putBucketPolicy(BUCKET, {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Principal: ['*'], Action: ['oss:GetObject'], Resource: [over] },
        ],
      }),
    );
    expect(e.code).toBe('InvalidPolicyDocument');
    expect(e.status).toBe(400);
    expect(e.message).toContain(`a pattern may have at most ${MAX_PATTERN_WILDCARDS}`);
    // The policy in force is unchanged.
    expect((await anonymousGet(`/${BUCKET}/logs/2026/12/07/app.gz`)).status).toBe(200);
  });

  it('RAM CreatePolicy and a trust policy in CreateRole: MalformedPolicyDocument', async () => {
    const ram = ramClient(server, root);
    const e = await failure(
      ram.createPolicy(
        new $Ram.CreatePolicyRequest({ policyName: 'wild-too-many', policyDocument: doc(over) }),
      ),
    );
    expect(e.code).toBe('MalformedPolicyDocument');
    expect(e.data.Message).toContain(`a pattern may have at most ${MAX_PATTERN_WILDCARDS}`);
    const trust = ramTrustPolicy([`acs:ram::${root.accountId}:role/${'?'.repeat(17)}`]);
    const t = await failure(
      ram.createRole(
        new $Ram.CreateRoleRequest({ roleName: 'wild-trust', assumeRolePolicyDocument: trust }),
      ),
    );
    expect(t.code).toBe('MalformedPolicyDocument');
  });
});
