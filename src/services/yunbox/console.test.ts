import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../kernel/context.js';
import { ServiceError } from '../../kernel/errors.js';
import type { EcsApi, Instance } from '../ecs/index.js';
import {
  DescribeInstanceMetadataCredential,
  describeInstanceMetadataCredential,
} from './console.js';

const H = 3600_000;
const attachedAt = Date.UTC(2026, 0, 1);
const instance = (over: Partial<Instance>): Instance =>
  ({
    instanceId: 'i-mine',
    accountId: 'acct',
    status: 'Running',
    settlesAt: 0,
    settlesAtReal: 0,
    metadata: { httpEndpoint: 'enabled', httpTokens: 'optional', hopLimit: 1 },
    fault: { mode: 'none', delayMs: 0, statusCode: 0 },
    ...over,
  }) as Instance;

function api(instances: Instance[]): EcsApi {
  return {
    getInstance: async (id: string) => instances.find((i) => i.instanceId === id),
  } as unknown as EcsApi;
}

const ctx = (now: number) =>
  ({
    accountId: 'acct',
    now,
    clock: { mode: 'manual', now: () => now, real: () => now },
    log: pino({ level: 'silent' }),
  }) as HandlerContext;

describe('DescribeInstanceMetadataCredential', () => {
  const h = describeInstanceMetadataCredential(
    api([
      instance({ role: { roleName: 'EcsRamRoleTest', attachedAt } }),
      instance({ instanceId: 'i-norole' }),
      instance({ instanceId: 'i-theirs', accountId: 'other' }),
    ]),
  );

  it('gives the window: issued, expiry 6 h later, next one 5.5 h after issue', async () => {
    expect(await h(ctx(attachedAt + 60_000), { InstanceId: 'i-mine' })).toEqual({
      InstanceId: 'i-mine',
      Status: 'Running',
      HttpEndpoint: 'enabled',
      HttpTokens: 'optional',
      FaultMode: 'none',
      CredentialLifetimeSeconds: 21600,
      RotationIntervalSeconds: 19800,
      RamRoleName: 'EcsRamRoleTest',
      HasCredential: true,
      RoleAttachedAt: '2026-01-01T00:00:00Z',
      Window: 0,
      LastUpdated: '2026-01-01T00:00:00Z',
      Expiration: '2026-01-01T06:00:00Z',
      NextRotation: '2026-01-01T05:30:00Z',
    });
    const later = await h(ctx(attachedAt + 6 * H), { InstanceId: 'i-mine' });
    expect(later).toMatchObject({
      Window: 1,
      LastUpdated: '2026-01-01T05:30:00Z',
      Expiration: '2026-01-01T11:30:00Z',
      NextRotation: '2026-01-01T11:00:00Z',
    });
    expect(JSON.stringify(later)).not.toMatch(/Secret|Token"|STS\./);
  });

  it('says when no role is attached and hides other accounts’ instances', async () => {
    expect(await h(ctx(attachedAt), { InstanceId: 'i-norole' })).toMatchObject({
      HasCredential: false,
      RamRoleName: '',
    });
    for (const id of ['i-theirs', 'i-nope']) {
      await expect(h(ctx(attachedAt), { InstanceId: id })).rejects.toSatisfy(
        (e) => e instanceof ServiceError && e.code === 'InvalidInstanceId.NotFound',
      );
    }
  });

  it('is authorised per instance', () => {
    const authz = DescribeInstanceMetadataCredential.authz as (i: any, info: any) => unknown;
    expect(authz({ InstanceId: 'i-mine' }, { accountId: 'acct' })).toEqual([
      {
        action: 'yunbox:DescribeInstanceMetadataCredential',
        resource: 'acs:yunbox::acct:instance/i-mine',
      },
    ]);
  });
});
