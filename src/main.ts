/**
 * @module Composition root: config -> store -> services -> gateway -> listen. `startYunbox()` is
 * what `yunbox serve` runs and what users' own test suites import.
 */
import { mkdir, readFile, writeFile, chmod, rm, stat } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import {
  resolveConfig,
  type ListenAddress,
  type RawConfig,
  type YunboxConfig,
} from './config/config.js';
import { removeEndpointFile, writeEndpointFile } from './config/endpoint-file.js';
import { checkListenAddresses } from './config/ports.js';
import { prettyDestination } from './kernel/pretty-log.js';
import { adminHandler, coreAdminRoutes, firstAdmin, guardAdmin } from './kernel/admin.js';
import { adminGuard } from './kernel/admin-guard.js';
import { createConsole } from './console/index.js';
import { Authorizer } from './kernel/authorizer.js';
import { ManualClock, SystemClock, isoSeconds, readClock, type Clock } from './kernel/clock.js';
import { allowChunkedWithLength, framingGuard } from './kernel/framing.js';
import { createGateway } from './kernel/gateway.js';
import { ListenerLimits } from './kernel/limits.js';
import { accessKeyId, accessKeySecret, numericId } from './kernel/ids.js';
import { NonceStore } from './kernel/nonces.js';
import {
  allMigrations,
  createOssService,
  createServices,
  type OssService,
  type Services,
} from './services/index.js';
import type { TrailService } from './services/trail/index.js';
import { openBlobStore } from './blob/open.js';
import { openDb, parseStoreLocation, type Db } from './store/db.js';
import { migrate } from './store/migrate.js';
import { ensureCa, issueServerCertificate, defaultServiceNames } from './tls/ca.js';
import { SandboxManager } from './sandbox/manager.js';
import type { MetadataHandler, PlainMetadataListener } from './services/ecs/index.js';
import { IDENTITY_CERTIFICATE_PATH, identityCertificateAdmin } from './services/ecs/index.js';

/** Options of {@link startYunbox}: any config key, plus code-only settings. */
export interface StartOptions extends RawConfig {
  /** Environment to read `YUNBOX_*` from (default `process.env`; pass `{}` to ignore it). */
  env?: NodeJS.ProcessEnv;
  /** A logger (default: pino to stdout at the configured level). */
  logger?: Logger;
  /** Print the generated root credentials (the CLI does; default false). */
  announce?: (text: string) => void;
}

/** Root AccessKey pair. */
export interface RootCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** A running yunbox. */
export interface Yunbox {
  config: YunboxConfig;
  /** `http://host:port` of the gateway. */
  endpoint: string;
  /** `host:port` of the gateway (for Tea SDK `endpoint` with `protocol: 'http'`). */
  address: string;
  /** `https://host:port` of the HTTPS gateway, when enabled. */
  tlsEndpoint?: string;
  /** `host:port` of the HTTPS gateway, when enabled. */
  tlsAddress?: string;
  /** Path of the local CA certificate (for `NODE_EXTRA_CA_CERTS`), when HTTPS is enabled. */
  caCertPath?: string;
  /** `http://host:port/_yunbox/console/`: the console's page on the gateway. */
  consoleUrl: string;
  /** `http://host:port` of the metadata listener outside sandboxes, when it started. */
  metadataEndpoint?: string;
  /** The data directory, absolute. */
  dataDir: string;
  accountId: string;
  root: RootCredentials;
  region: string;
  clock: {
    mode: 'system' | 'manual';
    now(): Date;
    /** Moves a manual clock forward by `seconds`. */
    advance(seconds: number): Date;
    /** Sets a manual clock. */
    set(time: Date | string): Date;
  };
  /** Internals, for tests and embedding. */
  services: Services;
  /** OSS (services/oss): its metadata store, blob store and orphan sweep. */
  oss: OssService;
  /** The request listener every gateway listener shares. */
  gateway: (req: IncomingMessage, res: ServerResponse) => void;
  /** Instance sandboxes (`yunbox instance exec`). */
  sandboxes: SandboxManager;
  /** The instance metadata service (ECS): its handler, and the plain listener when enabled. */
  metadata: {
    /** Serves an instance's tree; listeners decide the instance from the connection. */
    handler: MetadataHandler;
    /** `http://host:port` of `--metadata-listen` (it answers 404: no instance's address). */
    endpoint?: string;
    /** Where the plain listener serves an instance (`http://127.77.X.Y:PORT`), when it can. */
    urlFor(instanceId: string): Promise<string | undefined>;
  };
  db: Db;
  log: Logger;
  /** Stops listening and closes the store. */
  close(): Promise<void>;
}

function listen(server: Server, addr: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolveListen(server.address() as AddressInfo);
    });
  });
}

function hostPort(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** Starts yunbox. */
export async function startYunbox(options: StartOptions = {}): Promise<Yunbox> {
  const { env = process.env, logger, announce, ...raw } = options;
  const config = resolveConfig(raw, env);
  // Before anything is created (data directory, database, root account): a busy port names the
  // flag that picks another (config/ports.ts).
  await checkListenAddresses(config);
  // Logs go to stdout through a buffered (asynchronous) destination: one write per 4 KiB instead
  // of a write syscall per request line; flushed on close. On a terminal (or `--log-format
  // pretty`) each line is made short and readable instead (kernel/pretty-log.ts).
  const pretty =
    !logger &&
    (config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY));
  const logDestination =
    logger || pretty ? undefined : pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const log =
    logger ??
    pino(
      {
        level: config.logLevel,
        base: undefined,
        redact: {
          paths: ['*.secret', '*.AccessKeySecret', '*.SecurityToken', '*.accessKeySecret'],
          remove: true,
        },
      },
      logDestination ?? prettyDestination(),
    );
  // Buffered lines reach stdout within a second even when traffic is light.
  const logFlush = logDestination
    ? setInterval(() => logDestination.flush(), 1000).unref()
    : undefined;
  const dataDir = resolve(config.dataDir);
  // A data directory this call makes is removed again when the start fails.
  const madeDataDir = await stat(dataDir).then(
    () => false,
    () => true,
  );
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const clock: Clock =
    config.clock === 'manual' ? new ManualClock(config.clockStart) : new SystemClock();

  const location = parseStoreLocation(config.store, dataDir);
  let db: Db;
  try {
    db = await openDb(location);
  } catch (e) {
    if (madeDataDir) await rm(dataDir, { recursive: true, force: true });
    if (logFlush) clearInterval(logFlush);
    throw e;
  }
  const servers: Server[] = [];
  // Time limits and connection caps of every listener (kernel/limits.ts): gateway, HTTPS,
  // metadata, sandboxes. One budget of connections for the whole process.
  const limits = new ListenerLimits(
    {
      headersTimeoutMs: config.headersTimeout * 1000,
      requestTimeoutMs: config.requestTimeout * 1000,
      bodyIdleTimeoutMs: config.bodyIdleTimeout * 1000,
      maxConnections: config.maxConnections,
      maxConnectionsPerSource: config.maxConnectionsPerSource,
    },
    { log: log.child({ svc: 'limits' }) },
  );
  let sandboxes: SandboxManager | undefined;
  let trailService: TrailService | undefined;
  let plainMetadata: PlainMetadataListener | undefined;
  try {
    await migrate(db, allMigrations);
    // Instance sandboxes (src/sandbox): network namespaces where 100.100.100.200 and *.aliyuncs.com
    // reach this process (`yunbox instance exec`). Root on Linux only, else CreateSandbox says why.
    // Its dependencies are read when the first sandbox is made, once the gateway exists.
    sandboxes = new SandboxManager({
      log,
      region: config.region,
      caDir: join(dataDir, 'tls'),
      limits,
      clock,
      deps: () => ({ gateway: handler, instances: sandboxInstances, metadata: metadataHandler }),
    });
    await sandboxes.start();
    const services = createServices(db, { sandboxes, location });
    trailService = services.trail;
    // ---- Audit trail (services/trail): one recorder, told of every answered request by the RPC
    // pipeline (`trail` in createGateway below), OSS (`trail` in its deps) and the metadata
    // service (wired by createServices). It serialises each event into a bounded buffer; a
    // writer thread with its own connection writes them in batches (started with the first
    // event); new requests wait while the buffer is past its high water mark (`room` in
    // createGateway below); close() writes what is left before the store closes.
    const trail = services.trail.recorder;
    trail.configure({
      log: log.child({ svc: 'trail' }),
      region: config.region,
      maxBytes: config.trailMaxBytes, // --trail-max-bytes
    });
    // Events an older version kept in the main SQLite file move to the writer's, behind the
    // requests (LookupEvents shows them as they arrive).
    const movingTrail = services.trail.moveOldEvents().then(
      (n) => {
        if (n > 0) log.info({ events: n }, 'trail: events moved to the trail database');
      },
      (err: unknown) => log.warn({ err }, 'trail: events of the main database not moved'),
    );
    // ---- OSS (services/oss): object bytes in the configured blob store (`--blob-store`: files
    // under DATA/blobs, or chunk rows in PostgreSQL), metadata in the store; mounted on the
    // gateway below (`protocols`). Blobs a crash left behind unreferenced (written, never
    // committed) are swept in the background once ready, only those older than this start, so
    // no upload in flight can lose its bytes.
    const ossStartedAt = Date.now();
    const oss = createOssService(db, {
      blobs: await openBlobStore(config.blobStore, { db, dataDir }),
      resolver: services.resolver,
      identity: services.ram.api,
      clock,
      region: config.region,
      log: log.child({ svc: 'oss' }),
      hostSuffixes: [],
      trail, // audit trail, see above
    });
    const now = clock.now();
    const accountId = await services.ram.store.ensureAccount(numericId(16), now);
    await services.ram.seedSystemPolicies(now);
    await services.sts.keys.current(now);
    const root = await services.ram.store.ensureRootKey(
      accountId,
      config.rootAccessKeyId !== undefined
        ? { accessKeyId: config.rootAccessKeyId, secret: config.rootAccessKeySecret! }
        : undefined,
      () => ({ accessKeyId: accessKeyId(), secret: accessKeySecret() }),
      now,
    );
    const rootCreds = { accessKeyId: root.key.accessKeyId, accessKeySecret: root.key.secret };
    const credFile = join(dataDir, 'root-credentials.json');
    if (config.rootAccessKeyId === undefined) {
      let existing: string | undefined;
      try {
        existing = await readFile(credFile, 'utf8');
      } catch {
        existing = undefined;
      }
      const text =
        JSON.stringify(
          {
            accountId,
            AccessKeyId: rootCreds.accessKeyId,
            AccessKeySecret: rootCreds.accessKeySecret,
          },
          null,
          2,
        ) + '\n';
      if (existing !== text) {
        await writeFile(credFile, text, { mode: 0o600 });
        await chmod(credFile, 0o600);
      }
      if (root.created && announce) {
        announce(
          `root account ${accountId} created; root AccessKey (shown once, also in ${credFile}, mode 0600):\n` +
            `  AccessKeyId:     ${rootCreds.accessKeyId}\n  AccessKeySecret: ${rootCreds.accessKeySecret}\n`,
        );
      }
    }

    let ready = false;
    // ---- Console (src/console): the OpenAPI-Explorer page at /_yunbox/console/ (admin stage,
    // before OSS and RPC), its sign-in (temporary credentials of the signing-in user or account,
    // sealed like STS tokens) and the catalogue its forms come from (these very products).
    const consoleHandler = createConsole({
      products: services.products,
      resolver: services.resolver,
      stsKey: (t) => services.sts.keys.current(t),
      now: () => clock.now(),
      real: () => clock.real(),
      region: config.region,
      trail, // sign-in attempts, see the audit trail block above
      log: log.child({ svc: 'console' }),
    });
    // Everything under /_yunbox/ but the health check answers only this server's names, same-origin
    // browsers and JSON bodies (kernel/admin-guard.ts).
    const guard = adminGuard({
      listenHosts: [config.listen.host, ...(config.tlsListen ? [config.tlsListen.host] : [])],
      publicHosts: config.publicHosts,
      openPaths: [IDENTITY_CERTIFICATE_PATH], // public: what verifies instance identities
    });
    const nonces = new NonceStore(db);
    // framingGuard + allowChunkedWithLength (below, on each listener): requests framed by both
    // Content-Length and chunked transfer coding, as ali-oss sends streams (kernel/framing.ts).
    const handler = framingGuard(
      createGateway({
        log,
        clock,
        region: config.region,
        products: services.products,
        resolver: services.resolver,
        nonces,
        room: () => trail.room(), // the audit trail's back-pressure, see above
        authorizer: new Authorizer(services.ram.api),
        // OIDC issuers' discovery documents and JWKS (services/ims/issuer.ts): public documents,
        // served to anyone as a real issuer's are, so outside the guard.
        admin: firstAdmin(
          services.ims.issuer.admin(),
          guardAdmin(
            guard,
            firstAdmin(
              consoleHandler,
              identityCertificateAdmin(services.ecs.identity), // services/ecs/metadata/identity.ts
              adminHandler(coreAdminRoutes(clock, () => ready)),
            ),
          ),
        ),
        protocols: [oss.protocol], // OSS, see the block above
        trail, // audit trail, see the block above
      }),
    );

    // The Tea SDKs send every parameter in the query string, ECS UserData too: 32 KB raw is
    // 43,692 Base64 characters, up to three times that percent-encoded. Node's default 16 KB
    // limit on the request head would refuse it.
    const maxHeaderSize = 192 * 1024;
    const http = limits.guardHttp(
      createHttpServer({ ...limits.httpOptions('gateway'), maxHeaderSize }, handler),
      { name: 'gateway' },
    );
    allowChunkedWithLength(http);
    servers.push(http);
    const httpAddr = await listen(http, config.listen);

    let tls: { endpoint: string; address: string; ca: string } | undefined;
    if (config.tlsListen) {
      // The CA may vouch for the configured public names (--public-host) besides its own; the
      // gateway's certificate names them too, so clients reaching it by those names verify it.
      const ca = await ensureCa(join(dataDir, 'tls'), {
        warn: (m) => log.warn(m),
        publicNames: config.publicHosts,
      });
      const leaf = await issueServerCertificate(ca, [
        ...defaultServiceNames([config.region]),
        ...config.publicHosts,
      ]);
      const https = limits.guardHttp(
        createHttpsServer(
          {
            ...limits.httpOptions('gateway'),
            ...limits.tlsOptions(),
            cert: leaf.certPem,
            key: leaf.keyPem,
            maxHeaderSize,
          },
          handler,
        ),
        { name: 'gateway-tls' },
      );
      allowChunkedWithLength(https);
      servers.push(https);
      const a = await listen(https, config.tlsListen);
      tls = { endpoint: `https://${hostPort(a)}`, address: hostPort(a), ca: ca.certPath };
      // Each account's OIDC issuer is this listener's `/_yunbox/oidc/<account>`, vouched for by
      // the local CA, whose fingerprint is what an OIDC provider registers.
      services.ims.issuer.configure({ httpsEndpoint: tls.endpoint, caPem: ca.certPem });
    }
    // ---- ECS instance metadata service (services/ecs/metadata). One handler serves every
    // listener, and each listener decides which instance a connection belongs to, never the
    // request: a sandbox by the namespace it arrived in (src/sandbox, wired above through
    // `sandboxInstances` and `metadataHandler`), the plain `--metadata-listen` listener by the
    // per-instance loopback address it arrived on (127.77.X.Y; identification, not isolation).
    const metadataHandler = services.ecs.metadataHandler({
      clock,
      log: log.child({ svc: 'metadata' }),
    });
    const sandboxInstances = {
      get: (accountId: string | undefined, instanceId: string) =>
        services.ecs.api.findInstance(accountId, instanceId, readClock(clock)),
    };
    if (config.metadataListen) {
      // It is on by default: another yunbox on this host may hold the port. The gateway still
      // serves; DescribeInstanceMetadataEndpoint then says the plain listener is off.
      try {
        plainMetadata = await services.ecs.startPlainMetadataListener({
          listen: config.metadataListen,
          handler: metadataHandler,
          log: log.child({ svc: 'metadata' }),
          limits,
        });
      } catch (e) {
        const { host, port } = config.metadataListen;
        log.warn(
          { err: e, listen: `${host}:${port}` },
          'metadata listener not started: the address is not available (set --metadata-listen)',
        );
      }
    }
    const metadata: Yunbox['metadata'] = {
      handler: metadataHandler,
      ...(plainMetadata ? { endpoint: plainMetadata.endpoint } : {}),
      async urlFor(instanceId) {
        return (await services.ecs.api.plainMetadataEndpoint(instanceId))?.url;
      },
    };

    ready = true;
    const endpoint = `http://${hostPort(httpAddr)}`;
    const consoleUrl = `${endpoint}/_yunbox/console/`;
    // Where CLI commands find this server (config/endpoint-file.ts): addresses, never secrets.
    await writeEndpointFile(dataDir, {
      endpoint,
      ...(tls ? { tlsEndpoint: tls.endpoint, caCertPath: tls.ca } : {}),
      ...(plainMetadata ? { metadataEndpoint: plainMetadata.endpoint } : {}),
      consoleUrl,
      accountId,
      region: config.region,
      dataDir,
      store: db.dialect.name,
      pid: process.pid,
      startedAt: new Date(clock.real()).toISOString(),
    });
    // OSS orphan sweep (see the OSS block above); the PostgreSQL blob store is shared by other
    // nodes, whose uploads in flight are protected by an hour's grace instead.
    // close() waits for it: the sweep reads the store, which closes last.
    const sweep = oss
      .sweepOrphans(oss.blobs.kind === 'fs' ? ossStartedAt : ossStartedAt - 3_600_000)
      .then(
        (r) => {
          if (r.blobs || r.incomplete) log.info(r, 'oss: orphaned blobs removed');
        },
        (e) => log.warn({ err: e }, 'oss: orphan sweep failed'),
      );
    log.info(
      {
        endpoint: `http://${hostPort(httpAddr)}`,
        tls: tls?.endpoint,
        metadata: plainMetadata?.endpoint,
        store: db.dialect.name,
        region: config.region,
        clock: clock.mode,
        connections: { ...limits.caps, fdLimit: limits.fdLimit },
      },
      'yunbox ready',
    );

    let closing: Promise<void> | undefined;
    const manual = clock instanceof ManualClock ? clock : undefined;
    const needManual = () => {
      if (!manual)
        throw new Error('the clock is `system`: start yunbox with `clock: manual` to move it');
      return manual;
    };
    return {
      config,
      endpoint,
      address: hostPort(httpAddr),
      consoleUrl,
      ...(plainMetadata ? { metadataEndpoint: plainMetadata.endpoint } : {}),
      dataDir,
      ...(tls ? { tlsEndpoint: tls.endpoint, tlsAddress: tls.address, caCertPath: tls.ca } : {}),
      accountId,
      root: rootCreds,
      region: config.region,
      clock: {
        mode: clock.mode,
        now: () => new Date(clock.now()),
        advance: (seconds) => new Date(needManual().advance(seconds * 1000)),
        set: (t) => new Date(needManual().set(typeof t === 'string' ? Date.parse(t) : t.getTime())),
      },
      services,
      oss,
      gateway: handler,
      sandboxes,
      metadata,
      db,
      log,
      close() {
        closing ??= (async () => {
          ready = false;
          await removeEndpointFile(dataDir);
          await sandboxes!.close();
          await plainMetadata?.close();
          await Promise.all(
            servers.map(
              (s) =>
                new Promise<void>((r) => {
                  s.close(() => r());
                  s.closeIdleConnections();
                  setTimeout(() => s.closeAllConnections(), 2000).unref();
                }),
            ),
          );
          await oss.close(); // OSS access logs: what is buffered, before the store closes
          await movingTrail;
          await services.trail.close(); // audit trail: what is left, then its writer thread
          await nonces.flush();
          await sweep;
          limits.close();
          await db.close();
          log.info('yunbox stopped');
          if (logFlush) clearInterval(logFlush);
          logDestination?.flushSync();
        })();
        return closing;
      },
    };
  } catch (e) {
    for (const s of servers) s.close();
    await trailService?.close();
    await sandboxes?.close();
    await plainMetadata?.close();
    limits.close();
    await db.close();
    if (madeDataDir) await rm(dataDir, { recursive: true, force: true });
    if (logFlush) clearInterval(logFlush);
    throw e;
  }
}

export { isoSeconds };
