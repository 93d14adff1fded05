/**
 * @module Trail events for tests: one complete {@link TrailEvent} (the root account creating the
 * RAM user `alice`, allowed), which a test changes only where it matters, so that a field added
 * to the model is added here once.
 */
import type { TrailEvent } from '../services/trail/model.js';

/**
 * A complete, valid trail event: the root account of `1000000000000001` creating the RAM user
 * `alice`, allowed, with `over` laid on top.
 * @example
 * const refused = trailEvent({ identityType: 'unknown', accountId: '', decision: 'none' });
 */
export function trailEvent(over: Partial<TrailEvent> = {}): TrailEvent {
  return {
    eventId: '018F3A2B-4C5D-7000-8A1B-2C3D4E5F6A7B',
    eventTime: 1_700_000_000_000,
    accountId: '1000000000000001',
    eventName: 'CreateUser',
    eventType: 'ApiCall',
    eventRW: 'Write',
    serviceName: 'Ram',
    eventSource: 'ram.aliyuncs.com',
    apiVersion: '2015-05-01',
    region: 'cn-hangzhou',
    sourceIp: '127.0.0.1',
    userAgent: 'AlibabaCloud (linux; x64) Node.js/v20',
    requestId: '6C1E0E5B-0000-4000-8000-000000000000',
    errorCode: '',
    errorMessage: '',
    identityType: 'root-account',
    principalId: '1000000000000001',
    userName: 'root',
    roleName: '',
    accessKeyId: 'LTAIroot',
    resourceType: 'ACS::RAM::User',
    resourceName: 'alice',
    decision: 'allow',
    decidedBy: 'allowed: root account owns the resource',
    resource: 'acs:ram::1000000000000001:user/alice',
    instanceId: '',
    requestParameters: { UserName: 'alice' },
    ...over,
  };
}
