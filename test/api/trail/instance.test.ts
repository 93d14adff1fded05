/**
 * Instances in the audit trail: a program inside an instance reading its role's credentials from
 * the metadata service (and asking for a hardened-mode token) is recorded with the instance as
 * the principal; the calls it then makes with those credentials are recorded as the role session,
 * with the instance in `additionalEventData.Instance`; the `Instance` filter finds them all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreClock } from '../../../src/testing/clock.js';
import { createEcsRole, rootOf } from '../../../src/testing/fixtures.js';
import { popClient } from '../../../src/testing/sdk.js';
import type { TestServer } from '../../../src/testing/server.js';
import { credentials, md, mdToken, metadataServer, runningInstance } from '../metadata/setup.js';
import { lookupAll, type Event } from './helpers.js';

let yb: TestServer;
let instanceId: string;

beforeAll(async () => {
  yb = await metadataServer('2030-01-01T00:00:00Z');
  await createEcsRole(yb, rootOf(yb), 'EcsRamRoleTest');
  const inst = await runningInstance(yb, { roleName: 'EcsRamRoleTest' });
  instanceId = inst.instanceId;
  const token = await mdToken(inst.url);
  const c = await credentials(inst.url, 'EcsRamRoleTest', token);
  expect((await md(inst.url, '/latest/meta-data/ram/security-credentials/NotMyRole')).status).toBe(
    404,
  );
  await popClient(
    yb,
    {
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
    },
    '2015-04-01',
  ).request('GetCallerIdentity', {});
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

/** Events of the instance, once the metadata service's (told when the answer is sent) are in. */
async function instanceEvents(): Promise<Event[]> {
  for (let i = 0; ; i++) {
    const events = await lookupAll(yb, rootOf(yb), [['Instance', instanceId]]);
    if (events.length >= 4 || i === 50) return events;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('instances in the trail', () => {
  it('records credential reads and token requests with the instance as principal', async () => {
    const events = await instanceEvents();
    expect(events.map((e) => [e.eventName, e.errorCode])).toEqual([
      ['GetCallerIdentity', ''],
      ['GetInstanceRoleCredentials', 'NotFound'],
      ['GetInstanceRoleCredentials', ''],
      ['CreateMetadataToken', ''],
    ]);
    const read = events[2]!;
    expect(read).toMatchObject({
      serviceName: 'Ecs',
      eventSource: '100.100.100.200',
      eventRW: 'Read',
      apiVersion: 'latest',
      acsRegion: 'cn-hangzhou',
      userIdentity: {
        type: 'ecs-instance',
        principalId: instanceId,
        accountId: yb.accountId,
        userName: instanceId,
      },
      requestParameters: { RoleName: 'EcsRamRoleTest' },
      resourceType: 'ACS::RAM::Role',
      resourceName: 'EcsRamRoleTest',
      additionalEventData: {
        Decision: 'none',
        Resource: `acs:ram::${yb.accountId}:role/EcsRamRoleTest`,
        Instance: instanceId,
      },
    });
    expect(events[1]!.errorMessage).toBe('404 Not Found');
  });

  it('records calls made with the instance’s credentials as the role session, from the instance', async () => {
    const [call] = await instanceEvents();
    expect(call).toMatchObject({
      eventName: 'GetCallerIdentity',
      userIdentity: {
        type: 'assumed-role',
        userName: `EcsRamRoleTest:${instanceId}`,
      },
      additionalEventData: { Decision: 'none', Instance: instanceId },
    });
    expect(call!.userIdentity.accessKeyId).toMatch(/^STS\./);
  });
});
