/**
 * Unit tests of the trail's model: which parameters are kept, secrets scrubbed wherever they
 * hide, resource types from ARNs, identities and the wire shape.
 */
import { describe, expect, it } from 'vitest';
import {
  identityOf,
  keptParameters,
  resourceOf,
  rwOf,
  scrubber,
  toWireEvent,
  type TrailEvent,
} from './model.js';

describe('keptParameters', () => {
  it('drops signing parameters, secrets and UserData', () => {
    const kept = keptParameters(
      [
        ['Action', 'CreateUser'],
        ['Version', '2015-05-01'],
        ['AccessKeyId', 'LTAIxxxx'],
        ['Signature', 'c2lnbmF0dXJl'],
        ['SignatureNonce', 'n'],
        ['Timestamp', '2026-01-01T00:00:00Z'],
        ['SecurityToken', 'CAIS-token'],
        ['AccessKeySecret', 's3cr3t'],
        ['Password', 'hunter22'],
        ['NewPassword', 'x'],
        ['OldPassword', 'y'],
        ['UserData', 'IyEvYmluL3No'],
        ['OIDCToken', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
        ['x-oss-security-token', 't'],
        ['security-token', 't'],
        ['OSSAccessKeyId', 'LTAI'],
        ['x-oss-signature', 'sig'],
        ['ClientSecretValue', 'hidden by its name'],
        ['UserName', 'alice'],
        ['prefix', null],
      ],
      (s) => s,
    );
    expect(kept).toEqual({ UserName: 'alice', prefix: '' });
  });

  it('cuts long values and scrubs the request’s own secrets from the rest', () => {
    const scrub = scrubber(['CAIStoken-0123456789', undefined, 'short']);
    const kept = keptParameters(
      [
        ['Policy', 'x'.repeat(10_000)],
        ['Description', 'copied CAIStoken-0123456789 here'],
      ],
      scrub,
    );
    expect(Buffer.byteLength(kept.Policy!)).toBeLessThanOrEqual(8192);
    expect(kept.Policy).toMatch(/^x+…\[truncated \d+ bytes\]$/);
    const removed = Number(/(\d+) bytes\]$/.exec(kept.Policy!)![1]);
    expect(kept.Policy!.indexOf('…') + removed).toBe(10_000);
    expect(kept.Description).toBe('copied ****** here');
  });

  it('scrubs before it cuts: no half of a secret is left at the cut', () => {
    const secret = 'CAIStoken-0123456789abcdef';
    const value = 'y'.repeat(8160) + secret + 'z'.repeat(100);
    const kept = keptParameters([['Note', value]], scrubber([secret]));
    expect(kept.Note).not.toContain('CAIS');
    expect(kept.Note).toContain('…[truncated');
  });
});

describe('resourceOf', () => {
  it.each([
    ['acs:ram::123:user/alice', 'ACS::RAM::User', 'alice'],
    ['acs:ram::123:role/app', 'ACS::RAM::Role', 'app'],
    ['acs:ram::123:policy/p', 'ACS::RAM::Policy', 'p'],
    ['acs:ecs:cn-hangzhou:123:instance/i-1', 'ACS::ECS::Instance', 'i-1'],
    ['acs:vpc:cn-hangzhou:123:vswitch/vsw-1', 'ACS::VPC::VSwitch', 'vsw-1'],
    ['acs:oss:cn-hangzhou:123:bucket', 'ACS::OSS::Bucket', 'bucket'],
    ['acs:oss:cn-hangzhou:123:bucket/a/b.txt', 'ACS::OSS::Object', 'bucket/a/b.txt'],
    ['acs:yunbox::123:instance/i-1', 'ACS::YUNBOX::Instance', 'i-1'],
    ['acs:ram::123:role/*', '', ''],
    ['acs:actiontrail:cn-hangzhou:123:*', '', ''],
    ['', '', ''],
  ])('%s', (arn, resourceType, resourceName) => {
    expect(resourceOf(arn)).toEqual({ resourceType, resourceName });
  });
});

describe('identities and the wire shape', () => {
  it('names principals as ActionTrail does', () => {
    expect(identityOf({ kind: 'account', accountId: '1', accessKeyId: 'LTAIa' })).toMatchObject({
      identityType: 'root-account',
      principalId: '1',
      userName: 'root',
    });
    const session = identityOf({
      kind: 'role-session',
      accountId: '1',
      roleId: '3',
      roleName: 'r',
      sessionName: 's',
      accessKeyId: 'STS.x',
      issuedAt: 0,
      expiresAt: 1,
      source: 'ecs:i-9',
    });
    expect(session).toMatchObject({
      identityType: 'assumed-role',
      principalId: '3:s',
      userName: 'r:s',
      roleName: 'r',
      instanceId: 'i-9',
    });
    expect(identityOf(undefined, 'LTAInope')).toMatchObject({
      identityType: 'unknown',
      accessKeyId: 'LTAInope',
    });
    expect(identityOf({ kind: 'anonymous' }).identityType).toBe('anonymous');
  });

  it('reads operations by declaration, else by name', () => {
    expect(rwOf('CreateUser', undefined)).toBe('Write');
    expect(rwOf('ListUsers', undefined)).toBe('Read');
    expect(rwOf('ListUsers', false)).toBe('Write');
  });

  it('prints ActionTrail’s fields and yunbox’s additionalEventData', () => {
    const e: TrailEvent = {
      eventId: 'E',
      eventTime: Date.parse('2026-01-01T00:00:01.500Z'),
      accountId: '1',
      eventName: 'AssumeRole',
      eventType: 'ApiCall',
      eventRW: 'Write',
      serviceName: 'Sts',
      eventSource: 'sts.aliyuncs.com',
      apiVersion: '2015-04-01',
      region: 'cn-hangzhou',
      sourceIp: '10.0.0.1',
      userAgent: 'ua',
      requestId: 'R',
      errorCode: '',
      errorMessage: '',
      identityType: 'assumed-role',
      principalId: '3:s',
      userName: 'r:s',
      roleName: 'r',
      accessKeyId: 'STS.x',
      sessionCreated: Date.parse('2026-01-01T00:00:00Z'),
      resourceType: 'ACS::RAM::Role',
      resourceName: 'other',
      decision: 'allow',
      decidedBy: 'allowed by policy `p` (Custom) statement 0',
      resource: 'acs:ram::1:role/other',
      instanceId: 'i-9',
      requestParameters: { RoleArn: 'acs:ram::1:role/other' },
    };
    expect(toWireEvent(e)).toEqual({
      eventId: 'E',
      eventVersion: '1',
      eventCategory: 'Management',
      eventType: 'ApiCall',
      eventName: 'AssumeRole',
      eventRW: 'Write',
      eventSource: 'sts.aliyuncs.com',
      eventTime: '2026-01-01T00:00:01Z',
      serviceName: 'Sts',
      apiVersion: '2015-04-01',
      acsRegion: 'cn-hangzhou',
      sourceIpAddress: '10.0.0.1',
      userAgent: 'ua',
      requestId: 'R',
      errorCode: '',
      errorMessage: '',
      recipientAccountId: '1',
      userIdentity: {
        type: 'assumed-role',
        principalId: '3:s',
        accountId: '1',
        accessKeyId: 'STS.x',
        userName: 'r:s',
        sessionContext: {
          attributes: { mfaAuthenticated: 'false', creationDate: '2026-01-01T00:00:00Z' },
        },
      },
      requestParameters: { RoleArn: 'acs:ram::1:role/other' },
      resourceType: 'ACS::RAM::Role',
      resourceName: 'other',
      referencedResources: { 'ACS::RAM::Role': ['other'] },
      additionalEventData: {
        Decision: 'allow',
        DecidedBy: 'allowed by policy `p` (Custom) statement 0',
        Resource: 'acs:ram::1:role/other',
        Instance: 'i-9',
      },
    });
    // The copy another account holds names the caller's account in userIdentity, its own as
    // the recipient.
    const copy = toWireEvent({ ...e, accountId: '2', callerAccountId: '1' });
    expect(copy.recipientAccountId).toBe('2');
    expect(copy.userIdentity).toMatchObject({ accountId: '1' });
  });
});
