/**
 * @module Yunbox control API for the instance metadata service: fault injection per instance
 * (for tests of client resilience: a slow service, 5xx answers, an already-expired credential,
 * refused tokens; off by default), and where the plain `--metadata-listen` listener serves an
 * instance. Settings live in the store (the instance row), so every node applies them. Authorised
 * as `yunbox:<Action>` on `acs:yunbox::<account>:instance/<id>` (the root account may by default).
 */
import type { AuthzCheck, HandlerContext, RequestInfo } from '../../kernel/context.js';
import {
  bind,
  defineOperation,
  type BoundOperation,
  type Handler,
} from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import {
  FAULT_MODES,
  InvalidInstanceIdNotFound,
  MAX_FAULT_DELAY_MS,
  type EcsApi,
  type FaultMode,
  type Instance,
} from '../ecs/index.js';

const InstanceId = p.required(p.str({ min: 1, max: 64, doc: 'instance id, `i-…`' }));

const onInstance =
  (action: string) =>
  (i: { InstanceId: string }, info: RequestInfo): AuthzCheck[] => [
    { action, resource: `acs:yunbox::${info.accountId}:instance/${i.InstanceId}` },
  ];

export const SetInstanceMetadataFault = defineOperation({
  name: 'SetInstanceMetadataFault',
  params: {
    InstanceId,
    Mode: p.required(
      p.str({
        enum: FAULT_MODES,
        doc: 'none (off), slow, error, expired-credential or refuse-token',
      }),
    ),
    DelayMs: p.int({
      min: 0,
      max: MAX_FAULT_DELAY_MS,
      doc: `slow: delay of every answer in ms, 0-${MAX_FAULT_DELAY_MS} (1500)`,
    }),
    StatusCode: p.int({
      min: 400,
      max: 599,
      doc: 'error: the status answered (500); refuse-token: the status of token requests (403)',
    }),
  },
  authz: onInstance('yunbox:SetInstanceMetadataFault'),
  doc: "Make an instance's metadata service misbehave on purpose, or stop it (Mode none)",
});

export const DescribeInstanceMetadataFault = defineOperation({
  name: 'DescribeInstanceMetadataFault',
  params: { InstanceId },
  authz: onInstance('yunbox:DescribeInstanceMetadataFault'),
  readOnly: true,
  doc: "Show the fault injected into an instance's metadata service",
});

export const DescribeInstanceMetadataEndpoint = defineOperation({
  name: 'DescribeInstanceMetadataEndpoint',
  params: { InstanceId },
  authz: onInstance('yunbox:DescribeInstanceMetadataEndpoint'),
  readOnly: true,
  doc: "Show where the plain metadata listener serves an instance's metadata (its 127.77.X.Y address)",
});

function faultWire(i: Pick<Instance, 'instanceId' | 'fault'>) {
  return {
    InstanceId: i.instanceId,
    Mode: i.fault.mode,
    DelayMs: i.fault.delayMs,
    StatusCode: i.fault.statusCode,
  };
}

/** The handlers over the ECS API. */
export function faultHandlers(ecs: EcsApi) {
  const mustInstance = async (ctx: HandlerContext, id: string) => {
    const i = await ecs.getInstance(id);
    if (!i || i.accountId !== ctx.accountId) {
      throw InvalidInstanceIdNotFound(`The specified InstanceId does not exist: \`${id}\`.`);
    }
    return i;
  };

  const setInstanceMetadataFault: Handler<(typeof SetInstanceMetadataFault)['params']> = async (
    ctx,
    input,
  ) => {
    const i = await mustInstance(ctx, input.InstanceId);
    const mode = input.Mode as FaultMode;
    const fault = {
      mode,
      delayMs: mode === 'slow' ? (input.DelayMs ?? 0) : 0,
      statusCode: mode === 'error' || mode === 'refuse-token' ? (input.StatusCode ?? 0) : 0,
    };
    if (!(await ecs.setFault(i.instanceId, fault))) throw InvalidInstanceIdNotFound();
    ctx.log.info({ instance: i.instanceId, fault }, 'metadata fault set');
    return faultWire({ instanceId: i.instanceId, fault });
  };

  const describeInstanceMetadataFault: Handler<
    (typeof DescribeInstanceMetadataFault)['params']
  > = async (ctx, input) => faultWire(await mustInstance(ctx, input.InstanceId));

  const describeInstanceMetadataEndpoint: Handler<
    (typeof DescribeInstanceMetadataEndpoint)['params']
  > = async (ctx, input) => {
    const i = await mustInstance(ctx, input.InstanceId);
    const e = await ecs.plainMetadataEndpoint(i.instanceId);
    if (!e) {
      return {
        InstanceId: i.instanceId,
        Address: '',
        Url: '',
        Listening: false,
        Reason:
          'the plain metadata listener is off: start yunbox with `--metadata-listen HOST:PORT`',
      };
    }
    return {
      InstanceId: i.instanceId,
      Address: e.address,
      Url: e.url ?? '',
      Listening: e.url !== undefined,
      ...(e.error !== undefined ? { Reason: e.error } : {}),
    };
  };

  return {
    setInstanceMetadataFault,
    describeInstanceMetadataFault,
    describeInstanceMetadataEndpoint,
  };
}

/** The Yunbox operations of the metadata service, for `createYunboxProduct`. */
export function metadataControlOperations(ecs: EcsApi): BoundOperation[] {
  const h = faultHandlers(ecs);
  return [
    bind(SetInstanceMetadataFault, h.setInstanceMetadataFault),
    bind(DescribeInstanceMetadataFault, h.describeInstanceMetadataFault),
    bind(DescribeInstanceMetadataEndpoint, h.describeInstanceMetadataEndpoint),
  ];
}
