/**
 * The identity signer on SQLite and PostgreSQL: one key per store however many nodes race to make
 * it, kept across restarts, refused when its row no longer matches; the signed content is the
 * document with the audience appended, and the audience is bounded.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../store/db.js';
import { migrate } from '../../../store/migrate.js';
import { describeOnEachStore } from '../../../testing/each-store.js';
import { base64Lines, selfSignedCertificate } from '../../../tls/signed-data.js';
import { vpcMigrations } from '../../vpc/index.js';
import { ecsMigrations } from '../index.js';
import { audienceProblem, IdentitySigner, MAX_AUDIENCE_LENGTH, signedContent } from './identity.js';

describe('the signed content', () => {
  it('is the document, or the document with the audience as its last member', () => {
    const doc = '{"zone-id":"cn-hangzhou-i","instance-id":"i-1"}';
    expect(signedContent(doc)).toBe(doc);
    expect(signedContent(doc, 'abc')).toBe(
      '{"zone-id":"cn-hangzhou-i","instance-id":"i-1","audience":"abc"}',
    );
    expect(JSON.parse(signedContent(doc, 'x y:1'))).toEqual({
      'zone-id': 'cn-hangzhou-i',
      'instance-id': 'i-1',
      audience: 'x y:1',
    });
  });

  it('takes audiences that need no JSON escape, up to the bound', () => {
    for (const ok of ['', 'nonce-123', 'a b', 'ü', 'x'.repeat(MAX_AUDIENCE_LENGTH)]) {
      expect(audienceProblem(ok), ok).toBeUndefined();
    }
    for (const bad of ['a"b', 'a\\b', 'a\nb', '\u0000', '\u007f', 'x'.repeat(257)]) {
      expect(audienceProblem(bad), JSON.stringify(bad)).toMatch(/audience/);
    }
  });
});

async function checks(db: Db): Promise<void> {
  await migrate(db, [vpcMigrations, ecsMigrations]);
  // Two nodes on a fresh store: both end up with the one key.
  const [p1, p2] = await Promise.all([
    new IdentitySigner(db).certificatePem(),
    new IdentitySigner(db).certificatePem(),
  ]);
  expect(p1).toBe(p2);
  const rows: any[] = await db.k.selectFrom('ecs_identity_keys').selectAll().execute();
  expect(rows).toHaveLength(1);
  const cert = new X509Certificate(p1);
  expect(cert.subject).toBe('O=yunbox\nCN=yunbox instance identity');
  expect(cert.ca).toBe(false);
  expect(cert.verify(cert.publicKey)).toBe(true);

  // A restart reads the same key back and signs with it.
  const again = new IdentitySigner(db);
  expect(await again.certificatePem()).toBe(p1);
  const doc = '{"instance-id":"i-1"}';
  const sig = await again.sign(doc, 'aud', Date.parse('2024-01-02T03:04:05Z'));
  expect(sig.split('\n').every((l) => l.length <= 64 && /^[A-Za-z0-9+/=]+$/.test(l))).toBe(true);
  expect(sig.endsWith('\n')).toBe(false);
  const der = Buffer.from(sig, 'base64');
  expect(der.includes(Buffer.from('{"instance-id":"i-1","audience":"aud"}'))).toBe(true);
  expect(der.includes(Buffer.from('240102030405Z'))).toBe(true);

  // A row whose certificate is another key's is refused, not used to sign.
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = selfSignedCertificate({
    ...other,
    organization: 'x',
    commonName: 'x',
    serial: Buffer.from([1]),
    notBefore: 0,
    notAfter: 1e12,
  });
  await db.k
    .updateTable('ecs_identity_keys')
    .set({
      certificate_pem: `-----BEGIN CERTIFICATE-----\n${base64Lines(foreign)}\n-----END CERTIFICATE-----\n`,
    })
    .execute();
  await expect(new IdentitySigner(db).certificatePem()).rejects.toThrow(/not for the stored key/);
}

describeOnEachStore('IdentitySigner', checks);
