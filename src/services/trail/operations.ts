/**
 * @module ActionTrail 2020-07-06 operations, declared once. LookupEvents' parameters are
 * ActionTrail's (alibabacloud.com/help/en/actiontrail/developer-reference/api-actiontrail-2020-07-06-lookupevents
 * and the official SDKs' `LookupEventsRequest`): `StartTime`/`EndTime` (ISO 8601, UTC; default
 * the last 7 days), `LookupAttribute.N.Key`/`.Value`, `NextToken`, `MaxResults` (1-50, default
 * 20) and `Direction` (`BACKWARD`, newest first, by default; or `FORWARD`).
 */
import { defineOperation } from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';

/** The resource LookupEvents is authorised on: `acs:actiontrail:<region>:<account>:*`. */
export function trailArn(region: string, accountId: string): string {
  return `acs:actiontrail:${region}:${accountId}:*`;
}

export const LookupEvents = defineOperation({
  name: 'LookupEvents',
  params: {
    StartTime: p.str({
      max: 64,
      doc: 'start of the time range, ISO 8601 in UTC, e.g. 2026-01-01T00:00:00Z (default 7 days ago)',
    }),
    EndTime: p.str({ max: 64, doc: 'end of the time range, ISO 8601 in UTC (default now)' }),
    LookupAttribute: p.objectList(
      {
        Key: p.str({
          max: 64,
          doc: 'EventName, EventRW, EventId, EventType, ServiceName, User (or UserName), RoleName, EventAccessKeyId, ResourceType, ResourceName, SourceIpAddress; yunbox also RequestId, ErrorCode, Decision, Instance',
        }),
        Value: p.str({ max: 2048, doc: 'the value, matched exactly (case-sensitive)' }),
      },
      { max: 10, doc: 'filters, all of which must match' },
    ),
    NextToken: p.str({ max: 1024, doc: 'pagination token from the previous page' }),
    MaxResults: p.int({ min: 1, max: 50, doc: 'page size, 1-50 (default 20)' }),
    Direction: p.str({
      max: 16,
      doc: 'BACKWARD (default): newest first; FORWARD: oldest first',
    }),
  },
  authz: (_input, info) => [
    { action: 'actiontrail:LookupEvents', resource: trailArn(info.region, info.accountId) },
  ],
  readOnly: true,
  doc: 'Look up the audit trail: every API call, allowed or denied, with its decision',
});
