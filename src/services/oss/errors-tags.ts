/**
 * @module The errors of object and bucket tags and of symlinks (issue 18), kept apart from
 * `errors.ts` so the features of issue 18 add their catalogues side by side. Codes, statuses and
 * EC values as OSS documents them (doc: "0010-00000209", "0010-00000210", "0010-00000217",
 * "0010-00000219", "0026-00000012", "0043-00000101"); messages in OSS's style where the docs
 * give none.
 */
import { OssError } from './errors.js';

/**
 * `400 InvalidTag`: a tag breaks OSS's rules (characters, lengths, count, a repeated key); the
 * message says which rule.
 */
export const invalidTag = (message: string, ec: string) =>
  new OssError('InvalidTag', 400, message, { ec });

/** `400 InvalidArgument` of an `x-oss-tagging` header that is not `k1=v1&k2=v2` (0010-00000219). */
export const invalidTaggingHeader = (value: string) =>
  new OssError('InvalidArgument', 400, 'The x-oss-tagging header is not in key=value format.', {
    ec: '0010-00000219',
    fields: { ArgumentName: 'x-oss-tagging', ArgumentValue: value },
  });

/** `404 SymlinkTargetNotExist`: GET or HEAD of a symlink whose target is missing. */
export const symlinkTargetNotExist = (target: string) =>
  new OssError('SymlinkTargetNotExist', 404, 'The symlink target object does not exist', {
    ec: '0026-00000012',
    fields: { SymlinkTarget: target },
  });

/** `400 InvalidTargetType`: GET or HEAD of a symlink whose target is itself a symlink. */
export const invalidTargetType = () =>
  new OssError('InvalidTargetType', 400, 'The symlink target object type is not supported.');

/** `400 NotSymlink`: GetSymlink of an object that is not a symlink (0043-00000101). */
export const notSymlink = () =>
  new OssError('NotSymlink', 400, 'The specified object is not a symlink.', {
    ec: '0043-00000101',
  });
