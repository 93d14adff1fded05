/**
 * @module The events of answered requests: what each protocol tells the trail, turned into a
 * {@link TrailEvent} (parameters filtered, the request's own secrets scrubbed from whatever is
 * kept, the deciding check or the denial's own account of it). Pure functions; the recorder
 * calls them as each request is answered, so only the small event outlives the request.
 */
import { STATUS_CODES } from 'node:http';
import { poolRandomBytes } from '../../kernel/ids.js';
import { ramArn } from '../../kernel/principal.js';
import { isActionName, isVersionName, type RpcCtx } from '../../kernel/rpc-pipeline.js';
import type { Decision } from '../../policy/index.js';
import type { MetadataTrailFacts } from '../ecs/index.js';
import type { OssTrailFacts } from '../oss/index.js';
import {
  identityOf,
  keptParameters,
  resourceOf,
  rwOf,
  scrubber,
  type EventIdentity,
  type TrailDecision,
  type TrailEvent,
} from './model.js';

/** The check that settled a request, as the pipelines keep it. */
type Decided = { action: string; resource: string; decision: Decision } | undefined;

let lastMs = 0;
let sequence = 0;
const idBytes = Buffer.alloc(16);

/**
 * A new event id: an upper-case UUID (version 7 layout) whose first 64 bits are the wall-clock
 * millisecond and a sequence number, so ids made later in a process sort later; events of one
 * instant (a manual clock stands still) then list in the order they were answered. The last 62
 * bits are random, so ids of different nodes never collide.
 * @example
 * newEventId() // '018F3A2B-4C5D-7000-8A1B-2C3D4E5F6A7B'
 */
export function newEventId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    if (++sequence > 0xfff) {
      ms = ++lastMs;
      sequence = 0;
    }
  } else {
    lastMs = ms;
    sequence = 0;
  }
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

function header(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The AccessKeyId an RPC request presented (v1 parameter, or the ACS3 Credential). */
function presentedRpcKey(params: ReadonlyMap<string, string>, authorization?: string): string {
  const v1 = params.get('AccessKeyId');
  if (v1 !== undefined) return v1;
  return /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? '';
}

/** The AccessKeyId an OSS request presented (V1/V2/V4 header or URL). */
function presentedOssKey(
  authorization: string | undefined,
  query: ReadonlyArray<readonly [string, string | null]> | undefined,
): string {
  if (authorization !== undefined) {
    const v4 = /Credential=([^/,\s]+)/.exec(authorization);
    if (v4) return v4[1]!;
    const v2 = /AccessKeyId:([^,\s]+)/.exec(authorization);
    if (v2) return v2[1]!;
    const v1 = /^\s*OSS\s+([^:\s]+):/.exec(authorization);
    if (v1) return v1[1]!;
  }
  for (const [n, v] of query ?? []) {
    if (n === 'OSSAccessKeyId' && v) return v;
    if (n === 'x-oss-credential' && v) return v.split('/')[0] ?? '';
  }
  return '';
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

const NO_PARAMETERS: ReadonlyMap<string, string> = new Map();

/** `s` when it is an API name, else `''`. */
const nameOr = (s: string | undefined) => (s !== undefined && isActionName(s) ? s : '');
/** `s` when it has the shape of an API version, else `''`. */
const versionOr = (s: string | undefined) => (s !== undefined && isVersionName(s) ? s : '');

/** What an event says besides its identity, resource and decision (see {@link event}). */
type EventFacts = Omit<
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
function event(
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

/** The event of an RPC request that reached routing, once answered. */
export function rpcEvent(ctx: RpcCtx, region: string, eventId: string): TrailEvent {
  const h = ctx.req.headers;
  const params = ctx.params ?? NO_PARAMETERS;
  const authorization = h.authorization;
  const scrub = scrubber([
    params.get('SecurityToken'),
    header(h, 'x-acs-security-token'),
    params.get('Signature'),
    authorization,
  ]);
  const id = identityOf(ctx.principal, ctx.principal ? '' : presentedRpcKey(params, authorization));
  // Only names are kept (rpc-pipeline.ts checks them): a 1 MB `Action` is recorded as none.
  const eventName = ctx.action ?? nameOr(params.get('Action') ?? header(h, 'x-acs-action'));
  const apiVersion = ctx.version ?? versionOr(params.get('Version') ?? header(h, 'x-acs-version'));
  const err = ctx.error;
  const d = decisionOf(ctx.decided, err);
  const r = resourceOf(d.resource);
  const facts: EventFacts = {
    eventId,
    eventTime: ctx.now,
    eventName,
    eventType: 'ApiCall',
    eventRW: rwOf(eventName, ctx.op ? Boolean(ctx.op.decl.readOnly) : undefined),
    serviceName: ctx.product?.product ?? '',
    eventSource: ctx.hostId,
    apiVersion,
    region,
    sourceIp: ctx.sourceIp,
    userAgent: scrub(h['user-agent'] ?? ''),
    requestId: ctx.requestId,
    errorCode: err?.code ?? '',
    // The v1 SignatureDoesNotMatch message quotes the string to sign: every parameter, the
    // SecurityToken too.
    errorMessage:
      err === undefined
        ? ''
        : err.code === 'SignatureDoesNotMatch'
          ? 'Specified signature is not matched with our calculation.'
          : scrub(err.message),
  };
  // An unsigned call (AssumeRoleWithOIDC) lands in the account its handler named, if any.
  const account = id.accountId || ctx.attributedTo || '';
  return event(facts, account, id, r, d, scrub, keptParameters(params, scrub));
}

/** The event of an OSS request, once answered. */
export function ossEvent(f: OssTrailFacts, defaultRegion: string, eventId: string): TrailEvent {
  const h = f.req.headers;
  const authorization = h.authorization;
  let query: Array<string | undefined> = [];
  for (const [n, v] of f.query ?? []) {
    if (
      v &&
      (n === 'security-token' ||
        n === 'x-oss-security-token' ||
        n === 'Signature' ||
        n === 'x-oss-signature')
    ) {
      query = [...query, v];
    }
  }
  const scrub = scrubber([authorization, header(h, 'x-oss-security-token'), ...query]);
  const id = identityOf(
    f.principal,
    f.principal.kind === 'anonymous' ? presentedOssKey(authorization, f.query) : '',
  );
  const region = f.region ?? defaultRegion;
  const d = decisionOf(
    f.decided,
    f.errorCode !== undefined ? { code: f.errorCode, message: f.errorMessage ?? '' } : undefined,
  );
  const r = d.resource
    ? resourceOf(d.resource)
    : f.bucket === undefined
      ? { resourceType: '', resourceName: '' }
      : f.key === undefined
        ? { resourceType: 'ACS::OSS::Bucket', resourceName: f.bucket }
        : { resourceType: 'ACS::OSS::Object', resourceName: `${f.bucket}/${f.key}` };
  const requestParameters = keptParameters(f.query ?? [], scrub);
  if (f.bucket !== undefined) requestParameters.BucketName = f.bucket;
  if (f.key !== undefined) requestParameters.ObjectName = f.key;
  const action = f.decided?.action;
  const read =
    action !== undefined
      ? /^oss:(Get|List)/.test(action)
      : f.method === 'GET' || f.method === 'HEAD' || f.method === 'OPTIONS';
  const facts: EventFacts = {
    eventId,
    eventTime: f.base.now,
    eventName: f.operation ?? f.method,
    eventType: 'ApiCall',
    eventRW: read ? 'Read' : 'Write',
    serviceName: 'Oss',
    eventSource: `oss-${region}.aliyuncs.com`,
    apiVersion: '',
    region,
    sourceIp: f.base.sourceIp,
    userAgent: scrub(h['user-agent'] ?? ''),
    requestId: f.base.requestId,
    errorCode: f.errorCode ?? '',
    errorMessage: scrub(f.errorMessage ?? ''),
  };
  return event(facts, id.accountId || f.bucketOwner || '', id, r, d, scrub, requestParameters);
}

/** Metadata paths the trail keeps: role credential reads and hardened-mode token requests. */
export const CREDENTIALS_PATH = /^\/([^/]+)\/meta-data\/ram\/security-credentials\/([^/]+)\/?$/i;
export const TOKEN_PATH = /^\/([^/]+)\/api\/token\/?$/;

/** The event of a metadata credential read or token request; `undefined` for other paths. */
export function metadataEvent(
  f: MetadataTrailFacts,
  defaultRegion: string,
  eventId: string,
): TrailEvent | undefined {
  const creds = CREDENTIALS_PATH.exec(f.path);
  const token = creds ? null : TOKEN_PATH.exec(f.path);
  const match = creds ?? token;
  if (!match) return undefined;
  let roleName = '';
  if (creds) {
    try {
      roleName = decodeURIComponent(creds[2]!);
    } catch {
      roleName = creds[2]!;
    }
  }
  const accountId = f.accountId ?? '';
  const resource = creds && accountId ? ramArn(accountId, `role/${roleName}`) : '';
  const r = resourceOf(resource);
  const failed = f.status >= 400;
  const reason = STATUS_CODES[f.status] ?? '';
  return {
    eventId,
    eventTime: f.now,
    accountId,
    eventName: creds ? 'GetInstanceRoleCredentials' : 'CreateMetadataToken',
    eventType: 'ApiCall',
    eventRW: creds ? 'Read' : 'Write',
    serviceName: 'Ecs',
    eventSource: '100.100.100.200',
    apiVersion: match[1]!,
    region: f.region ?? defaultRegion,
    sourceIp: f.sourceIp,
    userAgent: f.userAgent ?? '',
    requestId: '',
    errorCode: failed ? reason.replace(/[^A-Za-z]/g, '') || String(f.status) : '',
    errorMessage: failed ? `${f.status} ${reason}`.trim() : '',
    identityType: 'ecs-instance',
    principalId: f.instanceId,
    userName: f.instanceId,
    roleName,
    accessKeyId: '',
    sessionCreated: undefined,
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    decision: 'none',
    decidedBy: '',
    resource,
    instanceId: f.instanceId,
    requestParameters: creds ? { RoleName: roleName } : {},
  };
}
