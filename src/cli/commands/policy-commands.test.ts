/**
 * @module Tests of `yunbox policy simulate` and `yunbox policy validate` run in-process with captured output: formats, exit codes, usage errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TYPO_POLICY } from '../../testing/fixtures.js';
import type { CliIo } from '../command.js';
import { command as simulate } from './policy-simulate.js';
import { command as validate } from './policy-validate.js';

const dir = mkdtempSync(join(tmpdir(), 'yunbox-policy-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIo & { out: string; err: string } {
  const c = { out: '', err: '', env: {}, cwd: dir } as CliIo & { out: string; err: string };
  c.stdout = (t) => void (c.out += t);
  c.stderr = (t) => void (c.err += t);
  return c;
}

writeFileSync(
  join(dir, 'role.json'),
  JSON.stringify({
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'oss:*',
        Resource: 'acs:oss:*:*:ramroletest/*',
        Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
      },
      {
        Sid: 'DenyPut',
        Effect: 'Deny',
        Action: 'oss:PutObject',
        Resource: 'acs:oss:*:*:ramroletest/locked/*',
      },
    ],
  }),
);
writeFileSync(
  join(dir, 'bad.json'),
  '{\n  "Version": "1",\n  "Statement": [\n    {"Effect": "Allow", "Action": "oss", "Resource": "*"}\n  ]\n}\n',
);
writeFileSync(
  join(dir, 'warn.json'),
  JSON.stringify({ Version: '1', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }),
);
writeFileSync(join(dir, 'typos.json'), `${TYPO_POLICY}\n`);
writeFileSync(
  join(dir, 'trust.json'),
  JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs.aliyuncs.com' } },
    ],
  }),
);

describe('policy simulate', () => {
  it('prints the decision and reasons; exit 0 when allowed', async () => {
    const c = io();
    const code = await simulate.run(
      [
        '--policy',
        'role.json',
        '--action',
        'oss:GetObject',
        '--resource',
        'acs:oss:*:111:ramroletest/a',
        '--context',
        'acs:SourceIp=10.1.1.1',
      ],
      c,
    );
    expect(code).toBe(0);
    expect(c.out).toBe(
      'decision: allow\nexplanation: allowed by statement 0 of policy `role` (Custom)\nreasons:\n  Allow: statement 0 of policy `role` (Custom)\n',
    );
  });

  it('exit 1 when denied, with the unevaluable conditions', async () => {
    const c = io();
    const code = await simulate.run(
      [
        '--policy',
        'Role@v2=role.json',
        '--action',
        'oss:GetObject',
        '--resource',
        'acs:oss:*:111:ramroletest/a',
      ],
      c,
    );
    expect(code).toBe(1);
    expect(c.out).toContain('decision: implicit-deny\n');
    expect(c.out).toContain(
      'could not evaluate:\n  statement 0 of policy `Role` (Custom, v2): condition `IpAddress` on `acs:SourceIp`: the key is missing from the request\n',
    );
  });

  it('prints JSON', async () => {
    const c = io();
    const code = await simulate.run(
      [
        '--json',
        '--policy',
        'role.json',
        '--action',
        'oss:PutObject',
        '--resource',
        'acs:oss:*:111:ramroletest/locked/x',
        '--context',
        'acs:SourceIp=10.0.0.1',
      ],
      c,
    );
    expect(code).toBe(1);
    const d = JSON.parse(c.out);
    expect(d.decision).toBe('explicit-deny');
    expect(d.reasons).toEqual([
      {
        policyName: 'role',
        policyType: 'Custom',
        statementIndex: 1,
        sid: 'DenyPut',
        effect: 'Deny',
      },
    ]);
    expect(d.explanation).toBe(
      'explicit deny by statement 1 (Sid DenyPut) of policy `role` (Custom)',
    );
  });

  it('simulates a trust policy for a service', async () => {
    const c = io();
    expect(
      await simulate.run(
        ['--trust-policy', 'trust.json', '--principal', 'service:ecs.aliyuncs.com'],
        c,
      ),
    ).toBe(0);
    expect(c.out).toContain('service `ecs.aliyuncs.com` may assume the role');
  });

  it('collects repeated context keys into a list', async () => {
    writeFileSync(
      join(dir, 'tags.json'),
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { 'ForAllValues:StringEquals': { 'acs:TagKeys': ['a', 'b'] } },
          },
        ],
      }),
    );
    const ok = io();
    expect(
      await simulate.run(
        [
          '--policy',
          'tags.json',
          '--action',
          'ecs:TagResources',
          '--resource',
          '*',
          '--context',
          'acs:TagKeys=a',
          '--context',
          'acs:TagKeys=b',
        ],
        ok,
      ),
    ).toBe(0);
    expect(ok.out).toContain('warnings:\n  ');
    const no = io();
    expect(
      await simulate.run(
        [
          '--policy',
          'tags.json',
          '--action',
          'ecs:TagResources',
          '--resource',
          '*',
          '--context',
          'acs:TagKeys=a',
          '--context',
          'acs:TagKeys=c',
        ],
        no,
      ),
    ).toBe(1);
  });

  it.each([
    [['--action', 'oss:GetObject'], '`--resource` is required'],
    [['--resource', '*'], '`--action` is required'],
    [
      ['--action', 'a:b', '--resource', '*', '--context', 'novalue'],
      '`--context` takes KEY=VALUE, not `novalue`',
    ],
    [['--action', 'a:b', '--resource', '*', '--principal', 'bob'], 'cannot read principal `bob`'],
    [
      ['--action', 'a:b', '--resource', '*', '--system-policy', 'Nope'],
      'unknown system policy `Nope`; known: AdministratorAccess, ',
    ],
    [
      ['--action', 'a:b', '--resource', '*', '--system-policy', 'AdministratorAcces'],
      'unknown system policy `AdministratorAcces` — did you mean `AdministratorAccess`?',
    ],
    [['--trust-policy', 'trust.json'], '`--trust-policy` needs `--principal`'],
    [['--bogus'], 'unknown option `--bogus`'],
    [['--resouce', '*'], 'unknown option `--resouce` — did you mean `--resource`?'],
    [['--action'], 'option `--action` needs a value'],
    [['--action', '--resource', '*'], 'option `--action` needs a value (one starting with `-`'],
    [['--action=', '--resource', '*'], 'option `--action` needs a value, not an empty one'],
    [['--json=yes'], 'option `--json` takes no value'],
    [
      ['--action', 'a:b', '--action', 'c:d', '--resource', '*'],
      'option `--action` is given twice; it takes one value',
    ],
    [['role.json'], 'unexpected argument `role.json`: policy files are given with --policy'],
  ])('usage error %j exits 2', async (argv, message) => {
    const c = io();
    expect(await simulate.run(argv, c)).toBe(2);
    // Ours: one line, lower-case, then the usage line.
    const [first, usage, rest] = c.err.split('\n');
    expect(first).toContain(`yunbox policy simulate: ${message}`);
    expect(first).toMatch(/^yunbox policy simulate: [a-z`]/);
    expect(usage).toBe(
      'usage: yunbox policy simulate --action ACTION --resource ARN [options] (`--help` for more)',
    );
    expect(rest).toBe('');
  });

  it('exit 3 for an unreadable or invalid policy file', async () => {
    const missing = io();
    expect(
      await simulate.run(
        ['--policy', 'missing.json', '--action', 'a:b', '--resource', '*'],
        missing,
      ),
    ).toBe(3);
    expect(missing.err).toBe('missing.json: cannot read the file: ENOENT\n');
    const bad = io();
    expect(
      await simulate.run(['--policy', 'bad.json', '--action', 'a:b', '--resource', '*'], bad),
    ).toBe(3);
    expect(bad.err).toContain('bad.json:4:25: InvalidAction: `oss` is not an action');
  });

  it('prints usage with --help', async () => {
    const c = io();
    expect(await simulate.run(['--help'], c)).toBe(0);
    expect(c.out).toContain('usage: yunbox policy simulate');
    expect(simulate.name).toBe('policy simulate');
  });
});

describe('policy simulate warnings', () => {
  it('warns about an unknown --action and the policies’ unknown actions, and decides all the same', async () => {
    const c = io();
    const code = await simulate.run(
      ['--policy', 'typos.json', '--action', 'oss:GetObjects', '--resource', 'acs:oss:*:111:b/k'],
      c,
    );
    // The policy allows exactly what it names, misspelt or not; the warnings say so.
    expect(code).toBe(0);
    expect(c.out).toContain('decision: allow\n');
    expect(c.out).toContain(
      'warnings:\n  --action: UnknownAction: `oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`?\n  typos.json:4:36: warning: UnknownAction:',
    );
    expect(c.out).toContain('typos.json:4:54: warning: UnknownService:');
  });
});

describe('policy validate', () => {
  it('prints file:line:col: code: message and exits 1', async () => {
    const c = io();
    expect(await validate.run(['bad.json'], c)).toBe(1);
    expect(c.out).toBe(
      'bad.json:4:25: InvalidAction: `oss` is not an action; write `<service>:<ActionName>` such as `oss:GetObject`, with `*` or `?` wildcards (at /Statement/0/Action)\n',
    );
  });

  it('accepts valid files (warnings shown) and exits 0', async () => {
    const c = io();
    expect(await validate.run(['role.json', 'warn.json', 'trust.json'], c)).toBe(0);
    expect(c.out).toBe(
      [
        'role.json: valid identity policy (2 statements)',
        'warn.json:1:16: warning: StatementNotList: `Statement` is a single object; RAM documents it as a list of statements (at /Statement)',
        'warn.json: valid identity policy (1 statement)',
        'trust.json: valid trust policy (1 statement)',
        '',
      ].join('\n'),
    );
  });

  it('warns about actions no served service has and prefixes yunbox does not serve', async () => {
    const c = io();
    expect(await validate.run(['typos.json'], c)).toBe(0);
    expect(c.out).toBe(
      [
        'typos.json:4:36: warning: UnknownAction: `oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`? (at /Statement/0/Action/0)',
        'typos.json:4:54: warning: UnknownService: yunbox does not serve `osss`, and knows no service of that name — did you mean `oss`? (at /Statement/0/Action/1)',
        'typos.json: valid identity policy (1 statement)',
        '',
      ].join('\n'),
    );
    const j = io();
    expect(await validate.run(['--json', 'typos.json'], j)).toBe(0);
    expect(JSON.parse(j.out)[0]).toMatchObject({
      ok: true,
      warnings: [
        { code: 'UnknownAction', line: 4, column: 36, severity: 'warning' },
        { code: 'UnknownService', line: 4, column: 54, severity: 'warning' },
      ],
    });
  });

  it('checks against the kind given and its size limit', async () => {
    const c = io();
    // A trust policy must name its Principal (a bucket policy may omit it: ImplicitPrincipal).
    expect(await validate.run(['--kind', 'trust', 'role.json'], c)).toBe(1);
    expect(c.out).toContain('MissingPrincipal');
    const small = io();
    expect(await validate.run(['--max-length', '20', 'role.json'], small)).toBe(1);
    expect(small.out).toContain('role.json: PolicyTooLong: the policy document has');
  });

  it('prints JSON', async () => {
    const c = io();
    expect(await validate.run(['--json', 'bad.json', 'role.json'], c)).toBe(1);
    const results = JSON.parse(c.out);
    expect(results[0]).toMatchObject({
      file: 'bad.json',
      kind: 'identity',
      ok: false,
      diagnostics: [{ code: 'InvalidAction', line: 4, column: 25 }],
    });
    expect(results[1]).toMatchObject({ file: 'role.json', ok: true, statements: 2 });
  });

  it('reports unreadable files and usage errors', async () => {
    const missing = io();
    expect(await validate.run(['nope.json'], missing)).toBe(1);
    expect(missing.out).toBe('nope.json: cannot read the file: ENOENT\n');
    for (const [argv, message] of [
      [[], 'no policy file given'],
      [['--kind', 'x', 'a'], 'unknown kind `x`; use identity, session, trust or bucket'],
      [['--max-length', '0', 'a'], '`--max-length` must be a positive integer, not `0`'],
      [['--max-length', '1e3', 'a'], '`--max-length` must be a positive integer, not `1e3`'],
      [['--kind'], 'option `--kind` needs a value'],
      [['--jsn', 'a'], 'unknown option `--jsn` — did you mean `--json`?'],
      [['--kind', 'trust', '--kind', 'bucket', 'a'], 'option `--kind` is given twice'],
    ] as const) {
      const c = io();
      expect(await validate.run([...argv], c), argv.join(' ')).toBe(2);
      expect(c.err.split('\n')[0]).toContain(`yunbox policy validate: ${message}`);
      expect(c.err.split('\n')[1]).toMatch(/^usage: yunbox policy validate FILE\.\.\. /);
    }
    const help = io();
    expect(await validate.run(['-h'], help)).toBe(0);
    expect(help.out).toContain('exit status: 0 every file is valid');
  });
});
