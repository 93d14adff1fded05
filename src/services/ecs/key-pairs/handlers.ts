/**
 * @module Handlers of the SSH key pair operations (`operations.ts`). The private key of
 * CreateKeyPair is generated, returned once and forgotten; yunbox keeps public keys only.
 * Binding a key pair to an instance replaces the one it had (doc "AttachKeyPair") and shows at
 * `meta-data/public-keys/<key pair id>/openssh-key` at once (a real instance reads it at its next
 * start, as the doc says). Instances must be settled Running or Stopped to be bound or unbound.
 */
import { readClock } from '../../../kernel/clock.js';
import type { HandlerContext } from '../../../kernel/context.js';
import { StoreError } from '../../../kernel/errors.js';
import { resourceId } from '../../../kernel/ids.js';
import * as E from '../errors.js';
import { checkRegion, wildcard, type EcsHandlerDeps, type H } from '../handler-deps.js';
import { ecsTime, visibleStatus, type Tag } from '../model.js';
import { launchTags } from '../tags/handlers.js';
import {
  KEY_PAIR_QUOTA,
  fingerPrintOf,
  generateRsaKeyPair,
  parsePublicKey,
  type KeyPair,
  type ParsedPublicKey,
} from './model.js';
import type * as Ops from './operations.js';

/** Instances one AttachKeyPair or DetachKeyPair call may name (doc "AttachKeyPair"). */
const MAX_INSTANCES = 50;

/** The key pair handlers. */
export function keyPairHandlers(deps: EcsHandlerDeps) {
  const { store, keyPairs } = deps;

  const save = async (
    ctx: HandlerContext,
    regionId: string,
    input: { KeyPairName: string; ResourceGroupId?: string },
    key: ParsedPublicKey,
    tags: Tag[],
  ): Promise<KeyPair> => {
    const kp: KeyPair = {
      keyPairId: resourceId('skp-', 20),
      accountId: ctx.accountId,
      regionId,
      keyPairName: input.KeyPairName,
      fingerPrint: fingerPrintOf(key.blob),
      publicKey: key.line,
      resourceGroupId: input.ResourceGroupId ?? '',
      tags,
      createdAt: ctx.now,
    };
    try {
      await keyPairs.create(kp, KEY_PAIR_QUOTA);
    } catch (e) {
      if (e instanceof StoreError && e.kind === 'AlreadyExists') {
        throw E.KeyPairAlreadyExist(
          `The key pair already exist: \`${input.KeyPairName}\`. Key pair names are unique in a region.`,
        );
      }
      if (e instanceof StoreError && e.entity === 'Quota') {
        throw E.QuotaExceedKeyPair(
          `The key pair quota exceeds: ${KEY_PAIR_QUOTA} key pairs per region. Delete some first (DeleteKeyPairs).`,
        );
      }
      throw e;
    }
    return kp;
  };

  const createKeyPair: H<typeof Ops.CreateKeyPair> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    if (await keyPairs.get(ctx.accountId, regionId, input.KeyPairName)) {
      throw E.KeyPairAlreadyExist(
        `The key pair already exist: \`${input.KeyPairName}\`. Key pair names are unique in a region.`,
      );
    }
    // Checked before the key is made (RSA generation is the expensive part).
    const tags = launchTags(input.Tag);
    const { publicKey, privateKeyPem } = await generateRsaKeyPair();
    const kp = await save(ctx, regionId, input, publicKey, tags);
    return {
      KeyPairId: kp.keyPairId,
      KeyPairName: kp.keyPairName,
      KeyPairFingerPrint: kp.fingerPrint,
      PrivateKeyBody: privateKeyPem,
    };
  };

  const importKeyPair: H<typeof Ops.ImportKeyPair> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const parsed = parsePublicKey(input.PublicKeyBody);
    if (!parsed.ok) {
      throw E.InvalidPublicKeyBodyMalformed(
        `The PublicKeyBody format is not supported: ${parsed.reason}.`,
      );
    }
    const kp = await save(ctx, regionId, input, parsed.key, launchTags(input.Tag));
    return { KeyPairName: kp.keyPairName, KeyPairFingerPrint: kp.fingerPrint };
  };

  const describeKeyPairs: H<typeof Ops.DescribeKeyPairs> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    let all = await keyPairs.list(ctx.accountId, regionId, {
      ...(input.Tag ? { tags: input.Tag.map((t) => ({ key: t.Key, value: t.Value })) } : {}),
    });
    if (input.KeyPairName !== undefined) {
      const re = wildcard(input.KeyPairName);
      all = all.filter((k) => re.test(k.keyPairName));
    }
    if (input.KeyPairFingerPrint !== undefined) {
      all = all.filter((k) => k.fingerPrint === input.KeyPairFingerPrint);
    }
    if (input.ResourceGroupId !== undefined) {
      all = all.filter((k) => k.resourceGroupId === input.ResourceGroupId);
    }
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      KeyPairs: {
        KeyPair: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((k) => ({
          KeyPairName: k.keyPairName,
          KeyPairFingerPrint: k.fingerPrint,
          CreationTime: ecsTime(k.createdAt),
          ResourceGroupId: k.resourceGroupId,
          ...(input.IncludePublicKey ? { PublicKey: k.publicKey } : {}),
          Tags: { Tag: k.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
        })),
      },
    };
  };

  const deleteKeyPairs: H<typeof Ops.DeleteKeyPairs> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const found: KeyPair[] = [];
    for (const name of new Set(input.KeyPairNames)) {
      const kp = await keyPairs.get(ctx.accountId, regionId, name);
      if (kp) found.push(kp);
    }
    const r = await keyPairs.delete(found.map((k) => k.keyPairId));
    if ('attached' in r) {
      const name = found.find((k) => k.keyPairId === r.attached)?.keyPairName ?? r.attached;
      throw E.KeypairAlreadyAttachedInstance(
        `The specified parameter "KeyPairNames" attached to instances can not be deleted: \`${name}\` is bound to an instance; DetachKeyPair first. Nothing was deleted.`,
      );
    }
    return {};
  };

  /** The key pair and the caller's instances of an attach or detach call. */
  const target = async (
    ctx: HandlerContext,
    input: { RegionId: string; KeyPairName: string; InstanceIds: string[] },
  ) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const ids = [...new Set(input.InstanceIds)];
    if (ids.length > MAX_INSTANCES) {
      throw E.InstanceKeyPairLimitExceeded(
        `The specified instances are beyond the permitted range: ${ids.length} instances, at most ${MAX_INSTANCES} per call.`,
      );
    }
    const kp = await keyPairs.get(ctx.accountId, regionId, input.KeyPairName);
    if (!kp) {
      throw E.InvalidKeyPairNameNotFound(
        `The specified KeyPairName does not exist in our records: \`${input.KeyPairName}\`.`,
      );
    }
    return { kp, ids };
  };

  type Result = { InstanceId: string; Success: boolean; Code: string; Message: string };
  const failed = (instanceId: string, code: string, message: string): Result => ({
    InstanceId: instanceId,
    Success: false,
    Code: code,
    Message: message,
  });
  const ok = (instanceId: string): Result => ({
    InstanceId: instanceId,
    Success: true,
    Code: '200',
    Message: 'successful',
  });
  const answer = (name: string, results: Result[]) => ({
    KeyPairName: name,
    TotalCount: results.length,
    FailCount: results.filter((r) => !r.Success).length,
    Results: { Result: results },
  });

  /** Why an instance cannot take a key pair change now, if it cannot. */
  const unfit = async (ctx: HandlerContext, instanceId: string) => {
    const i = await store.getInstance(instanceId);
    if (!i || i.accountId !== ctx.accountId) {
      return failed(
        instanceId,
        'InvalidInstanceId.NotFound',
        'The specified InstanceId does not exist.',
      );
    }
    const status = visibleStatus(i, readClock(ctx.clock, ctx.now));
    if (status !== 'Running' && status !== 'Stopped') {
      return failed(
        instanceId,
        'IncorrectInstanceStatus',
        `The current status of the resource does not support this operation: the instance is ${status}; key pairs change on Running or Stopped instances.`,
      );
    }
    return undefined;
  };

  const attachKeyPair: H<typeof Ops.AttachKeyPair> = async (ctx, input) => {
    const { kp, ids } = await target(ctx, input);
    const results: Result[] = [];
    for (const id of ids) {
      const bad = await unfit(ctx, id);
      if (bad) {
        results.push(bad);
        continue;
      }
      const r = await keyPairs.attach(id, {
        keyPairId: kp.keyPairId,
        keyPairName: kp.keyPairName,
        publicKey: kp.publicKey,
      });
      if (r === 'key-missing') {
        throw E.InvalidKeyPairNameNotFound(
          `The specified KeyPairName does not exist in our records: \`${kp.keyPairName}\` was deleted meanwhile.`,
        );
      }
      results.push(
        r === 'attached'
          ? ok(id)
          : failed(id, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.'),
      );
    }
    deps.changed();
    return answer(kp.keyPairName, results);
  };

  const detachKeyPair: H<typeof Ops.DetachKeyPair> = async (ctx, input) => {
    const { kp, ids } = await target(ctx, input);
    const results: Result[] = [];
    for (const id of ids) {
      const bad = await unfit(ctx, id);
      if (bad) {
        results.push(bad);
        continue;
      }
      const r = await keyPairs.detach(id, kp.keyPairId);
      results.push(
        r === 'detached'
          ? ok(id)
          : failed(
              id,
              'InvalidKeyPair.NotAttached',
              `The key pair \`${kp.keyPairName}\` is not bound to this instance.`,
            ),
      );
    }
    deps.changed();
    return answer(kp.keyPairName, results);
  };

  return {
    createKeyPair,
    importKeyPair,
    describeKeyPairs,
    deleteKeyPairs,
    attachKeyPair,
    detachKeyPair,
  };
}
