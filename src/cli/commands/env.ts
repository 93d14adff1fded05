/**
 * @module `yunbox env`: the environment a program needs to call the running yunbox, as `export`
 * lines for a shell (`eval "$(yunbox env)"`) or JSON for tools (`--json`). The server is found as
 * every command finds it (`--endpoint`, `YUNBOX_ENDPOINT`, the data directory's `endpoint.json`);
 * the AccessKey is the root's, from `YUNBOX_ROOT_ACCESS_KEY_ID`/`_SECRET` or `root-credentials.json`.
 */
import type { CliCommand } from '../command.js';
import {
  dataDirOf,
  findRootCredentials,
  findServer,
  parseCommandArgs,
  serverCallOptions,
} from '../server-client.js';
import { readEndpointFile } from '../../config/endpoint-file.js';

const usage = `usage: yunbox env [--json] [--endpoint URL] [--data DIR]

Prints the environment a program needs to call yunbox with the official SDKs, as export lines:

  eval "$(npx yunbox env)"

  ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET   the root AccessKey
  YUNBOX_ENDPOINT        the gateway (http://HOST:PORT): RPC APIs and OSS
  YUNBOX_TLS_ENDPOINT    the HTTPS gateway, when on
  NODE_EXTRA_CA_CERTS    yunbox's CA, so Node trusts the HTTPS gateway
  OSS_ENDPOINT, OSS_REGION   the gateway and region for OSS clients (ali-oss: endpoint, region)
  ALIBABA_CLOUD_REGION_ID    the region served
  YUNBOX_DATA            the data directory (so yunbox commands find it from anywhere)

options:
  --json           one JSON object instead, for tools
  --endpoint URL   the server (env YUNBOX_ENDPOINT; default: the data directory's endpoint.json)
  --data DIR       its data directory (env YUNBOX_DATA, default ./.yunbox)
`;

/** Quotes a value for POSIX shells: single quotes, with `'` written as `'\\''`. */
export function shellQuote(v: string): string {
  return `'${v.replaceAll("'", `'\\''`)}'`;
}

export const command: CliCommand = {
  name: 'env',
  summary: 'print the environment a program needs to call yunbox (eval "$(yunbox env)")',
  usage,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, 'env', usage, {
      ...serverCallOptions,
      json: { type: 'boolean' },
    });
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    if (positionals.length) {
      io.stderr(`yunbox env: unexpected argument \`${positionals[0]}\`\n${usage}`);
      return 2;
    }
    const dir = dataDirOf(io, values.data);
    const server = findServer(values.endpoint, io, values.data);
    // The endpoint file says the rest (HTTPS, CA, region) even when the address came from a flag.
    const info = server.info ?? readEndpointFile(dir);
    if (server.source === 'default') {
      io.stderr(
        `yunbox env: no running yunbox found: \`${dir}/endpoint.json\` is absent (start \`yunbox serve\`, or give --data DIR or --endpoint URL)\n`,
      );
      return 1;
    }
    const found = await findRootCredentials(io, values.data);
    if (!found.ok) {
      io.stderr(`yunbox env: ${found.error}\n`);
      return 1;
    }
    const region = info?.region ?? (io.env.YUNBOX_REGION || 'cn-hangzhou');
    const vars: Record<string, string> = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: found.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: found.credentials.accessKeySecret,
      YUNBOX_ENDPOINT: server.endpoint,
      ...(info?.tlsEndpoint ? { YUNBOX_TLS_ENDPOINT: info.tlsEndpoint } : {}),
      ...(info?.caCertPath ? { NODE_EXTRA_CA_CERTS: info.caCertPath } : {}),
      OSS_ENDPOINT: server.endpoint,
      OSS_REGION: `oss-${region}`,
      ALIBABA_CLOUD_REGION_ID: region,
      YUNBOX_DATA: dir,
    };
    if (values.json) {
      io.stdout(`${JSON.stringify(vars, null, 2)}\n`);
      return 0;
    }
    io.stdout(
      Object.entries(vars)
        .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
        .join(''),
    );
    return 0;
  },
};
