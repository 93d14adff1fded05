/**
 * @module `yunbox workload exec --role-arn ARN --provider-arn ARN --sub SUBJECT -- COMMAND`: runs
 * a program as a pod with RRSA (ACK's RAM Roles for Service Accounts) would run: in a workload
 * sandbox (CreateWorkloadSandbox: the network of `instance exec`, without an instance), with an
 * OIDC token of the account's own issuer in a file only the program's user can read, and
 * `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`
 * set, so the default credential chain of an unmodified program calls AssumeRoleWithOIDC at
 * `sts.aliyuncs.com` (yunbox, inside). The token is renewed when 80% of its life has passed, as
 * the kubelet renews projected service account tokens; the file is replaced atomically.
 */
import { chown, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../../kernel/admin.js';
import type { SandboxIdentity } from '../../sandbox/run-as.js';
import type { CliCommand, CliIo } from '../command.js';
import {
  parseCommandArgs,
  rootYunboxCall,
  serverCallOptions,
  serverEndpoint,
} from '../server-client.js';
import { EXIT_HELP, INSIDE_HELP, OPTIONS_HELP, runInSandbox } from './instance-exec.js';

const usage = `usage: yunbox workload exec --role-arn ARN --provider-arn ARN --sub SUBJECT [--aud CLIENT_ID]
                          [--ttl DURATION] [--user NAME|UID | --as-root] [--endpoint URL]
                          [--data DIR] -- COMMAND [ARG...]

Runs COMMAND as a workload on no instance (a pod with RRSA, a CI job) that gets its credentials
by OIDC federation, and exits with its status. The program finds:
  ALIBABA_CLOUD_ROLE_ARN            --role-arn: the role to assume
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN   --provider-arn: the OIDC provider that registered yunbox's
                                    issuer (\`yunbox oidc issuer\` prints what to register)
  ALIBABA_CLOUD_OIDC_TOKEN_FILE     a token of the issuer for --sub and --aud (default
                                    sts.aliyuncs.com), valid --ttl (default 1h, 10m to 24h),
                                    renewed when 80% of its life has passed
${INSIDE_HELP}
Inside a workload sandbox 100.100.100.200 serves no instance.
${OPTIONS_HELP}
${EXIT_HELP}`;

const options = {
  ...serverCallOptions,
  user: { type: 'string' },
  'as-root': { type: 'boolean' },
  'role-arn': { type: 'string' },
  'provider-arn': { type: 'string' },
  sub: { type: 'string' },
  aud: { type: 'string' },
  ttl: { type: 'string' },
} as const;

/**
 * The token file of one run: written for the program's user, renewed when 80% of the token's
 * life has passed (`renewed` is told each time), removed by `close`.
 */
export async function tokenFile(
  io: CliIo,
  values: { endpoint?: string | undefined; data?: string | undefined },
  claims: { sub: string; aud: string; ttl: number },
  identity: SandboxIdentity,
  renewed?: (ok: boolean) => void,
): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'yunbox-workload-'));
  const file = join(dir, 'token');
  const owner = identity.root ? undefined : { uid: identity.uid, gid: identity.gid };
  if (owner) await chown(dir, owner.uid, owner.gid);
  const write = async (): Promise<boolean> => {
    const r = await rootYunboxCall(io, 'workload exec', values, 'IssueOIDCToken', {
      Subject: claims.sub,
      Audience: claims.aud,
      DurationSeconds: String(claims.ttl),
    });
    if (!r.ok) return false;
    const next = `${file}.next`;
    await writeFile(next, String(r.body.Token), { mode: 0o600 });
    if (owner) await chown(next, owner.uid, owner.gid);
    await rename(next, file);
    return true;
  };
  if (!(await write())) {
    await rm(dir, { recursive: true, force: true });
    throw new Error('cannot get an OIDC token for the workload');
  }
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      void write()
        .catch((e) => {
          io.stderr(`yunbox workload exec: cannot renew the token: ${e}\n`);
          return false;
        })
        .then((ok) => {
          schedule();
          renewed?.(ok);
        });
    }, claims.ttl * 800);
    timer.unref();
  };
  schedule();
  return {
    env: { ALIBABA_CLOUD_OIDC_TOKEN_FILE: file },
    async close() {
      if (timer) clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `yunbox workload exec` */
export const command: CliCommand = {
  name: 'workload exec',
  summary: 'run a command as a pod with RRSA: OIDC token file and role variables (root on Linux)',
  usage,
  async run(argv, io) {
    const dash = argv.indexOf('--');
    const head = dash === -1 ? argv : argv.slice(0, dash);
    const rest = dash === -1 ? [] : argv.slice(dash + 1);
    const parsed = parseCommandArgs(head, io, 'workload exec', usage, options, {
      unknownOption: 'a command to run, and its options, go after `--`',
    });
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    const roleArn = values['role-arn'];
    const providerArn = values['provider-arn'];
    if (roleArn === undefined || providerArn === undefined || values.sub === undefined) {
      io.stderr(`yunbox workload exec: expected --role-arn, --provider-arn and --sub\n${usage}`);
      return 2;
    }
    const command = [...positionals, ...rest];
    if (command.length === 0) {
      io.stderr(`yunbox workload exec: expected a command after \`--\`\n${usage}`);
      return 2;
    }
    let ttl = 3600;
    if (values.ttl !== undefined) {
      const ms = parseDuration(values.ttl);
      ttl = ms === undefined ? NaN : ms / 1000;
      if (!Number.isInteger(ttl) || ttl < 600 || ttl > 86_400) {
        io.stderr(
          `yunbox workload exec: \`--ttl ${values.ttl}\` is not a whole number of seconds from 10m to 24h\n`,
        );
        return 2;
      }
    }
    const claims = { sub: values.sub, aud: values.aud ?? 'sts.aliyuncs.com', ttl };
    return runInSandbox(
      {
        name: 'workload exec',
        instanceId: 'the workload',
        workload: true,
        endpoint: serverEndpoint(values.endpoint, io, values.data),
        data: values.data,
        user: values.user,
        asRoot: values['as-root'] ?? false,
        command: () => command,
        async prepare(identity) {
          const t = await tokenFile(io, values, claims, identity);
          return {
            env: {
              ...t.env,
              ALIBABA_CLOUD_ROLE_ARN: roleArn,
              ALIBABA_CLOUD_OIDC_PROVIDER_ARN: providerArn,
            },
            close: () => t.close(),
          };
        },
      },
      io,
    );
  },
};
