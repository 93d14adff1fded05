/**
 * @module The event of an RPC request ({@link rpcEventNamed}), from its context once answered.
 * Run by the writer thread (compact.ts rebuilds the context's few facts the serving thread
 * copied) and by events.ts `rpcEvent`; it imports nothing of the request pipelines but types.
 */
import type { RpcCtx } from '../../kernel/rpc-pipeline.js';
import { decisionOf, event, header, type EventFacts } from './event-common.js';
import {
  identityOf,
  keptParameters,
  resourceOf,
  rwOf,
  scrubber,
  type TrailEvent,
} from './model.js';

/** The AccessKeyId an RPC request presented (v1 parameter, or the ACS3 Credential). */
function presentedRpcKey(params: ReadonlyMap<string, string>, authorization?: string): string {
  const v1 = params.get('AccessKeyId');
  if (v1 !== undefined) return v1;
  return /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? '';
}

const NO_PARAMETERS: ReadonlyMap<string, string> = new Map();

/**
 * The event of an RPC request that reached routing, once answered, its API's name and version
 * already checked (events.ts `rpcEvent`, the recorder): the writer thread builds it from a
 * compact copy of the facts (compact.ts), and checking names needs the RPC pipeline.
 */
export function rpcEventNamed(
  ctx: RpcCtx,
  eventName: string,
  apiVersion: string,
  region: string,
  eventId: string,
): TrailEvent {
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
