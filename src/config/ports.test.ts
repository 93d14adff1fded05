import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { ListenError, checkListenAddresses } from './ports.js';

const config = (listen: string, tls: string, metadata = 'off') =>
  resolveConfig({ listen, tlsListen: tls, metadataListen: metadata }, {});

describe('listen addresses checked before start', () => {
  it('pass when free, and never check ephemeral ports', async () => {
    await expect(checkListenAddresses(config('127.0.0.1:0', '127.0.0.1:0'))).resolves.toBe(
      undefined,
    );
  });

  it('refuse two listeners on one address, naming both flags', async () => {
    await expect(
      checkListenAddresses(config('127.0.0.1:9950', 'off', '127.0.0.1:9950')),
    ).rejects.toThrow('--listen and --metadata-listen both ask for 127.0.0.1:9950');
  });

  it('name the flag and the variable of a busy address', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    try {
      const e = await checkListenAddresses(config(`127.0.0.1:${port}`, 'off')).catch((x) => x);
      expect(e).toBeInstanceOf(ListenError);
      expect(e.message).toBe(
        `cannot listen on 127.0.0.1:${port} for the gateway: the address is in use (another yunbox, or another program, listens there); choose another address with --listen HOST:PORT or YUNBOX_LISTEN=HOST:PORT (the other listeners: --tls-listen (YUNBOX_TLS_LISTEN), --metadata-listen (YUNBOX_METADATA_LISTEN); \`off\` turns HTTPS and metadata off); nothing was created`,
      );
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});
