/**
 * @module OSS on the gateway (a `MountedProtocol`), stage by stage:
 *
 * ```
 * respond  this file          errors as OSS XML (x-oss-err on HEAD), x-oss-request-id, access log
 * route    auth/oss-request   virtual host or path style -> bucket, key; operations.ts -> operation
 * bucket   store.ts           the bucket (NoSuchBucket), its region (endpoint and V4 scope); due
 *                             lifecycle rules applied first after a manual clock move
 * authn    authn.ts           V1/V4 header or URL, STS token; date on either clock, expiry on yunbox's
 * authz    authz.ts           identity ∩ session + bucket policy, then ACLs -> AccessDenied
 * handler  handlers/*.ts      streams bodies through the blob store; commits metadata after
 * trail    services/trail     every request, once answered (written behind)
 * ```
 *
 * Which requests are OSS's ({@link isOssRequest}): OSS host names, OSS signatures, `x-oss-*`
 * headers, or a path-style request that carries none of the RPC markers (`Action`/`Version`
 * parameters, `x-acs-*` headers, an `ACS3-` Authorization, a form body), so every RPC call keeps
 * reaching the RPC pipeline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { isIP } from 'node:net';
import {
  buildOssRequest,
  hostWithoutPort,
  headerValue,
  type ParsedOssRequest,
} from '../../auth/oss-request.js';
import { OSS_V1_SUB_RESOURCES } from '../../auth/oss-common.js';
import { BlobIncomplete, BlobTooLarge } from '../../blob/blob-store.js';
import {
  BodyIncomplete,
  BodyTimeout,
  BodyTooLarge,
  readBody,
  streamBody,
} from '../../kernel/body.js';
import { compose, type Stage } from '../../kernel/compose.js';
import { readClock } from '../../kernel/clock.js';
import type { RequestInfo } from '../../kernel/context.js';
import { ServiceError, isStoreError } from '../../kernel/errors.js';
import type { BaseRequest, MountedProtocol } from '../../kernel/gateway.js';
import type { Principal } from '../../kernel/principal.js';
import { httpDate } from '../../protocol/oss-format.js';
import { ossErrHeader, ossErrorXml } from '../../protocol/oss-errors.js';
import { authenticate } from './authn.js';
import { OssAuthorizer, type OssCheck } from './authz.js';
import type { OssCall, OssDeps, OssReply, QueryView } from './context.js';
import {
  OssError,
  accessDenied,
  entityTooLarge,
  incompleteBody,
  internalError,
  invalidArgument,
  invalidBucketName,
  invalidObjectName,
  methodNotAllowed,
  noSuchBucket,
  notImplemented,
  requestTimeout,
  serviceUnavailable,
} from './errors.js';
import { corsResponseHeaders } from './handlers/cors.js';
import { publicAccessIsBlocked } from './handlers/public-access-block.js';
import { checkReferer } from './handlers/referer.js';
import { checkRequestPayer } from './handlers/request-payment.js';
import {
  bucketArn,
  extranetEndpoint,
  isValidBucketName,
  keyProblem,
  objectArn,
  serviceArn,
  type Bucket,
  type OssObject,
} from './model.js';
import { bucketLogging } from './handlers/logging.js';
import { versionIdArg } from './handlers/versioning.js';
import {
  THROTTLED_OPERATIONS,
  TRAFFIC_LIMIT,
  throttle,
  throttledReadable,
  trafficLimit,
} from './traffic-limit.js';
import { bucketWebsite, websiteKey } from './handlers/website.js';
import {
  WEBSITE_GET,
  WEBSITE_GET_OP,
  WEBSITE_HEAD,
  WEBSITE_HEAD_OP,
  WEBSITE_HEAD_BUCKET_OP,
  WEBSITE_LIST_OP,
  selectOperation,
  EXCLUSIVE_SUB_RESOURCES,
  KNOWN_SUB_RESOURCES,
  OPERATION_SUB_RESOURCES,
  type OssLevel,
  type OssOperation,
} from './operations.js';
import { NOT_IMPLEMENTED_FEATURES } from './not-implemented.js';

const OSS_HOST = /(?:^|\.)(?:vpc100-)?oss-[a-z0-9-]+\.aliyuncs\.com$/;
const OSS_AUTH = /^\s*(?:OSS |OSS2 |OSS4-HMAC-SHA256 )/;
const OSS_QUERY = /(?:^|&)(?:OSSAccessKeyId|x-oss-signature-version|x-oss-credential)=/;
const RPC_QUERY = /(?:^|&)(?:Action|Version)=/;

/**
 * True when a request is for OSS rather than the RPC APIs.
 * @example
 * isOssRequest(req) // true for `PUT /examplebucket/a.txt` with `Authorization: OSS ...`
 */
export function isOssRequest(req: IncomingMessage, hostSuffixes: readonly string[] = []): boolean {
  const h = req.headers;
  const host = hostWithoutPort(h.host ?? '');
  if (OSS_HOST.test(host)) return true;
  const auth = h.authorization;
  if (typeof auth === 'string') {
    if (OSS_AUTH.test(auth)) return true;
    return false;
  }
  if (h['x-acs-action'] !== undefined || h['x-acs-version'] !== undefined) return false;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const query = q === -1 ? '' : url.slice(q + 1);
  if (OSS_QUERY.test(query)) return true;
  if (RPC_QUERY.test(query)) return false;
  for (const name of Object.keys(h)) if (name.startsWith('x-oss-')) return true;
  if (
    req.method === 'POST' &&
    String(h['content-type'] ?? '')
      .toLowerCase()
      .startsWith('application/x-www-form-urlencoded')
  ) {
    return false;
  }
  if (host.endsWith('.localhost') && isIP(host) === 0) return true;
  for (const s of hostSuffixes) if (host === s || host.endsWith(`.${s}`)) return true;
  const path = q === -1 ? url : url.slice(0, q);
  return path !== '/' && path !== '' && !path.startsWith('/_yunbox/');
}

function queryView(pairs: ReadonlyArray<readonly [string, string | null]>): QueryView {
  const map = new Map<string, string | null>();
  for (const [n, v] of pairs) if (!map.has(n)) map.set(n, v);
  return {
    get: (name) => map.get(name),
    has: (name) => map.has(name),
    names: () => [...map.keys()],
  };
}

/** Per-request state of the OSS pipeline. */
interface OssCtx {
  req: IncomingMessage;
  res: ServerResponse;
  base: BaseRequest;
  started: bigint;
  hostId: string;
  method: string;
  parsed?: ParsedOssRequest;
  level?: OssLevel;
  op?: OssOperation;
  bucket?: Bucket;
  region?: string;
  principal: Principal;
  call?: OssCall;
  /** The addressed object, when the bucket stage loaded it along with the bucket. */
  object?: Promise<OssObject | undefined>;
  reply?: OssReply;
  errorCode?: string;
  errorMessage?: string;
  /** `x-oss-traffic-limit` (bit/s) of an operation that honours it. */
  limit?: number;
  /** Body bytes of the answer, as declared (the access log's SentBytes). */
  sent?: number;
  /** yunbox's clock now: the answer's `Date` is when it is sent, never before what it reports. */
  clockNow: () => number;
}

/** Largest request line plus headers OSS accepts (bytes). */
const MAX_HEAD_BYTES = 16 * 1024;

/** Requests bodies up to this size are drained after an error; larger ones close the connection. */
const DRAIN_LIMIT = 64 * 1024;

/** Builds the OSS protocol for the gateway. */
export function createOssProtocol(deps: OssDeps): MountedProtocol {
  const run = compose<OssCtx>([
    respond,
    route(deps),
    loadBucket(deps),
    authn(deps),
    authz(deps),
    handle,
  ]);
  return {
    name: 'oss',
    matches: (req) => isOssRequest(req, deps.hostSuffixes),
    async handle(req, res, base) {
      const ctx: OssCtx = {
        req,
        res,
        base,
        started: process.hrtime.bigint(),
        // Quoted in every error: no longer than a DNS name, whatever the Host header holds.
        hostId: hostWithoutPort(req.headers.host ?? '').slice(0, 253) || 'localhost',
        method: (req.method ?? 'GET').toUpperCase(),
        principal: { kind: 'anonymous' },
        clockNow: () => deps.clock.now(),
      };
      await run(ctx);
      if (ctx.bucket?.logging !== undefined && deps.accessLogs) recordAccess(deps, ctx);
      // Answered (the status is written): the audit trail copies these facts, writes later.
      deps.trail?.oss({
        base,
        req,
        method: ctx.method,
        status: res.statusCode,
        principal: ctx.principal,
        operation: ctx.op?.name,
        query: ctx.parsed?.request.query,
        bucket: ctx.parsed?.target.bucket,
        key: ctx.parsed?.target.key,
        region: ctx.region,
        bucketOwner: ctx.bucket?.accountId,
        sharedWith: ctx.op?.callerAccount ? undefined : ctx.bucket?.accountId,
        errorCode: ctx.errorCode,
        errorMessage: ctx.errorMessage,
        decided: ctx.call?.authz.decided,
      });
    },
  };
}

/** Tells the access-log writer of a request to a bucket whose logging is on. */
function recordAccess(deps: OssDeps, ctx: OssCtx): void {
  const { req, res, base, bucket } = ctx;
  try {
    const conf = bucketLogging(bucket!);
    if (!conf) return;
    let requestLength = (req.url ?? '').length + 16;
    for (const h of req.rawHeaders) requestLength += h.length + 2;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(declared)) requestLength += declared;
    const p = ctx.principal;
    deps.accessLogs!.record(bucket!, conf, {
      remoteIp: base.sourceIp,
      time: base.now,
      method: ctx.method,
      uri: req.url ?? '/',
      status: res.statusCode,
      sentBytes: ctx.sent ?? 0,
      requestMs: Number(process.hrtime.bigint() - ctx.started) / 1e6,
      referer: headerValue(req.headers, 'referer'),
      userAgent: headerValue(req.headers, 'user-agent'),
      host: ctx.hostId,
      requestId: base.requestId,
      ...(p.kind !== 'anonymous' ? { requester: p.accountId } : {}),
      ...(ctx.op ? { operation: ctx.op.name } : {}),
      bucket: bucket!.name,
      ...(ctx.parsed?.target.key !== undefined ? { key: ctx.parsed.target.key } : {}),
      ...(ctx.errorCode !== undefined ? { errorCode: ctx.errorCode } : {}),
      requestLength,
      owner: bucket!.accountId,
    });
  } catch (e) {
    base.log.warn({ err: e }, 'oss: access log line not recorded');
  }
}

function errorOf(e: unknown, ctx: OssCtx): OssError {
  if (e instanceof OssError) return e;
  if (e instanceof ServiceError) {
    return new OssError(e.code, e.status, e.message, {
      fields: Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, String(v)])),
      headers: e.headers,
    });
  }
  if (e instanceof BodyTooLarge || e instanceof BlobTooLarge) return entityTooLarge();
  if (e instanceof BodyTimeout) return requestTimeout();
  if (e instanceof BodyIncomplete || e instanceof BlobIncomplete) return incompleteBody();
  if (isStoreError(e, 'Unavailable')) {
    ctx.base.log.error({ err: e }, 'store unavailable');
    return serviceUnavailable();
  }
  ctx.base.log.error({ err: e }, 'internal error');
  return internalError();
}

const respond: Stage<OssCtx> = async (ctx, next) => {
  const { res, base } = ctx;
  res.once('close', () => {
    base.accessLog.info(
      {
        rid: base.requestId,
        proto: 'oss',
        method: ctx.method,
        op: ctx.op?.name,
        bucket: ctx.parsed?.target.bucket,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - ctx.started) / 1e6,
        src: base.sourceIp,
        ...(ctx.errorCode ? { code: ctx.errorCode } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      },
      'request',
    );
  });
  let reply: OssReply;
  try {
    await next();
    reply = ctx.reply!;
  } catch (e) {
    const err = errorOf(e, ctx);
    ctx.errorCode = err.code;
    ctx.errorMessage = err.message;
    const xml = ossErrorXml({
      code: err.code,
      message: err.message,
      requestId: base.requestId,
      hostId: ctx.hostId,
      ...(err.ec !== undefined ? { ec: err.ec } : {}),
      fields: Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, String(v)])),
    });
    const headers: Record<string, string | number> = {
      'content-type': 'application/xml',
      ...(err.ec !== undefined ? { 'x-oss-ec': err.ec } : {}),
      ...err.headers,
    };
    if (ctx.method === 'HEAD') {
      headers['x-oss-err'] = ossErrHeader(xml);
      headers['content-length'] = 0;
      reply = { status: err.status, headers };
    } else reply = { status: err.status, headers, body: xml };
  }
  write(ctx, reply);
};

function write(ctx: OssCtx, reply: OssReply): void {
  const { req, res, base } = ctx;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string | number> = {
    server: 'AliyunOSS',
    // As OSS: the time of the answer. A slow PUT's Date is never before its Last-Modified, which
    // clients use as "the object's time" in If-Modified-Since (ali-oss's own tests do).
    date: httpDate(Math.max(base.now, ctx.clockNow())),
    ...reply.headers,
    'x-oss-request-id': base.requestId,
  };
  const cors = corsResponseHeaders(ctx.bucket, headerValue(req.headers, 'origin'), ctx.method);
  if (cors) Object.assign(headers, cors);
  const body = reply.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    headers['content-length'] = Buffer.byteLength(body);
  }
  if (!req.complete && !req.readableEnded) {
    // The body was not read (the request was refused first). Small ones are drained so the
    // connection stays usable; for large ones the connection is closed after the answer.
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared <= DRAIN_LIMIT) req.resume();
    else headers.connection = 'close';
  }
  const sent = Number(headers['content-length'] ?? 0);
  ctx.sent = ctx.method === 'HEAD' || !Number.isFinite(sent) ? 0 : sent;
  res.writeHead(reply.status, headers);
  if (body === undefined || ctx.method === 'HEAD' || reply.status === 204 || reply.status === 304) {
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) body.destroy();
    res.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  stream(body, res, base);
}

function stream(body: Readable, res: ServerResponse, base: BaseRequest): void {
  const fail = (e?: unknown) => {
    if (e) base.log.warn({ err: e }, 'object stream failed');
    body.destroy();
    res.destroy();
  };
  body.once('error', fail);
  res.once('close', () => {
    if (!res.writableFinished) body.destroy();
  });
  body.pipe(res);
}

function route(deps: OssDeps): Stage<OssCtx> {
  return async (ctx, next) => {
    const { req } = ctx;
    // The gateway's HTTP limit is larger (RPC carries big parameters in the query); OSS keeps
    // the 16 KB request head of the HTTP default, URL included.
    let headBytes = (req.url ?? '').length;
    for (const h of req.rawHeaders) headBytes += h.length + 2;
    if (headBytes > MAX_HEAD_BYTES) {
      throw invalidArgument(
        'Your request header section exceeds the maximum allowed size.',
        'RequestHeaders',
        String(headBytes),
      );
    }
    const built = buildOssRequest(ctx.method, req.url ?? '/', req.headers, {
      serviceHostSuffixes: deps.hostSuffixes,
    });
    if (!built.ok) throw OssError.from(built);
    ctx.parsed = built.value;
    const { bucket, key } = built.value.target;
    if (bucket !== undefined && !isValidBucketName(bucket)) throw invalidBucketName(bucket);
    if (key !== undefined) {
      const problem = keyProblem(key);
      if (problem !== undefined) throw invalidObjectName(problem);
    }
    const level: OssLevel =
      key !== undefined ? 'object' : bucket !== undefined ? 'bucket' : 'service';
    ctx.level = level;
    const query = queryView(built.value.request.query);
    const header = (n: string) => headerValue(req.headers, n);
    const op =
      selectOperation(level, ctx.method, query, header) ??
      (level === 'bucket' && ctx.method === 'HEAD' ? WEBSITE_HEAD_BUCKET_OP : undefined);
    // Sub-resources of features yunbox does not serve are 501 whatever the method (never 405):
    // the list is not-implemented.ts.
    for (const name of query.names()) {
      const feature = NOT_IMPLEMENTED_FEATURES[name];
      if (feature !== undefined) throw notImplemented(name, feature);
      const unknown = OSS_V1_SUB_RESOURCES.has(name) && !KNOWN_SUB_RESOURCES.has(name);
      if (unknown && !op?.optional?.includes(name)) throw notImplemented(name);
    }
    if (!op) {
      // A served sub-resource with a method none of its operations has: still a feature absent.
      const sub = query.names().find((n) => OSS_V1_SUB_RESOURCES.has(n));
      if (sub !== undefined) throw notImplemented(sub);
      throw methodNotAllowed(ctx.method);
    }
    for (const name of query.names()) {
      if (EXCLUSIVE_SUB_RESOURCES.has(name) && !op.sub?.includes(name)) throw notImplemented(name);
      // Another operation's sub-resource with a method that has none for it.
      const foreign = OPERATION_SUB_RESOURCES.has(name) && !op.sub?.includes(name);
      if (foreign && !op.optional?.includes(name)) throw notImplemented(name);
    }
    if (op.noVersionId && query.has('versionId')) {
      // A write makes the new version; it cannot name one (doc: 0016-00000504, AppendObject).
      throw new OssError('InvalidArgument', 400, `versionId is not supported by ${op.name}.`, {
        ...(op.name === 'AppendObject' ? { ec: '0016-00000504' } : {}),
        fields: { ArgumentName: 'versionId', ArgumentValue: query.get('versionId') ?? '' },
      });
    }
    ctx.op = op;
    await next();
  };
}

function loadBucket(deps: OssDeps): Stage<OssCtx> {
  return async (ctx, next) => {
    const op = ctx.op!;
    const target = ctx.parsed!.target;
    if (op.bucket !== 'none' && target.bucket !== undefined) {
      // On a manual clock just moved past midnight: lifecycle rules first (lifecycle-runner.ts).
      await deps.lifecycle?.settle();
      let b: Bucket | undefined;
      if (target.key !== undefined && ctx.method !== 'PUT') {
        // Object requests load the bucket and the object in one round trip. A PUT (which writes
        // the object, and stales a cached object at every write) loads the bucket alone, from
        // a cache objects' writes leave valid; a handler that needs the current object loads it.
        const both = await deps.store.getBucketAndObject(target.bucket, target.key);
        b = both.bucket;
        ctx.object = Promise.resolve(both.object);
      } else b = await deps.store.getBucket(target.bucket);
      if (!b && op.bucket === 'required') throw noSuchBucket(target.bucket);
      if (b) {
        ctx.bucket = b;
        if (target.region !== undefined && target.region !== b.region) {
          throw accessDenied(
            'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
            { fields: { Bucket: b.name, Endpoint: extranetEndpoint(b.region) } },
          );
        }
      }
    }
    ctx.region = ctx.bucket?.region ?? target.region ?? deps.region;
    await next();
  };
}

function authn(deps: OssDeps): Stage<OssCtx> {
  return async (ctx, next) => {
    if (ctx.op!.authn === 'signature') {
      ctx.principal = await authenticate(
        deps.resolver,
        ctx.parsed!.request,
        ctx.region!,
        readClock(deps.clock, ctx.base.now),
      );
      websiteRewrite(deps, ctx);
    }
    await next();
  };
}

/**
 * An anonymous GET or HEAD on the virtual host of a bucket with a website configuration becomes
 * a website request (handlers/website.ts): ListObjects serves the index document (and `HEAD /`
 * its headers), a "directory" its index, a missing key the error document.
 */
function websiteRewrite(deps: OssDeps, ctx: OssCtx): void {
  const { bucket, parsed, op } = ctx;
  if (ctx.principal.kind !== 'anonymous' || !bucket?.website || !parsed) return;
  if (parsed.target.addressing !== 'virtual-host') return;
  const ops = [WEBSITE_LIST_OP, WEBSITE_HEAD_BUCKET_OP, WEBSITE_GET_OP, WEBSITE_HEAD_OP];
  if (!ops.includes(op!)) return;
  const conf = bucketWebsite(bucket);
  if (!conf) return;
  const key = websiteKey(conf, parsed.target.key);
  if (keyProblem(key) !== undefined) return;
  ctx.parsed = { ...parsed, target: { ...parsed.target, key } };
  ctx.level = 'object';
  ctx.op = ctx.method === 'HEAD' ? WEBSITE_HEAD : WEBSITE_GET;
  if (key !== parsed.target.key) ctx.object = deps.store.getObject(bucket.name, key);
}

function authz(deps: OssDeps): Stage<OssCtx> {
  return async (ctx, next) => {
    const { op, base, req } = ctx;
    const target = ctx.parsed!.target;
    const principal = ctx.principal;
    const bucket = ctx.bucket;
    const region = ctx.region!;
    const ua = headerValue(req.headers, 'user-agent');
    const info: RequestInfo = {
      requestId: base.requestId,
      now: base.now,
      clock: deps.clock,
      region,
      principal,
      accountId: bucket?.accountId ?? (principal.kind === 'anonymous' ? '' : principal.accountId),
      sourceIp: base.sourceIp,
      ...(base.sourceVpc !== undefined ? { sourceVpc: base.sourceVpc } : {}),
      secure: base.secure,
      ...(ua !== undefined ? { userAgent: ua } : {}),
      host: base.host,
      log: base.log,
    };
    const limit = THROTTLED_OPERATIONS.has(op!.name)
      ? trafficLimit(
          headerValue(req.headers, TRAFFIC_LIMIT),
          queryView(ctx.parsed!.request.query).get(TRAFFIC_LIMIT),
        )
      : undefined;
    if (limit !== undefined) ctx.limit = limit;
    const authorizer = new OssAuthorizer(
      deps.identity,
      info,
      (b) => publicAccessIsBlocked(deps, b),
      (b) => deps.store.getBucketTags(b),
    );
    const key = target.key;
    const versionId =
      key !== undefined ? versionIdArg(queryView(ctx.parsed!.request.query)) : undefined;
    // The addressed version (a delete marker too): the one `versionId` names, else the current.
    let version: Promise<OssObject | undefined> | undefined =
      versionId === undefined ? ctx.object : undefined;
    let object: Promise<OssObject | undefined> | undefined;
    const loadVersion = () =>
      (version ??=
        bucket && key !== undefined
          ? versionId !== undefined
            ? deps.store.getObjectVersion(bucket.name, key, versionId)
            : deps.store.getBucketAndObject(bucket.name, key).then((r) => r.object)
          : Promise.resolve(undefined));
    const call: OssCall = {
      deps,
      info,
      method: ctx.method,
      target,
      ...(target.bucket !== undefined ? { bucketName: target.bucket } : {}),
      ...(target.key !== undefined ? { key: target.key } : {}),
      ...(bucket ? { bucket } : {}),
      query: queryView(ctx.parsed!.request.query),
      header: (n) => headerValue(req.headers, n),
      headerNames: () => Object.keys(req.headers),
      body: limit === undefined ? streamBody(req) : throttle(streamBody(req), limit),
      readAll: (limit) => readBody(req, limit),
      chunked: /\bchunked\b/i.test(String(req.headers['transfer-encoding'] ?? '')),
      hostId: ctx.hostId,
      authz: authorizer,
      ...(versionId !== undefined ? { versionId } : {}),
      version: loadVersion,
      object: () => (object ??= loadVersion().then((o) => (o?.deleteMarker ? undefined : o))),
    };
    const length = req.headers['content-length'];
    if (length !== undefined && /^\d+$/.test(length)) call.contentLength = Number(length);
    ctx.call = call;
    if (op!.noAnonymous && principal.kind === 'anonymous') {
      throw accessDenied('Anonymous access is forbidden for this operation.');
    }
    if (bucket && op!.authn === 'signature' && !op!.callerAccount) {
      // Bucket rules that bind the caller before any permission is weighed.
      const signedInHeader = req.headers.authorization !== undefined;
      checkRequestPayer(bucket, principal, {
        header: call.header,
        query: call.query,
        signedInHeader,
      });
      checkReferer(bucket, call.header('referer'), signedInHeader);
    }
    if (op!.action !== undefined) {
      const own = op!.callerAccount && principal.kind !== 'anonymous';
      const checked = own && bucket?.accountId !== principal.accountId ? undefined : bucket;
      const owner = own ? principal.accountId : (bucket?.accountId ?? info.accountId);
      const resource =
        ctx.level === 'service'
          ? serviceArn(region, owner)
          : ctx.level === 'bucket'
            ? bucketArn(region, owner, target.bucket!)
            : objectArn(region, owner, target.bucket!, target.key!);
      // A request naming a version needs the version action too (`oss:GetObjectVersion`...).
      const actions =
        versionId !== undefined && op!.versionAction !== undefined
          ? [op!.action, op!.versionAction]
          : [op!.action];
      // Condition keys may need a read (`oss:ExistingObjectTag/<key>`): made once for all checks.
      const context = op!.context ? await op!.context(call) : undefined;
      const check = (action: string): OssCheck => ({
        action,
        resource,
        ...(checked ? { bucket: checked } : { owner }),
        ...(context ? { context } : {}),
        ...(op!.acl ? { acl: op!.acl } : {}),
        ...(ctx.level === 'object' ? { objectAcl: async () => (await call.object())?.acl } : {}),
      });
      await authorizer.require(actions.map(check));
    }
    await next();
  };
}

const handle: Stage<OssCtx> = async (ctx) => {
  const reply = await ctx.op!.handler(ctx.call!);
  if (ctx.limit !== undefined && reply.body instanceof Readable) {
    reply.body = throttledReadable(reply.body, ctx.limit);
  }
  ctx.reply = reply;
};
