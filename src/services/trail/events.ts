/**
 * @module The events of answered requests: what each protocol tells the trail, turned into a
 * {@link TrailEvent} (parameters filtered, the request's own secrets scrubbed from whatever is
 * kept, the deciding check or the denial's own account of it). Pure functions; the recorder
 * calls them as each request is answered, so only the small event outlives the request. OSS
 * events (oss-event.ts) are built by the writer thread from a compact copy of their facts
 * (compact.ts); what every kind shares is in event-common.ts.
 */
import { STATUS_CODES } from 'node:http';
import { ramArn } from '../../kernel/principal.js';
import { isActionName, isVersionName, type RpcCtx } from '../../kernel/rpc-pipeline.js';
import type { MetadataTrailFacts } from '../ecs/index.js';
import { decisionOf, event, header, type EventFacts } from './event-common.js';
import {
  resourceOf,
  rwOf,
  scrubber,
  identityOf,
  keptParameters,
  type TrailEvent,
} from './model.js';

export { decisionOf, newEventId } from './event-common.js';
export { ossEvent } from './oss-event.js';

/** The AccessKeyId an RPC request presented (v1 parameter, or the ACS3 Credential). */
function presentedRpcKey(params: ReadonlyMap<string, string>, authorization?: string): string {
  const v1 = params.get('AccessKeyId');
  if (v1 !== undefined) return v1;
  return /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? '';
}

const NO_PARAMETERS: ReadonlyMap<string, string> = new Map();

/** `s` when it is an API name, else `''`. */
const nameOr = (s: string | undefined) => (s !== undefined && isActionName(s) ? s : '');
/** `s` when it has the shape of an API version, else `''`. */
const versionOr = (s: string | undefined) => (s !== undefined && isVersionName(s) ? s : '');

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
