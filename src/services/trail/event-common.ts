/**
 * @module What every kind of trail event is built with: event ids ({@link newEventId}), the
 * decision of a request as the trail records it ({@link decisionOf}) and the one shape of an
 * event ({@link event}). Imported by the writer thread too (through oss-event.ts), so it imports
 * nothing of the request pipelines.
 */
import { poolRandomBytes } from '../../kernel/ids.js';
import type { Decision } from '../../policy/index.js';
import type { EventIdentity, TrailDecision, TrailEvent } from './model.js';

/** The check that settled a request, as the pipelines keep it. */
export type Decided = { action: string; resource: string; decision: Decision } | undefined;

/** The id clock: the millisecond and sequence number of the last id stamped. */
const stamp = { ms: 0, sequence: 0 };
const idBytes = Buffer.alloc(16);

/**
 * Advances the id clock and returns its reading, the first 64 bits of a new event id (see
 * {@link newEventId}): the wall-clock millisecond, or the last one's while the clock stands
 * still or goes back, and a sequence number within it. The serving thread stamps each event as it
 * is answered (so ids keep the order of recording); the writer turns the stamp into the id
 * ({@link eventIdAt}). The object returned is the clock's own: read it at once.
 */
export function nextEventStamp(): Readonly<{ ms: number; sequence: number }> {
  const ms = Date.now();
  if (ms <= stamp.ms) {
    if (++stamp.sequence > 0xfff) {
      stamp.ms++;
      stamp.sequence = 0;
    }
  } else {
    stamp.ms = ms;
    stamp.sequence = 0;
  }
  return stamp;
}

/**
 * A new event id: an upper-case UUID (version 7 layout) whose first 64 bits are the wall-clock
 * millisecond and a sequence number, so ids made later in a process sort later; events of one
 * instant (a manual clock stands still) then list in the order they were answered. The last 62
 * bits are random, so ids of different nodes never collide.
 * @example
 * newEventId() // '018F3A2B-4C5D-7000-8A1B-2C3D4E5F6A7B'
 */
export function newEventId(): string {
  const s = nextEventStamp();
  return eventIdAt(s.ms, s.sequence);
}

/**
 * The event id of a stamp ({@link nextEventStamp}): its millisecond and sequence, then 62 random
 * bits.
 * @example
 * eventIdAt(1_700_000_000_000, 0).slice(0, 19) // '018BCFE5-6800-7000-'
 */
export function eventIdAt(ms: number, sequence: number): string {
  const b = idBytes;
  b.writeUIntBE(ms % 2 ** 48, 0, 6);
  b.writeUInt16BE(0x7000 | sequence, 6);
  poolRandomBytes(8).copy(b, 8);
  b[8] = (b[8]! & 0x3f) | 0x80;
  // Byte by byte through a table: a hex string, upper-cased and sliced, cost about twice as much
  // on every recorded request.
  const h = HEX;
  return (
    h[b[0]!]! +
    h[b[1]!]! +
    h[b[2]!]! +
    h[b[3]!]! +
    '-' +
    h[b[4]!]! +
    h[b[5]!]! +
    '-' +
    h[b[6]!]! +
    h[b[7]!]! +
    '-' +
    h[b[8]!]! +
    h[b[9]!]! +
    '-' +
    h[b[10]!]! +
    h[b[11]!]! +
    h[b[12]!]! +
    h[b[13]!]! +
    h[b[14]!]! +
    h[b[15]!]!
  );
}

/** Upper-case hex of each byte value. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).toUpperCase().padStart(2, '0'),
);

/** A header's value, repeated ones joined with `, `. */
export function header(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

const DENIAL_CODE = /^(?:NoPermission|Forbidden|AccessDenied)|PassRoleForbidden/;
const DENIAL_PREFIX =
  /^You are not authorized to do this action\. You should be authorized by RAM\.\s*/;

/**
 * How a request was decided: the check that settled it, else what its error says (denials
 * decided inside a handler: ECS PassRole carries AccessDeniedDetail, STS trust-policy denials
 * explain in the message), else `none`.
 */
export function decisionOf(
  decided: Decided,
  error: { code: string; message: string; fields?: Record<string, unknown> } | undefined,
): { decision: TrailDecision; decidedBy: string; resource: string } {
  if (decided && decided.decision.decision !== 'allow') {
    return {
      decision: decided.decision.decision,
      decidedBy: decided.decision.explanation,
      resource: decided.resource,
    };
  }
  if (error) {
    const detail = error.fields?.AccessDeniedDetail as
      { NoPermissionType?: string; EncodedDiagnosticMessage?: string } | undefined;
    if (detail?.NoPermissionType !== undefined) {
      let diagnostic: { AuthResource?: string; Explanation?: string } = {};
      try {
        diagnostic = JSON.parse(
          Buffer.from(detail.EncodedDiagnosticMessage ?? '', 'base64').toString('utf8'),
        );
      } catch {
        /* no diagnostic: the message explains */
      }
      return {
        decision: detail.NoPermissionType === 'ExplicitDeny' ? 'explicit-deny' : 'implicit-deny',
        decidedBy: diagnostic.Explanation ?? error.message.replace(DENIAL_PREFIX, ''),
        resource: diagnostic.AuthResource ?? decided?.resource ?? '',
      };
    }
    if (decided && DENIAL_CODE.test(error.code)) {
      return {
        decision: /explicit deny/.test(error.message) ? 'explicit-deny' : 'implicit-deny',
        decidedBy: error.message.replace(DENIAL_PREFIX, ''),
        resource: decided.resource,
      };
    }
  }
  if (decided) {
    return {
      decision: 'allow',
      decidedBy: decided.decision.explanation,
      resource: decided.resource,
    };
  }
  return { decision: 'none', decidedBy: '', resource: '' };
}

/** What an event says besides its identity, resource and decision (see {@link event}). */
export type EventFacts = Omit<
  TrailEvent,
  | keyof EventIdentity
  | 'resourceType'
  | 'resourceName'
  | 'decision'
  | 'decidedBy'
  | 'resource'
  | 'requestParameters'
>;

/**
 * An event: its facts, then the who and the why (identity, resource and decision). One object
 * literal with every field in the same order, so that every event has one shape; spreading the
 * identity in (as this once did) cost a few microseconds per request.
 */
export function event(
  facts: EventFacts,
  accountId: string,
  id: EventIdentity,
  r: Pick<TrailEvent, 'resourceType' | 'resourceName'>,
  d: ReturnType<typeof decisionOf>,
  scrub: (s: string) => string,
  requestParameters: Record<string, string>,
): TrailEvent {
  return {
    eventId: facts.eventId,
    eventTime: facts.eventTime,
    accountId,
    eventName: facts.eventName,
    eventType: facts.eventType,
    eventRW: facts.eventRW,
    serviceName: facts.serviceName,
    eventSource: facts.eventSource,
    apiVersion: facts.apiVersion,
    region: facts.region,
    sourceIp: facts.sourceIp,
    userAgent: facts.userAgent,
    requestId: facts.requestId,
    errorCode: facts.errorCode,
    errorMessage: facts.errorMessage,
    identityType: id.identityType,
    principalId: id.principalId,
    userName: id.userName,
    roleName: id.roleName,
    accessKeyId: id.accessKeyId,
    sessionCreated: id.sessionCreated,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    decision: d.decision,
    decidedBy: scrub(d.decidedBy),
    resource: d.resource,
    instanceId: id.instanceId,
    requestParameters,
  };
}
