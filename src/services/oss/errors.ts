/**
 * @module OSS's error catalogue: each error the OSS handlers raise, with OSS's code, status and
 * wording (oss.md §8; the status table is `protocol/oss-errors.ts`). OSS errors are not in the
 * RPC catalogue (`defineError`): they travel as {@link OssError}, which carries the `EC` and the
 * extra `<Error>` elements that OSS adds (`BucketName`, `Key`, `ArgumentName`...).
 */
import { ServiceError } from '../../kernel/errors.js';
import { MALFORMED_XML_MESSAGE } from '../../protocol/oss-xml.js';
import { OSS_ERROR_STATUS, type OssFailure } from '../../protocol/oss-errors.js';

/** An OSS error response, raised by any stage and written by the protocol. */
export class OssError extends ServiceError {
  /** Fine-grained `EC`, when known. */
  readonly ec: string | undefined;
  constructor(
    code: string,
    status: number,
    message: string,
    options: {
      ec?: string;
      fields?: Record<string, string>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(code, status, message, options.fields ?? {}, options.headers ?? {});
    this.name = 'OssError';
    this.ec = options.ec;
  }

  /** The error of an {@link OssFailure} returned by a codec or verifier. */
  static from(failure: OssFailure): OssError {
    return new OssError(failure.code, failure.status, failure.message, {
      ...(failure.ec !== undefined ? { ec: failure.ec } : {}),
      ...(failure.fields !== undefined ? { fields: failure.fields } : {}),
    });
  }
}

/** Statuses of codes that `OSS_ERROR_STATUS` does not list. */
const EXTRA_STATUS: Readonly<Record<string, number>> = {
  NoSuchBucketPolicy: 404,
  NoSuchCORSConfiguration: 404,
  ObjectNotAppendable: 409,
  PositionNotEqualToLength: 409,
  AccessForbidden: 403,
  ServiceUnavailable: 503,
  IncompleteBody: 400,
  RequestTimeout: 400,
  InvalidPolicyDocument: 400,
  InvalidEncryptionAlgorithmError: 400,
  InvalidObjectState: 403,
  OperationNotSupported: 400,
  RestoreAlreadyInProgress: 409,
  ArchiveRestoreFileStale: 409,
  ArchiveRestoreNotFinished: 409,
  NoSuchVersion: 404,
};

function make(
  code: string,
  message: string,
  options: { ec?: string; fields?: Record<string, string>; headers?: Record<string, string> } = {},
): OssError {
  return new OssError(code, OSS_ERROR_STATUS[code] ?? EXTRA_STATUS[code] ?? 400, message, options);
}

/** `404 NoSuchBucket`. */
export const noSuchBucket = (bucket: string) =>
  make('NoSuchBucket', 'The specified bucket does not exist.', {
    ec: '0015-00000101',
    fields: { BucketName: bucket },
  });

/** `404 NoSuchKey`. */
export const noSuchKey = (key: string) =>
  make('NoSuchKey', 'The specified key does not exist.', {
    ec: '0026-00000001',
    fields: { Key: key },
  });

/**
 * `404 NoSuchKey` for a key whose current version is a delete marker: the marker's headers tell
 * the client why (doc: GetObject, versioning).
 */
export const noSuchKeyDeleted = (key: string, markerVersionId: string) =>
  make('NoSuchKey', 'The specified key does not exist.', {
    ec: '0026-00000001',
    fields: { Key: key },
    headers: { 'x-oss-delete-marker': 'true', 'x-oss-version-id': markerVersionId },
  });

/** `404 NoSuchVersion`: the `versionId` names no version of the key (0012-00000203). */
export const noSuchVersion = (key: string, versionId: string) =>
  make('NoSuchVersion', 'The specified version does not exist.', {
    ec: '0012-00000203',
    fields: { Key: key, VersionId: versionId },
  });

/** `405 MethodNotAllowed` for a read naming a delete marker's version (doc: GetObject). */
export const deleteMarkerNotAllowed = (method: string, versionId: string) =>
  make('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    fields: { Method: method, ResourceType: 'DeleteMarker' },
    headers: { 'x-oss-delete-marker': 'true', 'x-oss-version-id': versionId },
  });

/** `404 NoSuchUpload`. */
export const noSuchUpload = (uploadId: string) =>
  make(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { fields: { UploadId: uploadId } },
  );

/** `409 BucketNotEmpty` (objects or unfinished multipart uploads remain). */
export const bucketNotEmpty = (bucket: string) =>
  make('BucketNotEmpty', 'The bucket you tried to delete is not empty.', {
    fields: { BucketName: bucket },
  });

/** `409 BucketAlreadyExists` (the name belongs to another account). */
export const bucketAlreadyExists = (bucket: string) =>
  make(
    'BucketAlreadyExists',
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
    { fields: { BucketName: bucket } },
  );

/** `400 TooManyBuckets`. */
export const tooManyBuckets = () =>
  make('TooManyBuckets', 'You have attempted to create more buckets than allowed.');

/** `400 InvalidBucketName`. */
export const invalidBucketName = (bucket: string) =>
  make('InvalidBucketName', 'The specified bucket is not valid.', {
    fields: { BucketName: bucket },
  });

/** `400 InvalidObjectName`. */
export const invalidObjectName = (why: string) =>
  make('InvalidObjectName', 'The specified object is not valid.', {
    ec: '0016-00000005',
    fields: { Reason: why },
  });

/** `400 InvalidArgument`, naming the argument. */
export const invalidArgument = (message: string, name?: string, value?: string) =>
  make(
    'InvalidArgument',
    message,
    name !== undefined ? { fields: { ArgumentName: name, ArgumentValue: value ?? '' } } : {},
  );

/** `400 MissingArgument`. */
export const missingArgument = (name: string) =>
  make('MissingArgument', `Missing Some Required Arguments.`, { fields: { ArgumentName: name } });

/** `400 MalformedXML`. */
export const malformedXml = () => make('MalformedXML', MALFORMED_XML_MESSAGE);

/** `400 InvalidDigest`: Content-MD5 malformed or not the body's. */
export const invalidDigest = (mismatch: boolean, calculated?: string) =>
  make(
    'InvalidDigest',
    mismatch
      ? 'The Content-MD5 you specified did not match what we received.'
      : 'The Content-MD5 you specified is not valid.',
    calculated !== undefined ? { fields: { CalculatedDigest: calculated } } : {},
  );

/** `400 EntityTooLarge`. */
export const entityTooLarge = () =>
  make('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');

/** `400 EntityTooSmall`. */
export const entityTooSmall = () =>
  make('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', {
    ec: '0042-00000213',
  });

/** `400 InvalidPart`. */
export const invalidPart = (partNumber: number) =>
  make(
    'InvalidPart',
    "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
    { fields: { PartNumber: String(partNumber) } },
  );

/** `400 InvalidPartOrder`. */
export const invalidPartOrder = () =>
  make(
    'InvalidPartOrder',
    'The list of parts was not in ascending order. Parts list must specified in order by part number.',
    { ec: '0042-00000209' },
  );

/** `400 IncompleteBody`: the body ended before its Content-Length (or the client left). */
export const incompleteBody = () =>
  make(
    'IncompleteBody',
    'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  );

/**
 * `400 RequestTimeout`: the body stalled (no byte for the body idle timeout, or a small body not
 * received within the request timeout); the connection is closed after it. Code and wording as
 * OSS's (Java SDK `OSSErrorCode.REQUEST_TIMEOUT`; the S3-compatible message).
 */
export const requestTimeout = () =>
  make(
    'RequestTimeout',
    'Your socket connection to the server was not read from or written to within the timeout period.',
  );

/** `411 MissingContentLength`. */
export const missingContentLength = () =>
  make('MissingContentLength', 'You must provide the Content-Length HTTP header.');

/** `412 PreconditionFailed` with the failing `Condition`. */
export const preconditionFailed = (condition: string) =>
  make('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.', {
    fields: { Condition: condition },
  });

/** `416 InvalidRange` (only with `x-oss-range-behavior: standard`). */
export const invalidRange = () => make('InvalidRange', 'The requested range cannot be satisfied.');

/** `409 FileAlreadyExists` (`x-oss-forbid-overwrite: true`). */
export const fileAlreadyExists = () =>
  make('FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');

/** `409 ObjectNotAppendable`. */
export const objectNotAppendable = () =>
  make('ObjectNotAppendable', 'The object is not appendable');

/** `409 PositionNotEqualToLength`, with the length in `x-oss-next-append-position`. */
export const positionNotEqualToLength = (length: number) =>
  make('PositionNotEqualToLength', 'Position is not equal to file length', {
    headers: { 'x-oss-next-append-position': String(length) },
  });

/** `404 NoSuchBucketPolicy`. */
export const noSuchBucketPolicy = (bucket: string) =>
  make('NoSuchBucketPolicy', 'The bucket policy does not exist.', {
    fields: { BucketName: bucket },
  });

/** `404 NoSuchCORSConfiguration`. */
export const noSuchCorsConfiguration = (bucket: string) =>
  make('NoSuchCORSConfiguration', 'The CORS Configuration does not exist.', {
    fields: { BucketName: bucket },
  });

/** `400 InvalidPolicyDocument`, with the engine's first diagnostic. */
export const invalidPolicyDocument = (detail: string) =>
  make('InvalidPolicyDocument', `Invalid policy document: ${detail}`);

/** `403 AccessForbidden`: a CORS request no rule allows. */
export const corsForbidden = (why: 'disabled' | 'denied') =>
  make(
    'AccessForbidden',
    why === 'disabled'
      ? 'CORSResponse: CORS is not enabled for this bucket.'
      : "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec.",
  );

/** `501 NotImplemented`, naming the sub-resource (or header) and, when known, the feature. */
export const notImplemented = (what: string, feature?: string) =>
  make('NotImplemented', 'A header you provided implies functionality that is not implemented.', {
    fields: { Feature: what, ...(feature !== undefined ? { FeatureName: feature } : {}) },
  });

/** `405 MethodNotAllowed`. */
export const methodNotAllowed = (method: string) =>
  make('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    fields: { Method: method },
  });

/** `403 AccessDenied`. */
export const accessDenied = (
  message: string,
  options: { ec?: string; fields?: Record<string, string> } = {},
) => make('AccessDenied', message, options);

/** `500 InternalError`. */
export const internalError = () =>
  make('InternalError', 'We encountered an internal error. Please try again.');

/** `503 ServiceUnavailable`. */
export const serviceUnavailable = () =>
  make('ServiceUnavailable', 'Please reduce your request rate.');

/** `400 MalformedPOSTRequest`: a PostObject body that is not well-formed form data. */
export const malformedForm = (why: string) =>
  make(
    'MalformedPOSTRequest',
    'The body of your POST request is not well-formed multipart/form-data.',
    { fields: { Reason: why } },
  );

/** `400 PartNotSequential`: a part of a sequential upload out of order (oss2's exceptions.py). */
export const partNotSequential = () =>
  make('PartNotSequential', 'For sequential multipart upload, you must upload the parts in order.');
// ---- bucket configuration (encryption, Referer, request payment, Block Public Access)

/**
 * `400 InvalidEncryptionAlgorithmError`: an `x-oss-server-side-encryption` or `SSEAlgorithm`
 * OSS does not know (doc: Common error codes, "InvalidEncryptionAlgorithmError"; 0005-00000003).
 */
export const invalidEncryptionAlgorithm = () =>
  new OssError(
    'InvalidEncryptionAlgorithmError',
    400,
    'The Encryption request you specified is not valid. Supported value: AES256/KMS/SM4',
    { ec: '0005-00000003' },
  );

/**
 * `403 KmsServiceNotEnabled`: KMS encryption asked for, and yunbox has no KMS, as an account that
 * never activated KMS (doc: PutObject "KmsServiceNotEnabled"; 0005-00000218).
 */
export const kmsServiceNotEnabled = () =>
  new OssError('KmsServiceNotEnabled', 403, 'The KMS service is not enabled for this account.', {
    ec: '0005-00000218',
  });

/** `404 NoSuchServerSideEncryptionRule` (GetBucketEncryption on a bucket without one). */
export const noSuchServerSideEncryptionRule = (bucket: string) =>
  new OssError(
    'NoSuchServerSideEncryptionRule',
    404,
    'The server side encryption configuration was not found.',
    { fields: { BucketName: bucket } },
  );

/** `403 AccessDenied`: the Referer rules refuse an anonymous or presigned request. */
export const refererDenied = () => accessDenied('You are denied by bucket referer policy.');

/**
 * `403 AccessDenied` of a requester-pays bucket: anonymous (0003-00000701), presigned URL without
 * `x-oss-request-payer=requester` (0003-00000702), signed header request without it
 * (0003-00000703).
 */
export const requesterPayDenied = (why: 'anonymous' | 'url' | 'header', bucket: string) =>
  accessDenied('Access denied for requester pay bucket', {
    ec: why === 'anonymous' ? '0003-00000701' : why === 'url' ? '0003-00000702' : '0003-00000703',
    fields: { BucketName: bucket },
  });

/** `403 AccessDenied`: a public ACL or policy asked for while Block Public Access is on. */
export const publicAccessBlocked = (what: 'acl' | 'policy') =>
  accessDenied(
    what === 'acl'
      ? 'Put public object acl or bucket acl is not allowed, because block public access is enabled.'
      : 'Put public bucket policy is not allowed, because block public access is enabled.',
  );

// ---- archived objects and RestoreObject (handlers/restore.ts)

/**
 * `403 InvalidObjectState`: reading (GetObject, a copy's source) an Archive, ColdArchive or
 * DeepColdArchive object that is not restored (doc: "The operation is not valid for the object's
 * state" error when accessing an Archive object).
 */
export const invalidObjectState = () =>
  make('InvalidObjectState', "The operation is not valid for the object's state");

/** `400 OperationNotSupported`: RestoreObject on an object that is not of an archive class. */
export const operationNotSupported = () =>
  make('OperationNotSupported', 'The operation is not supported for this resource');

/** `409 RestoreAlreadyInProgress` (doc: RestoreObject). */
export const restoreAlreadyInProgress = () =>
  make('RestoreAlreadyInProgress', 'The restore operation is in progress.');

/** `404 NoSuchLifecycle` (GetBucketLifecycle on a bucket without rules). */
export const noSuchLifecycle = (bucket: string) =>
  new OssError('NoSuchLifecycle', 404, 'No Row found in Lifecycle Table.', {
    fields: { BucketName: bucket },
  });

/** `409 ArchiveRestoreFileStale`: CleanRestoredObject with no restored copy (doc: CleanRestoredObject). */
export const archiveRestoreFileStale = () =>
  make('ArchiveRestoreFileStale', 'The archive file or restore info stale');

/** `409 ArchiveRestoreNotFinished`: CleanRestoredObject while the restore runs. */
export const archiveRestoreNotFinished = () =>
  make('ArchiveRestoreNotFinished', "The archive file's restore is not finished.");
