/**
 * `yunbox policy validate` as a user runs it (the bundled CLI, dist/yunbox.mjs, no server): a
 * policy with `oss:GetObjects` and `osss:List*` is valid for RAM, and the command says which
 * action was probably meant. Mistakes in the arguments of `policy validate` and `policy simulate`
 * are said in our words (lower-case, one line, the input in backticks) with the usage line,
 * never in Node's parser text.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runNode } from '../../src/testing/spawn.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-cli-policy-'));
  await writeFile(
    join(dir, 'read.json'),
    JSON.stringify(
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: ['oss:GetObjects', 'osss:List*'], Resource: '*' },
          { Effect: 'Allow', Action: 'log:GetLogStore', Resource: '*' },
        ],
      },
      null,
      2,
    ),
  );
  await writeFile(
    join(dir, 'good.json'),
    JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:GetObject', 'oss:List*'], Resource: '*' }],
    }),
  );
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('yunbox policy validate', () => {
  it('flags `oss:GetObjects` and `osss:List*`, and names the action meant', async () => {
    const r = await runNode([CLI, 'policy', 'validate', 'read.json'], {}, 30_000, dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'read.json:7:9: warning: UnknownAction: `oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`? (at /Statement/0/Action/0)',
      'read.json:8:9: warning: UnknownService: yunbox does not serve `osss`, and knows no service of that name — did you mean `oss`? (at /Statement/0/Action/1)',
      'read.json:14:7: warning: UnservedService: yunbox does not serve `log`: nothing here checks `log:GetLogStore` (at /Statement/1/Action)',
      'read.json: valid identity policy (2 statements)',
      '',
    ]);
  });

  it('has nothing to say about actions yunbox serves', async () => {
    const r = await runNode([CLI, 'policy', 'validate', 'good.json'], {}, 30_000, dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('good.json: valid identity policy (1 statement)\n');
  });
});

describe('argument errors of `yunbox policy validate` and `yunbox policy simulate`', () => {
  const VALIDATE_USAGE =
    'usage: yunbox policy validate FILE... [--kind identity|session|trust|bucket] [--max-length N] [--json] (`--help` for more)';
  const SIMULATE_USAGE =
    'usage: yunbox policy simulate --action ACTION --resource ARN [options] (`--help` for more)';
  it.each([
    [['validate', '--bogus', 'good.json'], 'unknown option `--bogus`', VALIDATE_USAGE],
    [['validate', '--kind'], 'option `--kind` needs a value', VALIDATE_USAGE],
    [
      ['validate', '--kind', '--json', 'good.json'],
      'option `--kind` needs a value (one starting with `-` is written `--kind=-…`)',
      VALIDATE_USAGE,
    ],
    [['validate', '--json=1', 'good.json'], 'option `--json` takes no value', VALIDATE_USAGE],
    [['validate'], 'no policy file given', VALIDATE_USAGE],
    [
      ['validate', '--kind', 'role', 'good.json'],
      'unknown kind `role`; use identity, session, trust or bucket',
      VALIDATE_USAGE,
    ],
    [
      ['simulate', '--resouce', '*', '--action', 'oss:GetObject'],
      'unknown option `--resouce` — did you mean `--resource`?',
      SIMULATE_USAGE,
    ],
    [
      ['simulate', 'good.json'],
      'unexpected argument `good.json`: policy files are given with --policy, --session-policy, --bucket-policy or --trust-policy',
      SIMULATE_USAGE,
    ],
    [
      ['simulate', '--action=', '--resource', '*'],
      'option `--action` needs a value, not an empty one',
      SIMULATE_USAGE,
    ],
    [
      ['simulate', '--resource', 'a', '--resource', 'b', '--action', 'oss:GetObject'],
      'option `--resource` is given twice; it takes one value',
      SIMULATE_USAGE,
    ],
    [['simulate', '--resource', '*'], '`--action` is required', SIMULATE_USAGE],
  ])('yunbox policy %j', async (argv, message, usage) => {
    const r = await runNode([CLI, 'policy', ...argv], {}, 30_000, dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const command = `policy ${argv[0]}`;
    expect(r.stderr).toBe(`yunbox ${command}: ${message}\n${usage}\n`);
  });
});
