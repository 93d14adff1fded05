/**
 * @module `yunbox instance fault <InstanceId> <mode> [--delay MS] [--status CODE]`: makes an
 * instance's metadata service misbehave on purpose (for tests of client resilience), or heals it
 * (`none`). Calls SetInstanceMetadataFault on the server, signed with the root credentials.
 */
import { DEFAULT_LISTEN } from '../../config/config.js';
import { FAULT_MODES, MAX_FAULT_DELAY_MS } from '../../services/ecs/index.js';
import type { CliCommand } from '../command.js';
import {
  findRootCredentials,
  parseCommandArgs,
  serverCallOptions,
  serverEndpoint,
  yunboxCall,
} from '../server-client.js';

const usage = `usage: yunbox instance fault INSTANCE_ID MODE [--delay MS] [--status CODE] [--endpoint URL] [--data DIR]

Makes the instance's metadata service misbehave, per instance, until set back to \`none\`:
  none                off (the default)
  slow                every answer waits --delay MS first (default 1500, at most ${MAX_FAULT_DELAY_MS})
  error               every request answers --status CODE (default 500)
  expired-credential  the credential document holds a credential that expired a minute ago
  refuse-token        PUT /latest/api/token answers --status CODE (default 403)

options:
  --delay MS       the delay of \`slow\`
  --status CODE    the status of \`error\` and \`refuse-token\` (400-599)
  --endpoint URL   the server (env YUNBOX_ENDPOINT, default http://${DEFAULT_LISTEN})
  --data DIR       its data directory, for root-credentials.json (env YUNBOX_DATA, default
                   ./.yunbox); not needed when YUNBOX_ROOT_ACCESS_KEY_ID and
                   YUNBOX_ROOT_ACCESS_KEY_SECRET are set
`;

export const command: CliCommand = {
  name: 'instance fault',
  summary: "make an instance's metadata service slow, failing, expired or token-refusing",
  usage,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, 'instance fault', usage, {
      ...serverCallOptions,
      delay: { type: 'string' },
      status: { type: 'string' },
    });
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    const [instanceId, mode] = positionals;
    if (positionals.length !== 2 || !instanceId || !mode) {
      io.stderr(`yunbox instance fault: expected an instance id and a mode\n${usage}`);
      return 2;
    }
    if (!(FAULT_MODES as readonly string[]).includes(mode)) {
      io.stderr(
        `yunbox instance fault: unknown mode \`${mode}\`: expected ${FAULT_MODES.join(', ')}\n`,
      );
      return 2;
    }
    for (const [flag, v] of [
      ['--delay', values.delay],
      ['--status', values.status],
    ] as const) {
      if (v !== undefined && !/^\d+$/.test(v)) {
        io.stderr(`yunbox instance fault: ${flag} expects a number, not \`${v}\`\n`);
        return 2;
      }
    }
    const found = await findRootCredentials(io, values.data);
    if (!found.ok) {
      io.stderr(`yunbox instance fault: ${found.error}\n`);
      return 1;
    }
    const endpoint = serverEndpoint(values.endpoint, io, values.data);
    const r = await yunboxCall(endpoint, found.credentials, 'SetInstanceMetadataFault', {
      InstanceId: instanceId,
      Mode: mode,
      ...(values.delay !== undefined ? { DelayMs: values.delay } : {}),
      ...(values.status !== undefined ? { StatusCode: values.status } : {}),
    });
    if (!r.ok) {
      io.stderr(`yunbox instance fault: ${r.error}\n`);
      return 1;
    }
    const b = r.body as { Mode: string; DelayMs: number; StatusCode: number };
    const detail =
      b.Mode === 'slow'
        ? ` (${b.DelayMs || 1500} ms)`
        : b.Mode === 'error' || b.Mode === 'refuse-token'
          ? ` (status ${b.StatusCode || (b.Mode === 'error' ? 500 : 403)})`
          : '';
    io.stdout(`${instanceId}: metadata fault ${b.Mode}${detail}\n`);
    return 0;
  },
};
