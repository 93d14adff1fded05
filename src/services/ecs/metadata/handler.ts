/**
 * @module The instance metadata service (100.100.100.200), one HTTP handler for every listener:
 * the plain `--metadata-listen` listener and the instance sandboxes (src/sandbox) both call it
 * with the instance *they* identified from the connection. The handler never looks at headers or
 * the path to decide who is asking.
 *
 * Per request (metadata.md):
 * ```
 * identify   caller-supplied instance id; unknown or not Running -> 404, the body says which
 * disabled   HttpEndpoint=disabled -> 403
 * fault      the instance's injected fault (slow, error, expired-credential, refuse-token)
 * token      PUT /latest/api/token: TTL 1-21600 s, refused with X-Forwarded-For
 * hardened   a token header must verify (else 401); none -> 401 when HttpTokens=required
 * tree       /, /latest/, /2016-01-01/: meta-data (+ all), dynamic, user-data, ram credentials
 * identity   dynamic/instance-identity/pkcs7[?audience=]: the document signed (identity.ts)
 * trail      once answered, the audit trail (services/trail) keeps credential and token requests
 * ```
 * Bodies are `text/plain`, with no trailing newline.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../../../kernel/clock.js';
import { isoSeconds, readClock } from '../../../kernel/clock.js';
import { accessLogger } from '../../../kernel/access-log.js';
import { foldName, type RamApi } from '../../ram/index.js';
import { instanceCredential, type CredentialMinter } from '../credentials.js';
import { visibleStatus, type Instance } from '../model.js';
import { audienceProblem, type IdentitySigner } from './identity.js';
import { issueMetadataToken, MAX_TOKEN_TTL_SECONDS, verifyMetadataToken } from './tokens.js';
import { child, identityDocument, listing, metaDataTree, type MetadataDir } from './tree.js';

/** Serves the metadata of `instanceId` (undefined: the connection maps to no instance). */
export type MetadataHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  instanceId: string | undefined,
) => Promise<void>;

/** What the metadata service needs. */
export interface MetadataDeps {
  /** The instance with this id (any account). */
  getInstance(instanceId: string): Promise<Instance | undefined>;
  ram: Pick<RamApi, 'getRole'>;
  sts: CredentialMinter;
  clock: Clock;
  log: Logger;
  /** Upper bound of the `slow` fault (ms); default {@link MAX_FAULT_DELAY_MS}. */
  maxDelayMs?: number;
  /** Signs `dynamic/instance-identity/pkcs7`; without it that path is not served. */
  identity?: Pick<IdentitySigner, 'sign'>;
  /** Told of every request of an instance once answered (the audit trail keeps some). */
  trail?: { metadata(facts: MetadataTrailFacts): void };
}

/** What the audit trail is told of one answered metadata request (services/trail). */
export interface MetadataTrailFacts {
  instanceId: string;
  /** Arrival time by the one clock (ms). */
  now: number;
  method: string;
  /** Path without the query, as received. */
  path: string;
  status: number;
  sourceIp: string;
  userAgent?: string;
  /** The instance's account and region, when it exists. */
  accountId?: string;
  region?: string;
}

/** The largest delay the `slow` fault may add. */
export const MAX_FAULT_DELAY_MS = 60_000;
/** The delay of `slow` when none is set: just over the SDKs' 1 s read timeout. */
export const DEFAULT_FAULT_DELAY_MS = 1_500;

/** Versions served, as `GET /` lists them. */
export const METADATA_VERSIONS = ['2016-01-01', 'latest'];

const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
const TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';

/** The credential document, formatted like Alibaba's examples (metadata.md §5.1). */
export function credentialDocument(c: {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  issuedAt: number;
  expiresAt: number;
}): string {
  const fields: Array<[string, string]> = [
    ['AccessKeyId', c.accessKeyId],
    ['AccessKeySecret', c.accessKeySecret],
    ['Expiration', isoSeconds(c.expiresAt)],
    ['SecurityToken', c.securityToken],
    ['LastUpdated', isoSeconds(c.issuedAt)],
    ['Code', 'Success'],
  ];
  return `{\n${fields.map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`).join(',\n')}\n}`;
}

/** A request target's path and query (without `?`). */
function splitUrl(url: string): [string, string] {
  const at = url.indexOf('?');
  return at === -1 ? [url, ''] : [url.slice(0, at), url.slice(at + 1)];
}

function toJson(node: MetadataDir): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = typeof v === 'object' && !Array.isArray(v) ? toJson(v) : v;
  }
  return out;
}

/** Builds the metadata handler. */
export function createMetadataHandler(deps: MetadataDeps): MetadataHandler {
  const accessLog = accessLogger(deps.log);
  const maxDelay = deps.maxDelayMs ?? MAX_FAULT_DELAY_MS;

  return async (req, res, instanceId) => {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    const [path, query] = splitUrl(req.url ?? '/');
    const arrived = deps.clock.now();
    const trailed: { instance?: Instance } = {};
    res.once('finish', () => {
      if (instanceId !== undefined) {
        deps.trail?.metadata({
          instanceId,
          now: arrived,
          method,
          path,
          status: res.statusCode,
          sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
          userAgent: req.headers['user-agent'],
          accountId: trailed.instance?.accountId,
          region: trailed.instance?.regionId,
        });
      }
      accessLog.info(
        {
          proto: 'metadata',
          method,
          path,
          status: res.statusCode,
          instance: instanceId,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    // Requests carry no body worth reading; drain it so the connection can be reused.
    req.resume();
    const send = (status: number, body?: string, headers: Record<string, string> = {}) => {
      if (res.headersSent || res.destroyed) return;
      const text = body ?? STATUS_CODES[status] ?? String(status);
      res.writeHead(status, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
        ...headers,
      });
      res.end(method === 'HEAD' ? undefined : text);
    };
    const serveTree = (dir: MetadataDir, names: string[], extra: string[] = []) => {
      let node: MetadataDir | string | string[] = dir;
      for (const name of names) {
        if (typeof node !== 'object' || Array.isArray(node)) return send(404);
        const next = child(node, name);
        if (next === undefined) return send(404);
        node = next;
      }
      if (typeof node === 'string') return send(200, node);
      if (Array.isArray(node)) return send(200, node.join('\n'));
      return send(200, listing(node, extra));
    };
    try {
      const now = deps.clock.now();
      const inst = instanceId !== undefined ? await deps.getInstance(instanceId) : undefined;
      trailed.instance = inst;
      // A stopped instance has no metadata service to ask; yunbox answers 404 (clients look at the
      // status only, metadata.md 2.5) with a body that says why, for the person reading it.
      if (!inst) {
        return send(
          404,
          instanceId === undefined
            ? undefined
            : `Not Found: instance ${instanceId} does not exist (it was released)`,
        );
      }
      const status = visibleStatus(inst, readClock(deps.clock, now));
      if (status !== 'Running') {
        return send(
          404,
          `Not Found: instance ${inst.instanceId} is ${status}; its metadata service answers while it is Running`,
        );
      }
      if (inst.metadata.httpEndpoint === 'disabled') return send(403);

      const fault = inst.fault;
      if (fault.mode === 'slow') {
        const ms = Math.min(fault.delayMs > 0 ? fault.delayMs : DEFAULT_FAULT_DELAY_MS, maxDelay);
        const gone = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), ms);
          res.once('close', () => {
            clearTimeout(t);
            resolve(true);
          });
        });
        if (gone) return;
      }
      if (fault.mode === 'error') return send(fault.statusCode || 500);

      const segments = path.split('/').filter((s) => s !== '');
      let decoded: string[];
      try {
        decoded = segments.map((s) => decodeURIComponent(s));
      } catch {
        return send(400);
      }
      const [version, ...rest] = decoded;

      // PUT /<version>/api/token: security hardening mode.
      if (rest.length === 2 && rest[0] === 'api' && rest[1] === 'token') {
        if (method !== 'PUT') return send(405, undefined, { allow: 'PUT' });
        if (!METADATA_VERSIONS.includes(version!)) return send(404);
        if (fault.mode === 'refuse-token') return send(fault.statusCode || 403);
        // Doc "View instance metadata": a token request carrying X-Forwarded-For is refused.
        if (req.headers['x-forwarded-for'] !== undefined) return send(403);
        const ttlText = req.headers[TTL_HEADER];
        const ttl = typeof ttlText === 'string' && /^\d{1,6}$/.test(ttlText) ? Number(ttlText) : 0;
        if (ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) return send(400);
        const key = await deps.sts.keys.current(now);
        return send(200, issueMetadataToken(key, inst.instanceId, now + ttl * 1000), {
          [TTL_HEADER]: String(ttl),
        });
      }
      if (method !== 'GET' && method !== 'HEAD') {
        return send(405, undefined, { allow: 'GET, HEAD' });
      }

      const token = req.headers[TOKEN_HEADER];
      if (token !== undefined) {
        const verdict = await verifyMetadataToken(
          Array.isArray(token) ? token.join(',') : token,
          inst.instanceId,
          now,
          (id) => deps.sts.keys.get(id),
        );
        if (!verdict.ok) return send(401);
      } else if (inst.metadata.httpTokens === 'required') {
        return send(401);
      }

      if (version === undefined) return send(200, METADATA_VERSIONS.join('\n'));
      if (!METADATA_VERSIONS.includes(version)) return send(404);
      const [top, ...below] = rest;
      if (top === undefined) {
        return send(
          200,
          listing(
            { dynamic: {}, 'meta-data': {} },
            inst.userData !== undefined ? ['user-data'] : [],
          ),
        );
      }
      if (top === 'user-data' && below.length === 0) {
        if (inst.userData === undefined) return send(404);
        const raw = Buffer.from(inst.userData, 'base64');
        if (res.headersSent) return;
        res.writeHead(200, {
          'content-type': 'text/plain',
          'content-length': raw.length,
          'cache-control': 'no-store',
        });
        res.end(method === 'HEAD' ? undefined : raw);
        return;
      }
      if (top === 'dynamic') {
        const document = identityDocument(inst);
        const identity = deps.identity;
        const signature = below.map((s) => s.toLowerCase()).join('/') === 'instance-identity/pkcs7';
        if (identity && signature) {
          const audience = new URLSearchParams(query).get('audience') ?? undefined;
          if (audience !== undefined && audienceProblem(audience) !== undefined) return send(400);
          return send(200, await identity.sign(document, audience, now));
        }
        const dynamic: MetadataDir = {
          'instance-identity': { document, ...(identity ? { pkcs7: '' } : {}) },
        };
        return serveTree(dynamic, below);
      }
      if (top !== 'meta-data') return send(404);

      // meta-data/ram/security-credentials[/<role>]
      if (below[0]?.toLowerCase() === 'ram') {
        if (below.length === 1) return send(200, 'security-credentials/');
        if (below[1] !== 'security-credentials' || below.length > 3) return send(404);
        const role = inst.role;
        // No role: 404, never an empty 200 (the Node SDK would fetch the listing as a document).
        if (!role) return send(404);
        if (below.length === 2) return send(200, role.roleName);
        // The role's name in any case, as RAM finds names (the listing above has its spelling).
        if (foldName(below[2]!) !== foldName(role.roleName)) return send(404);
        const ramRole = await deps.ram.getRole(inst.accountId, role.roleName);
        if (!ramRole) return send(404);
        const cred = await instanceCredential(
          deps.sts,
          inst,
          { accountId: ramRole.accountId, roleId: ramRole.roleId, roleName: ramRole.roleName },
          now,
          fault.mode === 'expired-credential',
        );
        return send(200, credentialDocument(cred));
      }
      const tree = metaDataTree(inst);
      if (below.length === 1 && below[0] === 'all') {
        return send(200, JSON.stringify(toJson(tree)));
      }
      return serveTree(tree, below, below.length === 0 ? ['ram/'] : []);
    } catch (e) {
      deps.log.error({ err: e, instance: instanceId }, 'metadata request failed');
      send(500);
    }
  };
}
