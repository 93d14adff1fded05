/**
 * @module `yunbox serve`: starts the gateway (and, later, the metadata service) until SIGTERM or
 * SIGINT, then shuts down gracefully.
 */
import { parseArgs } from 'node:util';
import { CONFIG_KEYS, ConfigError, type RawConfig } from '../../config/config.js';
import { isLoopbackHost, isWildcardHost } from '../../kernel/admin-guard.js';
import { startYunbox, type Yunbox } from '../../main.js';
import type { CliCommand } from '../command.js';

const usage = `usage: yunbox serve [options]

Starts yunbox: RAM, STS (and the other services) on one gateway, with real signatures and
policies. Every option can also be set with its environment variable.

options:
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

export const command: CliCommand = {
  name: 'serve',
  summary: 'start yunbox (gateway on 127.0.0.1:9910 by default)',
  usage,
  async run(argv, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args: argv,
        options: Object.fromEntries([
          ...CONFIG_KEYS.map((k) => [k.flag, { type: 'string' as const }]),
          ['help', { type: 'boolean' as const, short: 'h' }],
        ]),
        strict: true,
        allowPositionals: false,
      }).values as Record<string, string | boolean | undefined>;
    } catch (e) {
      io.stderr(`yunbox serve: ${(e as Error).message}\n${usage}`);
      return 2;
    }
    if (values.help) {
      io.stdout(usage);
      return 0;
    }
    const raw: RawConfig = {};
    for (const k of CONFIG_KEYS) {
      const v = values[k.flag];
      if (typeof v === 'string') raw[k.key] = v;
    }
    let yb;
    try {
      yb = await startYunbox({ ...raw, env: io.env, announce: (t) => io.stdout(t) });
    } catch (e) {
      if (e instanceof ConfigError) {
        io.stderr(`yunbox serve: ${e.message}\n`);
        return 2;
      }
      io.stderr(`yunbox serve: cannot start: ${(e as Error).message}\n`);
      return 1;
    }
    const lines = [
      `yunbox is ready (account ${yb.accountId}, region ${yb.region}, clock ${yb.clock.mode})`,
      `  gateway  ${yb.endpoint}`,
      ...(yb.tlsEndpoint
        ? [`  https    ${yb.tlsEndpoint}   (trust it: export NODE_EXTRA_CA_CERTS=${yb.caCertPath})`]
        : []),
      `  root key ${yb.root.accessKeyId}`,
      ...exposureWarning(yb),
      '',
    ];
    io.stderr(lines.join('\n'));
    return new Promise<number>((resolveExit) => {
      const stop = (signal: string) => {
        io.stderr(`yunbox: ${signal} received, shutting down\n`);
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
