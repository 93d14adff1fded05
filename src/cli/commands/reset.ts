/**
 * @module `yunbox reset`: deletes a data directory (database, objects, CA, root credentials) so the
 * next `yunbox serve` starts afresh (and applies `--init` again). Refuses while a server runs on
 * it, and asks first unless `--yes`.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { CliCommand } from '../command.js';
import { dataDirOf, parseCommandArgs } from '../server-client.js';
import { processAlive, readEndpointFile } from '../../config/endpoint-file.js';

const usage = `usage: yunbox reset [--data DIR] [--yes]

Deletes the data directory (the SQLite database, OSS objects, the local CA, root credentials),
so that the next \`yunbox serve\` creates a new account (and applies --init again). Refused while
a yunbox serves the directory. A PostgreSQL store (--store postgres://…) is not touched: drop its
database yourself.

options:
  --data DIR   the data directory (env YUNBOX_DATA, default ./.yunbox)
  --yes        do not ask
`;

/** Names only a yunbox data directory has; reset refuses a directory with none of them. */
const MARKERS = ['yunbox.db', 'root-credentials.json', 'endpoint.json', 'tls', 'blobs'];

export const command: CliCommand = {
  name: 'reset',
  summary: 'delete the data directory (asks first; refused while a server runs on it)',
  usage,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, 'reset', usage, {
      data: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    });
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    if (positionals.length) {
      io.stderr(`yunbox reset: unexpected argument \`${positionals[0]}\` (use --data DIR)\n`);
      return 2;
    }
    const dir = dataDirOf(io, values.data);
    let names: string[];
    try {
      if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
      names = await readdir(dir);
    } catch {
      io.stdout(`nothing to reset: \`${dir}\` does not exist\n`);
      return 0;
    }
    if (names.length > 0 && !names.some((n) => MARKERS.includes(n))) {
      io.stderr(`yunbox reset: \`${dir}\` is not a yunbox data directory; nothing deleted\n`);
      return 1;
    }
    const info = readEndpointFile(dir);
    if (info && processAlive(info.pid)) {
      io.stderr(
        `yunbox reset: a yunbox (pid ${info.pid}) serves \`${dir}\` at ${info.endpoint}; stop it first (Ctrl-C), then reset\n`,
      );
      return 1;
    }
    if (!values.yes) {
      if (!process.stdin.isTTY) {
        io.stderr(`yunbox reset: add --yes to delete \`${dir}\` without a terminal to ask on\n`);
        return 2;
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(
        `delete \`${dir}\` and everything in it (database, objects, CA, root credentials)? [y/N] `,
      );
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.stdout('nothing deleted\n');
        return 1;
      }
    }
    await rm(dir, { recursive: true, force: true });
    io.stdout(`deleted \`${dir}\`; the next \`yunbox serve\` starts afresh\n`);
    return 0;
  },
};
