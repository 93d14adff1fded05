/**
 * @module `yunbox serve`: starts the gateway (and, later, the metadata service) until SIGTERM or
 * SIGINT, then shuts down gracefully.
 */
import { access, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_KEYS, ConfigError, resolveConfig, type RawConfig } from '../../config/config.js';
import { ListenError } from '../../config/ports.js';
import { isLoopbackHost, isWildcardHost } from '../../kernel/admin-guard.js';
import { idleGiveBackWindowMs, startIdleGiveBack } from '../../kernel/idle-memory.js';
import { visibleStatus } from '../../services/ecs/index.js';
import { startYunbox, type Yunbox } from '../../main.js';
import type { CliCommand } from '../command.js';
import { argumentError } from '../argument-error.js';
import { applyInit, INIT_MARKER, loadInit, type InitSpec } from '../init.js';
import { tutorialSpec } from '../tutorial.js';
import { yunboxVersion } from '../version.js';

const usage = `usage: yunbox serve [options]

Starts yunbox: RAM, STS (and the other services) on one gateway, with real signatures and
policies. Every option can also be set with its environment variable.

environment:
  YUNBOX_IDLE_GC             seconds without work after which the server gives memory back (a
                             full garbage collection, another 5 s later), 1-3600 or off; default 30

options:
  --init DIR|FILE|tutorial   at the data directory's first start, create the resources of these
                             JSON resource files (a directory's *.json in name order), or those of
                             the ECS RAM role tutorial (\`tutorial\`); see README "Seeding"
${CONFIG_KEYS.map((k) => `  --${k.flag.padEnd(24)} ${k.help}\n  ${''.padEnd(26)} env ${k.env}${k.default !== undefined ? `, default ${k.default}` : ''}`).join('\n')}
`;

/**
 * What a listener on a non-loopback address exposes, and to whom (stderr at start); `[]` when
 * every gateway listener is on loopback.
 * @example
 * exposureWarning(yb) // ['warning: the gateway listens on 0.0.0.0:9910, every interface: …', …]
 */
export function exposureWarning(yb: Pick<Yunbox, 'config' | 'address' | 'tlsAddress'>): string[] {
  const exposed = [
    { host: yb.config.listen.host, shown: `http ${yb.address}` },
    ...(yb.config.tlsListen && yb.tlsAddress
      ? [{ host: yb.config.tlsListen.host, shown: `https ${yb.tlsAddress}` }]
      : []),
  ].filter((l) => !isLoopbackHost(l.host));
  if (exposed.length === 0) return [];
  const where = exposed.map((l) =>
    isWildcardHost(l.host)
      ? `${l.shown} (every interface: from every network this machine is on)`
      : `${l.shown} (from every network that reaches ${l.host})`,
  );
  return [
    `warning: the gateway listens beyond this machine: ${where.join('; ')}. Whoever reaches it can use:`,
    '  - the RPC APIs (RAM, STS, ECS, VPC, ActionTrail, Yunbox) and OSS: each call signed and decided by RAM; OSS reads without a signature where a bucket ACL or policy allows them',
    '  - the console page and its sign-in with an AccessKey pair (10 attempts a minute per address, each recorded in the audit trail)',
    '  - GET /_yunbox/health, and GET /_yunbox/instance-identity.pem (the public certificate verifying instance identities)',
    '  /_yunbox/ answers only Hosts that are loopback names, the listen address or --public-host names. Listen on 127.0.0.1 to keep yunbox to this machine.',
  ];
}

/** Running instances, and those whose metadata service has a fault injected (`i-… slow`). */
async function instanceSummary(
  yb: Yunbox,
  max = 5,
): Promise<{ running: number; faults: string[] }> {
  const at = { now: yb.clock.now().getTime(), real: Date.now() };
  const faults: string[] = [];
  let running = 0;
  const seqs = await yb.services.ecs.api.listInstanceSeqs();
  for (const { instanceId } of seqs.slice(0, 10_000)) {
    const i = await yb.services.ecs.api.getInstance(instanceId);
    if (!i) continue;
    if (visibleStatus(i, at) === 'Running') running++;
    if (i.fault.mode !== 'none') faults.push(`${instanceId} ${i.fault.mode}`);
  }
  return {
    running,
    faults:
      faults.length > max ? [...faults.slice(0, max), `… ${faults.length - max} more`] : faults,
  };
}

/**
 * The start banner: every address, where the data is, the clock and the faults in force. The
 * `gateway` and `https` lines are what scripts (and src/testing/spawn.ts) wait for.
 */
export async function banner(yb: Yunbox): Promise<string[]> {
  const col = (name: string, value: string, note = '') =>
    `  ${name.padEnd(9)} ${note ? `${value.padEnd(32)} ${note}` : value}`;
  const { running, faults } = await instanceSummary(yb).catch(() => ({
    running: 0,
    faults: [] as string[],
  }));
  const now = yb.clock
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const fromEnv = yb.config.rootAccessKeyId !== undefined;
  return [
    `yunbox ${yunboxVersion()} is ready (account ${yb.accountId}, region ${yb.region})`,
    col('gateway', yb.endpoint, 'RPC APIs (RAM, STS, ECS, VPC, ActionTrail, Yunbox) and OSS'),
    ...(yb.tlsEndpoint
      ? [col('https', yb.tlsEndpoint, `trust it: export NODE_EXTRA_CA_CERTS=${yb.caCertPath}`)]
      : [col('https', 'off', '(--tls-listen)')]),
    yb.metadataEndpoint
      ? col(
          'metadata',
          yb.metadataEndpoint,
          'instances outside sandboxes: yunbox instance metadata-url ID',
        )
      : col('metadata', 'off', '(--metadata-listen); inside sandboxes at 100.100.100.200'),
    col(
      'root key',
      yb.root.accessKeyId,
      fromEnv
        ? '(from YUNBOX_ROOT_ACCESS_KEY_ID)'
        : `secret in ${join(yb.dataDir, 'root-credentials.json')}`,
    ),
    col('console', yb.consoleUrl, 'sign in with the AccessKey above'),
    col('data', yb.dataDir, `(endpoint.json: how yunbox commands find this server)`),
    col('store', yb.db.dialect.name),
    col(
      'clock',
      yb.clock.mode,
      yb.clock.mode === 'manual' ? `${now}; move it with yunbox clock advance 1h` : '',
    ),
    col('instances', `${running} running`, running ? 'yunbox instance list' : ''),
    col(
      'faults',
      faults.length ? faults.join(', ') : 'none',
      faults.length ? 'yunbox instance fault ID none' : '',
    ),
    col('programs', 'eval "$(yunbox env)"', 'sets the AccessKey and endpoints the SDKs read'),
  ];
}

export const command: CliCommand = {
  name: 'serve',
  summary: 'start yunbox (gateway on 127.0.0.1:9910 by default)',
  usage,
  async run(argv, io) {
    let values: Record<string, string | boolean | undefined>;
    const options = Object.fromEntries([
      ...CONFIG_KEYS.map((k) => [k.flag, { type: 'string' as const }]),
      ['help', { type: 'boolean' as const, short: 'h' }],
      ['init', { type: 'string' as const }],
    ]);
    try {
      values = parseArgs({
        args: argv,
        options,
        strict: true,
        allowPositionals: false,
      }).values as Record<string, string | boolean | undefined>;
    } catch (e) {
      io.stderr(`yunbox serve: ${argumentError(e, { options })}\n${usage}`);
      return 2;
    }
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    let idleWindowMs: number | undefined;
    try {
      idleWindowMs = idleGiveBackWindowMs(io.env);
    } catch (e) {
      io.stderr(`yunbox serve: ${(e as Error).message}\n`);
      return 2;
    }
    const raw: RawConfig = {};
    for (const k of CONFIG_KEYS) {
      const v = values[k.flag];
      if (typeof v === 'string') raw[k.key] = v;
    }
    // --init is read (and checked) before anything starts; applied only at the first start.
    let init: { spec: InitSpec; source: string } | undefined;
    if (typeof values.init === 'string') {
      let dataDir: string;
      try {
        dataDir = resolve(io.cwd, resolveConfig(raw, io.env).dataDir);
      } catch (e) {
        io.stderr(`yunbox serve: ${(e as Error).message}\n`);
        return 2;
      }
      const applied = await access(join(dataDir, INIT_MARKER)).then(
        () => true,
        () => false,
      );
      if (!applied) {
        const loaded = await loadInit(values.init, io.cwd, tutorialSpec);
        if (!loaded.ok) {
          io.stderr(`yunbox serve: --init: ${loaded.error}\n`);
          return 2;
        }
        init = loaded;
      }
    }
    let yb;
    try {
      yb = await startYunbox({ ...raw, env: io.env, announce: (t) => io.stdout(t) });
    } catch (e) {
      if (e instanceof ConfigError || e instanceof ListenError) {
        io.stderr(`yunbox serve: ${e.message}\n`);
        return e instanceof ConfigError ? 2 : 1;
      }
      io.stderr(`yunbox serve: cannot start: ${(e as Error).message}\n`);
      return 1;
    }
    if (init) {
      const r = await applyInit(yb.endpoint, yb.root, yb.region, init.spec, yb.dataDir);
      io.stderr(
        `--init ${init.source}:\n${r.lines.map((l) => `  ${l}`).join('\n')}\n` +
          (r.ok
            ? ''
            : '  the rest was not made; fix the files and start again with --init (what exists is kept)\n'),
      );
      if (r.ok) {
        await writeFile(
          join(yb.dataDir, INIT_MARKER),
          JSON.stringify(
            { source: init.source, appliedAt: new Date().toISOString(), instances: r.instances },
            null,
            2,
          ) + '\n',
          { mode: 0o600 },
        );
      }
    }
    io.stderr([...(await banner(yb)), ...exposureWarning(yb), 'Ctrl-C to stop', ''].join('\n'));
    // Memory grown under load goes back to the system once the server idles (bench/notes.md 22).
    const giveBack =
      idleWindowMs === undefined ? undefined : startIdleGiveBack({ windowMs: idleWindowMs });
    return new Promise<number>((resolveExit) => {
      const stop = (signal: string) => {
        io.stderr(`yunbox: ${signal} received, shutting down\n`);
        giveBack?.stop();
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        yb.close().then(
          () => resolveExit(0),
          (e) => {
            io.stderr(`yunbox: shutdown failed: ${(e as Error).message}\n`);
            resolveExit(1);
          },
        );
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
  },
};
