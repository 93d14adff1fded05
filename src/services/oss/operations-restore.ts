/**
 * @module RestoreObject and CleanRestoredObject, declared as in `operations.ts` (which splices them
 * in ahead of its own: each is selected by a sub-resource no other operation uses). Each is
 * declared twice, the first addressed to a version (`&versionId=`), so that `versionId` stays
 * exclusive to the calls that understand it.
 */
import { cleanRestoredObject, restoreObject } from './handlers/restore.js';
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

const CLEAN_RESTORED_OBJECT: OssOperation = {
  ...RESTORE_OBJECT,
  name: 'CleanRestoredObject',
  sub: ['cleanRestoredObject'],
  action: 'oss:CleanRestoredObject',
  handler: cleanRestoredObject,
  doc: 'End a ColdArchive or DeepColdArchive object’s restored state early (frozen again at once)',
};

/** The operations of this file, in selection order. */
export const RESTORE_OPERATIONS: readonly OssOperation[] = [
  {
    ...RESTORE_OBJECT,
    sub: ['restore', 'versionId'],
    doc: 'RestoreObject of a version (`?restore&versionId=`)',
  },
  RESTORE_OBJECT,
  { ...CLEAN_RESTORED_OBJECT, sub: ['cleanRestoredObject', 'versionId'] },
  CLEAN_RESTORED_OBJECT,
];
