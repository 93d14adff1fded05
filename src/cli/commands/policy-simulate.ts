/**
 * @module `yunbox policy simulate`: decides one request against policy files exactly as the
 * services do (identity, session and bucket policies combined by `authorize`, trust policies by
 * `authorizeAssumeRole`) and prints the decision, the deciding statements and the conditions that
 * could not be evaluated.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import {
  authorize,
  authorizeAssumeRole,
  compilePolicy,
  formatStatementRef,
  parsePrincipalSpec,
  systemPolicyRef,
  SYSTEM_POLICIES,
  type AuthzRequest,
  type Decision,
  type Diagnostic,
  type PolicyKind,
  type PolicyRef,
  type PolicySets,
  type RequestPrincipal,
} from '../../policy/index.js';
import type { CliCommand, CliIo } from '../command.js';
import { nearest, parsePolicyArgs, usageError, UsageError } from './policy-args.js';
import { declaredActionCatalogue } from '../../services/catalogue.js';
import { formatDiagnostic, policyWarnings } from './policy-validate.js';

const USAGE = `usage: yunbox policy simulate --action ACTION --resource ARN [options]

Decides one request against policy documents and explains the decision.

  --policy [NAME[@VERSION]=]FILE
                         identity policy (repeatable); named after the file unless
                         NAME is given, e.g. --policy ReadLogs@v2=read-logs.json
  --system-policy NAME   a system policy, e.g. AdministratorAccess (repeatable)
  --session-policy [NAME=]FILE
                         STS session policy; the result is its intersection with the
                         identity policies
  --bucket-policy [NAME=]FILE
                         OSS bucket policy of the bucket in --resource
  --trust-policy [NAME=]FILE
                         role trust policy: simulate AssumeRole by --principal (the
                         action defaults to sts:AssumeRole; identity policies, if any,
                         must also allow it)
  --action ACTION        e.g. oss:GetObject, ram:CreateRole (one yunbox does not know
                         is warned about, and decided all the same)
  --resource ARN         e.g. acs:oss:*:1234567890123456:bucket/key
  --principal SPEC       the caller: acs:ram::UID:user/NAME, acs:ram::UID:role/ROLE/SESSION,
                         acs:ram::UID:root (or UID), service:ecs.aliyuncs.com,
                         federated:ARN, anonymous
  --principal-id ID      the user ID or role ID of the principal
  --owner UID            account that owns the resource (default: the caller's account)
  --context KEY=VALUE    condition key and value (repeatable; repeat a key for several
                         values), e.g. --context acs:SourceIp=10.0.0.1
  --json                 print the decision as JSON

exit status: 0 allowed, 1 denied (explicit or implicit), 2 usage error,
3 a policy file is unreadable or invalid`;

type Values = {
  policy?: string[];
  'system-policy'?: string[];
  'session-policy'?: string[];
  'bucket-policy'?: string[];
  'trust-policy'?: string;
  action?: string;
  resource?: string;
  principal?: string;
  'principal-id'?: string;
  owner?: string;
  context?: string[];
  json?: boolean;
  help?: boolean;
};

const OPTIONS = {
  policy: { type: 'string', multiple: true },
  'system-policy': { type: 'string', multiple: true },
  'session-policy': { type: 'string', multiple: true },
  'bucket-policy': { type: 'string', multiple: true },
  'trust-policy': { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  principal: { type: 'string' },
  'principal-id': { type: 'string' },
  owner: { type: 'string' },
  context: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class PolicyFileError extends Error {}

const NAMED = /^([A-Za-z0-9._-]+)(?:@([A-Za-z0-9._-]+))?=(.+)$/s;

async function load(
  io: CliIo,
  spec: string,
  kind: PolicyKind,
  type: PolicyRef['type'],
  warnings: string[],
): Promise<PolicyRef> {
  const named = NAMED.exec(spec);
  const file = named ? named[3]! : spec;
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    throw new PolicyFileError(
      `${file}: cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  const r = compilePolicy(text, kind);
  if (!r.ok) {
    throw new PolicyFileError(
      r.diagnostics.map((d: Diagnostic) => formatDiagnostic(file, d)).join('\n'),
    );
  }
  for (const w of policyWarnings(text, r.warnings)) warnings.push(formatDiagnostic(file, w));
  const ref: PolicyRef = {
    name: named ? named[1]! : basename(file, extname(file)),
    type,
    policy: r.policy,
  };
  if (named?.[2] !== undefined) ref.version = named[2];
  return ref;
}

function parseContext(pairs: string[]): AuthzRequest['context'] {
  const context: Record<string, string | string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`\`--context\` takes KEY=VALUE, not \`${pair}\``);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const prev = context[key];
    context[key] =
      prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return context;
}

function printDecision(io: CliIo, d: Decision, warnings: string[]): void {
  io.stdout(`decision: ${d.decision}\n`);
  io.stdout(`explanation: ${d.explanation}\n`);
  if (d.reasons.length > 0) {
    io.stdout('reasons:\n');
    for (const r of d.reasons) io.stdout(`  ${r.effect}: ${formatStatementRef(r)}\n`);
  }
  if (d.errors.length > 0) {
    io.stdout('could not evaluate:\n');
    for (const e of d.errors) io.stdout(`  ${formatStatementRef(e.statement)}: ${e.message}\n`);
  }
  if (warnings.length > 0) {
    io.stdout('warnings:\n');
    for (const w of warnings) io.stdout(`  ${w}\n`);
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let values: Values;
  try {
    ({ values } = parsePolicyArgs(
      argv,
      OPTIONS,
      false,
      'policy files are given with --policy, --session-policy, --bucket-policy or --trust-policy',
    ) as { values: Values });
  } catch (e) {
    if (e instanceof UsageError) return usageError(io, 'policy simulate', USAGE, e.message);
    throw e;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const trustFile = values['trust-policy'];
    const action = values.action ?? (trustFile !== undefined ? 'sts:AssumeRole' : undefined);
    if (action === undefined) throw new UsageError('`--action` is required');
    const resource = values.resource ?? (trustFile !== undefined ? '' : undefined);
    if (resource === undefined) throw new UsageError('`--resource` is required');
    let principal: RequestPrincipal | undefined;
    if (values.principal !== undefined) {
      const p = parsePrincipalSpec(values.principal, values['principal-id'] ?? '');
      if (!p.ok) throw new UsageError(p.message);
      principal = p.principal;
    }
    if (trustFile !== undefined && principal === undefined) {
      throw new UsageError(
        '`--trust-policy` needs `--principal`, the identity that assumes the role',
      );
    }
    const context = parseContext(values.context ?? []);

    const warnings: string[] = [];
    const advice = declaredActionCatalogue().advise(action);
    if (advice) warnings.push(`--action: ${advice.code}: ${advice.message}`);
    const identity: PolicyRef[] = [];
    for (const name of values['system-policy'] ?? []) {
      const ref = systemPolicyRef(name);
      if (!ref) {
        const near = nearest(name, Object.keys(SYSTEM_POLICIES));
        throw new UsageError(
          near
            ? `unknown system policy \`${name}\` — did you mean \`${near}\`?`
            : `unknown system policy \`${name}\`; known: ${Object.keys(SYSTEM_POLICIES).join(', ')}`,
        );
      }
      identity.push(ref);
    }
    for (const f of values.policy ?? [])
      identity.push(await load(io, f, 'identity', 'Custom', warnings));
    const session: PolicyRef[] = [];
    for (const f of values['session-policy'] ?? [])
      session.push(await load(io, f, 'session', 'Session', warnings));
    const bucket: PolicyRef[] = [];
    for (const f of values['bucket-policy'] ?? [])
      bucket.push(await load(io, f, 'bucket', 'Bucket', warnings));
    const trust =
      trustFile !== undefined ? await load(io, trustFile, 'trust', 'Trust', warnings) : undefined;

    const request: AuthzRequest = { action, resource, context };
    if (principal !== undefined) request.principal = principal;
    const owner =
      values.owner ?? (principal && 'accountId' in principal ? principal.accountId : undefined);
    const sets: PolicySets = { identity };
    if (session.length > 0) sets.session = session;
    if (bucket.length > 0) sets.resource = bucket;
    if (owner !== undefined) sets.resourceOwnerAccountId = owner;

    let decision: Decision;
    if (trust !== undefined) {
      const callerHasPolicies = identity.length > 0 || session.length > 0;
      decision = authorizeAssumeRole(request, callerHasPolicies ? sets : null, trust);
    } else {
      decision = authorize(request, sets);
    }

    if (values.json) {
      io.stdout(`${JSON.stringify({ ...decision, warnings }, null, 2)}\n`);
    } else {
      printDecision(io, decision, warnings);
    }
    return decision.decision === 'allow' ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) return usageError(io, 'policy simulate', USAGE, e.message);
    if (e instanceof PolicyFileError) {
      io.stderr(`${e.message}\n`);
      return 3;
    }
    throw e;
  }
}

/** `yunbox policy simulate`. */
export const command: CliCommand = {
  name: 'policy simulate',
  summary: 'decide a request against policy files and explain the decision',
  usage: USAGE,
  run,
};
