/**
 * @module The audit trail's error catalogue (ActionTrail 2020-07-06). Bad LookupEvents input is
 * the gateway's `InvalidParameter`, naming the parameter and the value.
 */
import { defineError } from '../../kernel/errors.js';

/** Denial of an ActionTrail call (RAM did not allow it). */
export const TrailNoPermission = defineError(
  'NoPermission',
  403,
  'You are not authorized to do this action. You should be authorized by RAM.',
);
