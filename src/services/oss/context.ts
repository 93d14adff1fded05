/**
 * @module What an OSS handler sees of one request ({@link OssCall}) and what it answers
 * ({@link OssReply}). Handlers never touch node:http objects: the body is an async iterable of
 * bytes, the reply a status, headers and a string, buffer or stream the protocol writes out.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { CredentialResolver } from '../../auth/credentials.js';
import type { OssTarget } from '../../auth/oss-request.js';
import type { BlobStore } from '../../blob/blob-store.js';
import type { SmallBlobCache } from '../../blob/cache.js';
import type { IdentityPolicySource } from '../../kernel/authorizer.js';
import type { Clock } from '../../kernel/clock.js';
import type { RequestInfo } from '../../kernel/context.js';
import type { BaseRequest } from '../../kernel/gateway.js';
import type { Principal } from '../../kernel/principal.js';
import type { Decision } from '../../policy/index.js';
import type { AccessLogFacts } from './access-log.js';
import type { TrailEvent } from '../trail/index.js';
import type { OssAuthorizer } from './authz.js';
import type { LoggingConfig } from './handlers/logging.js';
import type { Bucket, OssObject } from './model.js';
import type { OssStore } from './store.js';

/** What the OSS service is built from. */
export interface OssDeps {
  store: OssStore;
  blobs: BlobStore;
  /** Small blobs kept in memory for small GETs (blobs are immutable, so never stale). */
  blobCache: SmallBlobCache;
  resolver: CredentialResolver;
  identity: IdentityPolicySource;
  clock: Clock;
  /** Default region (standard id): buckets created through a host that names none go here. */
  region: string;
  log: Logger;
  /** Extra host names served as OSS endpoints (`<bucket>.<name>` is virtual-host style). */
  hostSuffixes: readonly string[];
  /** Access logs of buckets with logging on (access-log.ts); none in unit tests. */
  accessLogs?: {
    record(bucket: Bucket, conf: LoggingConfig, facts: AccessLogFacts): void;
  };
  /**
   * Told of every request once it is answered (the audit trail, services/trail); `record`
   * takes the lifecycle runner's events.
   */
  trail?: { oss(facts: OssTrailFacts): void; record?(e: TrailEvent): void };
  /** The lifecycle runner (lifecycle-runner.ts): bucket requests wait for due rules first. */
  lifecycle?: { settle(): Promise<void> };
}

/** What the audit trail is told of one answered OSS request (the status is final). */
export interface OssTrailFacts {
  base: BaseRequest;
  req: IncomingMessage;
  method: string;
  status: number;
  /** Operation name (`GetObject`), once routed. */
  operation?: string;
  /** Decoded query parameters, once routed (the trail drops the signing ones). */
  query?: ReadonlyArray<readonly [string, string | null]>;
  bucket?: string;
  key?: string;
  /** Standard region id addressed. */
  region?: string;
  /** Account owning the bucket, when it exists. */
  bucketOwner?: string;
  /**
   * Account whose trail also gets the event: the owner of the bucket the request acted on, when
   * it exists (not PutBucket's, which acts on the caller's own account); the recorder copies
   * the event there when the caller is of another account.
   */
  sharedWith?: string;
  principal: Principal;
  errorCode?: string;
  errorMessage?: string;
  /** The check that settled the request: the last decided, or the denying one. */
  decided?: { action: string; resource: string; decision: Decision };
}

/** Query parameters of a request (decoded; `null` for a name without `=`). */
export interface QueryView {
  /** First value: `undefined` when absent, `null` when given without `=`. */
  get(name: string): string | null | undefined;
  has(name: string): boolean;
  /** Every name, in received order. */
  names(): string[];
}

/** One OSS request, as a handler sees it. */
export interface OssCall {
  deps: OssDeps;
  /** Principal, time (the one clock), request id, source, region addressed. */
  info: RequestInfo;
  method: string;
  target: OssTarget;
  /** Bucket named by the request (path or host), if any. */
  bucketName?: string;
  /** Decoded object key, if any. */
  key?: string;
  /** The bucket, loaded before authorisation for every operation that needs one. */
  bucket?: Bucket;
  query: QueryView;
  /** A request header (lower-case name), repeated ones folded with `, `. */
  header(name: string): string | undefined;
  /** Every request header name (lower-case). */
  headerNames(): string[];
  /**
   * The request body, streaming (`kernel/body.ts` `streamBody`: idle-limited by the listener;
   * read it once, with `for await` or a blob write).
   */
  body: AsyncIterable<Buffer>;
  /** The whole body, for small documents; rejects with `BodyTooLarge` / `BodyIncomplete`. */
  readAll(limit: number): Promise<Buffer>;
  /** `Content-Length` as declared; `undefined` when absent (chunked). */
  contentLength?: number;
  /** True when the body is sent with `Transfer-Encoding: chunked`. */
  chunked: boolean;
  /** `HostId` of error bodies: the Host as received, without port. */
  hostId: string;
  /** Decides further checks (CopyObject's source, each key of DeleteMultipleObjects). */
  authz: OssAuthorizer;
  /** The `versionId` the request names (validated), if any. */
  versionId?: string;
  /**
   * The addressed version, loaded once per request: the one `versionId` names, else the current
   * one; a delete marker too (`undefined` when absent).
   */
  version(): Promise<OssObject | undefined>;
  /** The addressed object: {@link version}, unless that is a delete marker. */
  object(): Promise<OssObject | undefined>;
}

/** A handler's answer. */
export interface OssReply {
  status: number;
  headers?: Record<string, string | number>;
  /** XML text, bytes, or a stream of the object's bytes (destroyed if the client leaves). */
  body?: string | Buffer | Readable;
}
