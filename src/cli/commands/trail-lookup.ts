/**
 * @module `yunbox trail lookup [--start ISO] [--end ISO] [--attr Key=Value]… [--max N] [--json]`:
 * reads the audit trail of a running server through ActionTrail's LookupEvents (2020-07-06),
 * signed with ACS3 and the root credentials like the other server commands, following
 * `NextToken` until `--max` events are printed: one line per event (time, principal, action,
 * resource, decision, error code, request id), or the events as JSON.
 */
import { DEFAULT_LISTEN } from '../../config/config.js';
import { rpcCall } from '../../protocol/rpc-client.js';
import type { CliCommand, CliIo } from '../command.js';
import {
  findRootCredentials,
  parseCommandArgs,
  serverCallOptions,
  serverEndpoint,
  unreachable,
} from '../server-client.js';

/** ActionTrail's API version (services/trail). */
const ACTIONTRAIL_VERSION = '2020-07-06';

const usage = `usage: yunbox trail lookup [--start ISO] [--end ISO] [--attr Key=Value]... [--max N]
                          [--forward] [--json] [--endpoint URL] [--data DIR]

Prints the audit trail, newest first: every API call (RPC, OSS, instance credential reads),
allowed or denied, one line per event:
  TIME  PRINCIPAL  ACTION  RESOURCE  DECISION  ERROR  REQUEST-ID

options:
  --start ISO       from this time (ISO 8601 in UTC; default 7 days ago)
  --end ISO         until this time, included (default now)
  --attr Key=Value  only events whose Key is Value (repeatable; all must match). Keys:
                    EventName, EventRW (Read|Write), User, RoleName, EventAccessKeyId,
                    ServiceName, ResourceName, ResourceType, SourceIpAddress, EventId,
                    RequestId, ErrorCode, Decision (allow|implicit-deny|explicit-deny|none),
                    Instance
  --max N           print at most N events (default 20)
  --forward         oldest first
  --json            print the events as ActionTrail returns them (a JSON array)
  --endpoint URL    the server (env YUNBOX_ENDPOINT, default http://${DEFAULT_LISTEN})
  --data DIR        its data directory, for root-credentials.json (env YUNBOX_DATA, default
                    ./.yunbox); not needed when YUNBOX_ROOT_ACCESS_KEY_ID and
                    YUNBOX_ROOT_ACCESS_KEY_SECRET are set

examples:
  yunbox trail lookup --attr Decision=implicit-deny
  yunbox trail lookup --attr User=alice --attr EventRW=Write --max 100
`;

/** An event as LookupEvents returns it (the fields printed). */
interface WireEvent {
  eventTime?: string;
  eventName?: string;
  serviceName?: string;
  requestId?: string;
  errorCode?: string;
  resourceName?: string;
  userIdentity?: { type?: string; userName?: string; accessKeyId?: string };
  additionalEventData?: { Decision?: string; Resource?: string };
}

/**
 * How a principal is shown: `root`, `user/alice`, `role/app:session`, `instance/i-…`, `yunbox`
 * (the trail's own notices).
 */
function principalOf(e: WireEvent): string {
  const id = e.userIdentity ?? {};
  switch (id.type) {
    case 'root-account':
      return 'root';
    case 'ram-user':
      return `user/${id.userName ?? '?'}`;
    case 'assumed-role':
      return `role/${id.userName ?? '?'}`;
    case 'ecs-instance':
      return `instance/${id.userName ?? '?'}`;
    case 'anonymous':
      return 'anonymous';
    case 'yunbox':
      return 'yunbox';
    default:
      return id.accessKeyId ? `key/${id.accessKeyId}` : 'unknown';
  }
}

/** The columns of one event's line. */
function columns(e: WireEvent): string[] {
  const service = (e.serviceName ?? '').toLowerCase();
  return [
    e.eventTime ?? '-',
    principalOf(e),
    service ? `${service}:${e.eventName ?? ''}` : e.eventName || '-',
    e.additionalEventData?.Resource || e.resourceName || '-',
    e.additionalEventData?.Decision ?? '-',
    e.errorCode || '-',
    e.requestId || '-',
  ];
}

function fail(io: CliIo, message: string, code: number): number {
  io.stderr(`yunbox trail lookup: ${message}\n`);
  return code;
}

export const command: CliCommand = {
  name: 'trail lookup',
  summary: 'print the audit trail: every API call, allowed or denied, and why',
  usage,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, 'trail lookup', usage, {
      ...serverCallOptions,
      start: { type: 'string' },
      end: { type: 'string' },
      attr: { type: 'string', multiple: true },
      max: { type: 'string' },
      forward: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    if (positionals.length > 0) {
      return fail(io, `unexpected argument \`${positionals[0]}\`\n${usage}`, 2);
    }
    const max = values.max === undefined ? 20 : Number(values.max);
    if (!/^\d+$/.test(values.max ?? '20') || max < 1) {
      return fail(io, `--max expects a positive number, not \`${values.max}\``, 2);
    }
    const params: Record<string, string> = {};
    if (values.start !== undefined) params.StartTime = values.start;
    if (values.end !== undefined) params.EndTime = values.end;
    if (values.forward) params.Direction = 'FORWARD';
    for (const [i, attr] of (values.attr ?? []).entries()) {
      const eq = attr.indexOf('=');
      if (eq < 1) return fail(io, `--attr expects Key=Value, not \`${attr}\``, 2);
      params[`LookupAttribute.${i + 1}.Key`] = attr.slice(0, eq);
      params[`LookupAttribute.${i + 1}.Value`] = attr.slice(eq + 1);
    }
    const found = await findRootCredentials(io, values.data);
    if (!found.ok) return fail(io, found.error, 1);
    const endpoint = serverEndpoint(values.endpoint, io, values.data);

    const events: WireEvent[] = [];
    let token: string | undefined;
    do {
      let res;
      try {
        res = await rpcCall({
          endpoint,
          version: ACTIONTRAIL_VERSION,
          action: 'LookupEvents',
          params: {
            ...params,
            MaxResults: String(Math.min(50, max - events.length)),
            ...(token ? { NextToken: token } : {}),
          },
          credentials: found.credentials,
          signature: 'acs3',
        });
      } catch (e) {
        return fail(io, unreachable(endpoint, e), 1);
      }
      const body = (res.json ?? {}) as {
        Events?: WireEvent[];
        NextToken?: string;
        Code?: string;
        Message?: string;
      };
      if (res.status < 200 || res.status >= 300 || !Array.isArray(body.Events)) {
        return fail(
          io,
          `${body.Code ?? `HTTP ${res.status}`}: ${body.Message ?? res.text.slice(0, 200)}`,
          1,
        );
      }
      events.push(...body.Events);
      token = body.NextToken;
    } while (token && events.length < max);

    if (values.json) {
      io.stdout(`${JSON.stringify(events, null, 2)}\n`);
      return 0;
    }
    const rows = events.map(columns);
    const widths = rows.reduce<number[]>(
      (w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)),
      [],
    );
    for (const r of rows) {
      io.stdout(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
    }
    return 0;
  },
};
