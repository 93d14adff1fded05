/**
 * @module Instance sandboxes: run unmodified programs as if inside an ECS instance. A sandbox is a
 * Linux network namespace (`ybx-<serverId>-<n>`) with only `lo`, carrying the metadata address
 * `100.100.100.200`, the gateway address `100.100.2.136` and the instance's private IP. This
 * process listens on those addresses from inside the namespace (`listen.ts` binds the sockets,
 * `serve.ts` serves them):
 *
 * ```
 * 100.100.100.200:80   metadata service, always for this sandbox's instance
 * 100.100.2.136:53     DNS (UDP, TCP): *.aliyuncs.com -> 100.100.2.136 (dns.ts)
 * 100.100.2.136:80     the gateway (RPC, OSS) over HTTP
 * 100.100.2.136:443    the gateway over HTTPS, certificate from the local CA
 * ```
 *
 * Identity comes from the listener, never from the request: every connection accepted on a
 * sandbox's sockets belongs to its instance (the gateway sees the instance's private IP and VPC
 * as `acs:SourceIp`/`acs:SourceVpc`), and there is no route out of the namespace, so a program can
 * reach only its own instance's metadata. `/_yunbox/*` (the unauthenticated admin API) is not
 * served inside, but for the public instance identity certificate (serve.ts).
 *
 * Life cycle: created for a Running instance; destroyed by DeleteSandbox, when its last process
 * has gone (unless kept alive), when the instance stops or is released, and when yunbox stops;
 * on an unclean exit an `exit` hook still removes the namespaces, and a starting yunbox removes
 * those of dead servers (each server records its pid under `/run/yunbox/<serverId>.pid`,
 * `run-dir.ts`). Destroying kills the processes left inside, then deletes the namespace and
 * `/etc/netns/<name>`. Programs are started in a sandbox by the CLI, unprivileged (`run-as.ts`),
 * on yunbox's clock (`faketime.ts`: under `--clock manual`, libfaketime and an offset file that
 * follows every move).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../kernel/clock.js';
import { resourceId } from '../kernel/ids.js';
import { ListenerLimits } from '../kernel/limits.js';
import { ensureCa, issueServerCertificate } from '../tls/ca.js';
import type { DnsZone } from './dns.js';
import { sandboxEnv } from './env.js';
import { SandboxClock } from './faketime.js';
import {
  NETNS_ETC_DIR,
  createNetns,
  deleteNetns,
  killNetnsProcesses,
  listNetns,
  listNetnsEtc,
  netnsInode,
  netnsPids,
  opensslSubjectHash,
  processesByNetns,
  removeSandboxEtc,
  sandboxSupport,
  writeSandboxEtc,
  type SandboxSupport,
} from './host.js';
import { listenInNetns } from './listen.js';
import { serveSandbox, type SandboxListeners } from './serve.js';
import { DEFAULT_SANDBOX_RUN_DIR, RunDir } from './run-dir.js';
import {
  METADATA_ADDRESS,
  SANDBOX_GATEWAY_ADDRESS,
  netnsName,
  newServerId,
  normaliseHost,
  parseNetnsName,
  sandboxCertificateNames,
} from './names.js';
import type { InstanceLookup, MetadataHandler, SandboxInstance } from './types.js';

export { DEFAULT_SANDBOX_RUN_DIR } from './run-dir.js';

/** How long a removal waits for the CLI to tell its user why before the programs are signalled. */
const NOTICE_READ_MS = 2000;

/** What a sandbox serves, resolved when the first sandbox is made (after the gateway exists). */
export interface SandboxDeps {
  /** The gateway request listener (the one every listener shares). */
  gateway: (req: IncomingMessage, res: ServerResponse) => void;
  instances: InstanceLookup;
  metadata: MetadataHandler;
}

/** Options of {@link SandboxManager}. */
export interface SandboxManagerOptions {
  log: Logger;
  region: string;
  /** Directory of the local CA (`ensureCa`); the sandbox certificate is issued from it. */
  caDir: string;
  deps: () => SandboxDeps;
  /**
   * yunbox's clock: under a manual one, programs inside read it as their wall clock (default: the
   * system clock, nothing preloaded).
   */
  clock?: Clock;
  /**
   * Time limits and connection caps of the sandboxes' listeners, shared with the process's other
   * listeners (kernel/limits.ts); default: limits of its own with the default settings.
   */
  limits?: ListenerLimits;
  /** Pid files of live servers (default `/run/yunbox`). */
  runDir?: string;
  /** Most sandboxes at once (default 64). */
  maxSandboxes?: number;
  /** Remove a sandbox this long after its last process has gone (ms, default 15 s). */
  idleTimeoutMs?: number;
  /** How often processes and instance states are checked (ms, default 1 s). */
  pollIntervalMs?: number;
  /** How long a Running check is trusted when serving requests (ms, default 1 s). */
  statusCacheMs?: number;
}

/** A sandbox as callers see it. */
export interface SandboxInfo {
  sandboxId: string;
  /** The instance, or `''` for a workload sandbox (no instance: `yunbox workload exec`). */
  instanceId: string;
  /**
   * True for a workload sandbox: a program that is on no instance (a pod, a CI job) with the
   * same network as an instance's, but no instance behind 100.100.100.200 (its metadata answers
   * as for an unknown caller) and no instance whose stop removes it.
   */
  workload?: boolean;
  accountId: string;
  /** Network namespace: run programs with `ip netns exec <netns> …`. */
  netns: string;
  createdAt: Date;
  /** Variables to set for programs inside: CA trust, and libfaketime under the manual clock. */
  env: Record<string, string>;
  /** The clock's mode when the sandbox was made. */
  clockMode: 'system' | 'manual';
  /** True when programs inside read yunbox's clock (false: manual clock, no libfaketime). */
  followsClock: boolean;
  hostName?: string;
  privateIp?: string;
  vpcId?: string;
  metadataAddress: string;
  gatewayAddress: string;
  /** Kept while no process runs in it (until deleted or yunbox stops). */
  keepAlive: boolean;
  /**
   * Where yunbox says why it removed the sandbox while processes ran in it (instance stopped or
   * released, yunbox stopped): one line, written before they are signalled.
   */
  noticeFile: string;
}

/** Why a sandbox could not be made or found. */
export type SandboxErrorKind =
  'unsupported' | 'instance-not-found' | 'instance-status' | 'quota' | 'not-found';

/** A refusal of the sandbox manager; the Yunbox API maps each kind to an error code. */
export class SandboxError extends Error {
  readonly kind: SandboxErrorKind;
  constructor(kind: SandboxErrorKind, message: string) {
    super(message);
    this.name = 'SandboxError';
    this.kind = kind;
  }
}

interface Sandbox {
  info: SandboxInfo;
  inode: number | undefined;
  /** Its metadata, gateway and DNS listeners, once bound (serve.ts). */
  listeners?: SandboxListeners;
  lastBusy: number;
  checkedAt: number;
  /** Built and handed out (listed, deletable by id). */
  ready: boolean;
  building?: Promise<void>;
  destroying?: Promise<void>;
}

interface SandboxTls {
  certPem: string;
  keyPem: string;
  caPem: string;
  caPath: string;
  caHash: string | undefined;
}

/** Creates, serves and removes the instance sandboxes of one yunbox process. */
export class SandboxManager {
  /** Id of this server in namespace names and its pid file. */
  readonly serverId = newServerId();
  readonly #o: Required<Omit<SandboxManagerOptions, 'deps' | 'log' | 'limits' | 'clock'>>;
  readonly #log: Logger;
  readonly #limits: ListenerLimits;
  readonly #ownLimits: boolean;
  readonly #deps: () => SandboxDeps;
  readonly #sandboxes = new Map<string, Sandbox>();
  #counter = 0;
  #started: Promise<void> | undefined;
  #tls: Promise<SandboxTls> | undefined;
  readonly #runDir: RunDir;
  readonly #time: SandboxClock;
  #exitHook = false;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;
  #ip: string | undefined;
  readonly #onExit = () => this.#exitCleanup();

  constructor(options: SandboxManagerOptions) {
    this.#log = options.log.child({ component: 'sandbox' });
    this.#deps = options.deps;
    this.#ownLimits = options.limits === undefined;
    this.#limits = options.limits ?? new ListenerLimits({}, { log: this.#log });
    this.#o = {
      region: options.region,
      caDir: options.caDir,
      runDir: options.runDir ?? DEFAULT_SANDBOX_RUN_DIR,
      maxSandboxes: options.maxSandboxes ?? 64,
      idleTimeoutMs: options.idleTimeoutMs ?? 15_000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      statusCacheMs: options.statusCacheMs ?? 1000,
    };
    this.#runDir = new RunDir(this.#o.runDir, this.serverId);
    this.#time = new SandboxClock({
      ...(options.clock ? { clock: options.clock } : {}),
      paths: this.#runDir.clockPaths,
      prepare: () => this.#writePidFile(),
      log: this.#log,
    });
  }

  /** Whether this machine can run sandboxes (Linux, root, `ip`). */
  support(): Promise<SandboxSupport> {
    return sandboxSupport();
  }

  /**
   * Removes what crashed yunbox servers left (namespaces and `/etc/netns` entries of servers whose
   * process is gone); nothing when sandboxes are unsupported. Safe to call more than once.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      const support = await sandboxSupport();
      if (!support.ok) return;
      try {
        await this.#removeLeftovers(support.ip);
      } catch (e) {
        this.#log.warn({ err: e }, 'cannot remove sandboxes left by stopped servers');
      }
    })();
    return this.#started;
  }

  /** The sandboxes, optionally of one account and instance. */
  list(filter: { accountId?: string; instanceId?: string } = {}): SandboxInfo[] {
    return [...this.#sandboxes.values()]
      .filter((s) => s.ready && !s.destroying)
      .map((s) => s.info)
      .filter(
        (i) =>
          (filter.accountId === undefined || i.accountId === filter.accountId) &&
          (filter.instanceId === undefined || i.instanceId === filter.instanceId),
      );
  }

  /** One sandbox (of `accountId` when given). */
  get(sandboxId: string, accountId?: string): SandboxInfo | undefined {
    const s = this.#sandboxes.get(sandboxId);
    return s?.ready && (accountId === undefined || s.info.accountId === accountId)
      ? s.info
      : undefined;
  }

  /**
   * Makes a sandbox for a Running instance of `accountId`, or a workload sandbox (no instance)
   * when `instanceId` is undefined. Throws {@link SandboxError} when sandboxes are unsupported
   * here, the instance does not exist or is not Running, or too many sandboxes exist.
   */
  async create(
    accountId: string,
    instanceId: string | undefined,
    options: { keepAlive?: boolean } = {},
  ): Promise<SandboxInfo> {
    if (this.#closed) throw new SandboxError('unsupported', 'yunbox is stopping');
    const support = await sandboxSupport();
    if (!support.ok) throw new SandboxError('unsupported', support.reason);
    await this.start();
    const deps = this.#deps();
    const workload = instanceId === undefined;
    const instance: SandboxInstance | undefined = workload
      ? { instanceId: '', accountId, status: 'Running' }
      : await deps.instances.get(accountId, instanceId);
    if (!instance) {
      throw new SandboxError('instance-not-found', `instance \`${instanceId}\` does not exist`);
    }
    if (instance.status !== 'Running') {
      throw new SandboxError(
        'instance-status',
        `instance \`${instanceId}\` is \`${instance.status}\`, not \`Running\``,
      );
    }
    if (this.#sandboxes.size >= this.#o.maxSandboxes) {
      throw new SandboxError('quota', `at most ${this.#o.maxSandboxes} sandboxes at once`);
    }
    const started = Date.now();
    const tls = await this.#certificate();
    await this.#writePidFile();
    const netns = netnsName(this.serverId, ++this.#counter);
    const sandbox: Sandbox = {
      info: {
        sandboxId: resourceId('sbx-', 16),
        instanceId: instance.instanceId,
        ...(workload ? { workload } : {}),
        accountId,
        netns,
        createdAt: new Date(),
        env: {},
        clockMode: 'system',
        followsClock: true,
        ...(instance.hostName !== undefined ? { hostName: instance.hostName } : {}),
        ...(instance.privateIp !== undefined ? { privateIp: instance.privateIp } : {}),
        ...(instance.vpcId !== undefined ? { vpcId: instance.vpcId } : {}),
        metadataAddress: METADATA_ADDRESS,
        gatewayAddress: SANDBOX_GATEWAY_ADDRESS,
        keepAlive: options.keepAlive ?? false,
        noticeFile: this.#runDir.noticePath(netns),
      },
      inode: undefined,
      lastBusy: Date.now(),
      checkedAt: Date.now(),
      ready: false,
    };
    // Registered first so that close() and the exit hook see it while it is being built.
    this.#sandboxes.set(sandbox.info.sandboxId, sandbox);
    this.#ensureTimer();
    this.#ip = support.ip;
    sandbox.building = this.#build(support.ip, sandbox, instance, tls, deps);
    try {
      await sandbox.building;
    } catch (e) {
      await this.#destroy(sandbox, 'creation failed');
      throw e;
    }
    if (this.#closed || sandbox.destroying) {
      await this.#destroy(sandbox, 'yunbox is stopping', 'yunbox stopped');
      throw this.#closed
        ? new SandboxError('unsupported', 'yunbox is stopping')
        : new SandboxError('instance-status', `instance \`${instanceId}\` stopped meanwhile`);
    }
    sandbox.ready = true;
    this.#log.info(
      { sandbox: sandbox.info.sandboxId, instance: instanceId, netns, ms: Date.now() - started },
      'sandbox created',
    );
    return sandbox.info;
  }

  /** Removes a sandbox (of `accountId` when given); false when there is no such sandbox. */
  async destroy(sandboxId: string, accountId?: string): Promise<boolean> {
    const s = this.#sandboxes.get(sandboxId);
    if (!s || (accountId !== undefined && s.info.accountId !== accountId)) return false;
    await this.#destroy(s, 'deleted');
    return true;
  }

  /** Removes every sandbox and this server's pid file; later creations are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#time.close();
    await Promise.all(
      [...this.#sandboxes.values()].map((s) => this.#destroy(s, 'yunbox stops', 'yunbox stopped')),
    );
    await Promise.all([...this.#sandboxes.values()].map((s) => s.destroying));
    process.off('exit', this.#onExit);
    if (this.#ownLimits) this.#limits.close();
    if (this.#runDir.recorded) await this.#runDir.remove().catch(() => undefined);
  }

  async #build(
    ip: string,
    sandbox: Sandbox,
    instance: SandboxInstance,
    tls: SandboxTls,
    deps: SandboxDeps,
  ): Promise<void> {
    const { netns } = sandbox.info;
    const privateIp =
      instance.privateIp !== undefined &&
      isIPv4(instance.privateIp) &&
      ![METADATA_ADDRESS, SANDBOX_GATEWAY_ADDRESS].includes(instance.privateIp) &&
      !instance.privateIp.startsWith('127.')
        ? instance.privateIp
        : undefined;
    await createNetns(ip, netns, [
      METADATA_ADDRESS,
      SANDBOX_GATEWAY_ADDRESS,
      ...(privateIp ? [privateIp] : []),
    ]);
    sandbox.inode = await netnsInode(netns);
    const caPaths = await writeSandboxEtc(netns, {
      nameserver: SANDBOX_GATEWAY_ADDRESS,
      ...(instance.hostName !== undefined ? { hostName: instance.hostName } : {}),
      ...(privateIp ? { privateIp } : {}),
      caPem: tls.caPem,
      caPath: await this.#runDir.writePublicCa(tls.caPem),
      ...(tls.caHash ? { caHash: tls.caHash } : {}),
    });
    const time = await this.#time.forSandbox();
    sandbox.info.env = { ...sandboxEnv(caPaths), ...time.env };
    sandbox.info.clockMode = time.clockMode;
    sandbox.info.followsClock = time.followsClock;
    const sockets = await listenInNetns(ip, netns, [
      { tag: 'metadata', kind: 'tcp', host: METADATA_ADDRESS, port: 80 },
      { tag: 'http', kind: 'tcp', host: SANDBOX_GATEWAY_ADDRESS, port: 80 },
      { tag: 'https', kind: 'tcp', host: SANDBOX_GATEWAY_ADDRESS, port: 443 },
      { tag: 'dns-tcp', kind: 'tcp', host: SANDBOX_GATEWAY_ADDRESS, port: 53 },
      { tag: 'dns', kind: 'udp', host: SANDBOX_GATEWAY_ADDRESS, port: 53 },
    ]);
    const zone: DnsZone = {
      gatewayAddress: SANDBOX_GATEWAY_ADDRESS,
      ...(instance.hostName !== undefined
        ? { hosts: new Map([[normaliseHost(instance.hostName), privateIp ?? '127.0.1.1']]) }
        : {}),
    };
    // The listeners (serve.ts), under the process's time limits and connection caps.
    const onInstance = !sandbox.info.workload;
    sandbox.listeners = serveSandbox({
      sandboxId: sandbox.info.sandboxId,
      ...(onInstance ? { instanceId: sandbox.info.instanceId } : {}),
      sockets,
      origin: {
        sourceIp: privateIp ?? SANDBOX_GATEWAY_ADDRESS,
        ...(instance.vpcId !== undefined ? { sourceVpc: instance.vpcId } : {}),
        ...(onInstance ? { instanceId: sandbox.info.instanceId } : {}),
      },
      zone,
      tls: { certPem: tls.certPem, keyPem: tls.keyPem },
      gateway: deps.gateway,
      metadata: deps.metadata,
      live: () => this.#live(sandbox),
      limits: this.#limits,
      log: this.#log.child({ sandbox: sandbox.info.sandboxId, netns }),
    });
  }

  async #live(sandbox: Sandbox): Promise<boolean> {
    if (sandbox.destroying) return false;
    const now = Date.now();
    if (now - sandbox.checkedAt < this.#o.statusCacheMs) return true;
    sandbox.checkedAt = now;
    return this.#checkInstance(sandbox);
  }

  /** False (and the sandbox goes) when its instance stopped or was released. */
  async #checkInstance(sandbox: Sandbox): Promise<boolean> {
    if (sandbox.info.workload) return true;
    let instance: SandboxInstance | undefined;
    try {
      instance = await this.#deps().instances.get(sandbox.info.accountId, sandbox.info.instanceId);
    } catch (e) {
      this.#log.warn({ err: e, sandbox: sandbox.info.sandboxId }, 'cannot check the instance');
      return true;
    }
    if (instance?.status === 'Running') return true;
    const id = sandbox.info.instanceId;
    void this.#destroy(
      sandbox,
      instance ? `instance is ${instance.status}` : 'instance was released',
      instance ? `instance \`${id}\` is ${instance.status}` : `instance \`${id}\` was released`,
    );
    return false;
  }

  /**
   * Removes a sandbox: `reason` for the log; `notice`, when the programs inside did not ask for it,
   * is written where the CLI that started them finds it ({@link SandboxInfo.noticeFile}) before
   * they are signalled, so that it can tell their user why they end.
   */
  #destroy(sandbox: Sandbox, reason: string, notice?: string): Promise<void> {
    sandbox.destroying ??= (async () => {
      // INVARIANT: teardown starts once building has ended, so nothing is created after it.
      await sandbox.building?.catch(() => undefined);
      const started = Date.now();
      const { netns, sandboxId } = sandbox.info;
      sandbox.listeners?.close();
      const support = await sandboxSupport();
      try {
        if (notice !== undefined && sandbox.ready && (await netnsPids(netns)).length > 0) {
          await this.#runDir.writeNotice(netns, notice);
          // The CLI removes the notice once it has told its user: signal after that (bounded).
          await this.#runDir.noticeRead(netns, NOTICE_READ_MS);
        }
        const killed = await killNetnsProcesses(netns);
        if (support.ok) await deleteNetns(support.ip, netns);
        await removeSandboxEtc(netns);
        this.#log.info(
          { sandbox: sandboxId, netns, reason, killed, ms: Date.now() - started },
          'sandbox removed',
        );
      } catch (e) {
        this.#log.error({ err: e, sandbox: sandboxId, netns }, 'cannot remove sandbox');
      } finally {
        this.#sandboxes.delete(sandboxId);
        if (this.#sandboxes.size === 0 && this.#timer) {
          clearInterval(this.#timer);
          this.#timer = undefined;
        }
      }
    })();
    return sandbox.destroying;
  }

  #ensureTimer(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => void this.#poll(), this.#o.pollIntervalMs);
    this.#timer.unref();
  }

  /** Removes idle sandboxes and those whose instance is no longer Running. */
  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      this.#time.resync();
      const byNetns = await processesByNetns();
      const now = Date.now();
      for (const s of [...this.#sandboxes.values()]) {
        if (!s.ready || s.destroying || s.inode === undefined) continue;
        if ((byNetns.get(s.inode)?.length ?? 0) > 0) s.lastBusy = now;
        else if (
          !s.info.keepAlive &&
          this.#o.idleTimeoutMs > 0 &&
          now - s.lastBusy >= this.#o.idleTimeoutMs
        ) {
          void this.#destroy(s, 'no process left');
          continue;
        }
        s.checkedAt = now;
        await this.#checkInstance(s);
      }
    } catch (e) {
      this.#log.warn({ err: e }, 'sandbox poll failed');
    } finally {
      this.#polling = false;
    }
  }

  async #certificate(): Promise<SandboxTls> {
    this.#tls ??= (async () => {
      const ca = await ensureCa(this.#o.caDir);
      const leaf = await issueServerCertificate(ca, sandboxCertificateNames(this.#o.region));
      return {
        certPem: leaf.certPem,
        keyPem: leaf.keyPem,
        caPem: ca.certPem,
        caPath: ca.certPath,
        caHash: await opensslSubjectHash(ca.certPath),
      };
    })();
    try {
      return await this.#tls;
    } catch (e) {
      this.#tls = undefined;
      throw e;
    }
  }

  /** Records this server as live before its first namespace exists, and hooks `exit`. */
  async #writePidFile(): Promise<void> {
    await this.#runDir.writePidFile();
    if (!this.#exitHook) {
      this.#exitHook = true;
      process.on('exit', this.#onExit);
    }
  }

  async #removeLeftovers(ip: string): Promise<void> {
    const names = new Set([...(await listNetns()), ...(await listNetnsEtc())]);
    const byServer = new Map<string, string[]>();
    for (const name of names) {
      const parsed = parseNetnsName(name);
      if (!parsed || parsed.serverId === this.serverId) continue;
      byServer.set(parsed.serverId, [...(byServer.get(parsed.serverId) ?? []), name]);
    }
    for (const id of await this.#runDir.servers()) {
      if (!byServer.has(id) && id !== this.serverId) byServer.set(id, []);
    }
    for (const [serverId, list] of byServer) {
      if (await this.#runDir.alive(serverId)) continue;
      for (const name of list) {
        await killNetnsProcesses(name);
        await deleteNetns(ip, name);
        await removeSandboxEtc(name);
      }
      await this.#runDir.remove(serverId);
      if (list.length > 0) {
        this.#log.info({ server: serverId, netns: list }, 'removed sandboxes of a stopped server');
      }
    }
    await this.#runDir.removeStaleNotices(
      async (id) => id === this.serverId || (await this.#runDir.alive(id)),
    );
  }

  /** Last resort when the process exits without close(): synchronous, best effort. */
  #exitCleanup(): void {
    const ip = this.#ip;
    for (const s of this.#sandboxes.values()) {
      const name = s.info.netns;
      if (s.ready) this.#runDir.writeNoticeSync(name, 'yunbox exited');
      if (ip) {
        const pids = spawnSync(ip, ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
        for (const pid of pids.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        spawnSync(ip, ['netns', 'del', name], { stdio: 'ignore' });
      }
      try {
        rmSync(join(NETNS_ETC_DIR, name), { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
    this.#runDir.removeSync();
  }
}
