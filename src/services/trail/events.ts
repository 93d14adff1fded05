/**
 * @module The events of answered requests: what each protocol tells the trail, turned into a
 * {@link TrailEvent} (parameters filtered, the request's own secrets scrubbed from whatever is
 * kept, the deciding check or the denial's own account of it). Pure functions; the recorder
 * calls them as each request is answered, so only the small event outlives the request. OSS
 * events (oss-event.ts) are built by the writer thread from a compact copy of their facts
 * (compact.ts), and so are RPC events (rpc-event.ts; `rpcEvent` here checks the API's name
 * first, which needs the RPC pipeline); what every kind shares is in event-common.ts.
 */
import { STATUS_CODES } from 'node:http';
import { ramArn } from '../../kernel/principal.js';
import { isActionName, isVersionName, type RpcCtx } from '../../kernel/rpc-pipeline.js';
import type { MetadataTrailFacts } from '../ecs/index.js';
import { header } from './event-common.js';
import { resourceOf, type TrailEvent } from './model.js';
import { rpcEventNamed } from './rpc-event.js';

export { decisionOf, newEventId } from './event-common.js';
export { ossEvent } from './oss-event.js';

/** `s` when it is an API name, else `''`. */
const nameOr = (s: string | undefined) => (s !== undefined && isActionName(s) ? s : '');
/** `s` when it has the shape of an API version, else `''`. */
const versionOr = (s: string | undefined) => (s !== undefined && isVersionName(s) ? s : '');

/**
 * The name and version of the API an RPC request called, as its event records them: only names
 * are kept (rpc-pipeline.ts checks them), so a 1 MB `Action` is recorded as none.
 */
export function rpcNames(ctx: RpcCtx): { eventName: string; apiVersion: string } {
  const h = ctx.req.headers;
  const params = ctx.params;
  return {
    eventName: ctx.action ?? nameOr(params?.get('Action') ?? header(h, 'x-acs-action')),
    apiVersion: ctx.version ?? versionOr(params?.get('Version') ?? header(h, 'x-acs-version')),
  };
}

/** The event of an RPC request that reached routing, once answered. */
export function rpcEvent(ctx: RpcCtx, region: string, eventId: string): TrailEvent {
  const { eventName, apiVersion } = rpcNames(ctx);
  return rpcEventNamed(ctx, eventName, apiVersion, region, eventId);
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
