/**
 * @module Yunbox control API for several accounts (`yunbox account create|list`, the console's
 * accounts view): `CreateAccount` makes an account with its own 16-digit id and root AccessKey
 * (its secret answered once, here), `ListAccounts`
 * lists them. Every RAM entity, key, bucket and trail event belongs to one account; bucket names
 * stay global, as on OSS. Alibaba Cloud has no such API (accounts are signed up for), so these are
 * the operator's: decided by RAM as `yunbox:<Action>` on `acs:yunbox::<account>:account/<name>`,
 * and served only to the first account (the one the server made at its first start), whose root
 * may by default and whose RAM users need a policy. Other accounts are refused, whatever their
 * own policies say: an account cannot make or see its peers.
 */
import { isoSeconds } from '../../kernel/clock.js';
import { defineError, isStoreError } from '../../kernel/errors.js';
import { accessKeyId, accessKeySecret, numericId } from '../../kernel/ids.js';
import { ramArn } from '../../kernel/principal.js';
import {
  bind,
  defineOperation,
  type BoundOperation,
  type Handler,
} from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import { RAM_LIMITS as LIMITS, type Account, type RamApi } from '../ram/index.js';
import { YunboxForbidden } from './index.js';

/** An account name that is not 1-64 letters, digits, `.`, `_` or `-` starting with a letter or digit. */
export const InvalidAccountNameMalformed = defineError(
  'InvalidAccountName.Malformed',
  400,
  'The specified AccountName is invalid: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.',
);
/** An account of that name exists. */
export const EntityAlreadyExistsAccount = defineError(
  'EntityAlreadyExists.Account',
  409,
  'The account already exists.',
);
/** No more accounts. */
export const LimitExceededAccount = defineError(
  'LimitExceeded.Account',
  409,
  'The count of accounts beyond the current limits.',
);

/** `acs:yunbox::<account>:account/<name>`: what the operator's calls about accounts act on. */
export function accountResource(callerAccount: string, name: string): string {
  return `acs:yunbox::${callerAccount}:account/${name}`;
}

export const CreateAccount = defineOperation({
  name: 'CreateAccount',
  params: {
    AccountName: p.required(
      p.str({
        min: 1,
        max: 64,
        pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        lengthError: InvalidAccountNameMalformed,
        charsError: InvalidAccountNameMalformed,
        doc: 'a name for the account, unique on this yunbox: 1-64 letters, digits, `.`, `_`, `-`',
      }),
    ),
  },
  authz: (input, info) => [
    {
      action: 'yunbox:CreateAccount',
      resource: accountResource(info.accountId, input.AccountName),
    },
  ],
  doc: 'Create another account (its own 16-digit id, resources, policies and trail) and its root AccessKey, whose secret is answered only here; the first account only',
});

export const ListAccounts = defineOperation({
  name: 'ListAccounts',
  params: {},
  authz: (_input, info) => [
    { action: 'yunbox:ListAccounts', resource: accountResource(info.accountId, '*') },
  ],
  readOnly: true,
  doc: 'List the accounts of this yunbox (ids, names, creation times; never keys); the first account only',
});

function accountWire(a: Account): Record<string, unknown> {
  return {
    AccountId: a.accountId,
    AccountName: a.accountName,
    Arn: ramArn(a.accountId, 'root'),
    CreateDate: isoSeconds(a.createdAt),
    First: a.first,
  };
}

/** Refuses a caller from any account but the first. */
async function onlyTheFirst(ram: RamApi, callerAccount: string, action: string): Promise<void> {
  const first = (await ram.listAccounts()).find((a) => a.first);
  if (first?.accountId === callerAccount) return;
  throw YunboxForbidden(
    `User not authorized to operate on the specified resource, or this API doesn't support RAM. Only the first account \`${first?.accountId ?? '?'}\` (the one yunbox made at its first start) may call ${action}; the caller belongs to account \`${callerAccount}\`.`,
  );
}

/** CreateAccount. */
export function createAccount(ram: RamApi): Handler<(typeof CreateAccount)['params']> {
  return async (ctx, input) => {
    await onlyTheFirst(ram, ctx.accountId, 'CreateAccount');
    // A 16-digit id, as Alibaba's UIDs; a collision (one in 10^15) is retried with a new one.
    for (let attempt = 0; ; attempt++) {
      const accountId = numericId(16);
      try {
        const { account, key } = await ram.createAccount(
          { accountId, accountName: input.AccountName, createdAt: ctx.now },
          { accessKeyId: accessKeyId(), secret: accessKeySecret() },
          LIMITS.accounts,
        );
        ctx.log.info({ accountId, accountName: account.accountName }, 'account created');
        return {
          Account: accountWire(account),
          RootAccessKey: {
            AccessKeyId: key.accessKeyId,
            AccessKeySecret: key.secret,
            Status: key.status,
            CreateDate: isoSeconds(key.createdAt),
          },
        };
      } catch (e) {
        if (isStoreError(e, 'Conflict')) {
          throw LimitExceededAccount(
            `The count of accounts beyond the current limits: at most ${LIMITS.accounts}.`,
          );
        }
        if (!isStoreError(e, 'AlreadyExists')) throw e;
        const taken = (await ram.listAccounts()).some((a) => a.accountName === input.AccountName);
        if (taken || attempt >= 2) {
          throw EntityAlreadyExistsAccount(`The account already exists: \`${input.AccountName}\`.`);
        }
      }
    }
  };
}

/** ListAccounts. */
export function listAccounts(ram: RamApi): Handler<(typeof ListAccounts)['params']> {
  return async (ctx) => {
    await onlyTheFirst(ram, ctx.accountId, 'ListAccounts');
    const all = await ram.listAccounts();
    return { TotalCount: all.length, Accounts: { Account: all.map(accountWire) } };
  };
}

/** The Yunbox operations of accounts, for `createYunboxProduct`. */
export function accountOperations(ram: RamApi): BoundOperation[] {
  return [bind(CreateAccount, createAccount(ram)), bind(ListAccounts, listAccounts(ram))];
}
