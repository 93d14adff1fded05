/**
 * README's examples are true: every `<!-- readme-test: NAME -->` snippet runs, as written, in its
 * own Node process against a real yunbox, with the endpoints in the environment as `yunbox env`
 * sets them (test/e2e/cli-endpoint.test.ts runs them with `yunbox env`'s very output); and
 * `npm start`'s command starts a server that answers /_yunbox/health. The tutorial's steps run in
 * test/e2e/tutorial-init.test.ts.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { CLI, REPO_ROOT, runNode, spawnServe } from '../../src/testing/spawn.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createEcsRole,
  createNetwork,
  createUserWithKey,
  ramTrustPolicy,
  rootOf,
} from '../../src/testing/fixtures.js';
import { isRootLinux, sandboxCheckout, sandboxSkipReason } from '../../src/testing/sandbox.js';
import { $Ecs, $Ram, ecsClient, ramClient } from '../../src/testing/sdk.js';

async function snippets(): Promise<Map<string, string>> {
  const text = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const out = new Map<string, string>();
  const re = /<!-- readme-test: ([\w-]+) -->\s*```js\n([\s\S]*?)```/g;
  for (const m of text.matchAll(re)) out.set(m[1]!, m[2]!);
  return out;
}

let yb: TestServer;
const dir = join(REPO_ROOT, 'test-artifacts', `readme-${process.pid}`);
/** Where the snippet run inside an instance goes (as `nobody`, it cannot always read `dir`). */
let sandboxDir: string | undefined;

beforeAll(async () => {
  yb = await startTestServer({ tlsListen: '127.0.0.1:0' });
  await mkdir(dir, { recursive: true });
});
afterAll(async () => {
  await yb?.close();
  await rm(dir, { recursive: true, force: true });
  if (sandboxDir) await rm(sandboxDir, { recursive: true, force: true });
});

async function run(name: string, env: NodeJS.ProcessEnv) {
  const code = (await snippets()).get(name);
  expect(code, `README snippet ${name}`).toBeDefined();
  const file = join(dir, `${name}.mjs`);
  await writeFile(
    file,
    code!
      .replaceAll('127.0.0.1:9910', yb.address)
      .replaceAll('127.0.0.1:9911', yb.tlsAddress!)
      .replaceAll("'/tmp/yb'", JSON.stringify(join(dir, 'from-code-data'))),
  );
  return runNode([file], {
    YUNBOX_ENDPOINT: yb.endpoint,
    YUNBOX_TLS_ENDPOINT: yb.tlsEndpoint!,
    OSS_ENDPOINT: yb.endpoint,
    OSS_REGION: `oss-${yb.region}`,
    ...env,
  });
}

describe('README', () => {
  it('has the SDK snippets and the from-code one', async () => {
    // instance-rotation runs in test/e2e/sandbox-clock.test.ts, on a manual clock, and
    // tutorial-step-4 in test/e2e/tutorial-init.test.ts, after `serve --init tutorial`.
    expect([...(await snippets()).keys()]).toEqual([
      'tutorial-step-4',
      'instance-rotation',
      'pop-core',
      'ram20150501',
      'credentials-ram-role-arn',
      'ecs20140526',
      'instance-default-chain',
      'ali-oss',
      'from-code',
    ]);
  });

  it('ali-oss snippet creates a bucket, uploads and lists (bucket in the Host header)', async () => {
    const r = await run('ali-oss', {
      ALIBABA_CLOUD_ACCESS_KEY_ID: yb.root.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: yb.root.accessKeySecret,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ramroletest.txt');
  });

  it('pop-core snippet lists roles', async () => {
    const r = await run('pop-core', {
      ALIBABA_CLOUD_ACCESS_KEY_ID: yb.root.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: yb.root.accessKeySecret,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('[]');
  });

  it('ram20150501 snippet creates the tutorial role', async () => {
    const r = await run('ram20150501', {
      ALIBABA_CLOUD_ACCESS_KEY_ID: yb.root.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: yb.root.accessKeySecret,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`acs:ram::${yb.accountId}:role/EcsRamRoleTest`);
  });

  it('ecs20140526 snippet creates an instance with the tutorial role', async () => {
    const r = await run('ecs20140526', {
      ALIBABA_CLOUD_ACCESS_KEY_ID: yb.root.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: yb.root.accessKeySecret,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('EcsRamRoleTest');
  });

  it('credentials ram_role_arn snippet assumes a role over HTTPS, trusting only our CA', async () => {
    const user = await createUserWithKey(yb, rootOf(yb), 'readme-user', [
      'AliyunSTSAssumeRoleAccess',
    ]);
    await ramClient(yb, rootOf(yb)).createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'readme-role',
        assumeRolePolicyDocument: ramTrustPolicy([`acs:ram::${yb.accountId}:user/readme-user`]),
      }),
    );
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: user.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: user.accessKeySecret,
      ROLE_ARN: `acs:ram::${yb.accountId}:role/readme-role`,
    };
    const withoutCa = await run('credentials-ram-role-arn', env);
    expect(withoutCa.code).not.toBe(0);
    const r = await run('credentials-ram-role-arn', {
      ...env,
      NODE_EXTRA_CA_CERTS: yb.caCertPath!,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true');
  });

  it.skipIf(!isRootLinux)(
    `instance-default-chain snippet runs inside an instance as written${sandboxSkipReason}`,
    async () => {
      const root = rootOf(yb);
      await createEcsRole(yb, root, 'EcsRamRoleTest').catch(() => undefined);
      const net = await createNetwork(yb, root, {
        vpcCidr: '10.0.0.0/16',
        vswitchCidr: '10.0.1.0/24',
      });
      const ecs = ecsClient(yb, root);
      const made = await ecs.runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: yb.region,
          imageId: TUTORIAL_IMAGE,
          instanceType: TUTORIAL_INSTANCE_TYPE,
          vSwitchId: net.vswitchId,
          ramRoleName: 'EcsRamRoleTest',
        }),
      );
      const id = made.body!.instanceIdSets!.instanceIdSet![0]!;
      while (
        (
          await ecs.describeInstanceStatus(
            new $Ecs.DescribeInstanceStatusRequest({ regionId: yb.region, instanceId: [id] }),
          )
        ).body!.instanceStatuses!.instanceStatus![0]!.status !== 'Running'
      ) {
        await new Promise((r) => setTimeout(r, 200));
      }
      // The program runs as `nobody`: the file and the SDKs it imports where `nobody` can read them.
      const checkout = await sandboxCheckout();
      sandboxDir = join(checkout.artifacts, `readme-${process.pid}`);
      await mkdir(sandboxDir, { recursive: true });
      const file = join(sandboxDir, 'instance-default-chain.mjs');
      await writeFile(file, (await snippets()).get('instance-default-chain')!);
      const r = await runNode(
        [CLI, 'instance', 'exec', id, '--endpoint', yb.endpoint, '--', process.execPath, file],
        {
          YUNBOX_ROOT_ACCESS_KEY_ID: root.accessKeyId,
          YUNBOX_ROOT_ACCESS_KEY_SECRET: root.accessKeySecret,
        },
        30_000,
        checkout.dir,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`acs:ram::${yb.accountId}:assumed-role/EcsRamRoleTest/${id}`);
    },
  );

  it('from-code snippet starts a server in-process, moves its clock and closes it', async () => {
    // The file sits inside this checkout, so `import 'yunbox'` resolves to the package itself
    // (Node's self-reference through package.json "exports"): dist/, as a user gets it.
    const r = await run('from-code', {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+ LTAI\w+$/);
  });

  it("`npm start`'s command starts yunbox on SQLite in the data directory", async () => {
    const data = join(dir, 'data');
    const s = await spawnServe([
      '--data',
      data,
      '--listen',
      '127.0.0.1:0',
      '--tls-listen',
      '127.0.0.1:0',
      '--log-level',
      'warn',
    ]);
    try {
      const health = await fetch(`${s.endpoint}/_yunbox/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(s.stdout()).toMatch(/AccessKeyId:\s+LTAI/);
      const creds = JSON.parse(await readFile(join(data, 'root-credentials.json'), 'utf8'));
      expect(creds.AccessKeyId).toMatch(/^LTAI/);
      expect((await stat(join(data, 'root-credentials.json'))).mode & 0o777).toBe(0o600);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
