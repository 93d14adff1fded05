/**
 * @module What scenarios share during one run, started on first use and stopped at the end: a
 * yunbox per store with its principals set up through the official SDKs (a RAM user allowed to
 * assume roles, a role trusting the account with a policy attached, STS credentials for it), the
 * bare node:http baseline and s3rver.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { createUserWithKey, ramTrustPolicy } from '../../src/testing/fixtures.js';
import { $Ram, $Sts, ramClient, stsClient } from '../../src/testing/sdk.js';
import { summarizeProfile, type ProfileSummary } from './profile.js';
import {
  REPO_ROOT,
  startBaseline,
  startS3rver,
  startYunbox,
  type HelperProcess,
  type YunboxProcess,
} from './processes.js';
import type { Credentials } from './signing.js';
import type { Settings } from './types.js';

/** The bucket every OSS scenario uses. */
export const BENCH_BUCKET = 'yunbox-bench';
/** The role the load runs as. */
export const BENCH_ROLE = 'bench-role';

/** The role's permission policy: what the OSS scenarios need, and nothing more. */
export const BENCH_ROLE_POLICY = JSON.stringify({
  Version: '1',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['oss:GetObject', 'oss:PutObject'],
      Resource: [`acs:oss:*:*:${BENCH_BUCKET}/*`],
    },
    {
      Effect: 'Allow',
      Action: ['oss:ListObjects', 'oss:GetBucketInfo'],
      Resource: [`acs:oss:*:*:${BENCH_BUCKET}`],
    },
    { Effect: 'Deny', Action: ['oss:DeleteBucket'], Resource: ['*'] },
  ],
});

/**
 * Why a service cannot be benchmarked yet, or undefined once it has landed: its folder is in
 * `src/services/`, it is built into `dist/`, and the composition root or the service list wires
 * it in (a folder alone, work in progress, is not enough).
 */
export function serviceMissing(name: string): string | undefined {
  if (!existsSync(join(REPO_ROOT, 'src', 'services', name, 'index.ts'))) {
    return `src/services/${name} has not landed`;
  }
  if (!existsSync(join(REPO_ROOT, 'dist', 'services', name, 'index.js'))) {
    return `src/services/${name} is not built (npm run build)`;
  }
  const wired = ['main.js', join('services', 'index.js')].some((f) => {
    try {
      return readFileSync(join(REPO_ROOT, 'dist', f), 'utf8').includes(`${name}/index.js`);
    } catch {
      return false;
    }
  });
  return wired ? undefined : `src/services/${name} is not wired into yunbox serve yet`;
}

/** A yunbox with the benchmark's principals. */
export interface BenchYunbox extends YunboxProcess {
  /** RAM user with `AliyunSTSAssumeRoleAccess`. */
  user: Credentials & { userName: string };
  roleArn: string;
  /** STS credentials of the role (AssumeRole through the official SDK), refreshed when old. */
  sts(): Promise<Credentials>;
  /** The store URL given to `--store`. */
  storeUrl: string;
}

/** Shared processes of one run. */
export class Resources {
  readonly dir: string;
  readonly settings: Settings;
  readonly profiles: ProfileSummary[] = [];
  #profileDir: string;
  #log: (line: string) => void;
  #yunbox = new Map<string, Promise<BenchYunbox>>();
  #baseline: Promise<HelperProcess> | undefined;
  #s3rver: Promise<HelperProcess> | undefined;
  #cleanups: Array<() => Promise<void>> = [];

  constructor(dir: string, settings: Settings, profileDir: string, log: (line: string) => void) {
    this.dir = dir;
    this.settings = settings;
    this.#profileDir = profileDir;
    this.#log = log;
  }

  /** A fresh directory under the run's temporary directory. */
  async tempDir(name: string): Promise<string> {
    const d = join(this.dir, `${name}-${randomBytes(3).toString('hex')}`);
    await mkdir(d, { recursive: true });
    return d;
  }

  /** A PostgreSQL store URL in a fresh schema, dropped when the run ends. */
  async pgStore(): Promise<string> {
    const schema = `yb_bench_${randomBytes(5).toString('hex')}`;
    const base = this.settings.pgUrl;
    const c = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
    await c.connect();
    await c.end();
    this.#cleanups.push(async () => {
      const d = new pg.Client({ connectionString: base });
      await d.connect();
      try {
        await d.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await d.end();
      }
    });
    return `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
  }

  /**
   * Starts a yunbox (not shared) on `store` and sets up the benchmark's principals; stopped at
   * the end of the run unless the caller stops it first.
   */
  async startYunbox(store: 'sqlite' | 'postgres', label: string = store): Promise<BenchYunbox> {
    const dataDir = await this.tempDir(`yunbox-${label}`);
    const storeUrl = store === 'postgres' ? await this.pgStore() : 'sqlite';
    const profDir = this.settings.profile ? join(this.#profileDir, label) : undefined;
    if (profDir) await mkdir(profDir, { recursive: true });
    const yb = await startYunbox({
      dataDir,
      store: storeUrl,
      nodeFlags: this.settings.nodeFlags,
      ...(profDir ? { cpuProfDir: profDir } : {}),
    });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await yb.stop();
      if (profDir) await this.#collectProfiles(profDir, label);
    };
    this.#cleanups.push(stop);
    try {
      const fx = await setUpPrincipals(yb);
      this.#log(`  yunbox (${label}) at ${yb.endpoint}, pid ${yb.pid}`);
      return { ...yb, ...fx, storeUrl, stop };
    } catch (e) {
      await stop();
      throw e;
    }
  }

  /** The shared yunbox on `store` (started on first use). */
  yunbox(store: 'sqlite' | 'postgres'): Promise<BenchYunbox> {
    let p = this.#yunbox.get(store);
    if (!p) {
      p = this.startYunbox(store);
      this.#yunbox.set(store, p);
    }
    return p;
  }

  /** The shared bare node:http baseline. */
  baseline(): Promise<HelperProcess> {
    this.#baseline ??= (async () => {
      const b = await startBaseline(await this.tempDir('baseline'));
      this.#cleanups.push(() => b.stop());
      return b;
    })();
    return this.#baseline;
  }

  /** The shared s3rver, with bucket {@link BENCH_BUCKET}. */
  s3rver(): Promise<HelperProcess> {
    this.#s3rver ??= (async () => {
      const s = await startS3rver(await this.tempDir('s3rver'), BENCH_BUCKET);
      this.#cleanups.push(() => s.stop());
      return s;
    })();
    return this.#s3rver;
  }

  /** Stops everything (latest first), drops PostgreSQL schemas, removes the temporary directory. */
  async close(keepDir = false): Promise<void> {
    for (const c of this.#cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        this.#log(`  clean-up failed: ${(e as Error).message}`);
      }
    }
    if (!keepDir) await rm(this.dir, { recursive: true, force: true });
  }

  async #collectProfiles(dir: string, label: string): Promise<void> {
    for (const f of await readdir(dir)) {
      if (!f.endsWith('.cpuprofile')) continue;
      const summary = await summarizeProfile(join(dir, f), label);
      this.profiles.push(summary);
    }
  }
}

/**
 * The benchmark's principals, set up with the official Tea RAM and STS SDKs as a user would: a
 * user with `AliyunSTSAssumeRoleAccess`, a role trusting the account, a custom policy attached.
 */
async function setUpPrincipals(
  yb: YunboxProcess,
): Promise<Pick<BenchYunbox, 'user' | 'roleArn' | 'sts'>> {
  const ram = ramClient(yb, yb.root);
  const user = await createUserWithKey(yb, yb.root, 'bench-user', ['AliyunSTSAssumeRoleAccess']);
  await ram.createRole(
    new $Ram.CreateRoleRequest({
      roleName: BENCH_ROLE,
      assumeRolePolicyDocument: ramTrustPolicy([`acs:ram::${yb.accountId}:root`]),
      maxSessionDuration: 3600 * 12,
    }),
  );
  await ram.createPolicy(
    new $Ram.CreatePolicyRequest({ policyName: 'bench-oss', policyDocument: BENCH_ROLE_POLICY }),
  );
  await ram.attachPolicyToRole(
    new $Ram.AttachPolicyToRoleRequest({
      policyType: 'Custom',
      policyName: 'bench-oss',
      roleName: BENCH_ROLE,
    }),
  );
  const roleArn = `acs:ram::${yb.accountId}:role/${BENCH_ROLE}`;
  let cached: { creds: Credentials; at: number } | undefined;
  const sts = async () => {
    if (cached && Date.now() - cached.at < 30 * 60_000) return cached.creds;
    const r = await stsClient(yb, user).assumeRole(
      new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: 'bench', durationSeconds: 3600 * 6 }),
    );
    const c = r.body!.credentials!;
    cached = {
      at: Date.now(),
      creds: {
        accessKeyId: c.accessKeyId!,
        accessKeySecret: c.accessKeySecret!,
        securityToken: c.securityToken!,
      },
    };
    return cached.creds;
  };
  return { user, roleArn, sts };
}

/** ali-oss (CommonJS, untyped here), the official Node OSS SDK. */
export function aliOss(): new (options: Record<string, unknown>) => any {
  return createRequire(import.meta.url)('ali-oss');
}
