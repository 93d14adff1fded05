/**
 * @module OSS error responses (oss.md §8): the result shape every OSS codec and verifier returns
 * instead of throwing, the status each error code must carry (oss2 picks its exception class by
 * the exact `(status, Code)` pair), the `<Error>` XML body with its extra elements in the order
 * real OSS writes them, and the base64 `x-oss-err` header that carries the same XML on HEAD
 * responses, which have no body.
 */

import { xmlDocument, type XmlFields } from './oss-xml.js';

/**
 * A failure in OSS terms: what the gateway turns into an error response.
 * @example
 * const f: OssFailure = { ok: false, code: 'MalformedXML', status: 400, message: '...' };
 */
export interface OssFailure {
  ok: false;
  /** Wire `Code`, e.g. `SignatureDoesNotMatch`. */
  code: string;
  /** HTTP status that must go with `code` (see {@link OSS_ERROR_STATUS}). */
  status: number;
  /** Wire `Message`, in Alibaba's wording where known. */
  message: string;
  /** Fine-grained `EC` (`dddd-dddddddd`) for `x-oss-ec` and `/Error/EC`, when known. */
  ec?: string;
  /** Extra `/Error` elements in wire order (e.g. `ServerTime`, `StringToSign`). */
  fields?: Record<string, string>;
}

/** Success with a value, or an {@link OssFailure}. */
export type OssResult<T> = { ok: true; value: T } | OssFailure;

/**
 * HTTP status of each OSS error code the SDKs know (oss.md §8.2).
 *
 * oss2 maps `(status, Code)` pairs to exception classes (oss2/exceptions.py), so a code must never
 * travel with another status. `NotImplemented` follows the emulator (501); its real status is
 * open in oss.md.
 */
export const OSS_ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  SecurityTokenExpired: 403,
  InvalidSecurityToken: 403,
  RequestTimeTooSkewed: 403,
  InvalidArgument: 400,
  MissingArgument: 400,
  MalformedXML: 400,
  InvalidBucketName: 400,
  InvalidObjectName: 400,
  InvalidDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  TooManyBuckets: 400,
  InvalidRange: 416,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  MethodNotAllowed: 405,
  BucketAlreadyExists: 409,
  BucketNotEmpty: 409,
  FileAlreadyExists: 409,
  MissingContentLength: 411,
  PreconditionFailed: 412,
  NotModified: 304,
  InternalError: 500,
  NotImplemented: 501,
});

/**
 * Build an {@link OssFailure} whose status comes from {@link OSS_ERROR_STATUS}.
 *
 * Unknown codes get 400, which is what OSS uses for client mistakes it has no better code for.
 * @example
 * ossFailure('MalformedXML', 'The XML you provided was not well-formed.')
 */
export function ossFailure(
  code: string,
  message: string,
  extra: { ec?: string; fields?: Record<string, string> } = {},
): OssFailure {
  const failure: OssFailure = { ok: false, code, status: OSS_ERROR_STATUS[code] ?? 400, message };
  if (extra.ec !== undefined) failure.ec = extra.ec;
  if (extra.fields !== undefined) failure.fields = extra.fields;
  return failure;
}

/** What goes into one `<Error>` body. */
export interface OssErrorBody {
  /** Wire `Code`. */
  code: string;
  /** Wire `Message`. */
  message: string;
  /** Same value as the `x-oss-request-id` header (ali-oss reports the XML one). */
  requestId: string;
  /** The Host the request used, e.g. `examplebucket.oss-cn-hangzhou.aliyuncs.com`. */
  hostId: string;
  /** Fine-grained code; also written as `RecommendDoc` unless `recommendDoc` is `false`. */
  ec?: string;
  /** Override the `RecommendDoc` URL, or `false` to leave the element out. */
  recommendDoc?: string | false;
  /** Extra elements after `HostId`, in the order given (e.g. `BucketName`, `ServerTime`). */
  fields?: Record<string, string>;
}

/**
 * Serialise an OSS error body exactly as OSS lays it out (oss.md §8.1).
 *
 * Element order: `Code`, `Message`, `RequestId`, `HostId`, the extra fields, `EC`, `RecommendDoc`.
 * That is the order of real responses quoted in public issues, e.g. SignatureDoesNotMatch with
 * `OSSAccessKeyId`/`SignatureProvided`/`StringToSign`/`StringToSignBytes` before `EC`
 * (github vastsa/FileCodeBox#137) and RequestTimeTooSkewed with `MaxAllowedSkewMilliseconds`,
 * `RequestTime`, `ServerTime` after `HostId` (github aliyun/aliyun-oss-android-sdk#167).
 * @example
 * ossErrorXml({ code: 'NoSuchKey', message: 'The specified key does not exist.',
 *   requestId: '636B68BA80DA8539399F0000', hostId: 'b.oss-cn-hangzhou.aliyuncs.com',
 *   ec: '0026-00000001', fields: { Key: 'a.txt' } })
 */
export function ossErrorXml(body: OssErrorBody): string {
  const fields: XmlFields = {
    Code: body.code,
    Message: body.message,
    RequestId: body.requestId,
    HostId: body.hostId,
  };
  for (const [name, value] of Object.entries(body.fields ?? {})) {
    if (!(name in fields) && name !== 'EC' && name !== 'RecommendDoc') fields[name] = value;
  }
  if (body.ec !== undefined) {
    fields.EC = body.ec;
    if (body.recommendDoc !== false) {
      fields.RecommendDoc =
        body.recommendDoc ?? `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(body.ec)}`;
    }
  } else if (typeof body.recommendDoc === 'string') {
    fields.RecommendDoc = body.recommendDoc;
  }
  return xmlDocument('Error', fields);
}

/**
 * Serialise an {@link OssFailure} as an error body for one request.
 * @example
 * ossFailureXml(failure, { requestId, hostId: req.headers.host ?? '' })
 */
export function ossFailureXml(
  failure: Pick<OssFailure, 'code' | 'message' | 'ec' | 'fields'>,
  context: { requestId: string; hostId: string },
): string {
  const body: OssErrorBody = {
    code: failure.code,
    message: failure.message,
    requestId: context.requestId,
    hostId: context.hostId,
  };
  if (failure.ec !== undefined) body.ec = failure.ec;
  if (failure.fields !== undefined) body.fields = failure.fields;
  return ossErrorXml(body);
}

/**
 * Value of the `x-oss-err` header: the whole error XML, base64-encoded.
 *
 * HEAD responses cannot carry a body; OSS puts the error there instead and both SDKs decode it
 * (ali-oss lib/client.js `requestError`, oss2 oss2/exceptions.py `make_exception`). Without it
 * ali-oss reports any body-less 404 as `NoSuchKey` (oss.md §6.7).
 * @example
 * res.setHeader('x-oss-err', ossErrHeader(ossErrorXml(body)));
 */
export function ossErrHeader(errorXml: string): string {
  return Buffer.from(errorXml, 'utf8').toString('base64');
}

/**
 * Bytes of a string-to-sign as OSS prints them in `StringToSignBytes`: upper-case hex per UTF-8
 * byte, each followed by one space (so the text ends with a space, as in real responses quoted in
 * github vastsa/FileCodeBox#137).
 * @example
 * stringToSignBytes('GET\n') // '47 45 54 0A '
 */
export function stringToSignBytes(stringToSign: string): string {
  let out = '';
  for (const b of Buffer.from(stringToSign, 'utf8')) {
    out += (b < 16 ? '0' : '') + b.toString(16).toUpperCase() + ' ';
  }
  return out;
}
