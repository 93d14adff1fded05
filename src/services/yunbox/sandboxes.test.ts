import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../kernel/clock.js';
import type { HandlerContext } from '../../kernel/context.js';
import { ServiceError } from '../../kernel/errors.js';
import { SandboxError, type SandboxInfo } from '../../sandbox/manager.js';
import { sandboxOperations, sandboxResource, type SandboxControl } from './sandboxes.js';

const ctx: HandlerContext = {
  requestId: 'r',
  now: 0,
  clock: new SystemClock(),
  region: 'cn-hangzhou',
  principal: { kind: 'account', accountId: '123', accessKeyId: 'LTAIx' },
  accountId: '123',
  sourceIp: '127.0.0.1',
  secure: false,
  host: 'localhost',
  log: pino({ level: 'silent' }),
  authorize: async () => undefined,
};

function handler(control: SandboxControl | undefined, name: string) {
  const op = sandboxOperations(control).find((o) => o.decl.name === name)!;
  return (input: Record<string, unknown>) => op.handler(ctx, input);
}

function refusing(kind: SandboxError['kind'], message: string): SandboxControl {
  return {
    create: async () => {
      throw new SandboxError(kind, message);
    },
    destroy: async () => false,
    list: () => [],
    get: () => undefined,
  };
}

async function codeOf(p: Promise<unknown>): Promise<[string, number, string]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ServiceError) return [e.code, e.status, e.message];
    throw e;
  }
  throw new Error('expected an error');
}

describe('sandbox operations', () => {
  it('map manager refusals to error codes', async () => {
    expect(
      await codeOf(
        handler(
          refusing(
            'unsupported',
            'instance sandboxes need root on Linux (ip netns): running as uid 1000',
          ),
          'CreateSandbox',
        )({ InstanceId: 'i-1' }),
      ),
    ).toEqual([
      'OperationDenied.SandboxUnsupported',
      403,
      'Instance sandboxes need root on Linux (ip netns): running as uid 1000.',
    ]);
    expect(
      (
        await codeOf(
          handler(refusing('instance-not-found', 'x'), 'CreateSandbox')({ InstanceId: 'i-1' }),
        )
      )[0],
    ).toBe('InvalidInstanceId.NotFound');
    expect(
      (
        await codeOf(
          handler(refusing('instance-status', 'x'), 'CreateSandbox')({ InstanceId: 'i-1' }),
        )
      )[0],
    ).toBe('IncorrectInstanceStatus');
    expect(
      (await codeOf(handler(refusing('quota', 'x'), 'CreateSandbox')({ InstanceId: 'i-1' })))[0],
    ).toBe('QuotaExceeded.Sandbox');
  });

  it('answer that sandboxes are off without a manager', async () => {
    expect((await codeOf(handler(undefined, 'CreateSandbox')({ InstanceId: 'i-1' })))[0]).toBe(
      'OperationDenied.SandboxUnsupported',
    );
    expect(await handler(undefined, 'DescribeSandboxes')({})).toEqual({
      TotalCount: 0,
      Sandboxes: { Sandbox: [] },
    });
  });

  it("show only the caller's account's sandboxes", async () => {
    const info: SandboxInfo = {
      sandboxId: 'sbx-1',
      instanceId: 'i-1',
      accountId: '999',
      netns: 'ybx-1-1',
      createdAt: new Date(0),
      env: {},
      clockMode: 'system',
      followsClock: true,
      metadataAddress: '100.100.100.200',
      gatewayAddress: '100.100.2.136',
      keepAlive: false,
      noticeFile: '/run/yunbox/ybx-1-1.removed',
    };
    const control: SandboxControl = {
      create: async () => info,
      destroy: async (_id, account) => account === info.accountId,
      list: (f) => (f?.accountId === info.accountId ? [info] : []),
      get: (_id, account) => (account === info.accountId ? info : undefined),
    };
    expect((await codeOf(handler(control, 'DeleteSandbox')({ SandboxId: 'sbx-1' })))[0]).toBe(
      'InvalidSandboxId.NotFound',
    );
    expect(await handler(control, 'DescribeSandboxes')({})).toMatchObject({ TotalCount: 0 });
    expect(sandboxResource('123', 'i-1')).toBe('acs:yunbox::123:instance/i-1');
  });
});
