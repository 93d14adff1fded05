/**
 * Unit tests of the compact form of OSS events (compact.ts): the event the writer builds from a
 * compact event (after the structured clone that takes it to the writer thread) is the one
 * `ossEvent` builds from the same facts (fast-check over facts: every principal kind, any text
 * in any field, secrets to scrub, query parameters with and without values, decisions and
 * errors), copied for another account and flagged sampled as the recorder does; compact events
 * sit among JSON texts in a batch and read back in order; the id keeps the stamp taken when the
 * request was answered; and the size the buffer counts covers every string held. The same for
 * RPC events (`rpcEvent`, over contexts: signed or not, parameters with secrets, errors with
 * and without an AccessDeniedDetail, the console's own event type).
 */
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../kernel/principal.js';
import type { Decision } from '../../policy/index.js';
import { trailEvent } from '../../testing/trail.js';
import type { OssTrailFacts } from '../oss/index.js';
import { boundEvent } from './bound.js';
import { parseBatch } from './buffer.js';
import { compactOss, compactRpc, compactSize, readCompact, stampCompact } from './compact.js';
import { eventIdAt, nextEventStamp } from './event-common.js';
import type { TrailEvent } from './model.js';
import { ossEvent } from './oss-event.js';
import { rpcEvent, rpcNames } from './events.js';
import type { RpcCtx } from '../../kernel/rpc-pipeline.js';

/** Any text, line feeds, the field syntax's own characters and non-BMP characters included. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '~', '12:', '3:abc', '\n', 'x\ny', 'GetObject', '1000000000000001'),
);
const optText = fc.option(text, { nil: undefined });
const token = fc.constantFrom('CAIS' + 'x'.repeat(40), 'tok-123456789', 'short');

const principal: fc.Arbitrary<Principal> = fc.oneof(
  fc.constant({ kind: 'anonymous' as const }),
  fc.record({ kind: fc.constant('account' as const), accountId: text, accessKeyId: text }),
  fc.record({
    kind: fc.constant('user' as const),
    accountId: text,
    userId: text,
    userName: text,
    accessKeyId: text,
  }),
  fc
    .record(
      {
        kind: fc.constant('role-session' as const),
        accountId: text,
        roleId: text,
        roleName: text,
        sessionName: text,
        accessKeyId: text,
        issuedAt: fc.integer({ min: 0, max: 2 ** 47 }),
        expiresAt: fc.integer({ min: 0, max: 2 ** 47 }),
        source: fc.oneof(text, fc.constant('ecs:i-abc')),
      },
      { requiredKeys: ['kind', 'accountId', 'roleId', 'roleName', 'sessionName', 'accessKeyId'] },
    )
    .map((p) => ({ issuedAt: 0, expiresAt: 0, ...p })),
);

const authorization = fc.option(
  fc.oneof(
    text,
    token.map((t) => `OSS LTAIkey:${t}`),
    fc.constant('OSS4-HMAC-SHA256 Credential=LTAIv4/20261207/cn-hangzhou/oss/aliyun_v4_request'),
    fc.constant('OSS2 AccessKeyId:LTAIv2,Signature=abcdefghijkl'),
  ),
  { nil: undefined },
);

const queryPair = fc.tuple(
  fc.oneof(
    text,
    fc.constantFrom('OSSAccessKeyId', 'x-oss-credential', 'Signature', 'security-token', 'acl'),
  ),
  fc.option(fc.oneof(text, token), { nil: null }),
);

const decided = fc.option(
  fc.record({
    action: fc.oneof(text, fc.constantFrom('oss:GetObject', 'oss:PutObject', 'oss:ListObjects')),
    resource: fc.oneof(text, fc.constant('acs:oss:*:1000000000000001:bucket/key')),
    decision: fc.record({
      decision: fc.constantFrom('allow', 'implicit-deny', 'explicit-deny'),
      explanation: text,
    }),
  }),
  { nil: undefined },
);

/** OSS facts, every optional field present or absent. */
const facts: fc.Arbitrary<OssTrailFacts> = fc
  .record({
    now: fc.integer({ min: 0, max: 2 ** 47 }),
    sourceIp: text,
    requestId: text,
    method: fc.oneof(text, fc.constantFrom('GET', 'HEAD', 'PUT', 'OPTIONS')),
    operation: optText,
    query: fc.option(fc.array(queryPair, { maxLength: 5 }), { nil: undefined }),
    bucket: optText,
    key: optText,
    region: optText,
    bucketOwner: optText,
    sharedWith: optText,
    principal,
    errorCode: fc.option(fc.oneof(text, fc.constant('AccessDenied')), { nil: undefined }),
    errorMessage: optText,
    decided,
    authorization,
    securityToken: fc.option(fc.oneof(token, fc.array(token, { minLength: 2, maxLength: 2 })), {
      nil: undefined,
    }),
    userAgent: fc.option(
      fc.oneof(
        text,
        token.map((t) => `sdk ${t}`),
      ),
      { nil: undefined },
    ),
  })
  .map((r) => {
    const headers: Record<string, string | string[]> = {};
    if (r.authorization !== undefined) headers.authorization = r.authorization;
    if (r.securityToken !== undefined) headers['x-oss-security-token'] = r.securityToken;
    if (r.userAgent !== undefined) headers['user-agent'] = r.userAgent;
    const log = undefined as unknown as Logger;
    const f: OssTrailFacts = {
      base: {
        now: r.now,
        sourceIp: r.sourceIp,
        requestId: r.requestId,
        log,
        accessLog: log,
        secure: false,
        host: 'oss-cn-hangzhou.aliyuncs.com',
      },
      req: { headers } as unknown as IncomingMessage,
      method: r.method,
      status: 200,
      principal: r.principal,
    };
    for (const k of [
      'operation',
      'query',
      'bucket',
      'key',
      'region',
      'bucketOwner',
      'sharedWith',
      'errorCode',
      'errorMessage',
    ] as const) {
      if (r[k] !== undefined) (f as unknown as Record<string, unknown>)[k] = r[k];
    }
    if (r.decided !== undefined)
      f.decided = { ...r.decided, decision: r.decided.decision as Decision };
    return f;
  });

/** `e` without its id, whose last 62 bits are random. */
const withoutId = (e: TrailEvent) => ({ ...e, eventId: '' });

/** As the writer thread gets it: through a structured clone, as `postMessage` sends it. */
const sent = <T>(v: T): T => structuredClone(v);

describe('compact OSS events', () => {
  it('build, in the writer, the event ossEvent builds from the same facts', () => {
    fc.assert(
      fc.property(
        facts,
        fc.integer({ min: 0, max: 2 ** 47 }),
        fc.integer({ min: 0, max: 0xfff }),
        (f, ms, seq) => {
          const c = stampCompact(
            compactOss(f, f.region ?? 'cn-shanghai'),
            ms,
            seq,
            false,
            undefined,
          );
          const [got, ...rest] = parseBatch(sent([c]));
          expect(rest).toEqual([]);
          const want = boundEvent(ossEvent(f, 'cn-shanghai', eventIdAt(ms, seq)));
          expect(withoutId(got!)).toEqual(withoutId(want));
          // The id's first 64 bits are the stamp taken on the serving thread.
          expect(got!.eventId.slice(0, 19)).toBe(want.eventId.slice(0, 19));
          expect(got!.eventId).toMatch(
            /^[0-9A-F]{8}-[0-9A-F]{4}-7[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('copy a cross-account event into the other account and flag sampled ones, as the recorder did', () => {
    fc.assert(
      fc.property(facts, text, fc.boolean(), (f, other, sampled) => {
        const s = nextEventStamp();
        const c = compactOss(f, f.region ?? 'cn-hangzhou');
        const got = readCompact(sent(stampCompact(c, s.ms, s.sequence, sampled, other)));
        const e = ossEvent(f, 'cn-hangzhou', eventIdAt(s.ms, s.sequence));
        let want: TrailEvent = { ...e, accountId: other, callerAccountId: e.accountId };
        if (sampled) want = { ...want, flags: ['sampled'] };
        expect(withoutId(got)).toEqual(withoutId(want));
      }),
      { numRuns: 200 },
    );
  });

  it('sit among JSON texts in a batch, and read back in order', () => {
    fc.assert(
      fc.property(fc.array(fc.option(facts, { nil: undefined }), { maxLength: 6 }), (list) => {
        const batch = list.map((f, i) =>
          f === undefined
            ? JSON.stringify(trailEvent({ requestId: `json-${i}` }))
            : stampCompact(
                compactOss({ ...f, base: { ...f.base, requestId: `compact-${i}` } }, 'r'),
                1,
                i,
                false,
                undefined,
              ),
        );
        expect(parseBatch(sent(batch)).map((e) => e.requestId)).toEqual(
          list.map((f, i) => (f === undefined ? `json-${i}` : `compact-${i}`)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('count, for the buffer’s bound, at least every string they hold', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const c = compactOss(f, 'cn-hangzhou');
        let chars = 0;
        const walk = (v: unknown): void => {
          if (typeof v === 'string') chars += v.length;
          else if (Array.isArray(v)) v.forEach(walk);
        };
        walk(c);
        expect(compactSize(c)).toBeGreaterThanOrEqual(chars);
      }),
    );
  });

  it('are refused for facts that are no OSS request’s, on the serving thread', () => {
    expect(() => compactOss({} as OssTrailFacts, 'r')).toThrow();
    const f = fc.sample(facts, 1)[0]!;
    expect(() => compactOss({ ...f, principal: { kind: 'x' } as never }, 'r')).toThrow();
    // An unreadable one costs itself only.
    expect(parseBatch([[0, 0, 0, false], JSON.stringify(trailEvent())])).toHaveLength(1);
  });
});

const diagnostic = fc.oneof(
  text,
  fc
    .record({ AuthResource: text, Explanation: text }, { requiredKeys: [] })
    .map((d) => Buffer.from(JSON.stringify(d)).toString('base64')),
);

/** RPC contexts as the pipeline leaves them once answered (the fields the trail reads). */
const rpcCtx: fc.Arbitrary<RpcCtx> = fc
  .record({
    authorization: fc.option(
      fc.oneof(text, fc.constant('ACS3-HMAC-SHA256 Credential=LTAIacs3,Signature=abcdefghij')),
      { nil: undefined },
    ),
    acsToken: fc.option(token, { nil: undefined }),
    userAgent: fc.option(
      fc.oneof(
        text,
        token.map((t) => `sdk ${t}`),
      ),
      { nil: undefined },
    ),
    acsAction: fc.option(fc.oneof(text, fc.constant('AssumeRole')), { nil: undefined }),
    acsVersion: fc.option(fc.oneof(text, fc.constant('2015-04-01')), { nil: undefined }),
    params: fc.option(
      fc.array(
        fc.tuple(
          fc.oneof(
            text,
            fc.constantFrom(
              'SecurityToken',
              'Signature',
              'AccessKeyId',
              'Action',
              'Version',
              'RoleArn',
              'Password',
            ),
          ),
          fc.oneof(text, token),
        ),
        { maxLength: 6 },
      ),
      { nil: undefined },
    ),
    principal: fc.option(
      principal.filter((p) => p.kind !== 'anonymous'),
      { nil: undefined },
    ),
    action: optText,
    version: optText,
    readOnly: fc.option(fc.option(fc.boolean(), { nil: undefined }), { nil: null }),
    product: optText,
    hostId: text,
    sourceIp: text,
    requestId: text,
    now: fc.integer({ min: 0, max: 2 ** 47 }),
    error: fc.option(
      fc.record({
        code: fc.oneof(
          text,
          fc.constantFrom('SignatureDoesNotMatch', 'NoPermission', 'Forbidden.RAM', 'AccessDenied'),
        ),
        message: fc.oneof(
          text,
          token.map((t) => `explicit deny ${t}`),
        ),
        detail: fc.option(
          fc.record(
            {
              NoPermissionType: fc.constantFrom('ImplicitDeny', 'ExplicitDeny'),
              EncodedDiagnosticMessage: diagnostic,
            },
            { requiredKeys: [] },
          ),
          { nil: undefined },
        ),
      }),
      { nil: undefined },
    ),
    decided,
    attributedTo: optText,
  })
  .map((r) => {
    const headers: Record<string, string> = {};
    if (r.authorization !== undefined) headers.authorization = r.authorization;
    if (r.acsToken !== undefined) headers['x-acs-security-token'] = r.acsToken;
    if (r.userAgent !== undefined) headers['user-agent'] = r.userAgent;
    if (r.acsAction !== undefined) headers['x-acs-action'] = r.acsAction;
    if (r.acsVersion !== undefined) headers['x-acs-version'] = r.acsVersion;
    const ctx: Record<string, unknown> = {
      req: { headers },
      hostId: r.hostId,
      sourceIp: r.sourceIp,
      requestId: r.requestId,
      now: r.now,
    };
    if (r.params !== undefined) ctx.params = new Map(r.params);
    if (r.principal !== undefined) ctx.principal = r.principal;
    if (r.action !== undefined) ctx.action = r.action;
    if (r.version !== undefined) ctx.version = r.version;
    if (r.readOnly !== null)
      ctx.op = { decl: r.readOnly === undefined ? {} : { readOnly: r.readOnly } };
    if (r.product !== undefined) ctx.product = { product: r.product };
    if (r.error !== undefined) {
      ctx.error = {
        code: r.error.code,
        message: r.error.message,
        fields: r.error.detail === undefined ? {} : { AccessDeniedDetail: r.error.detail },
      };
    }
    if (r.decided !== undefined) ctx.decided = r.decided;
    if (r.attributedTo !== undefined) ctx.attributedTo = r.attributedTo;
    return ctx as unknown as RpcCtx;
  });

describe('compact RPC events', () => {
  it('build, in the writer, the event rpcEvent builds from the same context', () => {
    fc.assert(
      fc.property(
        rpcCtx,
        fc.option(fc.constant('ConsoleSignin'), { nil: undefined }),
        fc.option(text, { nil: undefined }),
        fc.boolean(),
        (ctx, eventType, other, sampled) => {
          const s = nextEventStamp();
          const c = compactRpc(ctx, rpcNames(ctx), 'cn-hangzhou', eventType);
          const got = readCompact(sent(stampCompact(c, s.ms, s.sequence, sampled, other)));
          let want = rpcEvent(ctx, 'cn-hangzhou', eventIdAt(s.ms, s.sequence));
          if (eventType !== undefined) want = { ...want, eventType };
          if (other !== undefined) {
            want = { ...want, accountId: other, callerAccountId: want.accountId };
          }
          if (sampled) want = { ...want, flags: ['sampled'] };
          expect(withoutId(got)).toEqual(withoutId(want));
          expect(got.eventId.slice(0, 19)).toBe(want.eventId.slice(0, 19));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('count, for the buffer’s bound, at least every string they hold', () => {
    fc.assert(
      fc.property(rpcCtx, (ctx) => {
        const c = compactRpc(ctx, rpcNames(ctx), 'cn-hangzhou');
        let chars = 0;
        const walk = (v: unknown): void => {
          if (typeof v === 'string') chars += v.length;
          else if (Array.isArray(v)) v.forEach(walk);
          else if (v instanceof Map)
            for (const [k, x] of v) chars += String(k).length + String(x).length;
        };
        walk(c);
        expect(compactSize(c)).toBeGreaterThanOrEqual(chars);
      }),
    );
  });
});
