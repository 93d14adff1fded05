/**
 * @module `yunbox policy validate FILE...`: checks policy documents as RAM would at write time and
 * prints one line per diagnostic, `file:line:col: Code: message`, so editors can jump to it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  adviseActions,
  compilePolicy,
  guessPolicyKind,
  type Diagnostic,
  type PolicyKind,
} from '../../policy/index.js';
import { declaredActionCatalogue } from '../../services/catalogue.js';
import type { CliCommand, CliIo } from '../command.js';
import { parsePolicyArgs, usageError, UsageError } from './policy-args.js';

const KINDS: readonly PolicyKind[] = ['identity', 'session', 'trust', 'bucket'];

const OPTIONS = {
  kind: { type: 'string' },
  'max-length': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `usage: yunbox policy validate FILE... [--kind identity|session|trust|bucket] [--max-length N] [--json]

Checks RAM policy documents: JSON syntax, elements, actions, resource ARNs, principals,
condition operators, keys and values, and the size limit of the kind. Warns about actions
no service yunbox serves has (\`oss:GetObjects\`, with the closest one) and about service
prefixes it does not serve (\`osss:List*\`, \`log:GetLogStore\`); RAM accepts those, so the
file stays valid.

  --kind KIND        identity (permission policy, 6144 characters), session (STS session
                     policy, 2048), trust (role trust policy, 2048) or bucket (OSS bucket
                     policy, 16384); guessed from the document when omitted
  --max-length N     size limit in characters instead of the kind's default
  --json             print the results as JSON

Each problem is printed as \`FILE:LINE:COLUMN: CODE: message\` (warnings as
\`FILE:LINE:COLUMN: warning: CODE: message\`); a valid file prints \`FILE: valid ...\`.

exit status: 0 every file is valid, 1 a file is invalid or unreadable, 2 usage error`;

function location(file: string, d: Diagnostic): string {
  return d.line !== undefined ? `${file}:${d.line}:${d.column ?? 1}` : file;
}

/**
 * Validation's warnings and the action catalogue's advice on a valid document, in document order.
 */
export function policyWarnings(text: string, warnings: readonly Diagnostic[]): Diagnostic[] {
  const all = [...warnings, ...adviseActions(text, declaredActionCatalogue())];
  const at = (d: Diagnostic) => (d.line ?? 0) * 1e6 + (d.column ?? 0);
  return all.sort((a, b) => at(a) - at(b));
}

/** Formats one diagnostic as a compiler-style line. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = location(file, d);
  const pointer = d.pointer ? ` (at ${d.pointer})` : '';
  return d.severity === 'warning'
    ? `${where}: warning: ${d.code}: ${d.message}${pointer}`
    : `${where}: ${d.code}: ${d.message}${pointer}`;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let values: { kind?: string; 'max-length'?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  let maxLength: number | undefined;
  try {
    ({ values, positionals } = parsePolicyArgs(argv, OPTIONS, true) as {
      values: typeof values;
      positionals: string[];
    });
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('no policy file given');
    if (values.kind !== undefined && !KINDS.includes(values.kind as PolicyKind)) {
      throw new UsageError(
        `unknown kind \`${values.kind}\`; use identity, session, trust or bucket`,
      );
    }
    if (values['max-length'] !== undefined) {
      maxLength = Number(values['max-length']);
      if (!/^\d{1,9}$/.test(values['max-length']) || maxLength < 1) {
        throw new UsageError(
          `\`--max-length\` must be a positive integer, not \`${values['max-length']}\``,
        );
      }
    }
  } catch (e) {
    if (e instanceof UsageError) return usageError(io, 'policy validate', USAGE, e.message);
    throw e;
  }

  let failed = false;
  const results: unknown[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8');
    } catch (e) {
      failed = true;
      const message = `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
      if (values.json) results.push({ file, ok: false, error: message });
      else io.stdout(`${file}: ${message}\n`);
      continue;
    }
    const kind = (values.kind as PolicyKind | undefined) ?? guessPolicyKind(text);
    const r = compilePolicy(text, kind, maxLength === undefined ? {} : { maxLength });
    const warnings = r.ok ? policyWarnings(text, r.warnings) : [];
    if (values.json) {
      results.push(
        r.ok
          ? { file, kind, ok: true, statements: r.policy.statements.length, warnings }
          : { file, kind, ok: false, diagnostics: r.diagnostics },
      );
      if (!r.ok) failed = true;
      continue;
    }
    if (r.ok) {
      for (const w of warnings) io.stdout(`${formatDiagnostic(file, w)}\n`);
      const n = r.policy.statements.length;
      io.stdout(`${file}: valid ${kind} policy (${n} statement${n === 1 ? '' : 's'})\n`);
    } else {
      failed = true;
      for (const d of r.diagnostics) io.stdout(`${formatDiagnostic(file, d)}\n`);
    }
  }
  if (values.json) io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  return failed ? 1 : 0;
}

/** `yunbox policy validate`. */
export const command: CliCommand = {
  name: 'policy validate',
  summary: 'check policy documents and print diagnostics with line and column',
  usage: USAGE,
  run,
};
