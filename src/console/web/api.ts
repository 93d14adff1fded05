/**
 * @module The page's client: the session (temporary credentials in sessionStorage, never the
 * long-term secret; it lasts an hour of real time, whatever the server's clock says), the server's
 * clock (requests are signed with the server's time, which the server accepts as it accepts the
 * host's real time), and signed calls: RPC with ACS3 (POST `/`, form body,
 * `x-acs-*` headers), OSS path-style with V4 header auth, presigned URLs and uploads with
 * progress. Every call returns what was sent, as signed, and what came back.
 */
import type { Catalogue } from './catalogue-types.js';
import {
  ossPath,
  presignOssV4,
  queryString,
  sha256Hex,
  signAcs3,
  signOssV4Header,
  type Credentials,
} from './signing.js';

/** What sign-in returns and the page keeps. */
export interface Session {
  AccessKeyId: string;
  AccessKeySecret: string;
  SecurityToken: string;
  Expiration: string;
  Identity: { Type: string; Arn: string; AccountId: string; UserName?: string };
  Region: string;
  /**
   * When the session ends on this browser's clock (ms): `Expiration` is on the server's real
   * clock, so its distance from the answer's `Date` header is kept, not the browser's time.
   */
  EndsAt?: number;
}

const SESSION_KEY = 'yunbox.console.session';
/** Version of yunbox's own API (product Yunbox). */
const YUNBOX_VERSION = '2026-11-01';
const BASE = '/_yunbox/console/';

/** The stored session, if any. */
export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the session (sign-out). */
export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
  void fetch(`${BASE}session`, { method: 'DELETE' }).catch(() => {});
}

/** An error to show: the server's code and message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Signs in with a long-term AccessKey pair; keeps only the temporary credentials. */
export async function signIn(accessKeyId: string, accessKeySecret: string): Promise<Session> {
  const res = await fetch(`${BASE}session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId, accessKeySecret }),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) {
    throw new ApiError(String(body.Code ?? res.status), String(body.Message ?? res.statusText));
  }
  const { RequestId: _r, ...reply } = body;
  const expiration = Date.parse(String(reply.Expiration));
  const served = Date.parse(res.headers.get('date') ?? '');
  const session = {
    ...reply,
    EndsAt: Number.isNaN(served) ? expiration : Date.now() + (expiration - served),
  } as Session;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

let catalogue: Promise<Catalogue> | undefined;
/** The API catalogue (loaded once). */
export function getCatalogue(): Promise<Catalogue> {
  catalogue ??= fetch(`${BASE}api/catalogue`).then((r) => {
    if (!r.ok) throw new ApiError(String(r.status), 'the catalogue could not be loaded');
    return r.json() as Promise<Catalogue>;
  });
  return catalogue;
}

/** The server's clock. */
export interface ServerClock {
  now: string;
  mode: 'system' | 'manual';
}

let clockOffset = 0;
let clockMode: ServerClock['mode'] = 'system';
let clockReadAt = -Infinity;
const clockListeners = new Set<(c: ServerClock) => void>();

/** Calls `fn` whenever the server's clock is read. */
export function onClock(fn: (c: ServerClock) => void): void {
  clockListeners.add(fn);
}

function noteClock(c: ServerClock): ServerClock {
  clockOffset = Date.parse(c.now) - Date.now();
  clockMode = c.mode;
  clockReadAt = Date.now();
  for (const fn of clockListeners) fn(c);
  return c;
}

/** Reads `GET /_yunbox/clock`. */
export async function readClock(): Promise<ServerClock> {
  const r = await fetch('/_yunbox/clock', { cache: 'no-store' });
  return noteClock((await r.json()) as ServerClock);
}

/**
 * Moves a manual clock forward: the Yunbox API's `AdvanceClock`, signed like every call, so RAM
 * decides who may (`yunbox:AdvanceClock`) and the trail records it.
 */
export async function advanceClock(seconds: number): Promise<ServerClock> {
  const r = await rpc(YUNBOX_VERSION, 'AdvanceClock', { AdvanceSeconds: String(seconds) });
  if (!r.ok || !r.json) {
    throw new ApiError(r.error?.code ?? String(r.status), r.error?.message ?? 'no answer');
  }
  return noteClock({
    now: String(r.json.Now),
    mode: r.json.Mode === 'manual' ? 'manual' : 'system',
  });
}

/** The server's time now, as last read (a manual clock stands still). */
export function serverNowSync(): number {
  // Manual: exactly the time last read (two readings of Date.now() could differ by a
  // millisecond, and a time on a whole second would show as the second before).
  return clockMode === 'manual' ? clockReadAt + clockOffset : Date.now() + clockOffset;
}

/** The server's time, re-read when it may have moved (manual mode, or a minute since). */
export async function serverNow(): Promise<number> {
  if (clockMode === 'manual' || Date.now() - clockReadAt > 60_000) await readClock();
  return serverNowSync();
}

/** A request as it was sent. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Signing details: canonical request and string to sign. */
  canonicalRequest?: string;
  stringToSign?: string;
}

/** Which policy decided a denial, as the server explains it. */
export interface Explanation {
  action?: string;
  resource?: string;
  decision?: string;
  explanation: string;
  matched: Array<Record<string, unknown>>;
}

/** A call's outcome. */
export interface CallResult {
  request: SentRequest;
  status: number;
  ok: boolean;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON (RPC). */
  json?: any;
  /** Parsed XML (OSS). */
  xml?: Document;
  requestId?: string;
  error?: { code: string; message: string; explanation?: Explanation };
}

const expiryListeners = new Set<() => void>();
/** Calls `fn` when the server says the session's token has expired. */
export function onSessionExpired(fn: () => void): void {
  expiryListeners.add(fn);
}

// The session's end: its token expired or no longer opens (sealed by an older yunbox), or the
// AccessKey it was signed in with was disabled or deleted. The page only ever signs with its
// session, so these codes (RPC's, then OSS's) always mean that session.
const EXPIRED = new Set([
  'InvalidSecurityToken.Expired',
  'InvalidSecurityToken.Malformed',
  'InvalidAccessKeyId.Inactive',
  'InvalidAccessKeyId.NotFound',
  'SecurityTokenExpired',
  'InvalidSecurityToken',
  'InvalidAccessKeyId',
]);

function responseHeaders(res: { headers: { forEach(fn: (v: string, k: string) => void): void } }) {
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => (out[k] = v));
  return out;
}

function decodeBase64Json(b64: string): any {
  try {
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

function finish(result: CallResult): CallResult {
  if (result.error && EXPIRED.has(result.error.code)) for (const fn of expiryListeners) fn();
  return result;
}

function credentials(session: Session): Credentials {
  return {
    accessKeyId: session.AccessKeyId,
    accessKeySecret: session.AccessKeySecret,
    securityToken: session.SecurityToken,
  };
}

function requireSession(): Session {
  const s = loadSession();
  if (!s) throw new ApiError('NotSignedIn', 'sign in first');
  return s;
}

/** Signs an RPC call (ACS3, form body) without sending it. */
export async function signRpc(
  version: string,
  action: string,
  params: ReadonlyArray<readonly [string, string]>,
): Promise<SentRequest> {
  const session = requireSession();
  const body = params
    .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
    .join('&');
  const bodySha256Hex = await sha256Hex(body);
  const now = await serverNow();
  const headers: Record<string, string> = {
    host: location.host,
    'content-type': 'application/x-www-form-urlencoded',
    'x-acs-action': action,
    'x-acs-version': version,
    'x-acs-date': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': crypto.randomUUID(),
    'x-acs-content-sha256': bodySha256Hex,
    'x-acs-security-token': session.SecurityToken,
  };
  const signed = await signAcs3({
    method: 'POST',
    path: '/',
    query: [],
    headers,
    bodySha256Hex,
    accessKeyId: session.AccessKeyId,
    accessKeySecret: session.AccessKeySecret,
  });
  headers.authorization = signed.authorization;
  return {
    method: 'POST',
    url: `${location.origin}/`,
    headers,
    body,
    canonicalRequest: signed.canonicalRequest,
    stringToSign: signed.stringToSign,
  };
}

async function send(req: SentRequest): Promise<CallResult> {
  const headers = { ...req.headers };
  delete headers.host; // the browser sets it, to the very value signed
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers,
      ...(req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD'
        ? { body: req.body }
        : {}),
      cache: 'no-store',
    });
  } catch {
    return {
      request: req,
      status: 0,
      ok: false,
      headers: {},
      text: '',
      error: { code: 'NetworkError', message: 'the server could not be reached' },
    };
  }
  return {
    request: req,
    status: res.status,
    ok: res.ok,
    headers: responseHeaders(res),
    text: await res.text(),
  };
}

/** Makes an RPC call; the result carries the signed request and the parsed response. */
export async function rpc(
  version: string,
  action: string,
  params: Record<string, string> | ReadonlyArray<readonly [string, string]> = [],
): Promise<CallResult> {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  const result = await send(await signRpc(version, action, pairs));
  if (result.status === 0) return result;
  try {
    result.json = JSON.parse(result.text);
  } catch {
    result.json = undefined;
  }
  const j = result.json as Record<string, any> | undefined;
  result.requestId = j?.RequestId ?? result.headers['x-acs-request-id'];
  if (!result.ok) {
    const detail = j?.AccessDeniedDetail as Record<string, any> | undefined;
    const diag = detail?.EncodedDiagnosticMessage
      ? decodeBase64Json(String(detail.EncodedDiagnosticMessage))
      : undefined;
    result.error = {
      code: String(j?.Code ?? result.status),
      message: String(j?.Message ?? 'the server answered without a message'),
      ...(detail
        ? {
            explanation: {
              action: diag?.AuthAction ?? detail.AuthAction,
              resource: diag?.AuthResource,
              decision: detail.NoPermissionType,
              explanation: String(diag?.Explanation ?? j?.Message ?? ''),
              matched: Array.isArray(diag?.MatchedPolicies) ? diag.MatchedPolicies : [],
            },
          }
        : {}),
    };
  }
  return finish(result);
}

/** An OSS request to make. */
export interface OssRequest {
  method: string;
  bucket?: string;
  key?: string;
  query?: Array<[string, string | null]>;
  headers?: Record<string, string>;
  body?: string;
}

/** Signs an OSS request (V4 header form) without sending it. */
export async function signOss(r: OssRequest): Promise<SentRequest> {
  const session = requireSession();
  const query = r.query ?? [];
  const signed = await signOssV4Header({
    method: r.method,
    ...(r.bucket ? { bucket: r.bucket } : {}),
    ...(r.key ? { key: r.key } : {}),
    query,
    headers: r.headers ?? {},
    credentials: credentials(session),
    region: session.Region,
    now: await serverNow(),
  });
  const qs = queryString(query);
  return {
    method: r.method,
    url: `${location.origin}${ossPath(r.bucket, r.key)}${qs ? `?${qs}` : ''}`,
    headers: { host: location.host, ...signed.headers },
    ...(r.body !== undefined ? { body: r.body } : {}),
    canonicalRequest: signed.canonicalRequest,
    stringToSign: signed.stringToSign,
  };
}

function xmlText(doc: Document | undefined, tag: string): string | undefined {
  return doc?.getElementsByTagName(tag)[0]?.textContent ?? undefined;
}

function ossOutcome(result: CallResult): CallResult {
  if (result.status === 0) return result;
  const type = result.headers['content-type'] ?? '';
  if (/xml/.test(type) && result.text) {
    const doc = new DOMParser().parseFromString(result.text, 'application/xml');
    if (!doc.getElementsByTagName('parsererror').length) result.xml = doc;
  }
  result.requestId = result.headers['x-oss-request-id'] ?? xmlText(result.xml, 'RequestId');
  if (!result.ok) {
    const code =
      xmlText(result.xml, 'Code') ?? result.headers['x-oss-err'] ?? String(result.status);
    const message = xmlText(result.xml, 'Message') ?? 'the server answered without a message';
    const action = xmlText(result.xml, 'AuthAction');
    result.error = {
      code,
      message,
      ...(action
        ? {
            explanation: {
              action,
              ...(xmlText(result.xml, 'AuthResource') !== undefined
                ? { resource: xmlText(result.xml, 'AuthResource')! }
                : {}),
              ...(xmlText(result.xml, 'Decision') !== undefined
                ? { decision: xmlText(result.xml, 'Decision')! }
                : {}),
              explanation: message,
              matched: [],
            },
          }
        : {}),
    };
  }
  return finish(result);
}

/** Makes an OSS call. */
export async function oss(r: OssRequest): Promise<CallResult> {
  return ossOutcome(await send(await signOss(r)));
}

/** A presigned V4 URL (GET by default) valid `expiresSeconds` from the server's now. */
export async function presignedUrl(r: {
  method?: string;
  bucket: string;
  key: string;
  expiresSeconds: number;
  query?: Array<[string, string | null]>;
}): Promise<string> {
  const session = requireSession();
  const p = await presignOssV4({
    method: r.method ?? 'GET',
    bucket: r.bucket,
    key: r.key,
    query: r.query ?? [],
    credentials: credentials(session),
    region: session.Region,
    now: await serverNow(),
    expiresSeconds: r.expiresSeconds,
  });
  return `${location.origin}${ossPath(r.bucket, r.key)}?${queryString(p.query)}`;
}

/**
 * Uploads `file` as `key` (PUT, V4 header auth), reporting progress from 0 to 1 (and the bytes
 * sent); `signal` cancels it (answered as `UploadCancelled`).
 */
export async function uploadObject(
  bucket: string,
  key: string,
  file: Blob,
  onProgress: (fraction: number, sentBytes: number) => void,
  signal?: AbortSignal,
): Promise<CallResult> {
  const req = await signOss({
    method: 'PUT',
    bucket,
    key,
    headers: { 'content-type': file.type || 'application/octet-stream' },
  });
  req.body = `(${file.size} bytes of the file)`;
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', req.url);
    for (const [n, v] of Object.entries(req.headers)) if (n !== 'host') xhr.setRequestHeader(n, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total, e.loaded);
    const done = () => {
      const headers: Record<string, string> = {};
      for (const line of xhr.getAllResponseHeaders().trim().split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      if (xhr.status >= 200 && xhr.status < 300) onProgress(1, file.size);
      resolve(
        ossOutcome({
          request: req,
          status: xhr.status,
          ok: xhr.status >= 200 && xhr.status < 300,
          headers,
          text: xhr.responseText,
        }),
      );
    };
    xhr.onload = done;
    xhr.onerror = done;
    xhr.onabort = () =>
      resolve({
        request: req,
        status: 0,
        ok: false,
        headers: {},
        text: '',
        error: {
          code: 'UploadCancelled',
          // Cancelling stops the browser; bytes already sent whole may have been stored.
          message: `the upload of \`${key}\` was cancelled (if all its bytes had been sent, the object may exist: see the list)`,
        },
      });
    if (signal?.aborted) return xhr.onabort(new ProgressEvent('abort'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
