/**
 * @module `yunbox account create NAME` and `yunbox account list`: several accounts on one yunbox
 * (issue 20), through the signed Yunbox API (`CreateAccount`, `ListAccounts`) with the first
 * account's root credentials, so RAM decides and the trail records. `create` prints the new
 * account's root AccessKey once (the server answers its secret only then); `--out FILE` also
 * writes it to a new file of mode 0600, in the shape of the data directory's
 * `root-credentials.json`.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { parseCommandArgs, rootYunboxCall, serverCallOptions } from '../server-client.js';

const OPTIONS = `
options:
  --endpoint URL   the server (default YUNBOX_ENDPOINT, else http://127.0.0.1:9910)
  --data DIR       its data directory, for the first account's root-credentials.json (default
                   YUNBOX_DATA, else ./.yunbox); or set YUNBOX_ROOT_ACCESS_KEY_ID and
                   YUNBOX_ROOT_ACCESS_KEY_SECRET
`;

const CREATE_USAGE = `usage: yunbox account create NAME [--json] [--out FILE] [--endpoint URL] [--data DIR]

Creates another account (CreateAccount): its own 16-digit id, RAM users, roles, policies, buckets
and trail; bucket names stay global. Prints its root AccessKey, once: the server never shows the
secret again. Only the first account (the one yunbox made at its first start) may.
  NAME             1-64 letters, digits, \`.\`, \`_\`, \`-\`, unique on this yunbox
  --json           print {"AccountId", "AccountName", "AccessKeyId", "AccessKeySecret"} instead
  --out FILE       also write {"accountId", "AccessKeyId", "AccessKeySecret"} to FILE, a new file
                   of mode 0600 (never overwritten)
${OPTIONS}`;

const LIST_USAGE = `usage: yunbox account list [--json] [--endpoint URL] [--data DIR]

Lists the accounts (ListAccounts): id, name, creation time; the first account is marked.
  --json           print the accounts as a JSON array
${OPTIONS}`;

/** `yunbox account create` */
export const accountCreate: CliCommand = {
  name: 'account create',
  summary: 'create another account with its own root AccessKey',
  usage: CREATE_USAGE,
  async run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      io,
      'account create',
      CREATE_USAGE,
      {
        ...serverCallOptions,
        json: { type: 'boolean' },
        out: { type: 'string' },
      },
      { positionals: { count: 1, expected: 'one NAME' } },
    );
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    const r = await rootYunboxCall(io, 'account create', values, 'CreateAccount', {
      AccountName: positionals[0]!,
    });
    if (!r.ok) return 1;
    const account = r.body.Account as { AccountId: string; AccountName: string };
    const key = r.body.RootAccessKey as { AccessKeyId: string; AccessKeySecret: string };
    let written: string | undefined;
    if (values.out !== undefined) {
      written = resolve(io.cwd, values.out);
      const text = `${JSON.stringify(
        {
          accountId: account.AccountId,
          AccessKeyId: key.AccessKeyId,
          AccessKeySecret: key.AccessKeySecret,
        },
        null,
        2,
      )}\n`;
      try {
        // `wx`: a file that exists (another account's keys) is never replaced.
        await writeFile(written, text, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        io.stderr(
          `yunbox account create: account \`${account.AccountId}\` was created, but \`${written}\` could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); its root AccessKey follows, shown once\n`,
        );
        written = undefined;
      }
    }
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          {
            AccountId: account.AccountId,
            AccountName: account.AccountName,
            AccessKeyId: key.AccessKeyId,
            AccessKeySecret: key.AccessKeySecret,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      io.stdout(
        `account ${account.AccountId} (${account.AccountName}) created; root AccessKey (shown once${written ? `, also in ${written}, mode 0600` : ''}):\n` +
          `  AccessKeyId:     ${key.AccessKeyId}\n  AccessKeySecret: ${key.AccessKeySecret}\n`,
      );
    }
    return 0;
  },
};

/** `yunbox account list` */
export const accountList: CliCommand = {
  name: 'account list',
  summary: 'list the accounts',
  usage: LIST_USAGE,
  async run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      io,
      'account list',
      LIST_USAGE,
      { ...serverCallOptions, json: { type: 'boolean' } },
      { positionals: { count: 0, expected: 'no arguments' } },
    );
    if ('exit' in parsed) return parsed.exit;
    const r = await rootYunboxCall(io, 'account list', parsed.values, 'ListAccounts', {});
    if (!r.ok) return 1;
    const accounts = ((r.body.Accounts as { Account?: unknown[] } | undefined)?.Account ??
      []) as Array<{ AccountId: string; AccountName: string; CreateDate: string; First: boolean }>;
    if (parsed.values.json) {
      io.stdout(`${JSON.stringify(accounts, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(4, ...accounts.map((a) => a.AccountName.length));
    io.stdout(`ACCOUNT ID        ${'NAME'.padEnd(width)}  CREATED\n`);
    for (const a of accounts) {
      io.stdout(
        `${a.AccountId.padEnd(16)}  ${a.AccountName.padEnd(width)}  ${a.CreateDate}${a.First ? '  (first)' : ''}\n`,
      );
    }
    return 0;
  },
};
