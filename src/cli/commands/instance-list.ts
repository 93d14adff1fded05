/**
 * @module `yunbox instance list`: the account's instances with what a program on them would
 * see: state, RAM role, private IP, the metadata URL outside sandboxes and when the current role
 * credential expires. ECS DescribeInstances, then Yunbox DescribeInstanceMetadataCredential and
 * DescribeInstanceMetadataEndpoint per instance, signed as root.
 */
import type { CliCommand } from '../command.js';
import {
  API_VERSIONS,
  apiCall,
  findRootCredentials,
  findServer,
  parseCommandArgs,
  serverCallOptions,
} from '../server-client.js';

const usage = `usage: yunbox instance list [--json | -q] [--region ID] [--endpoint URL] [--data DIR]

Lists the instances of the root account in a region: id, state, name, RAM role, private IP,
the metadata URL outside sandboxes (--metadata-listen) and when the role credential the metadata
service hands out now expires.

options:
  --json           one JSON array instead of a table
  -q, --quiet      the instance ids only, one a line (id=$(yunbox instance list -q))
  --region ID      the region (default: the server's)
  --endpoint URL   the server (env YUNBOX_ENDPOINT; default: the data directory's endpoint.json)
  --data DIR       its data directory, for root-credentials.json and endpoint.json (env
                   YUNBOX_DATA, default ./.yunbox)
`;

/** Most instances listed (20 pages of 100). */
const MAX_PAGES = 20;

/** One row of the list. */
export interface InstanceRow {
  InstanceId: string;
  Status: string;
  InstanceName: string;
  RamRoleName: string;
  PrivateIpAddress: string;
  MetadataUrl: string;
  CredentialExpiration: string;
}

function table(rows: InstanceRow[]): string {
  const head = [
    'INSTANCE',
    'STATE',
    'NAME',
    'ROLE',
    'PRIVATE IP',
    'METADATA URL',
    'CREDENTIAL EXPIRES',
  ];
  const cells = rows.map((r) => [
    r.InstanceId,
    r.Status,
    r.InstanceName || '-',
    r.RamRoleName || '-',
    r.PrivateIpAddress || '-',
    r.MetadataUrl || '-',
    r.CredentialExpiration || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [head, ...cells]
    .map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

export const command: CliCommand = {
  name: 'instance list',
  summary: 'list instances: state, role, private IP, metadata URL, credential expiry',
  usage,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, 'instance list', usage, {
      ...serverCallOptions,
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      region: { type: 'string' },
    });
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    if (positionals.length) {
      io.stderr(`yunbox instance list: unexpected argument \`${positionals[0]}\`\n${usage}`);
      return 2;
    }
    const server = findServer(values.endpoint, io, values.data);
    const found = await findRootCredentials(io, values.data);
    if (!found.ok) {
      io.stderr(`yunbox instance list: ${found.error}\n`);
      return 1;
    }
    const creds = found.credentials;
    const region = values.region ?? server.info?.region ?? (io.env.YUNBOX_REGION || 'cn-hangzhou');
    const rows: InstanceRow[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const r = await apiCall(server.endpoint, creds, API_VERSIONS.ecs, 'DescribeInstances', {
        RegionId: region,
        PageSize: '100',
        PageNumber: String(page),
      });
      if (!r.ok) {
        io.stderr(`yunbox instance list: ${r.error}\n`);
        return 1;
      }
      const b = r.body as {
        TotalCount?: number;
        Instances?: { Instance?: Array<Record<string, unknown>> };
      };
      const list = b.Instances?.Instance ?? [];
      for (const i of list) {
        const id = String(i.InstanceId);
        const vpc = i.VpcAttributes as { PrivateIpAddress?: { IpAddress?: string[] } } | undefined;
        const [cred, url] = await Promise.all([
          apiCall(
            server.endpoint,
            creds,
            API_VERSIONS.yunbox,
            'DescribeInstanceMetadataCredential',
            {
              InstanceId: id,
            },
          ),
          apiCall(server.endpoint, creds, API_VERSIONS.yunbox, 'DescribeInstanceMetadataEndpoint', {
            InstanceId: id,
          }),
        ]);
        const c = (cred.ok ? cred.body : {}) as { RamRoleName?: string; Expiration?: string };
        rows.push({
          InstanceId: id,
          Status: String(i.Status ?? ''),
          InstanceName: String(i.InstanceName ?? ''),
          RamRoleName: c.RamRoleName ?? '',
          PrivateIpAddress: vpc?.PrivateIpAddress?.IpAddress?.[0] ?? '',
          MetadataUrl: url.ok ? String((url.body as { Url?: string }).Url ?? '') : '',
          CredentialExpiration: c.Expiration ?? '',
        });
      }
      if (list.length < 100 || rows.length >= (b.TotalCount ?? 0)) break;
    }
    if (values.json) {
      io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (values.quiet) {
      io.stdout(rows.map((r) => `${r.InstanceId}\n`).join(''));
      return 0;
    }
    if (rows.length === 0) {
      io.stdout(
        `no instances in ${region}: create one with ECS RunInstances (see README), or start with \`yunbox serve --init tutorial\`\n`,
      );
      return 0;
    }
    io.stdout(`${table(rows)}\n`);
    return 0;
  },
};
