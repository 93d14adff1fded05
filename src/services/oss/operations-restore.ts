/**
 * @module RestoreObject and CleanRestoredObject, declared as in `operations.ts` (which splices them
 * in ahead of its own: each is selected by a sub-resource no other operation uses), each
 * addressing the current version or the one `versionId` names.
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
  { ...RESTORE_OBJECT, optional: ['versionId'] },
  { ...CLEAN_RESTORED_OBJECT, optional: ['versionId'] },
];
