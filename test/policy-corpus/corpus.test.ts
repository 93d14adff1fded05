/**
 * @module Runs every JSON case file in test/policy-corpus through the library and through the CLI
 * commands (`policy simulate`, `policy validate`, called in-process with captured output). A case
 * names the policies of each set, the request and the expected decision, deciding statements
 * (`policy#statementIndex`), condition errors (substrings) and explanation (substring).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { command as simulate } from '../../src/cli/commands/policy-simulate.js';
import { command as validate } from '../../src/cli/commands/policy-validate.js';
import {
  authorize,
  authorizeAssumeRole,
  compilePolicy,
  parsePrincipalSpec,
  systemPolicyRef,
  type AuthzRequest,
  type Decision,
  type PolicyKind,
  type PolicyRef,
  type PolicySets,
} from '../../src/policy/index.js';

interface CorpusPolicy {
  kind?: PolicyKind;
  type?: PolicyRef['type'];
  version?: string;
  document?: unknown;
  system?: string;
}

interface CorpusCase {
  name: string;
  request: {
    action: string;
    resource?: string;
    principal?: string;
    principalId?: string;
    context?: Record<string, string | string[]>;
  };
  identity?: string[];
  session?: string[];
  bucket?: string[];
  trust?: string;
  owner?: string;
  cliSkip?: string;
  expect: {
    decision: Decision['decision'];
    reasons?: string[];
    errors?: string[];
    explanation?: string;
  };
}

interface ValidateCase {
  name: string;
  kind: PolicyKind;
  document: unknown;
  maxLength?: number;
  expect: {
    ok: boolean;
    codes?: string[];
    pointers?: string[];
    line?: number;
    warnings?: string[];
  };
}

interface CorpusFile {
  description: string;
  policies?: Record<string, CorpusPolicy>;
  cases?: CorpusCase[];
  validate?: ValidateCase[];
}

const dir = new URL('.', import.meta.url).pathname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const tmp = mkdtempSync(join(tmpdir(), 'yunbox-policy-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function text(doc: unknown): string {
  return typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2);
}

function kindOf(set: 'identity' | 'session' | 'bucket' | 'trust'): PolicyKind {
  return set === 'bucket' ? 'bucket' : set;
}

function refFor(
  file: CorpusFile,
  name: string,
  set: 'identity' | 'session' | 'bucket' | 'trust',
): PolicyRef {
  const p = file.policies?.[name];
  if (!p) throw new Error(`case names unknown policy ${name}`);
  if (p.system) {
    const ref = systemPolicyRef(p.system);
    if (!ref) throw new Error(`unknown system policy ${p.system}`);
    return { ...ref, name };
  }
  const r = compilePolicy(text(p.document), p.kind ?? kindOf(set));
  if (!r.ok) throw new Error(`corpus policy ${name} is invalid: ${JSON.stringify(r.diagnostics)}`);
  const defaultType = {
    identity: 'Custom',
    session: 'Session',
    bucket: 'Bucket',
    trust: 'Trust',
  } as const;
  const ref: PolicyRef = { name, type: p.type ?? defaultType[set], policy: r.policy };
  if (p.version !== undefined) ref.version = p.version;
  return ref;
}

function libraryDecision(file: CorpusFile, c: CorpusCase): Decision {
  const request: AuthzRequest = {
    action: c.request.action,
    resource: c.request.resource ?? '',
    context: c.request.context ?? {},
  };
  if (c.request.principal !== undefined) {
    const p = parsePrincipalSpec(c.request.principal, c.request.principalId ?? '');
    if (!p.ok) throw new Error(p.message);
    request.principal = p.principal;
  }
  const sets: PolicySets = { identity: (c.identity ?? []).map((n) => refFor(file, n, 'identity')) };
  if (c.session) sets.session = c.session.map((n) => refFor(file, n, 'session'));
  if (c.bucket) sets.resource = c.bucket.map((n) => refFor(file, n, 'bucket'));
  const p = request.principal;
  const owner = c.owner ?? (p && 'accountId' in p ? p.accountId : undefined);
  if (owner !== undefined) sets.resourceOwnerAccountId = owner;
  if (c.trust !== undefined) {
    const trust = refFor(file, c.trust, 'trust');
    const hasCaller = (c.identity ?? []).length > 0 || (c.session ?? []).length > 0;
    return authorizeAssumeRole(request, hasCaller ? sets : null, trust);
  }
  return authorize(request, sets);
}

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {}, cwd: tmp },
    out: () => out,
    err: () => err,
  };
}

function writePolicy(file: CorpusFile, caseDir: string, name: string): string {
  const p = file.policies![name]!;
  const path = join(caseDir, `${name}.json`);
  writeFileSync(path, text(p.document));
  // Named form `NAME@VERSION=FILE` when a version is given, plain FILE otherwise.
  return p.version !== undefined ? `${name}@${p.version}=${path}` : path;
}

async function cliDecision(
  file: CorpusFile,
  c: CorpusCase,
  index: number,
  fileName: string,
): Promise<{ code: number; decision: Decision }> {
  const caseDir = mkdtempSync(join(tmp, `${fileName}-${index}-`));
  const argv: string[] = ['--json', '--action', c.request.action];
  if (c.request.resource !== undefined) argv.push('--resource', c.request.resource);
  if (c.request.principal !== undefined) argv.push('--principal', c.request.principal);
  if (c.request.principalId !== undefined) argv.push('--principal-id', c.request.principalId);
  if (c.owner !== undefined) argv.push('--owner', c.owner);
  for (const [k, v] of Object.entries(c.request.context ?? {})) {
    for (const value of Array.isArray(v) ? v : [v]) argv.push('--context', `${k}=${value}`);
  }
  for (const n of c.identity ?? []) {
    const p = file.policies![n]!;
    if (p.system) {
      if (p.system !== n)
        throw new Error(`system policy ${p.system} must be listed under its own name for the CLI`);
      argv.push('--system-policy', p.system);
    } else {
      argv.push('--policy', writePolicy(file, caseDir, n));
    }
  }
  for (const n of c.session ?? []) argv.push('--session-policy', writePolicy(file, caseDir, n));
  for (const n of c.bucket ?? []) argv.push('--bucket-policy', writePolicy(file, caseDir, n));
  if (c.trust !== undefined) argv.push('--trust-policy', writePolicy(file, caseDir, c.trust));
  const cap = capture();
  const code = await simulate.run(argv, cap.io);
  if (code === 2 || code === 3) throw new Error(`simulate failed (${code}): ${cap.err()}`);
  return { code, decision: JSON.parse(cap.out()) as Decision };
}

function reasonKeys(d: Decision): string[] {
  return d.reasons.map((r) => `${r.policyName}#${r.statementIndex}`).sort();
}

function check(d: Decision, c: CorpusCase): void {
  expect(d.decision, d.explanation).toBe(c.expect.decision);
  if (c.expect.reasons) expect(reasonKeys(d)).toEqual([...c.expect.reasons].sort());
  if (c.expect.errors) {
    const messages = d.errors.map((e) => e.message);
    for (const needle of c.expect.errors) {
      expect(
        messages.some((m) => m.includes(needle)),
        `no error contains ${needle}: ${JSON.stringify(messages)}`,
      ).toBe(true);
    }
    if (c.expect.errors.length === 0) expect(messages).toEqual([]);
  }
  if (c.expect.explanation) expect(d.explanation).toContain(c.expect.explanation);
  expect(d.explanation).not.toMatch(/[\r\n]/);
}

let totalCases = 0;
for (const fileName of files) {
  const file = JSON.parse(readFileSync(join(dir, fileName), 'utf8')) as CorpusFile;
  describe(`${fileName}: ${file.description}`, () => {
    (file.cases ?? []).forEach((c, i) => {
      totalCases++;
      it(`library: ${c.name}`, () => check(libraryDecision(file, c), c));
      if (!c.cliSkip) {
        it(`cli: ${c.name}`, async () => {
          const { code, decision } = await cliDecision(file, c, i, fileName.replace(/\.json$/, ''));
          check(decision, c);
          expect(code).toBe(c.expect.decision === 'allow' ? 0 : 1);
        });
      }
    });
    (file.validate ?? []).forEach((v, i) => {
      totalCases++;
      const source = text(v.document);
      it(`library validate: ${v.name}`, () => {
        const r = compilePolicy(
          source,
          v.kind,
          v.maxLength === undefined ? {} : { maxLength: v.maxLength },
        );
        expect(r.ok, JSON.stringify(r.ok ? r.warnings : r.diagnostics)).toBe(v.expect.ok);
        if (!r.ok) {
          const codes = r.diagnostics.map((d) => d.code);
          for (const code of v.expect.codes ?? []) expect(codes).toContain(code);
          const pointers = r.diagnostics.map((d) => d.pointer);
          for (const p of v.expect.pointers ?? []) expect(pointers).toContain(p);
          if (v.expect.line !== undefined) expect(r.diagnostics[0]!.line).toBe(v.expect.line);
          for (const d of r.diagnostics) {
            expect(d.message, 'diagnostics start lower-case').toMatch(/^[a-z`]/);
            expect(d.message, 'diagnostics have no final period').not.toMatch(/\.$/);
            expect(d.message).not.toMatch(/[\r\n]/);
          }
        } else {
          const codes = r.warnings.map((d) => d.code);
          for (const code of v.expect.warnings ?? []) expect(codes).toContain(code);
        }
      });
      it(`cli validate: ${v.name}`, async () => {
        const path = join(tmp, `${fileName.replace(/\.json$/, '')}-validate-${i}.json`);
        writeFileSync(path, source);
        const cap = capture();
        const argv = [path, '--kind', v.kind];
        if (v.maxLength !== undefined) argv.push('--max-length', String(v.maxLength));
        const code = await validate.run(argv, cap.io);
        expect(code, cap.out() + cap.err()).toBe(v.expect.ok ? 0 : 1);
        for (const c of v.expect.codes ?? []) expect(cap.out()).toContain(`: ${c}: `);
        if (v.expect.line !== undefined) expect(cap.out()).toContain(`${path}:${v.expect.line}:`);
      });
    });
  });
}

describe('corpus', () => {
  it('has cases', () => {
    expect(files.length).toBeGreaterThan(5);
    expect(totalCases).toBeGreaterThan(100);
  });
});
