import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { HandlerContext } from '../../kernel/context.js';
import { readParams } from '../../protocol/rpc-schema.js';
import { serviceCode, thrownCode } from '../../testing/failure.js';
import type { EcsApi, Instance, MetadataFault } from '../ecs/index.js';
import { SetInstanceMetadataFault, faultHandlers, metadataControlOperations } from './faults.js';

function fakeEcs() {
  const faults = new Map<string, MetadataFault>([
    ['i-mine', { mode: 'none', delayMs: 0, statusCode: 0 }],
    ['i-theirs', { mode: 'none', delayMs: 0, statusCode: 0 }],
  ]);
  const owner: Record<string, string> = { 'i-mine': 'acct', 'i-theirs': 'other' };
  const api = {
    async getInstance(id: string) {
      const fault = faults.get(id);
      return fault ? ({ instanceId: id, accountId: owner[id], fault } as Instance) : undefined;
    },
    async setFault(id: string, f: MetadataFault) {
      if (!faults.has(id)) return false;
      faults.set(id, f);
      return true;
    },
    async plainMetadataEndpoint(id: string) {
      return id === 'i-mine' ? { address: '127.77.0.1', url: 'http://127.77.0.1:9912' } : undefined;
    },
  } as unknown as EcsApi;
  return { api, faults };
}

const ctx = { accountId: 'acct', log: pino({ level: 'silent' }) } as HandlerContext;

describe('metadata fault operations', () => {
  it('set and show a fault, keeping only what the mode uses', async () => {
    const { api, faults } = fakeEcs();
    const h = faultHandlers(api);
    expect(
      await h.setInstanceMetadataFault(ctx, {
        InstanceId: 'i-mine',
        Mode: 'slow',
        DelayMs: 250,
        StatusCode: 503,
      }),
    ).toEqual({ InstanceId: 'i-mine', Mode: 'slow', DelayMs: 250, StatusCode: 0 });
    expect(faults.get('i-mine')).toEqual({ mode: 'slow', delayMs: 250, statusCode: 0 });
    await h.setInstanceMetadataFault(ctx, { InstanceId: 'i-mine', Mode: 'error', StatusCode: 502 });
    expect(await h.describeInstanceMetadataFault(ctx, { InstanceId: 'i-mine' })).toEqual({
      InstanceId: 'i-mine',
      Mode: 'error',
      DelayMs: 0,
      StatusCode: 502,
    });
    await h.setInstanceMetadataFault(ctx, { InstanceId: 'i-mine', Mode: 'none' });
    expect(faults.get('i-mine')).toEqual({ mode: 'none', delayMs: 0, statusCode: 0 });
  });

  it("refuse unknown instances and other accounts' instances alike", async () => {
    const h = faultHandlers(fakeEcs().api);
    for (const id of ['i-nope', 'i-theirs']) {
      expect(
        await serviceCode(h.setInstanceMetadataFault(ctx, { InstanceId: id, Mode: 'error' })),
      ).toBe('InvalidInstanceId.NotFound');
      expect(await serviceCode(h.describeInstanceMetadataEndpoint(ctx, { InstanceId: id }))).toBe(
        'InvalidInstanceId.NotFound',
      );
    }
  });

  it('validate the mode and bounds, and authorise per instance', () => {
    const read = (p: Record<string, string>) =>
      thrownCode(() => readParams(SetInstanceMetadataFault.params, new Map(Object.entries(p))));
    expect(read({ InstanceId: 'i-mine', Mode: 'explode' })).toBe('InvalidParameter');
    expect(read({ InstanceId: 'i-mine', Mode: 'slow', DelayMs: '60001' })).toBe('InvalidParameter');
    expect(read({ InstanceId: 'i-mine', Mode: 'error', StatusCode: '200' })).toBe(
      'InvalidParameter',
    );
    expect(read({ InstanceId: 'i-mine' })).toBe('MissingMode');
    expect(read({ InstanceId: 'i-mine', Mode: 'refuse-token', StatusCode: '404' })).toBe('ok');
    const authz = SetInstanceMetadataFault.authz as (i: any, info: any) => unknown;
    expect(authz({ InstanceId: 'i-mine' }, { accountId: 'acct' })).toEqual([
      { action: 'yunbox:SetInstanceMetadataFault', resource: 'acs:yunbox::acct:instance/i-mine' },
    ]);
    expect(metadataControlOperations(fakeEcs().api).map((o) => o.decl.name)).toEqual([
      'SetInstanceMetadataFault',
      'DescribeInstanceMetadataFault',
      'DescribeInstanceMetadataEndpoint',
    ]);
  });

  it('say where the plain listener serves an instance, or that it is off', async () => {
    const { api } = fakeEcs();
    const h = faultHandlers(api);
    expect(await h.describeInstanceMetadataEndpoint(ctx, { InstanceId: 'i-mine' })).toEqual({
      InstanceId: 'i-mine',
      Address: '127.77.0.1',
      Url: 'http://127.77.0.1:9912',
      Listening: true,
    });
    (api as any).plainMetadataEndpoint = async () => undefined;
    const off = await h.describeInstanceMetadataEndpoint(ctx, { InstanceId: 'i-mine' });
    expect(off).toMatchObject({ Listening: false, Url: '' });
    expect(off.Reason).toContain('--metadata-listen');
  });
});
