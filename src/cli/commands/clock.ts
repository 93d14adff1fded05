/**
 * @module `yunbox clock show|advance|set`: reads and moves the manual clock of a running server
 * through `/_yunbox/clock`.
 */
import { parseDuration } from '../../kernel/admin.js';
import type { CliCommand } from '../command.js';
import { adminRequest, endpointOption, serverOptions } from '../server-client.js';

function clockCommand(verb: 'show' | 'advance' | 'set'): CliCommand {
  const usage =
    verb === 'show'
      ? 'usage: yunbox clock show [--endpoint URL]\n\nPrints the server clock.\n'
      : verb === 'advance'
        ? 'usage: yunbox clock advance DURATION [--endpoint URL]\n\nMoves a manual clock forward, e.g. `6h`, `30m`, `1h30m`, `90s`, or seconds.\n'
        : 'usage: yunbox clock set TIME [--endpoint URL]\n\nSets a manual clock to an ISO 8601 time, e.g. 2026-01-01T00:00:00Z.\n';
  return {
    name: `clock ${verb}`,
    summary:
      verb === 'show'
        ? 'print the server clock'
        : verb === 'advance'
          ? 'move a manual clock forward'
          : 'set a manual clock',
    usage,
    async run(argv, io) {
      const parsed = serverOptions(argv, io, usage);
      if (!parsed) return 2;
      const { positionals, endpoint } = parsed;
      let body: unknown;
      if (verb === 'advance') {
        const ms = positionals.length === 1 ? parseDuration(positionals[0]!) : undefined;
        if (ms === undefined) {
          io.stderr(`yunbox clock advance: expected one duration such as \`6h\`\n${usage}`);
          return 2;
        }
        body = { advanceSeconds: ms / 1000 };
      } else if (verb === 'set') {
        if (positionals.length !== 1 || Number.isNaN(Date.parse(positionals[0]!))) {
          io.stderr(`yunbox clock set: expected one ISO 8601 time\n${usage}`);
          return 2;
        }
        body = { now: positionals[0] };
      } else if (positionals.length !== 0) {
        io.stderr(usage);
        return 2;
      }
      const r = await adminRequest(
        endpoint,
        verb === 'show' ? 'GET' : 'POST',
        '/_yunbox/clock',
        body,
      );
      if (!r.ok) {
        io.stderr(`yunbox clock ${verb}: ${r.error}\n`);
        return 1;
      }
      io.stdout(`${(r.body as { now: string }).now}\n`);
      return 0;
    },
  };
}

export const clockShow = clockCommand('show');
export const clockAdvance = clockCommand('advance');
export const clockSet = clockCommand('set');
export { endpointOption };
