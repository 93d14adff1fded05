/**
 * @module `yunbox instance exec <InstanceId> -- <command…>`: runs a command as if inside an ECS
 * instance. Asks the server for a sandbox (CreateSandbox, signed with the root credentials), runs
 * the command in its network namespace (`ip netns exec`) with stdio inherited and the sandbox's
 * CA variables, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT, exits with the command's status, and deletes the
 * sandbox whatever happens. Root on Linux only, on the machine the server runs on.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LISTEN } from '../../config/config.js';
import { sandboxProcessEnv } from '../../sandbox/env.js';
import { NETNS_RUN_DIR, sandboxSupport } from '../../sandbox/host.js';
import type { CliCommand, CliIo } from '../command.js';
import {
  findRootCredentials,
  parseCommandArgs,
  serverCallOptions,
  serverEndpoint,
  yunboxCall,
} from '../server-client.js';

const OPTIONS_HELP = `options:
  --endpoint URL   the server (env YUNBOX_ENDPOINT, default http://${DEFAULT_LISTEN})
  --data DIR       its data directory, for root-credentials.json (env YUNBOX_DATA, default
                   ./.yunbox); not needed when YUNBOX_ROOT_ACCESS_KEY_ID and
                   YUNBOX_ROOT_ACCESS_KEY_SECRET are set
`;

const INSIDE_HELP = `Inside, 100.100.100.200 is the instance's metadata service, every *.aliyuncs.com name resolves
to yunbox (HTTP on 80, HTTPS on 443 with a certificate from yunbox's CA, trusted through the
system bundle and NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), and
nothing else is reachable. The SDKs' default endpoints and credential chains work unchanged.
Your environment goes in without YUNBOX_*, ALIBABA_CLOUD_*, ALICLOUD_*, ALIYUN_*, OSS_* and
proxy variables. Needs root on Linux, on the machine where yunbox runs.
`;

const usage = `usage: yunbox instance exec INSTANCE_ID [--endpoint URL] [--data DIR] -- COMMAND [ARG...]

Runs COMMAND as if inside the instance and exits with its status.
${INSIDE_HELP}
${OPTIONS_HELP}`;

/** How {@link runInSandbox} was asked to run. */
export interface SandboxRun {
  /** `instance exec` or `instance shell`, for messages. */
  name: string;
  instanceId: string;
  endpoint: string;
  data: string | undefined;
  /** The command to run, given the environment it will get. */
  command: (env: Record<string, string>) => string[];
  /** Printed to stderr once the sandbox exists (the shell's banner). */
  banner?: (sandboxId: string, netns: string) => string;
}

function signalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[signal] ?? 1;
}

/** Parsed `[options] INSTANCE_ID [options] [-- COMMAND…]`, or the exit code after usage/help. */
export type InstanceArgs =
  | { instanceId: string; endpoint: string; data: string | undefined; rest: string[] }
  | { exit: number };

/** Parses `[options] INSTANCE_ID [options] [-- COMMAND…]`. */
export function parseInstanceArgs(
  argv: string[],
  io: CliIo,
  usageText: string,
  name: string,
): InstanceArgs {
  const dash = argv.indexOf('--');
  const head = dash === -1 ? argv : argv.slice(0, dash);
  const tail = dash === -1 ? [] : argv.slice(dash + 1);
  const parsed = parseCommandArgs(head, io, name, usageText, serverCallOptions);
  if ('exit' in parsed) return parsed;
  const { values, positionals } = parsed;
  const [instanceId, ...more] = positionals;
  if (instanceId === undefined) {
    io.stderr(`yunbox ${name}: expected an instance id\n${usageText}`);
    return { exit: 2 };
  }
  return {
    instanceId,
    endpoint: serverEndpoint(values.endpoint, io),
    data: values.data,
    rest: [...more, ...tail],
  };
}

/**
 * Makes a sandbox for the instance, runs the command in it with stdio inherited, and deletes the
 * sandbox; resolves to the command's exit status (128 + signal number when killed by a signal).
 */
export async function runInSandbox(run: SandboxRun, io: CliIo): Promise<number> {
  const support = await sandboxSupport();
  if (!support.ok) {
    io.stderr(`yunbox ${run.name}: ${support.reason}\n`);
    return 1;
  }
  const found = await findRootCredentials(io, run.data);
  if (!found.ok) {
    io.stderr(`yunbox ${run.name}: ${found.error}\n`);
    return 1;
  }
  const creds = found.credentials;
  const created = await yunboxCall(run.endpoint, creds, 'CreateSandbox', {
    InstanceId: run.instanceId,
  });
  if (!created.ok) {
    io.stderr(
      `yunbox ${run.name}: cannot make a sandbox for \`${run.instanceId}\`: ${created.error}\n`,
    );
    return 1;
  }
  const sandboxId = String(created.body.SandboxId);
  const netns = String(created.body.NetnsName);
  const sandboxEnv = (created.body.Env ?? {}) as Record<string, string>;
  // From a terminal, Ctrl-C and Ctrl-\ reach the command directly (it is in the foreground process
  // group): forwarding them too would deliver them twice. Otherwise they are forwarded.
  const fromTty = process.stdin.isTTY === true;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP'];
  const handlers = new Map<NodeJS.Signals, () => void>();
  try {
    try {
      await stat(join(NETNS_RUN_DIR, netns));
    } catch {
      io.stderr(
        `yunbox ${run.name}: the sandbox is on the server's machine, not this one: run this where yunbox runs (\`${run.endpoint}\`)\n`,
      );
      return 1;
    }
    const env = sandboxProcessEnv(io.env, sandboxEnv);
    const command = run.command(env);
    if (run.banner) io.stderr(run.banner(sandboxId, netns));
    const child = spawn(support.ip, ['netns', 'exec', netns, ...command], {
      stdio: 'inherit',
      env,
    });
    for (const sig of signals) {
      const forward = () => {
        if (fromTty && (sig === 'SIGINT' || sig === 'SIGQUIT')) return;
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      };
      handlers.set(sig, forward);
      process.on(sig, forward);
    }
    return await new Promise<number>((resolveExit) => {
      child.once('error', (e) => {
        io.stderr(`yunbox ${run.name}: cannot run \`ip netns exec\`: ${e.message}\n`);
        resolveExit(1);
      });
      child.once('exit', (code, signal) => {
        resolveExit(code ?? (signal ? 128 + signalNumber(signal) : 1));
      });
    });
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    const deleted = await yunboxCall(run.endpoint, creds, 'DeleteSandbox', {
      SandboxId: sandboxId,
    });
    if (!deleted.ok && deleted.code !== 'InvalidSandboxId.NotFound') {
      io.stderr(`yunbox ${run.name}: cannot delete sandbox \`${sandboxId}\`: ${deleted.error}\n`);
    }
  }
}

export const command: CliCommand = {
  name: 'instance exec',
  summary: 'run a command as if inside an ECS instance (root on Linux)',
  usage,
  async run(argv, io) {
    const parsed = parseInstanceArgs(argv, io, usage, 'instance exec');
    if ('exit' in parsed) return parsed.exit;
    if (parsed.rest.length === 0) {
      io.stderr(`yunbox instance exec: expected a command after \`--\`\n${usage}`);
      return 2;
    }
    return runInSandbox(
      {
        name: 'instance exec',
        instanceId: parsed.instanceId,
        endpoint: parsed.endpoint,
        data: parsed.data,
        command: () => parsed.rest,
      },
      io,
    );
  },
};

export { INSIDE_HELP, OPTIONS_HELP };
