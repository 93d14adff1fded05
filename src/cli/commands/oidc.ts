/**
 * @module `yunbox oidc issuer` and `yunbox oidc token`: the account's own OIDC issuer (served by
 * the HTTPS gateway, `services/ims/issuer.ts`). `issuer` prints what to register with
 * CreateOIDCProvider (issuer URL, SHA-1 fingerprint of yunbox's CA); `token` prints a signed
 * token for a subject and audience. Both call the signed Yunbox API (`DescribeOIDCIssuer`,
 * `IssueOIDCToken`) with the root credentials, stamped with the server's time, so RAM decides and
 * the trail records, and tokens carry the server's clock.
 */
import { parseDuration } from '../../kernel/admin.js';
import type { CliCommand } from '../command.js';
import { parseCommandArgs, rootYunboxCall, serverCallOptions } from '../server-client.js';

const OPTIONS = `
options:
  --endpoint URL   the server (default YUNBOX_ENDPOINT, else http://127.0.0.1:9910)
  --data DIR       its data directory, for root-credentials.json (default YUNBOX_DATA, else
                   ./.yunbox); or set YUNBOX_ROOT_ACCESS_KEY_ID and YUNBOX_ROOT_ACCESS_KEY_SECRET
`;

const ISSUER_USAGE = `usage: yunbox oidc issuer [--json] [--endpoint URL] [--data DIR]

Prints the account's OIDC issuer URL (on the server's HTTPS listener, --tls-listen) and the SHA-1
fingerprint of the CA that vouches for it: what CreateOIDCProvider takes as IssuerUrl and
Fingerprints.
  --json           print {"IssuerUrl", "JwksUri", "Fingerprint", "Algorithm"} instead
${OPTIONS}`;

const TOKEN_USAGE = `usage: yunbox oidc token --sub SUBJECT --aud CLIENT_ID [--ttl DURATION] [--endpoint URL] [--data DIR]

Prints an OIDC token (RS256 JWT) signed by the account's issuer, for AssumeRoleWithOIDC.
  --sub SUBJECT    the \`sub\` claim, e.g. system:serviceaccount:default:app
  --aud CLIENT_ID  the \`aud\` claim: a client ID of the OIDC provider, e.g. sts.aliyuncs.com
  --ttl DURATION   validity, 60s to 24h, e.g. \`1h\`, \`15m\` or seconds (default 1h)
${OPTIONS}`;

/** `yunbox oidc issuer` */
export const oidcIssuer: CliCommand = {
  name: 'oidc issuer',
  summary: "print the account's OIDC issuer URL and the fingerprint to register",
  usage: ISSUER_USAGE,
  async run(argv, io) {
    const parsed = parseCommandArgs(
      argv,
      io,
      'oidc issuer',
      ISSUER_USAGE,
      { ...serverCallOptions, json: { type: 'boolean' } },
      { positionals: { count: 0, expected: 'no arguments' } },
    );
    if ('exit' in parsed) return parsed.exit;
    const r = await rootYunboxCall(io, 'oidc issuer', parsed.values, 'DescribeOIDCIssuer', {});
    if (!r.ok) return 1;
    const b = r.body;
    if (parsed.values.json) {
      const { RequestId: _, ...rest } = b;
      io.stdout(`${JSON.stringify(rest, null, 2)}\n`);
    } else {
      io.stdout(
        `issuer:      ${String(b.IssuerUrl)}\nfingerprint: ${String(b.Fingerprint)}\njwks:        ${String(b.JwksUri)}\n`,
      );
    }
    return 0;
  },
};

/** `yunbox oidc token` */
export const oidcToken: CliCommand = {
  name: 'oidc token',
  summary: "print an OIDC token signed by the account's issuer",
  usage: TOKEN_USAGE,
  async run(argv, io) {
    const parsed = parseCommandArgs(argv, io, 'oidc token', TOKEN_USAGE, {
      ...serverCallOptions,
      sub: { type: 'string' },
      aud: { type: 'string' },
      ttl: { type: 'string' },
    });
    if ('exit' in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    if (positionals.length > 0 || values.sub === undefined || values.aud === undefined) {
      io.stderr(`yunbox oidc token: expected --sub and --aud, and no arguments\n${TOKEN_USAGE}`);
      return 2;
    }
    const params: Record<string, string> = { Subject: values.sub, Audience: values.aud };
    if (values.ttl !== undefined) {
      const ms = parseDuration(values.ttl);
      const seconds = ms === undefined ? NaN : ms / 1000;
      if (!Number.isInteger(seconds) || seconds < 60 || seconds > 86_400) {
        io.stderr(
          `yunbox oidc token: \`--ttl ${values.ttl}\` is not a whole number of seconds from 60s to 24h\n`,
        );
        return 2;
      }
      params.DurationSeconds = String(seconds);
    }
    const r = await rootYunboxCall(io, 'oidc token', values, 'IssueOIDCToken', params);
    if (!r.ok) return 1;
    io.stdout(`${String(r.body.Token)}\n`);
    return 0;
  },
};
