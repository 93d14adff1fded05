#!/usr/bin/env node
/**
 * @module The `yunbox` command: dispatches `yunbox <group> <verb> …` (or `yunbox <verb> …`) to
 * the command declared in `commands/`.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CliCommand, CliIo } from './command.js';
import { yunboxVersion as version } from './version.js';

/** A sub-command, loaded only when run (so `yunbox clock show` does not load the server). */
interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

/** Every sub-command. */
export const COMMANDS: CommandEntry[] = [
  {
    name: 'serve',
    summary: 'start yunbox (gateway on 127.0.0.1:9910 by default)',
    load: async () => (await import('./commands/serve.js')).command,
  },
  {
    name: 'env',
    summary: 'print the environment a program needs to call yunbox (eval "$(yunbox env)")',
    load: async () => (await import('./commands/env.js')).command,
  },
  {
    name: 'reset',
    summary: 'delete the data directory (asks first; refused while a server runs on it)',
    load: async () => (await import('./commands/reset.js')).command,
  },
  {
    name: 'account create',
    summary: 'create another account with its own root AccessKey',
    load: async () => (await import('./commands/account.js')).accountCreate,
  },
  {
    name: 'account list',
    summary: 'list the accounts',
    load: async () => (await import('./commands/account.js')).accountList,
  },
  {
    name: 'clock show',
    summary: 'print the server clock',
    load: async () => (await import('./commands/clock.js')).clockShow,
  },
  {
    name: 'clock advance',
    summary: 'move a manual clock forward',
    load: async () => (await import('./commands/clock.js')).clockAdvance,
  },
  {
    name: 'clock set',
    summary: 'set a manual clock',
    load: async () => (await import('./commands/clock.js')).clockSet,
  },
  {
    name: 'instance list',
    summary: 'list instances: state, role, private IP, metadata URL, credential expiry',
    load: async () => (await import('./commands/instance-list.js')).command,
  },
  {
    name: 'instance exec',
    summary: 'run a command as if inside an ECS instance (root on Linux)',
    load: async () => (await import('./commands/instance-exec.js')).command,
  },
  {
    name: 'instance shell',
    summary: 'open a shell as if inside an ECS instance (root on Linux)',
    load: async () => (await import('./commands/instance-shell.js')).command,
  },
  {
    name: 'instance fault',
    summary: "make an instance's metadata service slow, failing, expired or token-refusing",
    load: async () => (await import('./commands/instance-fault.js')).command,
  },
  {
    name: 'instance metadata-url',
    summary: "print the URL of an instance's metadata service outside sandboxes",
    load: async () => (await import('./commands/instance-metadata-url.js')).command,
  },
  {
    name: 'oidc issuer',
    summary: "print the account's OIDC issuer URL and the fingerprint to register",
    load: async () => (await import('./commands/oidc.js')).oidcIssuer,
  },
  {
    name: 'oidc token',
    summary: "print an OIDC token signed by the account's issuer",
    load: async () => (await import('./commands/oidc.js')).oidcToken,
  },
  {
    name: 'workload exec',
    summary: 'run a command as a pod with RRSA: OIDC token file and role variables (root on Linux)',
    load: async () => (await import('./commands/workload.js')).command,
  },
  {
    name: 'trail lookup',
    summary: 'print the audit trail: every API call, allowed or denied, and why',
    load: async () => (await import('./commands/trail-lookup.js')).command,
  },
  {
    name: 'policy simulate',
    summary: 'decide a request against policy files and explain the decision',
    load: async () => (await import('./commands/policy-simulate.js')).command,
  },
  {
    name: 'policy validate',
    summary: 'check policy documents and print diagnostics with line and column',
    load: async () => (await import('./commands/policy-validate.js')).command,
  },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: yunbox <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`yunbox <command> --help\` for a command's options.
`;
}

/** What a group (`clock`, `instance`, …) is for, shown by `yunbox GROUP --help`. */
const GROUPS: Record<string, string> = {
  account:
    'several accounts on one yunbox, each with its own root AccessKey (the first account only)',
  clock: "read and move the server's clock (a manual clock: --clock manual)",
  instance: 'ECS instances as a program on them sees them: list, run programs, metadata, faults',
  oidc: "the account's own OIDC issuer (AssumeRoleWithOIDC without an outside identity provider)",
  workload: 'programs on no instance that get credentials by OIDC federation (RRSA)',
  trail: 'the audit trail',
  policy: 'RAM policy documents, offline: validate and simulate',
};

function groupHelp(group: string): string {
  const cmds = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  const width = Math.max(...cmds.map((c) => c.name.length));
  return `usage: yunbox ${group} <command> [options]

${GROUPS[group] ?? ''}

commands:
${cmds.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`yunbox ${group} <command> --help\` for a command's options.
`;
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    io.stdout(help());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === 'version') {
    io.stdout(`yunbox ${version()}\n`);
    return 0;
  }
  const two = `${first} ${second ?? ''}`;
  const cmd = COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === first);
  const isGroup = COMMANDS.some((c) => c.name.startsWith(`${first} `));
  if (!cmd && isGroup) {
    if (second === undefined || second === '--help' || second === '-h' || second === 'help') {
      io.stdout(groupHelp(first));
      return second === undefined ? 2 : 0;
    }
    io.stderr(`yunbox: unknown command \`${first} ${second}\`\n\n${groupHelp(first)}`);
    return 2;
  }
  if (!cmd) {
    io.stderr(`yunbox: unknown command \`${argv.slice(0, 2).join(' ')}\`\n\n${help()}`);
    return 2;
  }
  const rest = argv.slice(cmd.name.split(' ').length);
  return (await cmd.load()).run(rest, io);
}

function isEntry(): boolean {
  try {
    return (
      process.argv[1] !== undefined &&
      import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
    );
  } catch {
    return false;
  }
}

if (isEntry()) {
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`yunbox: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
