/**
 * @module Listening inside a network namespace from outside it. Node cannot enter a namespace, so
 * a tiny helper runs there (`ip netns exec <name> node -e <helper>`), binds the sockets, and hands
 * them to this process over the IPC channel (`process.send(message, handle)`), then exits. The
 * sockets stay in the namespace they were created in: only programs inside it can reach them,
 * which is what lets every accepted connection be attributed to that sandbox.
 *
 * The helper is source text run with `node -e`, so it works the same from `dist/` and under
 * vitest, and it needs nothing but Node.
 */
import { spawn } from 'node:child_process';
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server as TcpServer } from 'node:net';

/** One socket to open inside the namespace. */
export interface ListenSpec {
  /** Key of the handle in the result. */
  tag: string;
  kind: 'tcp' | 'udp';
  host: string;
  port: number;
}

/** Sockets opened inside a namespace, by tag. */
export interface NetnsSockets {
  tcp: Map<string, TcpServer>;
  udp: Map<string, UdpSocket>;
}

// Runs inside the namespace. argv[1]: the JSON list of ListenSpec. Sends { tag } with each handle
// once all are bound, { error } on failure; exits when told `done` or when the parent goes away.
const HELPER = `'use strict';
const net = require('net');
const dgram = require('dgram');
const specs = JSON.parse(process.argv[1]);
const bound = [];
let left = specs.length;
let failed = false;
const fail = (e) => {
  if (failed) return;
  failed = true;
  process.send({ error: String((e && e.message) || e) }, () => process.exit(1));
};
process.on('message', (m) => { if (m === 'done') process.exit(0); });
process.on('disconnect', () => process.exit(0));
for (const s of specs) {
  const h = s.kind === 'udp' ? dgram.createSocket('udp4') : net.createServer();
  h.once('error', fail);
  const ok = () => {
    bound.push([s.tag, h]);
    if (--left === 0 && !failed) for (const [tag, handle] of bound) process.send({ tag }, handle);
  };
  if (s.kind === 'udp') h.bind({ port: s.port, address: s.host, exclusive: true }, ok);
  else h.listen({ port: s.port, host: s.host, backlog: 511, exclusive: true }, ok);
}
`;

/**
 * Opens `specs` inside namespace `netns` and resolves with the sockets, owned by this process.
 * Rejects (closing whatever arrived) when a bind fails or the helper does not finish in time.
 */
export function listenInNetns(
  ip: string,
  netns: string,
  specs: ListenSpec[],
  timeoutMs = 10_000,
): Promise<NetnsSockets> {
  return new Promise((resolveListen, reject) => {
    const sockets: NetnsSockets = { tcp: new Map(), udp: new Map() };
    const child = spawn(
      ip,
      [
        'netns',
        'exec',
        netns,
        process.execPath,
        '--input-type=commonjs',
        '-e',
        HELPER,
        JSON.stringify(specs),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
        serialization: 'json',
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    let settled = false;
    const closeAll = () => {
      for (const s of [...sockets.tcp.values(), ...sockets.udp.values()]) {
        try {
          s.close();
        } catch {
          /* already closed */
        }
      }
    };
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        closeAll();
        child.kill('SIGKILL');
        reject(error);
      } else {
        if (child.connected) child.send('done');
        resolveListen(sockets);
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`listening inside \`${netns}\` took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.on('message', (m: { tag?: string; error?: string }, handle: unknown) => {
      if (m.error !== undefined) {
        finish(new Error(`cannot listen inside \`${netns}\`: ${m.error}`));
        return;
      }
      const spec = specs.find((s) => s.tag === m.tag);
      if (settled) {
        try {
          (handle as { close?: () => void } | undefined)?.close?.();
        } catch {
          /* already closed */
        }
        return;
      }
      if (!spec || !handle) {
        finish(new Error(`unexpected message from the listen helper in \`${netns}\``));
        return;
      }
      if (spec.kind === 'udp') sockets.udp.set(spec.tag, handle as UdpSocket);
      else sockets.tcp.set(spec.tag, handle as TcpServer);
      if (sockets.tcp.size + sockets.udp.size === specs.length) finish();
    });
    child.on('error', (e) => finish(e));
    child.on('exit', (code) => {
      if (!settled)
        finish(
          new Error(
            `the listen helper in \`${netns}\` exited ${code}: ${stderr.trim() || 'no output'}`,
          ),
        );
    });
  });
}
