/**
 * @module `yunbox instance exec <InstanceId> -- <command…>`: runs a command as if inside an ECS
 * instance. Asks the server for a sandbox (CreateSandbox, signed with the root credentials), runs
 * the command in its network namespace (`ip netns exec`) as an unprivileged user
 * (`sandbox/run-as.ts`: `--user`, else the one who ran sudo, else `nobody`; root only with
 * `--as-root`) in a PID namespace of its own (`sandbox/init.ts`) with stdio inherited and the
 * sandbox's CA variables, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT, exits with the command's status,
 * and deletes the sandbox whatever happens. Under the server's manual clock the command reads that
 * clock as its wall clock (libfaketime, `sandbox/faketime.ts`), and the CLI's own calls are stamped
 * with the server's time. Root on Linux only, on the machine the server runs on.
 */
import { spawn } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_LISTEN } from '../../config/config.js';
import { isSandboxVariable, sandboxProcessEnv } from '../../sandbox/env.js';
import { sweepFaketimeLitter } from '../../sandbox/faketime.js';
import { NETNS_RUN_DIR, findExecutable, sandboxSupport } from '../../sandbox/host.js';
import { initChildSignaller } from '../../sandbox/init.js';
import { parseNetnsName } from '../../sandbox/names.js';
import {
  AS_ROOT_WARNING,
  describeUser,
  findDropTools,
  launchCommand,
  placeUser,
  removeTemporaryHome,
  resolveSandboxIdentity,
  userEnv,
  type DropTools,
  type SandboxIdentity,
  type UserPlacement,
} from '../../sandbox/run-as.js';
import type { CliCommand, CliIo } from '../command.js';
import {
  findRootCredentials,
  parseCommandArgs,
  serverCallOptions,
  serverEndpoint,
  stampedYunboxCall,
} from '../server-client.js';

const OPTIONS_HELP = `options:
  --user NAME|UID  run the program as this user (default: the user who ran sudo, from SUDO_UID
                   and SUDO_GID, else nobody); never root
  --as-root        run the program as root instead: it can then read the data directory (every
                   AccessKey secret and the STS sealing key), enter the other sandboxes and read
                   their credentials, and change anything on the host; a warning says so
  --endpoint URL   the server (env YUNBOX_ENDPOINT, default http://${DEFAULT_LISTEN})
  --data DIR       its data directory, for root-credentials.json (env YUNBOX_DATA, default
                   ./.yunbox); not needed when YUNBOX_ROOT_ACCESS_KEY_ID and
                   YUNBOX_ROOT_ACCESS_KEY_SECRET are set
`;

const INSIDE_HELP = `Inside, 100.100.100.200 is the instance's metadata service, every *.aliyuncs.com name resolves
to yunbox (HTTP on 80, HTTPS on 443 with a certificate from yunbox's CA, trusted through the
system bundle and NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), and
nothing else is reachable. The SDKs' default endpoints and credential chains work unchanged.
Your environment goes in without YUNBOX_*, ALIBABA_CLOUD_*, ALICLOUD_*, ALIYUN_*, OSS_*, proxy,
LD_PRELOAD, LD_AUDIT and libfaketime (FAKETIME*) variables. Under the server's --clock manual the
program's wall clock is yunbox's clock (libfaketime preloaded; it follows every move within a
second and runs at real pace in between; monotonic clocks, timers and sleeps stay real). Needs
root on Linux, on the machine where yunbox runs.

The program does not run as root: it runs as --user, else as the user who ran sudo, else as
nobody, with no capabilities, no supplementary groups and no_new_privs (setuid programs cannot
raise it), dropped by util-linux's setpriv after entering the namespace. HOME is that user's, or
a fresh private directory removed afterwards; the working directory stays yours when that user
can enter it, else HOME. It gets a terminal of its own (util-linux's script) when stdin and
stdout are terminals, else none, so it cannot type into yours. It runs in a PID namespace of its
own (util-linux's unshare), so it sees and reaches only its own processes. It can read and write
whatever that user can on this machine (README: what a sandbox isolates).
`;

/** What the exit status means, and what happens when the sandbox goes first. */
const EXIT_HELP = `exit status: the command's (the shell's); 128 + N when signal N ended it. When the sandbox
is removed under it (the instance stopped or was released, or yunbox stopped), a line on stderr
says why, then the command gets SIGTERM and, 1 s later, SIGKILL: status 143 or 137.
1 when the sandbox cannot be made, 2 for a usage error.
`;

const usage = `usage: yunbox instance exec INSTANCE_ID [--user NAME|UID | --as-root] [--endpoint URL]
                          [--data DIR] -- COMMAND [ARG...]

Runs COMMAND as if inside the instance and exits with its status.
${INSIDE_HELP}
${OPTIONS_HELP}
${EXIT_HELP}`;

/** How {@link runInSandbox} was asked to run. */
export interface SandboxRun {
  /** `instance exec` or `instance shell`, for messages. */
  name: string;
  instanceId: string;
  endpoint: string;
  data: string | undefined;
  /** `--user NAME|UID`. */
  user: string | undefined;
  /** `--as-root`. */
  asRoot: boolean;
  /** The command to run, given the environment it will get. */
  command: (env: Record<string, string>) => string[];
  /** Printed to stderr once the sandbox exists (the shell's banner); `who` names the user. */
  banner?: (sandboxId: string, netns: string, who: string) => string;
  /**
   * A workload sandbox (CreateWorkloadSandbox, no instance: `workload exec`) instead of the
   * instance's; `instanceId` then only names it in messages.
   */
  workload?: boolean;
  /**
   * Run once the sandbox exists, before the program starts, for the user it runs as: variables
   * set for the program (after the host's Alibaba Cloud variables were taken out), and what to
   * undo once it has ended (`workload exec`'s token file).
   */
  prepare?: (
    identity: SandboxIdentity,
  ) => Promise<{ env: Record<string, string>; close(): Promise<void> }>;
}

/**
 * Watches for the line the server writes before it removes the sandbox under the program
 * (`sandbox/run-dir.ts` notices), and tells the user why, once: when it appears, or at the latest
 * when the program has ended (the server writes it before signalling). `close` stops watching and
 * deletes the notice; `told` is true once the user was told.
 */
function removalNotice(
  file: string | undefined,
  tell: (reason: string) => void,
): { check(): Promise<void>; close(): Promise<void>; readonly told: boolean } {
  let told = false;
  let watcher: FSWatcher | undefined;
  const check = async () => {
    if (told || file === undefined) return;
    let reason: string;
    try {
      reason = (await readFile(file, 'utf8')).trim().split('\n')[0]!.slice(0, 200);
    } catch {
      return;
    }
    if (told || reason === '') return;
    told = true;
    tell(reason);
    // Read: the server waits for this before it signals the program (sandbox/manager.ts).
    await rm(file, { force: true }).catch(() => undefined);
  };
  if (file !== undefined) {
    try {
      watcher = watch(dirname(file), (_event, name) => {
        if (name === null || name === basename(file)) void check();
      });
      watcher.on('error', () => watcher?.close());
      watcher.unref();
    } catch {
      /* no run directory yet: checked when the program ends */
    }
  }
  return {
    check,
    async close() {
      watcher?.close();
      if (file !== undefined) await rm(file, { force: true }).catch(() => undefined);
    },
    get told() {
      return told;
    },
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[signal] ?? 1;
}

/** Parsed `[options] INSTANCE_ID [options] [-- COMMAND…]`, or the exit code after usage/help. */
export type InstanceArgs =
  | {
      instanceId: string;
      endpoint: string;
      data: string | undefined;
      user: string | undefined;
      asRoot: boolean;
      rest: string[];
    }
  | { exit: number };

/** Options of `instance exec` and `instance shell`. */
const instanceOptions = {
  ...serverCallOptions,
  user: { type: 'string' },
  'as-root': { type: 'boolean' },
} as const;

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
  const parsed = parseCommandArgs(
    head,
    io,
    name,
    usageText,
    instanceOptions,
    // `exec -s`, meant for the command, is the likely mistake; a shell runs no command.
    name === 'instance exec'
      ? { unknownOption: 'a command to run, and its options, go after `--`' }
      : {},
  );
  if ('exit' in parsed) return parsed;
  const { values, positionals } = parsed;
  const [instanceId, ...more] = positionals;
  if (instanceId === undefined) {
    io.stderr(`yunbox ${name}: expected an instance id\n${usageText}`);
    return { exit: 2 };
  }
  return {
    instanceId,
    endpoint: serverEndpoint(values.endpoint, io, values.data),
    data: values.data,
    user: values.user,
    asRoot: values['as-root'] ?? false,
    rest: [...more, ...tail],
  };
}

/**
 * Makes a sandbox for the instance, runs the command in it (as the user {@link SandboxRun} asks
 * for, see `sandbox/run-as.ts`) with stdio inherited, and deletes the sandbox; resolves to the
 * command's exit status (128 + signal number when killed by a signal).
 */
export async function runInSandbox(run: SandboxRun, io: CliIo): Promise<number> {
  const support = await sandboxSupport();
  if (!support.ok) {
    io.stderr(`yunbox ${run.name}: ${support.reason}\n`);
    return 1;
  }
  const who = await resolveSandboxIdentity({
    ...(run.user !== undefined ? { user: run.user } : {}),
    asRoot: run.asRoot,
    env: io.env,
  });
  if (!who.ok) {
    io.stderr(`yunbox ${run.name}: ${who.error}\n`);
    return who.usage ? 2 : 1;
  }
  const identity = who.identity;
  // A terminal of its own only when both ends are terminals: a pty would turn "\n" into "\r\n"
  // in redirected output.
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  let tools: DropTools | undefined;
  if (!identity.root) {
    const found = await findDropTools(terminal);
    if (!found.ok) {
      io.stderr(`yunbox ${run.name}: ${found.error}\n`);
      return 1;
    }
    tools = found.tools;
  }
  const found = await findRootCredentials(io, run.data);
  if (!found.ok) {
    io.stderr(`yunbox ${run.name}: ${found.error}\n`);
    return 1;
  }
  const creds = found.credentials;
  if (identity.root) {
    return runCreated(run, io, creds, support.ip, identity, undefined, undefined, terminal);
  }
  // The data directory: where root-credentials.json came from, else the one named (the
  // credentials came from the environment), whose secrets the program must not be able to read.
  const named = run.data ?? io.env.YUNBOX_DATA;
  const dataDir = isAbsolute(creds.source)
    ? dirname(creds.source)
    : named !== undefined
      ? resolve(io.cwd, named)
      : undefined;
  let placement: UserPlacement;
  try {
    placement = await placeUser(identity, {
      cwd: io.cwd,
      ...(dataDir !== undefined ? { dataDir } : {}),
    });
  } catch (e) {
    io.stderr(
      `yunbox ${run.name}: cannot prepare to run as ${describeUser(identity)}: ${(e as Error).message}\n`,
    );
    return 1;
  }
  try {
    if (placement.exposed.length > 0) {
      io.stderr(
        `yunbox ${run.name}: ${describeUser(identity)} could read \`${placement.exposed[0]}\`: the data directory must be private to root (\`chmod 700 ${dataDir}\`)\n`,
      );
      return 1;
    }
    return await runCreated(run, io, creds, support.ip, identity, tools, placement, terminal);
  } finally {
    if (placement.temporaryHome) await removeTemporaryHome(placement.home, identity);
  }
}

async function runCreated(
  run: SandboxRun,
  io: CliIo,
  creds: { accessKeyId: string; accessKeySecret: string },
  ip: string,
  identity: SandboxIdentity,
  tools: DropTools | undefined,
  placement: UserPlacement | undefined,
  terminal: boolean,
): Promise<number> {
  const created = run.workload
    ? await stampedYunboxCall(run.endpoint, creds, 'CreateWorkloadSandbox', {})
    : await stampedYunboxCall(run.endpoint, creds, 'CreateSandbox', { InstanceId: run.instanceId });
  if (!created.ok) {
    io.stderr(
      `yunbox ${run.name}: cannot make a sandbox for \`${run.instanceId}\`: ${created.error}\n`,
    );
    return 1;
  }
  const sandboxId = String(created.body.SandboxId);
  const netns = String(created.body.NetnsName);
  const sandboxEnv = (created.body.Env ?? {}) as Record<string, unknown>;
  const preload = isSandboxVariable('LD_PRELOAD', sandboxEnv.LD_PRELOAD)
    ? sandboxEnv.LD_PRELOAD
    : undefined;
  if (created.body.ClockMode === 'manual' && created.body.FollowsClock === false) {
    io.stderr(
      `yunbox ${run.name}: the server's clock is manual but libfaketime is not installed: the program sees this machine's time (Debian, Ubuntu: \`apt-get install libfaketime\`)\n`,
    );
  }
  const hostName = typeof created.body.HostName === 'string' ? created.body.HostName : undefined;
  // Read and then deleted as root: only a file named after this sandbox's namespace qualifies.
  const noticeFile =
    typeof created.body.NoticeFile === 'string' &&
    isAbsolute(created.body.NoticeFile) &&
    parseNetnsName(netns) !== undefined &&
    basename(created.body.NoticeFile) === `${netns}.removed`
      ? created.body.NoticeFile
      : undefined;
  const notice = removalNotice(noticeFile, (reason) =>
    io.stderr(
      `yunbox ${run.name}: ${reason}: yunbox removes the sandbox of \`${run.instanceId}\` and ends the program (SIGTERM, then SIGKILL after 1 s)\n`,
    ),
  );
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP'];
  const handlers = new Map<NodeJS.Signals, () => void>();
  let prepared: { env: Record<string, string>; close(): Promise<void> } | undefined;
  try {
    try {
      await stat(join(NETNS_RUN_DIR, netns));
    } catch {
      io.stderr(
        `yunbox ${run.name}: the sandbox is on the server's machine, not this one: run this where yunbox runs (\`${run.endpoint}\`)\n`,
      );
      return 1;
    }
    let env = sandboxProcessEnv(io.env, sandboxEnv);
    if (!identity.root && placement) env = userEnv(env, identity, placement.home);
    if (run.prepare) {
      try {
        prepared = await run.prepare(identity);
      } catch (e) {
        io.stderr(`yunbox ${run.name}: ${(e as Error).message}\n`);
        return 1;
      }
      env = { ...env, ...prepared.env };
    }
    // Preloaded into the program alone, after root is dropped (run-as.ts), never into `ip`.
    delete env.LD_PRELOAD;
    const command = run.command(env);
    // As root there are no drop tools: the host name needs `unshare` all the same.
    const unshare = identity.root ? await findExecutable('unshare') : undefined;
    const launch = launchCommand({
      ip,
      netns,
      command,
      identity,
      ...(tools ? { tools } : {}),
      ...(hostName !== undefined ? { hostName } : {}),
      ...(unshare !== undefined ? { unshare } : {}),
      terminal,
      ...(env.SHELL !== undefined ? { shell: env.SHELL } : {}),
      ...(preload !== undefined ? { preload } : {}),
    });
    const whoText = identity.root ? 'root' : describeUser(identity);
    if (identity.root) io.stderr(`yunbox ${run.name}: --as-root: ${AS_ROOT_WARNING}\n`);
    if (placement?.movedFrom !== undefined) {
      io.stderr(
        `yunbox ${run.name}: ${whoText} cannot enter \`${placement.movedFrom}\`: running in \`${placement.cwd}\`\n`,
      );
    }
    if (run.banner) io.stderr(run.banner(sandboxId, netns, whoText));
    const spawnEnv: Record<string, string> = { ...env };
    for (const [k, v] of Object.entries(launch.env)) {
      if (v === undefined) delete spawnEnv[k];
      else spawnEnv[k] = v;
    }
    const child = spawn(launch.file, launch.args, {
      stdio: 'inherit',
      env: spawnEnv,
      detached: launch.detached,
      ...(placement ? { cwd: placement.cwd } : {}),
    });
    // When the command shares this terminal, Ctrl-C and Ctrl-\ reach it directly (it is in the
    // foreground process group): forwarding them too would deliver them twice.
    const direct = launch.sharesTerminal && process.stdin.isTTY === true;
    const ended = () => child.exitCode !== null || child.signalCode !== null;
    // In a PID namespace, the spawned process stays outside (unshare) and the namespace's init
    // handles no signal: what is forwarded goes to the process the init started.
    const toInitChild =
      launch.forwardTo === 'init-child' && child.pid !== undefined
        ? initChildSignaller(child.pid, ended)
        : undefined;
    for (const sig of signals) {
      const forward = () => {
        if (direct && (sig === 'SIGINT' || sig === 'SIGQUIT')) return;
        if (ended()) return;
        if (toInitChild) void toInitChild(sig);
        else child.kill(sig);
      };
      handlers.set(sig, forward);
      process.on(sig, forward);
    }
    const status = await new Promise<number>((resolveExit) => {
      child.once('error', (e) => {
        io.stderr(`yunbox ${run.name}: cannot run \`${launch.file}\`: ${e.message}\n`);
        resolveExit(1);
      });
      child.once('exit', (code, signal) => {
        resolveExit(code ?? (signal ? 128 + signalNumber(signal) : 1));
      });
    });
    await notice.check();
    return status;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    await prepared?.close();
    await notice.close();
    const deleted = await stampedYunboxCall(run.endpoint, creds, 'DeleteSandbox', {
      SandboxId: sandboxId,
    });
    // A server that stopped cannot answer: the user was just told so.
    if (!deleted.ok && deleted.code !== 'InvalidSandboxId.NotFound' && !notice.told) {
      io.stderr(`yunbox ${run.name}: cannot delete sandbox \`${sandboxId}\`: ${deleted.error}\n`);
    }
    // What libfaketime left in /dev/shm for the program's processes that did not exit cleanly.
    if (preload !== undefined) {
      await sweepFaketimeLitter(identity.root ? 0 : identity.uid).catch(() => 0);
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
        user: parsed.user,
        asRoot: parsed.asRoot,
        command: () => parsed.rest,
      },
      io,
    );
  },
};

export { EXIT_HELP, INSIDE_HELP, OPTIONS_HELP };
