/**
 * @module Requester pays (doc: PutBucketRequestPayment, GetBucketRequestPayment, "Enable
 * pay-by-requester"). With `Payer` set to `Requester`, a bucket refuses anonymous requests
 * (0003-00000701) and requests from other accounts that do not acknowledge the charge with
 * `x-oss-request-payer: requester`, a header when signed in the header (0003-00000703) or a query
 * parameter of a presigned URL (0003-00000702). The owning account (its RAM users and roles
 * included) never needs it. yunbox bills nobody; the check is what clients see.
 */
import { parseOssXml, xmlChildText, xmlDocument } from '../../../protocol/oss-xml.js';
import type { Principal } from '../../../kernel/principal.js';
import type { OssCall, OssReply, QueryView } from '../context.js';
import { invalidArgument, malformedXml, noSuchBucket, requesterPayDenied } from '../errors.js';
import type { Bucket } from '../model.js';
import { readSmallBody, unwrap } from './common.js';

const MAX_BODY_BYTES = 4 * 1024;

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/**
 * Refuses a request a requester-pays bucket may not serve: anonymous, or from another account
 * without `x-oss-request-payer: requester` (header, or query parameter of a presigned URL).
 */
export function checkRequestPayer(
  bucket: Bucket,
  principal: Principal,
  request: {
    header: (name: string) => string | undefined;
    query: QueryView;
    signedInHeader: boolean;
  },
): void {
  if (bucket.requestPayer !== 'Requester') return;
  if (principal.kind === 'anonymous') throw requesterPayDenied('anonymous', bucket.name);
  if (principal.accountId === bucket.accountId) return;
  const given = request.signedInHeader
    ? request.header('x-oss-request-payer')
    : (request.query.get('x-oss-request-payer') ?? request.header('x-oss-request-payer'));
  if ((given ?? '').toLowerCase() !== 'requester') {
    throw requesterPayDenied(request.signedInHeader ? 'header' : 'url', bucket.name);
  }
}

/** PutBucketRequestPayment (`PUT /?requestPayment`): `Payer` is `BucketOwner` or `Requester`. */
export async function putBucketRequestPayment(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const body = await readSmallBody(call, MAX_BODY_BYTES);
  const root = unwrap(parseOssXml(body, { maxBytes: MAX_BODY_BYTES, maxElements: 8 }));
  // The Tea OSS client sends `<Payer>` itself as the document; both shapes are read.
  const payer =
    root.name === 'Payer'
      ? root.text.trim()
      : root.name === 'RequestPaymentConfiguration'
        ? xmlChildText(root, 'Payer')?.trim()
        : undefined;
  if (payer === undefined) throw malformedXml();
  if (payer !== 'BucketOwner' && payer !== 'Requester') {
    throw invalidArgument('Invalid Payer.', 'Payer', payer.slice(0, 64));
  }
  await call.deps.store.updateBucket(b.name, {
    requestPayer: payer === 'Requester' ? 'Requester' : null,
  });
  return { status: 200 };
}

/** GetBucketRequestPayment (`GET /?requestPayment`): `BucketOwner` unless set otherwise. */
export async function getBucketRequestPayment(call: OssCall): Promise<OssReply> {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('RequestPaymentConfiguration', {
      Payer: bucketOf(call).requestPayer ?? 'BucketOwner',
    }),
  };
}
