/**
 * @module PostObject: a browser form upload (`POST /` on the bucket, `multipart/form-data`) whose
 * authority is a signed policy in the form (doc: PostObject; ali-oss `calculatePostSignature`,
 * `signPostObjectPolicyV4`):
 *
 * - V1: `OSSAccessKeyId`, `policy` (base64 JSON) and `Signature` = base64 HMAC-SHA1(secret, policy);
 * - V4: `x-oss-signature-version: OSS4-HMAC-SHA256`, `x-oss-credential`, `x-oss-date`,
 *   `x-oss-signature` = hex HMAC-SHA256(signing key, policy);
 * - STS credentials add `x-oss-security-token`; no signature at all is an anonymous upload,
 *   allowed only by the bucket ACL (`public-read-write`) or bucket policy.
 *
 * The policy's `expiration` is checked on yunbox's clock and each condition (`eq`, `starts-with`,
 * `in`, `not-in`, `content-length-range`, and `{ "field": "value" }`) against the form; the file
 * streams into the blob store bounded by `content-length-range`.
 */
import { constantTimeEqual, parseIsoBasic } from '../../../auth/oss-common.js';
import { signOssV1 } from '../../../auth/oss-v1.js';
import { parseOssV4Credential, signOssV4 } from '../../../auth/oss-v4.js';
import { OssAuthorizer } from '../authz.js';
import { etagFromMd5, urlEncodeKey } from '../../../protocol/oss-format.js';
import { xmlDocument } from '../../../protocol/oss-xml.js';
import { readClock } from '../../../kernel/clock.js';
import type { Principal } from '../../../kernel/principal.js';
import { resolveKey } from '../authn.js';
import type { OssCall, OssReply } from '../context.js';
import {
  OssError,
  accessDenied,
  entityTooSmall,
  fileAlreadyExists,
  invalidArgument,
  invalidObjectName,
  malformedForm,
  noSuchBucket,
} from '../errors.js';
import { formBoundary, readForm } from '../form.js';
import {
  MAX_OBJECT_BYTES,
  extranetEndpoint,
  keyProblem,
  objectArn,
  type OssObject,
} from '../model.js';
import { blobWriteError, objectAclArg, objectHeadersFrom, storageClassArg } from './common.js';
import { encryptionReplyHeaders, uploadEncryption } from './encryption.js';
import { publicAccessIsBlocked, refusePublicAcl } from './public-access-block.js';
import { commit, newObjectId } from './objects.js';
import { versionHeaders, writeVersionId } from './versioning.js';
import { requestTags } from './tagging.js';
import { checkReferer } from './referer.js';

/** Text fields before the file, at most. */
const MAX_FIELD_BYTES = 64 * 1024;

type Condition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; source: string }
  | { op: 'in' | 'not-in'; field: string; values: string[]; source: string }
  | { op: 'range'; min: number; max: number; source: string };

function policyFailed(detail: string): OssError {
  return accessDenied(`Invalid according to Policy: ${detail}`);
}

/** Parses a decoded policy document; `InvalidPolicyDocument` when it is not one. */
export function parsePostPolicy(text: string): { expiration: number; conditions: Condition[] } {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidArgument('Invalid Policy: Invalid JSON.', 'policy', '');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw invalidArgument('Invalid Policy: Invalid JSON.', 'policy', '');
  }
  const expiration = Date.parse(String(doc.expiration ?? ''));
  if (Number.isNaN(expiration)) {
    throw invalidArgument(
      "Invalid Policy: Invalid 'expiration' value.",
      'policy',
      String(doc.expiration ?? ''),
    );
  }
  const conditions: Condition[] = [];
  for (const c of Array.isArray(doc.conditions) ? doc.conditions : []) {
    const source = JSON.stringify(c);
    if (Array.isArray(c)) {
      const op = String(c[0] ?? '').toLowerCase();
      if (op === 'content-length-range') {
        const min = Number(c[1]);
        const max = Number(c[2]);
        if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) {
          throw invalidArgument('Invalid Policy: Invalid content-length-range.', 'policy', source);
        }
        conditions.push({ op: 'range', min, max, source });
        continue;
      }
      const field = String(c[1] ?? '')
        .replace(/^\$/, '')
        .toLowerCase();
      if (op === 'eq' || op === 'starts-with') {
        conditions.push({ op, field, value: String(c[2] ?? ''), source });
      } else if (op === 'in' || op === 'not-in') {
        const values = Array.isArray(c[2]) ? c[2].map(String) : [String(c[2] ?? '')];
        conditions.push({ op, field, values, source });
      } else {
        throw invalidArgument(`Invalid Policy: Unknown condition \`${op}\`.`, 'policy', source);
      }
    } else if (typeof c === 'object' && c !== null) {
      for (const [k, v] of Object.entries(c)) {
        conditions.push({ op: 'eq', field: k.toLowerCase(), value: String(v), source });
      }
    } else {
      throw invalidArgument('Invalid Policy: Invalid condition.', 'policy', source);
    }
  }
  return { expiration, conditions };
}

/** PostObject. */
export async function postObject(call: OssCall): Promise<OssReply> {
  const b = call.bucket;
  if (!b) throw noSuchBucket(call.bucketName ?? '');
  const boundary = formBoundary(call.header('content-type'));
  if (boundary === undefined) throw malformedForm('the Content-Type is not multipart/form-data');
  const form = await readForm(call.body, boundary, MAX_FIELD_BYTES);
  const fields = new Map<string, string>();
  for (const [name, value] of form.fields) {
    const n = name.toLowerCase();
    if (!fields.has(n)) fields.set(n, value);
  }
  const field = (n: string) => fields.get(n);
  const rawKey = field('key');
  if (rawKey === undefined || rawKey === '') throw invalidArgument('Missing key field.', 'key', '');
  const key = rawKey.replaceAll('${filename}', form.filename);
  const problem = keyProblem(key);
  if (problem !== undefined) throw invalidObjectName(problem);
  // The policy's expiration, like the token's, is judged on yunbox's clock.
  const now = call.info.now;
  const at = readClock(call.deps.clock, now);

  // Authentication by the form's signature over the policy.
  const policyB64 = field('policy');
  const version = field('x-oss-signature-version');
  const token = field('x-oss-security-token') ?? field('security-token');
  let principal: Principal = { kind: 'anonymous' };
  if (version !== undefined || field('ossaccesskeyid') !== undefined) {
    if (policyB64 === undefined) throw invalidArgument('Missing policy field.', 'policy', '');
    if (version !== undefined) {
      if (version !== 'OSS4-HMAC-SHA256') {
        throw invalidArgument('Invalid signature version.', 'x-oss-signature-version', version);
      }
      const cred = parseOssV4Credential(field('x-oss-credential') ?? '', 'url');
      if (!cred.ok) throw OssError.from(cred);
      const date = parseIsoBasic(field('x-oss-date') ?? '');
      if (date === undefined || (field('x-oss-date') ?? '').slice(0, 8) !== cred.value.date) {
        throw invalidArgument('Invalid x-oss-date.', 'x-oss-date', field('x-oss-date') ?? '');
      }
      if (cred.value.region !== b.region) {
        throw invalidArgument(
          'Invalid signing region in x-oss-credential.',
          'x-oss-credential',
          cred.value.region,
        );
      }
      const who = await resolveKey(call.deps.resolver, cred.value.accessKeyId, token, at);
      const expected = signOssV4(who.secret, cred.value, policyB64);
      if (!constantTimeEqual(expected, (field('x-oss-signature') ?? '').toLowerCase())) {
        throw signatureMismatch(cred.value.accessKeyId, policyB64);
      }
      principal = who.principal;
    } else {
      const id = field('ossaccesskeyid')!;
      const who = await resolveKey(call.deps.resolver, id, token, at);
      if (!constantTimeEqual(signOssV1(who.secret, policyB64), field('signature') ?? '')) {
        throw signatureMismatch(id, policyB64);
      }
      principal = who.principal;
    }
  }

  // The policy, signed or not, must hold.
  let range: { min: number; max: number } | undefined;
  if (policyB64 !== undefined) {
    const policy = parsePostPolicy(Buffer.from(policyB64, 'base64').toString('utf8'));
    if (now > policy.expiration) throw policyFailed('Policy expired.');
    const valueOf = (f: string) => (f === 'bucket' ? b.name : f === 'key' ? key : field(f));
    for (const c of policy.conditions) {
      if (c.op === 'range') {
        range = {
          min: Math.max(c.min, range?.min ?? 0),
          max: Math.min(c.max, range?.max ?? Infinity),
        };
        continue;
      }
      const v = valueOf(c.field) ?? '';
      let ok: boolean;
      if (c.op === 'eq') ok = v === c.value;
      else if (c.op === 'starts-with') ok = v.startsWith(c.value);
      else if (c.op === 'in') ok = c.values.includes(v);
      else if (c.op === 'not-in') ok = !c.values.includes(v);
      else ok = false;
      if (!ok) throw policyFailed(`Policy Condition failed: ${c.source}`);
    }
  }

  // A form, signed or not, carries no Authorization header: the Referer rules bind it as they
  // bind presigned URLs and anonymous requests (doc: Hotlink protection).
  checkReferer(b, call.header('referer'), false);

  // Authorisation as the form's signer.
  const info = {
    ...call.info,
    principal,
    accountId: principal.kind === 'anonymous' ? b.accountId : principal.accountId,
  };
  const authz = new OssAuthorizer(
    call.deps.identity,
    info,
    (bucket) => publicAccessIsBlocked(call.deps, bucket),
    (bucket) => call.deps.store.getBucketTags(bucket),
  );
  const acl = objectAclArg(field('x-oss-object-acl')) ?? 'default';
  await authz.require({
    action: 'oss:PutObject',
    resource: objectArn(call.info.region, b.accountId, b.name, key),
    bucket: b,
    acl: 'write',
    context: { 'oss:x-oss-object-acl': acl },
  });
  await refusePublicAcl(call.deps, b, acl);
  const tags = await requestTags(call, { field, authz, key });
  // A bucket with versioning keeps the overwritten object as a version (doc: PutObject).
  const forbid =
    (field('x-oss-forbid-overwrite') ?? '').toLowerCase() === 'true' && b.versioning === undefined;
  if (forbid && (await call.deps.store.getObject(b.name, key))) throw fileAlreadyExists();

  const names = [...fields.keys()];
  const headers = {
    ...objectHeadersFrom(
      (n) => (n === 'content-type' ? (field('content-type') ?? form.contentType) : field(n)),
      names,
      key,
    ),
    ...uploadEncryption(field, b),
  };
  let blob;
  try {
    blob = await call.deps.blobs.write(form.file, {
      maxBytes: Math.min(MAX_OBJECT_BYTES, range?.max ?? Infinity),
    });
  } catch (e) {
    throw blobWriteError(e);
  }
  if (range && blob.size < range.min) {
    await call.deps.blobs.delete([blob.blobId]);
    throw entityTooSmall();
  }
  const object: OssObject = {
    bucket: b.name,
    key,
    objectId: newObjectId(),
    versionId: writeVersionId(call, b),
    size: blob.size,
    etag: etagFromMd5(blob.md5),
    crc64: blob.crc64,
    objectType: 'Normal',
    storageClass: storageClassArg(field('x-oss-storage-class')) ?? b.storageClass,
    lastModified: call.deps.clock.now(),
    headers,
    acl,
    ...(tags ? { tags } : {}),
    segments: [
      {
        blobId: blob.blobId,
        size: blob.size,
        md5: blob.md5.toString('hex').toUpperCase(),
        crc64: blob.crc64,
      },
    ],
  };
  await commit(call, b, object, forbid, [blob.blobId]);

  const location = `http://${b.name}.${extranetEndpoint(b.region)}/${urlEncodeKey(key).replace(/%2F/g, '/')}`;
  const base = {
    etag: object.etag,
    'x-oss-hash-crc64ecma': object.crc64,
    location,
    ...encryptionReplyHeaders(headers),
    ...versionHeaders(b, object),
  };
  const redirect = field('success_action_redirect');
  if (redirect !== undefined && /^https?:\/\//.test(redirect)) {
    const sep = redirect.includes('?') ? '&' : '?';
    const q = `bucket=${encodeURIComponent(b.name)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(object.etag)}`;
    return { status: 303, headers: { ...base, location: `${redirect}${sep}${q}` } };
  }
  const status = Number(field('success_action_status') ?? 204);
  if (status === 201) {
    return {
      status: 201,
      headers: { ...base, 'content-type': 'application/xml' },
      body: xmlDocument('PostResponse', {
        Bucket: b.name,
        Location: location,
        Key: key,
        ETag: object.etag,
      }),
    };
  }
  return { status: status === 200 ? 200 : 204, headers: base };
}

function signatureMismatch(accessKeyId: string, policy: string): OssError {
  return new OssError(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    { fields: { OSSAccessKeyId: accessKeyId, StringToSign: policy } },
  );
}
