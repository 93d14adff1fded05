/**
 * @module Listen addresses checked before anything is created: a busy or forbidden port stops
 * `startYunbox()` before the data directory, the database or the root account exist, with a
 * message naming the flag and the variable that choose another address.
 */
import { createServer } from 'node:net';
import { CONFIG_KEYS, type ListenAddress, type YunboxConfig } from './config.js';

/** A listen address yunbox cannot take; its message says which flag picks another. */
export class ListenError extends Error {}

function shown(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Tries to bind `addr` and frees it at once; resolves to the error code, or undefined. */
function tryBind(addr: ListenAddress): Promise<string | undefined> {
  return new Promise((resolveBind) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolveBind(e.code ?? e.message));
    s.listen({ port: addr.port, host: addr.host, exclusive: true }, () => {
      s.close(() => resolveBind(undefined));
    });
  });
}

const WHY: Record<string, string> = {
  EADDRINUSE: 'the address is in use (another yunbox, or another program, listens there)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'no interface of this machine has that address',
};

/**
 * Checks that the gateway's listeners (HTTP, HTTPS) can bind their addresses; throws a
 * {@link ListenError} naming the flag and variable otherwise. Port 0 (ephemeral) is not checked.
 * The metadata listener is left out: yunbox serves without it when its port is taken.
 * @example
 * await checkListenAddresses(config); // ListenError: cannot listen on 127.0.0.1:9910 …
 */
export async function checkListenAddresses(config: YunboxConfig): Promise<void> {
  const listeners: Array<{ key: keyof YunboxConfig; what: string; addr: ListenAddress }> = [
    { key: 'listen', what: 'the gateway', addr: config.listen },
    ...(config.tlsListen
      ? [{ key: 'tlsListen' as const, what: 'the HTTPS gateway', addr: config.tlsListen }]
      : []),
  ];
  const flagOf = (key: keyof YunboxConfig) => `--${CONFIG_KEYS.find((c) => c.key === key)!.flag}`;
  const fixed = [
    ...listeners,
    ...(config.metadataListen
      ? [{ key: 'metadataListen' as const, what: 'metadata', addr: config.metadataListen }]
      : []),
  ].filter((l) => l.addr.port !== 0);
  for (const [i, a] of fixed.entries()) {
    const b = fixed
      .slice(i + 1)
      .find((o) => o.addr.port === a.addr.port && o.addr.host === a.addr.host);
    if (b) {
      throw new ListenError(
        `${flagOf(a.key)} and ${flagOf(b.key)} both ask for ${shown(a.addr)}: give each listener its own port; nothing was created`,
      );
    }
  }
  for (const l of listeners) {
    if (l.addr.port === 0) continue;
    const code = await tryBind(l.addr);
    if (code === undefined) continue;
    const k = CONFIG_KEYS.find((c) => c.key === l.key)!;
    const others = CONFIG_KEYS.filter(
      (c) => c.key !== l.key && ['listen', 'tlsListen', 'metadataListen'].includes(c.key),
    )
      .map((c) => `--${c.flag} (${c.env})`)
      .join(', ');
    throw new ListenError(
      `cannot listen on ${shown(l.addr)} for ${l.what}: ${WHY[code] ?? code}; ` +
        `choose another address with --${k.flag} HOST:PORT or ${k.env}=HOST:PORT ` +
        `(the other listeners: ${others}; \`off\` turns HTTPS and metadata off); nothing was created`,
    );
  }
}
