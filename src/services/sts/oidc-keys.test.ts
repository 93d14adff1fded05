import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCa, issueServerCertificate } from '../../tls/ca.js';
import { certificateFingerprint } from '../ims/index.js';
import { httpsKeySource, IssuerFetchError, MAX_DOCUMENT_BYTES } from './oidc-keys.js';

let dir: string;
let server: Server;
let base: string;
let caPem: string;
const requests: string[] = [];
const jwk = {
  ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
    format: 'jwk',
  }) as object),
  kid: 'k1',
  use: 'sig',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-oidc-keys-'));
  const ca = await ensureCa(dir, { warn: () => undefined } as never);
  caPem = ca.certPem;
  const leaf = await issueServerCertificate(ca, ['127.0.0.1']);
  server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    requests.push(req.url ?? '');
    const [, name, doc] = /^\/(\w+)\/(.*)$/.exec(req.url ?? '') ?? [];
    const iss = `${base}/${name}`;
    if (doc === '.well-known/openid-configuration') {
      const body =
        name === 'big'
          ? { issuer: iss, jwks_uri: `${iss}/jwks`, pad: 'x'.repeat(MAX_DOCUMENT_BYTES) }
          : { issuer: name === 'liar' ? 'https://elsewhere' : iss, jwks_uri: `${iss}/jwks` };
      res.end(JSON.stringify(body));
    } else if (doc === 'jwks') {
      res.end(JSON.stringify({ keys: [jwk, { kty: 'oct', k: 'AAAA' }] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('httpsKeySource', () => {
  it("fetches the issuer's keys with the fingerprints of the chain, and caches them", async () => {
    const source = httpsKeySource(() => [caPem]);
    const k = await source.keys(`${base}/good`);
    expect(k.keys.map((x) => x.kid)).toEqual(['k1']);
    expect(k.fingerprints).toContain(certificateFingerprint(caPem));
    const before = requests.length;
    expect(await source.keys(`${base}/good`)).toBe(k);
    expect(requests.length).toBe(before);
  });

  it('refuses an issuer whose certificate chain does not verify', async () => {
    await expect(httpsKeySource(() => []).keys(`${base}/good`)).rejects.toBeInstanceOf(
      IssuerFetchError,
    );
  });

  it('refuses oversized documents, a discovery document of another issuer, and plain http', async () => {
    const source = httpsKeySource(() => [caPem]);
    await expect(source.keys(`${base}/big`)).rejects.toThrow(/larger than/);
    await expect(source.keys(`${base}/liar`)).rejects.toThrow(/is not/);
    await expect(source.keys(`${base}/none/deeper`)).rejects.toThrow(/answered 404/);
    await expect(source.keys('http://127.0.0.1:1/x')).rejects.toThrow(/not an https URL/);
  });
});
