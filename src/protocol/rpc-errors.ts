/**
 * @module The gateway-level RPC error catalogue, shared by every RPC service (openapi.md §e.3):
 * signature, timestamp, nonce, token, parameter and routing errors; and how a message quotes
 * what the caller sent ({@link echoInput}): a short, printable prefix, never the whole of it.
 */
import { defineError } from '../kernel/errors.js';

/** Most characters of caller input an error message quotes. */
export const MAX_ECHO = 64;

/**
 * What an error message may quote of caller input: at most `max` characters, anything but
 * printable ASCII (and the backtick that delimits it) shown as `?`, `…` when cut. The message
 * then costs the same whatever was sent, and carries no control character or markup of theirs.
 * @example
 * echoInput('ListUsers') // 'ListUsers'
 * echoInput('A'.repeat(1e6)) // 'AAAA…A…' (64 characters and an ellipsis)
 * echoInput('x\u001b[31m') // 'x?[31m'
 */
export function echoInput(value: string, max = MAX_ECHO): string {
  const cut = value.length > max;
  let out = '';
  for (let i = 0; i < Math.min(value.length, max); i++) {
    const c = value.charCodeAt(i);
    out += c > 0x20 && c < 0x7f && c !== 0x60 ? value[i] : '?';
  }
  return cut ? `${out}…` : out;
}

export const MissingParameter = defineError(
  'MissingParameter',
  400,
  'The input parameter that is mandatory for processing this request is not supplied.',
);
export const InvalidParameter = defineError(
  'InvalidParameter',
  400,
  'The specified parameter is not valid.',
);
export const IncompleteSignature = defineError(
  'IncompleteSignature',
  400,
  'The request signature does not conform to Aliyun standards.',
);
export const SignatureDoesNotMatch = defineError(
  'SignatureDoesNotMatch',
  400,
  'Specified signature is not matched with our calculation.',
);
export const SignatureNonceUsed = defineError(
  'SignatureNonceUsed',
  400,
  'Specified signature nonce was used already.',
);
export const InvalidTimeStampExpired = defineError(
  'InvalidTimeStamp.Expired',
  400,
  'Specified time stamp or date value is expired.',
);
export const InvalidTimeStampFormat = defineError(
  'InvalidTimeStamp.Format',
  400,
  'Specified time stamp or date value is not well formatted.',
);
export const InvalidSignatureMethod = defineError(
  'InvalidSignatureMethod',
  400,
  'The specified parameter "SignatureMethod" is not valid.',
);
export const InvalidSignatureVersion = defineError(
  'InvalidSignatureVersion',
  400,
  'The specified parameter "SignatureVersion" is not valid.',
);
export const InvalidAccessKeyIdNotFound = defineError(
  'InvalidAccessKeyId.NotFound',
  404,
  'Specified access key is not found.',
);
export const InvalidAccessKeyIdInactive = defineError(
  'InvalidAccessKeyId.Inactive',
  400,
  'Specified access key is disabled.',
);
export const InvalidSecurityTokenExpired = defineError(
  'InvalidSecurityToken.Expired',
  400,
  'Specified SecurityToken is expired.',
);
export const InvalidSecurityTokenMalformed = defineError(
  'InvalidSecurityToken.Malformed',
  400,
  'Specified SecurityToken is malformed.',
);
export const InvalidSecurityTokenMismatch = defineError(
  'InvalidSecurityToken.MismatchWithAccessKey',
  400,
  'Specified SecurityToken mismatch with the AccessKey.',
);
export const MissingSecurityToken = defineError(
  'MissingSecurityToken',
  400,
  'SecurityToken is mandatory for this action.',
);
export const InvalidActionNotFound = defineError(
  'InvalidAction.NotFound',
  404,
  'Specified api is not found, please check your url and method.',
);
export const InvalidVersion = defineError(
  'InvalidVersion',
  400,
  'Specified parameter Version is not valid.',
);
export const UnsupportedHTTPMethod = defineError(
  'UnsupportedHTTPMethod',
  403,
  'This http method is not supported.',
);
export const RequestTooLarge = defineError(
  'InvalidParameter.RequestTooLarge',
  413,
  'The request body is too large.',
);
export const InternalError = defineError(
  'InternalError',
  500,
  'The request processing has failed due to some unknown error, exception or failure.',
);
export const ServiceUnavailable = defineError(
  'ServiceUnavailable',
  503,
  'The request has failed due to a temporary failure of the server.',
);
