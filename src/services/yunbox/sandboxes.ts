/**
 * @module Yunbox operations for instance sandboxes (`src/sandbox`): CreateSandbox, DeleteSandbox,
 * DescribeSandboxes. `yunbox instance exec|shell` calls them, signed with the root credentials;
 * RAM decides `yunbox:<Action>` on `acs:yunbox::<account>:instance/<InstanceId>`. A sandbox lives
 * on the yunbox process that made it (namespaces are local to a machine). `Env` is what its
 * programs need: CA trust, and under the manual clock libfaketime's variables (`LD_PRELOAD` for
 * the program only, never for the root steps before it: `sandbox/run-as.ts`); `ClockMode` and
 * `FollowsClock` say whether they read yunbox's clock.
 */
import { defineError } from '../../kernel/errors.js';
import { isoSeconds } from '../../kernel/clock.js';
import { bind, defineOperation, type BoundOperation } from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import type { SandboxInfo, SandboxManager } from '../../sandbox/manager.js';
import { SandboxError } from '../../sandbox/manager.js';

/** What the operations need of the sandbox manager. */
export type SandboxControl = Pick<SandboxManager, 'create' | 'destroy' | 'list' | 'get'>;

/** The instance does not exist (ECS's wording). */
export const InvalidInstanceIdNotFound = defineError(
  'InvalidInstanceId.NotFound',
  404,
  'The specified InstanceId does not exist.',
);
/** The instance is not Running (ECS's wording). */
export const IncorrectInstanceStatus = defineError(
  'IncorrectInstanceStatus',
  403,
  'The current status of the resource does not support this operation.',
);
/** No sandbox of the caller's account has this id. */
export const InvalidSandboxIdNotFound = defineError(
  'InvalidSandboxId.NotFound',
  404,
  'The specified SandboxId does not exist.',
);
/** This yunbox cannot run sandboxes (not Linux, not root, no `ip`). */
export const OperationDeniedSandboxUnsupported = defineError(
  'OperationDenied.SandboxUnsupported',
  403,
  'Instance sandboxes need root on Linux (ip netns).',
);
/** Too many sandboxes at once. */
export const QuotaExceededSandbox = defineError(
  'QuotaExceeded.Sandbox',
  403,
  'The maximum number of sandboxes has been reached.',
);

const InstanceId = p.str({
  min: 1,
  max: 64,
  pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
  doc: "id of a Running instance of the caller's account",
});
const SandboxId = p.str({ min: 1, max: 64, pattern: /^[a-z0-9-]+$/, doc: 'sandbox id (`sbx-…`)' });

/** `acs:yunbox::<account>:instance/<id>` */
export function sandboxResource(accountId: string, instanceId: string): string {
  return `acs:yunbox::${accountId}:instance/${instanceId}`;
}

export const CreateSandbox = defineOperation({
  name: 'CreateSandbox',
  params: {
    InstanceId: p.required(InstanceId),
    KeepAlive: p.bool({
      doc: 'keep the sandbox while no process runs in it, until DeleteSandbox (default false: removed shortly after its last process ends)',
    }),
  },
  authz: (input, info) => [
    {
      action: 'yunbox:CreateSandbox',
      resource: sandboxResource(info.accountId, input.InstanceId),
    },
  ],
  doc: 'Make a network namespace where programs run as if inside the instance (root on Linux)',
});

/** `acs:yunbox::<account>:workload`: the sandboxes of programs on no instance. */
export function workloadResource(accountId: string): string {
  return `acs:yunbox::${accountId}:workload`;
}

export const CreateWorkloadSandbox = defineOperation({
  name: 'CreateWorkloadSandbox',
  params: {
    KeepAlive: p.bool({
      doc: 'keep the sandbox while no process runs in it, until DeleteSandbox (default false)',
    }),
  },
  authz: (_input, info) => [
    { action: 'yunbox:CreateWorkloadSandbox', resource: workloadResource(info.accountId) },
  ],
  doc: 'Make a sandbox on no instance (a pod, a CI job): *.aliyuncs.com reaches yunbox, 100.100.100.200 serves no instance (`yunbox workload exec`)',
});

export const DeleteSandbox = defineOperation({
  name: 'DeleteSandbox',
  params: { SandboxId: p.required(SandboxId) },
  authz: 'handler',
  doc: 'Remove a sandbox, ending the processes still inside it',
});

export const DescribeSandboxes = defineOperation({
  name: 'DescribeSandboxes',
  params: { InstanceId },
  authz: (input, info) => [
    {
      action: 'yunbox:DescribeSandboxes',
      resource: sandboxResource(info.accountId, input.InstanceId ?? '*'),
    },
  ],
  readOnly: true,
  doc: "List the caller's sandboxes on this yunbox process",
});

function wire(s: SandboxInfo): Record<string, unknown> {
  return {
    SandboxId: s.sandboxId,
    ...(s.workload ? { Workload: true } : { InstanceId: s.instanceId }),
    NetnsName: s.netns,
    Env: s.env,
    ClockMode: s.clockMode,
    FollowsClock: s.followsClock,
    MetadataAddress: s.metadataAddress,
    GatewayAddress: s.gatewayAddress,
    ...(s.hostName !== undefined ? { HostName: s.hostName } : {}),
    ...(s.privateIp !== undefined ? { PrivateIpAddress: s.privateIp } : {}),
    ...(s.vpcId !== undefined ? { VpcId: s.vpcId } : {}),
    KeepAlive: s.keepAlive,
    NoticeFile: s.noticeFile,
    CreationTime: isoSeconds(s.createdAt.getTime()),
  };
}

function unavailable(): never {
  throw OperationDeniedSandboxUnsupported(
    'Instance sandboxes are not enabled in this yunbox process.',
  );
}

/** The sandbox operations, bound to a manager (none: every call answers that sandboxes are off). */
export function sandboxOperations(control: SandboxControl | undefined): BoundOperation[] {
  const create = async (accountId: string, instanceId: string | undefined, keepAlive: boolean) => {
    if (!control) unavailable();
    try {
      return wire(await control.create(accountId, instanceId, { keepAlive }));
    } catch (e) {
      if (!(e instanceof SandboxError)) throw e;
      switch (e.kind) {
        case 'unsupported':
          throw OperationDeniedSandboxUnsupported(
            `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`,
          );
        case 'instance-not-found':
          throw InvalidInstanceIdNotFound();
        case 'instance-status':
          throw IncorrectInstanceStatus(
            `The current status of the resource does not support this operation. ${e.message}.`,
          );
        case 'quota':
          throw QuotaExceededSandbox(
            `The maximum number of sandboxes has been reached: ${e.message}.`,
          );
        default:
          throw e;
      }
    }
  };
  return [
    bind(CreateSandbox, (ctx, input) =>
      create(ctx.accountId, input.InstanceId, input.KeepAlive ?? false),
    ),
    bind(CreateWorkloadSandbox, (ctx, input) =>
      create(ctx.accountId, undefined, input.KeepAlive ?? false),
    ),
    bind(DeleteSandbox, async (ctx, input) => {
      if (!control) unavailable();
      const s = control.get(input.SandboxId, ctx.accountId);
      if (!s) throw InvalidSandboxIdNotFound();
      await ctx.authorize({
        action: 'yunbox:DeleteSandbox',
        resource: s.workload
          ? workloadResource(ctx.accountId)
          : sandboxResource(ctx.accountId, s.instanceId),
      });
      if (!(await control.destroy(input.SandboxId, ctx.accountId)))
        throw InvalidSandboxIdNotFound();
      return {};
    }),
    bind(DescribeSandboxes, async (ctx, input) => {
      const list = control
        ? control.list({
            accountId: ctx.accountId,
            ...(input.InstanceId !== undefined ? { instanceId: input.InstanceId } : {}),
          })
        : [];
      return { TotalCount: list.length, Sandboxes: { Sandbox: list.map(wire) } };
    }),
  ];
}
