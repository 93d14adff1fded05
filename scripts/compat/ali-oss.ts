/**
 * @module `npm run compat:ali-oss -- --suite PATH`: runs ali-oss's own Node test suite
 * (`test/node` of a local checkout of github:ali-sdk/ali-oss, never copied into this repository)
 * against a yunbox it starts, on the real service host names, and prints per-file counts and
 * `ali-oss suite: N passed, M failed`.
 *
 * ```
 *  mocha (one process per file)        this runner                      yunbox serve (temp data)
 *  --import aliyuncs-dns.mjs ───────▶  127.A.B.C:80  ── TCP forward ──▶ 127.0.0.1:<http>
 *  *.aliyuncs.com → 127.A.B.C          127.A.B.C:443 ── TCP forward ──▶ 127.0.0.1:<https>
 *  NODE_EXTRA_CA_CERTS = yunbox's CA   (TLS passes through: the client checks yunbox's certificate)
 * ```
 * Before the suite runs, what its test/config.js needs is made through yunbox's RAM API with the
 * official client: a RAM user with AliyunSTSAssumeRoleAccess and an AccessKey, a role with
 * AliyunOSSFullAccess that the account trusts, and the STS bucket. The forwarder binds ports 80
 * and 443, so the runner needs root (CI runs as root) or
 * `sysctl net.ipv4.ip_unprivileged_port_start=80`. Everything it starts is stopped on success,
 * failure and Ctrl-C. docs/compat.md has the latest result.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRamRole, createUserWithKey } from '../../src/testing/fixtures.js';
import { ossClient } from '../../src/testing/sdk.js';
import { CLI, REPO_ROOT, rootCredentialsIn, spawnServe } from '../../src/testing/spawn.js';
import type { ServeProcess } from '../../src/testing/spawn.js';
import {
  ALI_OSS_EXCLUSIONS,
  excludedFiles,
  excludedTitlesPattern,
  exclusionFor,
} from './lib/ali-oss-scope.js';
import { startForwarder, type Forwarder } from './lib/forwarder.js';
import { mochaBin, runMocha } from './lib/mocha.js';
import {
  consoleTable,
  excludedEntries,
  failureList,
  fileReport,
  markdownReport,
  summaryLine,
  type CompatReport,
} from './lib/report.js';

const USAGE = `usage: npm run compat:ali-oss -- --suite PATH [options]
       (or, with dist/ built: node --import tsx scripts/compat/ali-oss.ts --suite PATH …)

Runs ali-oss's test/node suite from the checkout at PATH against a yunbox started from dist/,
reached on the real *.aliyuncs.com names (for the test processes only) through ports 80 and 443
of a loopback address, with certificate checks on. Needs root for ports 80/443 (or
sysctl net.ipv4.ip_unprivileged_port_start=80).

Prepare a checkout once (outside this repository):
  git clone https://github.com/ali-sdk/ali-oss /somewhere/ali-oss
  (cd /somewhere/ali-oss && npm ci --ignore-scripts)      # or pass --install

options:
  --suite PATH          the ali-oss checkout (default: $YUNBOX_ALI_OSS_SUITE)
  --install             run \`npm ci --ignore-scripts\` in the checkout when mocha is missing
  --files F[,F...]      only these files (relative to test/node, e.g. sts.test.js)
  --report FILE         also write the results: FILE.json (every test) or FILE.md (Markdown)
  --region ID           region yunbox serves and the suite uses (default cn-hangzhou)
  --store URL           yunbox's --store (default: SQLite in the temporary data directory)
  --test-timeout MS     mocha's per-test timeout (default 120000, as the suite's npm test)
  --file-timeout SEC    kill a file's mocha after this long (default 900)
  --gateway IP          loopback address for ports 80/443 (default: a random 127.x.y.z)
  --keep                keep the temporary directory (yunbox data and log, mocha logs)
  -h, --help            this text
`;

interface Options {
  suite: string;
  install: boolean;
  files?: string[];
  report?: string;
  region: string;
  store?: string;
  testTimeoutMs: number;
  fileTimeoutMs: number;
  gateway: string;
  keep: boolean;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string' },
      install: { type: 'boolean', default: false },
      files: { type: 'string' },
      report: { type: 'string' },
      region: { type: 'string', default: 'cn-hangzhou' },
      store: { type: 'string' },
      'test-timeout': { type: 'string', default: '120000' },
      'file-timeout': { type: 'string', default: '900' },
      gateway: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const suite = values.suite ?? process.env.YUNBOX_ALI_OSS_SUITE;
  if (!suite) fail('--suite PATH is required (a checkout of github:ali-sdk/ali-oss)');
  const gateway =
    values.gateway ?? `127.${randomInt(100, 200)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(gateway))
    fail(`--gateway \`${gateway}\` is not a 127.x.y.z address`);
  const positive = (flag: string, v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) fail(`--${flag} \`${v}\` is not a positive number`);
    return n;
  };
  return {
    suite: resolve(suite),
    install: values.install,
    ...(values.files ? { files: values.files.split(',').filter(Boolean) } : {}),
    ...(values.report ? { report: resolve(values.report) } : {}),
    region: values.region,
    ...(values.store ? { store: values.store } : {}),
    testTimeoutMs: positive('test-timeout', values['test-timeout']),
    fileTimeoutMs: positive('file-timeout', values['file-timeout']) * 1000,
    gateway,
    keep: values.keep,
  };
}

function fail(message: string): never {
  process.stderr.write(`compat:ali-oss: ${message}\n`);
  process.exit(2);
}

const log = (m: string) => process.stderr.write(`compat:ali-oss: ${m}\n`);

/** Checks the checkout, installing its devDependencies when asked to. */
function checkSuite(o: Options): void {
  const pkg = join(o.suite, 'package.json');
  if (!existsSync(pkg) || JSON.parse(readFileSync(pkg, 'utf8')).name !== 'ali-oss')
    fail(`\`${o.suite}\` is not a checkout of ali-oss (no package.json named ali-oss)`);
  if (!existsSync(join(o.suite, 'test', 'node'))) fail(`\`${o.suite}\` has no test/node directory`);
  if (!existsSync(mochaBin(o.suite))) {
    if (!o.install)
      fail(
        `mocha is not installed in \`${o.suite}\`: run \`npm ci --ignore-scripts\` there, or pass --install`,
      );
    log(`installing the suite's devDependencies (npm ci --ignore-scripts) in ${o.suite}`);
    const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: o.suite,
      stdio: 'inherit',
    });
    if (r.status !== 0) fail('npm ci failed in the checkout');
  }
  if (!existsSync(CLI)) fail(`\`${CLI}\` is missing: run \`npm run build\` first`);
}

/** `test/node/**` test files of the checkout, relative to test/node, sorted. */
async function suiteFiles(suite: string): Promise<string[]> {
  const root = join(suite, 'test', 'node');
  const entries = await readdir(root, { recursive: true });
  return entries
    .map((e) => e.split('\\').join('/'))
    .filter((e) => e.endsWith('.test.js') && !e.split('/').includes('node_modules'))
    .sort();
}

function commitOf(dir: string): string {
  try {
    const head = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync(
      'git',
      ['-C', dir, 'status', '--porcelain', '--untracked-files=no'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** What test/config.js reads, made through yunbox's RAM API and ali-oss (the npm package). */
async function provision(server: ServeProcess, dataDir: string, region: string) {
  const root = await rootCredentialsIn(dataDir);
  const user = await createUserWithKey(server, root, 'ali-oss-sts-user', [
    'AliyunSTSAssumeRoleAccess',
  ]);
  const roleName = 'ali-oss-sts-role';
  await createRamRole(server, root, roleName, [`acs:ram::${root.accountId}:root`], {
    systemPolicies: ['AliyunOSSFullAccess'],
  });
  const stsBucket = `ali-oss-sts-bucket-${Date.now().toString(36)}`;
  await ossClient(server, root, { region: `oss-${region}` }).putBucket(stsBucket);
  return {
    ALI_SDK_OSS_ID: root.accessKeyId,
    ALI_SDK_OSS_SECRET: root.accessKeySecret,
    ALI_SDK_OSS_REGION: `oss-${region}`,
    ALI_SDK_STS_ID: user.accessKeyId,
    ALI_SDK_STS_SECRET: user.accessKeySecret,
    ALI_SDK_STS_ROLE: `acs:ram::${root.accountId}:role/${roleName}`,
    ALI_SDK_STS_BUCKET: stsBucket,
  };
}

/**
 * Fails unless yunbox's HTTPS certificate verifies, with certificate checks on and its CA as the
 * only trust anchor, for each of `names` (the endpoints the suite reaches over HTTPS).
 */
async function checkCertificate(gateway: string, caPath: string, names: string[]): Promise<void> {
  const ca = readFileSync(caPath);
  for (const servername of names) {
    await new Promise<void>((ok, ko) => {
      const s = tlsConnect({ host: gateway, port: 443, servername, ca, timeout: 10_000 }, () => {
        s.end();
        ok();
      });
      s.on('error', (e) =>
        ko(new Error(`yunbox's certificate does not verify for \`${servername}\`: ${e.message}`)),
      );
      s.on('timeout', () => s.destroy(new Error('timed out')));
    });
  }
}

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  checkSuite(o);
  const all = await suiteFiles(o.suite);
  const wanted = o.files ?? all;
  for (const f of wanted) if (!all.includes(f)) fail(`no test file \`test/node/${f}\``);
  const skippedFiles = excludedFiles();
  const files = wanted.filter((f) => !skippedFiles.includes(f));

  const aborter = new AbortController();
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  };
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: stopping`);
    aborter.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  let printed = '';
  const work = await mkdtemp(join(tmpdir(), 'yunbox-compat-'));
  cleanups.push(() =>
    o.keep ? Promise.resolve(log(`kept ${work}`)) : rm(work, { recursive: true, force: true }),
  );
  try {
    const dataDir = join(work, 'data');
    const server = await spawnServe([
      ...['--data', dataDir, '--listen', '127.0.0.1:0', '--tls-listen', '127.0.0.1:0'],
      ...['--metadata-listen', 'off', '--region', o.region, '--log-level', 'warn'],
      ...(o.store ? ['--store', o.store] : []),
    ]);
    cleanups.push(async () => {
      await server.stop();
      await writeFile(join(work, 'yunbox.log'), server.stderr() + server.stdout());
    });
    if (!server.tlsAddress) throw new Error('yunbox did not start its HTTPS listener');
    const forwarders: Forwarder[] = [];
    for (const [port, target] of [
      [80, server.address],
      [443, server.tlsAddress],
    ] as const) {
      try {
        forwarders.push(await startForwarder(o.gateway, port, target));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(
          code === 'EACCES'
            ? `binding ${o.gateway}:${port} needs root, or: sysctl net.ipv4.ip_unprivileged_port_start=80`
            : `cannot listen on ${o.gateway}:${port}: ${(e as Error).message}`,
          { cause: e },
        );
      }
      cleanups.push(() => forwarders.pop()!.close());
    }
    log(
      `yunbox ${server.endpoint} and https://${server.tlsAddress}; *.aliyuncs.com -> ${o.gateway}:80/443`,
    );
    const suiteEnv = await provision(server, dataDir, o.region);
    const caPath = join(dataDir, 'tls', 'ca.pem');
    await checkCertificate(o.gateway, caPath, [
      'sts.aliyuncs.com',
      `oss-${o.region}.aliyuncs.com`,
      `${suiteEnv.ALI_SDK_STS_BUCKET}.oss-${o.region}.aliyuncs.com`,
      `oss-${o.region}-internal.aliyuncs.com`,
      `vpc100-oss-${o.region}.aliyuncs.com`,
    ]);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...suiteEnv,
      NODE_EXTRA_CA_CERTS: caPath,
      YUNBOX_COMPAT_GATEWAY: o.gateway,
      TZ: process.env.TZ,
    };
    const preload = pathToFileURL(join(REPO_ROOT, 'scripts', 'compat', 'aliyuncs-dns.mjs')).href;

    const report: CompatReport = {
      suite: o.suite,
      date: new Date().toISOString(),
      yunboxCommit: commitOf(REPO_ROOT),
      suiteCommit: commitOf(o.suite),
      passed: 0,
      failed: 0,
      excluded: [],
      files: [],
    };
    for (const f of wanted.filter((x) => skippedFiles.includes(x))) {
      const listing = await runMocha({
        suite: o.suite,
        file: `test/node/${f}`,
        env,
        preload: [preload],
        requires: ['should'],
        testTimeoutMs: o.testTimeoutMs,
        fileTimeoutMs: 60_000,
        dryRun: true,
        signal: aborter.signal,
      });
      report.excluded.push(
        ...excludedEntries(
          f,
          listing.passed.map((t) => t.fullTitle),
          exclusionFor,
        ),
      );
    }
    for (const file of files) {
      if (aborter.signal.aborted) break;
      const common = {
        suite: o.suite,
        file: `test/node/${file}`,
        env,
        preload: [preload],
        requires: ['should'],
        testTimeoutMs: o.testTimeoutMs,
        signal: aborter.signal,
        logFile: join(work, `${file.replace(/\//g, '_')}.log`),
      };
      const listing = await runMocha({ ...common, fileTimeoutMs: 60_000, dryRun: true });
      if (aborter.signal.aborted) break;
      if (listing.stats === undefined) {
        // The file did not even load (syntax error, missing module): one failure, never a silent 0.
        report.files.push({
          file,
          passed: 0,
          failed: 1,
          excluded: 0,
          seconds: 0,
          tests: [
            {
              fullTitle: `${file} (loading the file)`,
              state: 'failed',
              error: `mocha --dry-run ended ${listing.signal ?? listing.exitCode} without listing its tests (its output: --keep)`,
            },
          ],
          hooks: [],
          abnormal: 'not loadable',
        });
        log(`${file}: could not be loaded`);
        continue;
      }
      const titles = listing.passed.map((t) => t.fullTitle);
      const excluded = excludedEntries(file, titles, exclusionFor);
      report.excluded.push(...excluded);
      const inScope = titles.filter((t) => !exclusionFor(file, t));
      const grep = excludedTitlesPattern(file);
      const started = Date.now();
      const run = await runMocha({
        ...common,
        fileTimeoutMs: o.fileTimeoutMs,
        ...(grep !== undefined ? { invertGrep: grep } : {}),
      });
      const fr = fileReport(file, inScope, excluded.length, run, (Date.now() - started) / 1000);
      report.files.push(fr);
      log(
        `${file}: ${fr.passed} passed, ${fr.failed} failed${fr.abnormal ? ` (${fr.abnormal})` : ''}`,
      );
    }
    report.passed = report.files.reduce((n, f) => n + f.passed, 0);
    report.failed = report.files.reduce((n, f) => n + f.failed, 0);

    const out: string[] = [];
    const failures = failureList(report.files);
    if (failures) out.push('failures:', failures, '');
    out.push(consoleTable(report.files), '');
    if (report.excluded.length) {
      out.push(`excluded (out of scope): ${report.excluded.length} tests`);
      for (const e of ALI_OSS_EXCLUSIONS) {
        const n = report.excluded.filter(
          (x) => x.file === e.file && x.feature === e.feature,
        ).length;
        if (n) out.push(`  ${e.file} (${n}): ${e.feature}: ${e.reason}`);
      }
      out.push('');
    }
    if (o.report) {
      const body = o.report.endsWith('.md')
        ? markdownReport(report)
        : `${JSON.stringify(report, null, 2)}\n`;
      await writeFile(o.report, body);
      out.push(`report: ${relative(process.cwd(), o.report) || o.report}`);
    }
    if (aborter.signal.aborted) out.push('interrupted: the counts cover the files run so far');
    out.push(summaryLine(report));
    printed = `${out.join('\n')}\n`;
    return aborter.signal.aborted ? 130 : report.failed === 0 ? 0 : 1;
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    // After the clean-up's own messages, so the summary is the last line.
    if (printed) process.stdout.write(printed);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(e instanceof Error ? e.message : String(e));
    process.exit(2);
  },
);
