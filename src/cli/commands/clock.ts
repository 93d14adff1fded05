/**
 * @module `yunbox clock show|advance|set`: reads and moves a running server's clock through the
 * signed Yunbox API (`DescribeClock`, `AdvanceClock`, `SetClock`), with the root credentials
 * (`--data` or `YUNBOX_ROOT_ACCESS_KEY_*`), like any other call: RAM decides, the trail records.
 * Calls are stamped with the server's own time (read from `GET /_yunbox/clock`). A server accepts
 * this machine's time under any move of its clock too (`kernel/clock.ts`); the server's time
 * still works when this machine's clock is off from a remote server's host.
 */
import { parseDuration } from '../../kernel/admin.js';
import type { CliCommand } from '../command.js';
import {
  endpointOption,
  parseCommandArgs,
  rootYunboxCall,
  serverCallOptions,
} from '../server-client.js';

const OPTIONS = `
options:
  --endpoint URL   the server (default YUNBOX_ENDPOINT, else http://127.0.0.1:9910)
  --data DIR       its data directory, for root-credentials.json (default YUNBOX_DATA, else
                   ./.yunbox); or set YUNBOX_ROOT_ACCESS_KEY_ID and YUNBOX_ROOT_ACCESS_KEY_SECRET
`;

const USAGE = {
  show: `usage: yunbox clock show [--endpoint URL] [--data DIR]\n\nPrints the server clock (DescribeClock).\n${OPTIONS}`,
  advance: `usage: yunbox clock advance DURATION [--endpoint URL] [--data DIR]\n\nMoves a manual clock forward (AdvanceClock), e.g. \`6h\`, \`30m\`, \`1h30m\`, \`90s\`, or seconds.\n${OPTIONS}`,
  set: `usage: yunbox clock set TIME [--endpoint URL] [--data DIR]\n\nSets a manual clock to a later ISO 8601 time (SetClock), e.g. 2026-01-01T00:00:00Z.\n${OPTIONS}`,
} as const;

/** The operation and its parameters for `verb` and its arguments, or why they are wrong. */
function request(
  verb: 'show' | 'advance' | 'set',
  positionals: string[],
): { action: string; params: Record<string, string> } | { error: string } {
  if (verb === 'show') {
    return positionals.length === 0
      ? { action: 'DescribeClock', params: {} }
      : { error: 'expected no arguments' };
  }
  if (verb === 'advance') {
    const ms = positionals.length === 1 ? parseDuration(positionals[0]!) : undefined;
    const seconds = ms === undefined ? NaN : ms / 1000;
    if (!Number.isInteger(seconds) || seconds < 1) {
      return { error: 'expected one duration of whole seconds, at least `1s`, such as `6h`' };
    }
    return { action: 'AdvanceClock', params: { AdvanceSeconds: String(seconds) } };
  }
  const t = positionals.length === 1 ? Date.parse(positionals[0]!) : NaN;
  if (Number.isNaN(t)) return { error: 'expected one ISO 8601 time' };
  return { action: 'SetClock', params: { Now: new Date(t).toISOString().replace('.000Z', 'Z') } };
}

function clockCommand(verb: 'show' | 'advance' | 'set'): CliCommand {
  const usage = USAGE[verb];
  const name = `clock ${verb}`;
  return {
    name,
    summary:
      verb === 'show'
        ? 'print the server clock'
        : verb === 'advance'
          ? 'move a manual clock forward'
          : 'set a manual clock',
    usage,
    async run(argv, io) {
      const parsed = parseCommandArgs(argv, io, name, usage, serverCallOptions);
      if ('exit' in parsed) return parsed.exit;
      const { values, positionals } = parsed;
      const req = request(verb, positionals);
      if ('error' in req) {
        io.stderr(`yunbox ${name}: ${req.error}\n${usage}`);
        return 2;
      }
      const r = await rootYunboxCall(io, name, values, req.action, req.params);
      if (!r.ok) return 1;
      io.stdout(`${String(r.body.Now)}\n`);
      return 0;
    },
  };
}

export const clockShow = clockCommand('show');
export const clockAdvance = clockCommand('advance');
export const clockSet = clockCommand('set');
export { endpointOption };
