/**
 * @module `yunbox instance shell <InstanceId>`: an interactive shell as if logged in to an ECS
 * instance (`yunbox instance exec` with `$SHELL`, else bash, else sh).
 */
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { CliCommand } from '../command.js';
import {
  EXIT_HELP,
  INSIDE_HELP,
  OPTIONS_HELP,
  parseInstanceArgs,
  runInSandbox,
} from './instance-exec.js';

const usage = `usage: yunbox instance shell INSTANCE_ID [--user NAME|UID | --as-root] [--endpoint URL]
                           [--data DIR]

Opens a shell ($SHELL, else bash, else sh) as if logged in to the instance; the sandbox goes
when the shell exits.
${INSIDE_HELP}
${OPTIONS_HELP}
${EXIT_HELP}`;

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const command: CliCommand = {
  name: 'instance shell',
  summary: 'open a shell as if inside an ECS instance (root on Linux)',
  usage,
  async run(argv, io) {
    const parsed = parseInstanceArgs(argv, io, usage, 'instance shell');
    if ('exit' in parsed) return parsed.exit;
    if (parsed.rest.length > 0) {
      io.stderr(
        `yunbox instance shell: unexpected \`${parsed.rest.join(' ')}\` (use \`yunbox instance exec\` to run a command)\n${usage}`,
      );
      return 2;
    }
    const shell =
      io.env.SHELL && (await executable(io.env.SHELL))
        ? io.env.SHELL
        : (await executable('/bin/bash'))
          ? '/bin/bash'
          : '/bin/sh';
    return runInSandbox(
      {
        name: 'instance shell',
        instanceId: parsed.instanceId,
        endpoint: parsed.endpoint,
        data: parsed.data,
        user: parsed.user,
        asRoot: parsed.asRoot,
        command: () => [shell],
        banner: (sandboxId, netns, who) =>
          `yunbox: inside instance \`${parsed.instanceId}\` as ${who}: sandbox ${sandboxId}, network namespace ${netns}; exit to leave\n`,
      },
      io,
    );
  },
};
