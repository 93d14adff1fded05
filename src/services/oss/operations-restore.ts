/**
 * @module RestoreObject, declared as in `operations.ts` (which splices it in ahead of its own: it
 * is selected by the `restore` sub-resource, which no other operation uses). The second
 * declaration is the same call addressed to a version (`?restore&versionId=`), so that
 * `versionId` stays exclusive to the calls that understand it.
 */
import { restoreObject } from './handlers/restore.js';
import type { OssOperation } from './operations.js';

const RESTORE_OBJECT: OssOperation = {
  name: 'RestoreObject',
  level: 'object',
  method: 'POST',
  sub: ['restore'],
  action: 'oss:RestoreObject',
  bucket: 'required',
  authn: 'signature',
  acl: 'write',
  handler: restoreObject,
  doc: 'Restore an Archive, ColdArchive or DeepColdArchive object (takes its time on yunbox’s clock)',
};

/** The operations of this file, in selection order. */
export const RESTORE_OPERATIONS: readonly OssOperation[] = [
  {
    ...RESTORE_OBJECT,
    sub: ['restore', 'versionId'],
    doc: 'RestoreObject of a version (`?restore&versionId=`)',
  },
  RESTORE_OBJECT,
];
