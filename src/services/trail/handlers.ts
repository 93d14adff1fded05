/**
 * @module ActionTrail handlers. LookupEvents answers the caller's account's events (and those
 * whose account is unknown: requests refused before an AccessKeyId resolved), newest first unless
 * `Direction=FORWARD`, a page at a time with an opaque `NextToken` (the last event's time and
 * id). Times are whole seconds, as ActionTrail prints them: `EndTime` includes its second. The
 * node's own pending events are written first, so a caller sees its earlier calls at once.
 *
 * Attribute filters follow "How do I configure the LookupAttribute parameter"
 * (alibabacloud.com/help/en/actiontrail/support/how-to-set-the-lookupattribute-parameter): exact,
 * case-sensitive matches, all of which must hold; the same key twice keeps the later one. Unlike
 * ActionTrail, more than two filters are all applied, and yunbox adds keys of its own.
 */
import { isoSeconds } from '../../kernel/clock.js';
import { InvalidParameter } from '../../protocol/rpc-errors.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import { toWireEvent } from './model.js';
import type { LookupEvents } from './operations.js';
import type { TrailCursor, TrailFilterField, TrailStore } from './store.js';

/** How far back LookupEvents looks by default. */
export const DEFAULT_LOOKBACK_MS = 7 * 24 * 3600 * 1000;
/** Page size when `MaxResults` is absent. */
export const DEFAULT_MAX_RESULTS = 20;

/** `LookupAttribute.N.Key` values and the event field each matches. */
export const LOOKUP_KEYS: Readonly<Record<string, TrailFilterField>> = Object.freeze({
  EventId: 'eventId',
  EventName: 'eventName',
  EventRW: 'eventRW',
  EventType: 'eventType',
  ServiceName: 'serviceName',
  User: 'userName',
  RoleName: 'roleName',
  EventAccessKeyId: 'accessKeyId',
  ResourceType: 'resourceType',
  ResourceName: 'resourceName',
  SourceIpAddress: 'sourceIp',
  // yunbox's own
  UserName: 'userName',
  RequestId: 'requestId',
  ErrorCode: 'errorCode',
  Decision: 'decision',
  Instance: 'instanceId',
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function invalid(name: string, value: string, why: string): never {
  throw InvalidParameter(`The specified parameter ${name} is not valid: \`${value}\` (${why}).`);
}

function parseTime(name: string, value: string): number {
  const t = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) invalid(name, value, 'expected ISO 8601 in UTC, e.g. 2026-01-01T00:00:00Z');
  return t;
}

/** The opaque `NextToken` of a page ending at `c`. */
export function encodeNextToken(c: TrailCursor): string {
  return Buffer.from(JSON.stringify({ t: c.time, i: c.id })).toString('base64url');
}

/** The cursor in a `NextToken`, or undefined when it is not one of ours. */
export function decodeNextToken(token: string): TrailCursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { t, i } = v as { t?: unknown; i?: unknown };
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || typeof i !== 'string')
      return undefined;
    return { time: t, id: i };
  } catch {
    return undefined;
  }
}

/** What the handlers use. */
export interface TrailHandlerDeps {
  store: TrailStore;
  /** Writes this node's pending events. */
  flush(): Promise<void>;
  /**
   * The first account (the operator's), which alone sees the events of no known account; when
   * not given, every account sees them.
   */
  firstAccount?(): Promise<string | undefined>;
}

/** ActionTrail's handlers. */
export function trailHandlers(deps: TrailHandlerDeps): {
  lookupEvents: Handler<(typeof LookupEvents)['params']>;
} {
  return {
    async lookupEvents(ctx, input) {
      const end =
        input.EndTime !== undefined && input.EndTime !== ''
          ? parseTime('EndTime', input.EndTime)
          : ctx.now;
      const start =
        input.StartTime !== undefined && input.StartTime !== ''
          ? parseTime('StartTime', input.StartTime)
          : ctx.now - DEFAULT_LOOKBACK_MS;
      if (start > end) invalid('StartTime', input.StartTime ?? '', 'after EndTime');
      const direction = (input.Direction ?? 'BACKWARD').toUpperCase();
      if (direction !== 'BACKWARD' && direction !== 'FORWARD') {
        invalid('Direction', input.Direction ?? '', 'expected FORWARD or BACKWARD');
      }
      const byField = new Map<TrailFilterField, string>();
      (input.LookupAttribute ?? []).forEach((a, n) => {
        const key = a.Key ?? '';
        const field = Object.prototype.hasOwnProperty.call(LOOKUP_KEYS, key)
          ? LOOKUP_KEYS[key]
          : undefined;
        if (field === undefined) {
          invalid(
            `LookupAttribute.${n + 1}.Key`,
            key,
            `expected one of ${Object.keys(LOOKUP_KEYS).join(', ')}`,
          );
        }
        byField.delete(field);
        byField.set(field, a.Value ?? '');
      });
      let after: TrailCursor | undefined;
      if (input.NextToken !== undefined && input.NextToken !== '') {
        after = decodeNextToken(input.NextToken);
        if (!after) invalid('NextToken', input.NextToken, 'not a token LookupEvents returned');
      }
      const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
      await deps.flush();
      const rows = await deps.store.lookup({
        accountId: ctx.accountId,
        unattributed: deps.firstAccount ? (await deps.firstAccount()) === ctx.accountId : true,
        start: Math.floor(start / 1000) * 1000,
        end: Math.floor(end / 1000) * 1000 + 1000,
        filters: [...byField].map(([field, value]) => ({ field, value })),
        direction: direction === 'FORWARD' ? 'forward' : 'backward',
        ...(after ? { after } : {}),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        StartTime: isoSeconds(start),
        EndTime: isoSeconds(end),
        ...(rows.length > limit && last
          ? { NextToken: encodeNextToken({ time: last.eventTime, id: last.eventId }) }
          : {}),
        Events: page.map(toWireEvent),
      };
    },
  };
}
