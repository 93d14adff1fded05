/**
 * @module `yunbox instance metadata-url <InstanceId>`: prints where the plain metadata listener
 * (`--metadata-listen`) serves an instance's metadata, `http://127.77.X.Y:PORT`. A program that
 * reads its metadata there gets that instance's tree and credentials (identification by the
 * address connected to, not isolation: only sandboxes isolate). Signed with the root credentials.
 */
import { DEFAULT_LISTEN } from '../../config/config.js';
import type { CliCommand } from '../command.js';
import {
  findRootCredentials,
  parseCommandArgs,
  serverCallOptions,
  serverEndpoint,
  yunboxCall,
} from '../server-client.js';

const usage = `usage: yunbox instance metadata-url INSTANCE_ID [--endpoint URL] [--data DIR]

Prints the URL of the instance's metadata service on the plain listener (yunbox serve
--metadata-listen), e.g. http://127.77.0.1:9912, for programs run outside a sandbox:

  curl "$(yunbox instance metadata-url i-…)/latest/meta-data/ram/security-credentials/"

Each instance has its own loopback address; Linux routes all of 127.0.0.0/8 to lo, other systems
need it added (sudo ifconfig lo0 alias 127.77.0.1). Any local program can connect to any such
address: for real isolation use \`yunbox instance exec\`.

options:
  --endpoint URL   the server (env YUNBOX_ENDPOINT, default http://${DEFAULT_LISTEN})
  --data DIR       its data directory, for root-credentials.json (env YUNBOX_DATA, default
                   ./.yunbox); not needed when YUNBOX_ROOT_ACCESS_KEY_ID and
                   YUNBOX_ROOT_ACCESS_KEY_SECRET are set
`;

export const command: CliCommand = {
  name: 'instance metadata-url',
  summary: "print the URL of an instance's metadata service outside sandboxes",
  usage,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, 'instance metadata-url', usage, serverCallOptions);
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    const [instanceId] = positionals;
    if (positionals.length !== 1 || !instanceId) {
      io.stderr(`yunbox instance metadata-url: expected one instance id\n${usage}`);
      return 2;
    }
    const found = await findRootCredentials(io, values.data);
    if (!found.ok) {
      io.stderr(`yunbox instance metadata-url: ${found.error}\n`);
      return 1;
    }
    const endpoint = serverEndpoint(values.endpoint, io, values.data);
    const r = await yunboxCall(endpoint, found.credentials, 'DescribeInstanceMetadataEndpoint', {
      InstanceId: instanceId,
    });
    if (!r.ok) {
      io.stderr(`yunbox instance metadata-url: ${r.error}\n`);
      return 1;
    }
    const b = r.body as { Url?: string; Reason?: string };
    if (!b.Url) {
      io.stderr(`yunbox instance metadata-url: ${b.Reason ?? 'not listening'}\n`);
      return 1;
    }
    io.stdout(`${b.Url}\n`);
    return 0;
  },
};
