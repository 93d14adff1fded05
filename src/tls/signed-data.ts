/**
 * @module Signatures a program checks with `openssl smime -verify` / `openssl cms -verify`: a
 * self-signed X.509 certificate for an RSA key ({@link selfSignedCertificate}), and a PKCS#7 / CMS
 * SignedData (RFC 5652) over some content, signed with that key ({@link signedData}). Node's crypto
 * signs; der.ts encodes. The SignedData embeds the content, signs three attributes (content type,
 * signing time, message digest) with RSA PKCS#1 v1.5 and SHA-256, and carries no certificate: a
 * verifier must bring the published certificate (`-certfile`), so a signature made with any other
 * key never verifies against it.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import {
  bits,
  bool,
  children,
  explicit,
  implicitConstructed,
  int,
  nul,
  octets,
  oid,
  readTlv,
  seq,
  setOf,
  time,
  tlv,
  utf8,
} from './der.js';

/** The object identifiers used here. */
export const OID = Object.freeze({
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha256: '2.16.840.1.101.3.4.2.1',
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
});

const algorithm = (id: string, params?: Buffer) => seq(oid(id), ...(params ? [params] : []));

/** What {@link selfSignedCertificate} certifies. */
export interface CertificateSpec {
  privateKey: KeyObject;
  publicKey: KeyObject;
  organization: string;
  commonName: string;
  /** A positive serial number (at most 20 octets). */
  serial: Buffer;
  notBefore: number;
  notAfter: number;
}

/**
 * A self-signed end-entity certificate (v3, sha256WithRSAEncryption) for signing only: basic
 * constraints CA:FALSE and key usage digitalSignature, both critical. DER.
 * @example
 * const der = selfSignedCertificate({ privateKey, publicKey, organization: 'yunbox', ... });
 * new X509Certificate(der).subject; // 'O=yunbox\nCN=…'
 */
export function selfSignedCertificate(c: CertificateSpec): Buffer {
  const name = seq(
    setOf(seq(oid(OID.organization), utf8(c.organization))),
    setOf(seq(oid(OID.commonName), utf8(c.commonName))),
  );
  const spki = c.publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const extensions = explicit(
    3,
    seq(
      seq(oid(OID.basicConstraints), bool(true), octets(seq())),
      // KeyUsage BIT STRING: digitalSignature (bit 0) only, 7 unused bits.
      seq(oid(OID.keyUsage), bool(true), octets(tlv(0x03, Buffer.from([0x07, 0x80])))),
      seq(oid(OID.subjectKeyIdentifier), octets(octets(keyId))),
    ),
  );
  const signature = algorithm(OID.sha256WithRSAEncryption, nul());
  const tbs = seq(
    explicit(0, int(2n)),
    int(c.serial),
    signature,
    name,
    seq(time(c.notBefore), time(c.notAfter)),
    name,
    spki,
    extensions,
  );
  return seq(tbs, signature, bits(sign('sha256', tbs, c.privateKey)));
}

/** The issuer and serial number of a certificate, as a SignerInfo names its signer. */
function issuerAndSerial(certificate: Buffer): Buffer {
  const [tbs] = children(readTlv(certificate, 0).content);
  if (!tbs) throw new RangeError('not a certificate');
  const fields = children(tbs.content);
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[at];
  const issuer = fields[at + 2];
  if (!serial || serial.tag !== 0x02 || !issuer || issuer.tag !== 0x30) {
    throw new RangeError('not a certificate');
  }
  return seq(issuer.raw, serial.raw);
}

/** What {@link signedData} signs, and with what. */
export interface SignedDataSpec {
  content: Buffer;
  /** The signer's certificate (DER); named in the SignerInfo, not embedded. */
  certificate: Buffer;
  privateKey: KeyObject;
  /** Signing time (ms). */
  signingTime: number;
}

/**
 * A ContentInfo holding SignedData over `content` (embedded), signed by the certificate's key.
 * DER; base64 it (with PEM armour `PKCS7`) for `openssl smime -verify -inform PEM`.
 * @example
 * const p7 = signedData({ content: Buffer.from(doc), certificate, privateKey, signingTime: now });
 */
export function signedData(s: SignedDataSpec): Buffer {
  const digest = createHash('sha256').update(s.content).digest();
  const attributes = setOf(
    seq(oid(OID.contentType), setOf(oid(OID.data))),
    seq(oid(OID.signingTime), setOf(time(s.signingTime))),
    seq(oid(OID.messageDigest), setOf(octets(digest))),
  );
  // RFC 5652 5.4: the signature covers the attributes encoded as a SET OF (tag 0x31); the
  // SignerInfo carries them under [0] IMPLICIT.
  const signerInfo = seq(
    int(1n),
    issuerAndSerial(s.certificate),
    algorithm(OID.sha256),
    implicitConstructed(0, attributes),
    algorithm(OID.rsaEncryption, nul()),
    octets(sign('sha256', attributes, s.privateKey)),
  );
  const body = seq(
    int(1n),
    setOf(algorithm(OID.sha256)),
    seq(oid(OID.data), explicit(0, octets(s.content))),
    setOf(signerInfo),
  );
  return seq(oid(OID.signedData), explicit(0, body));
}

/** `der` as base64 in lines of 64 characters (a PEM body), without armour or final newline. */
export function base64Lines(der: Buffer): string {
  return (der.toString('base64').match(/.{1,64}/g) ?? []).join('\n');
}
