import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describe, expect, it } from 'vitest';
import { argumentError, nearest } from './argument-error.js';

const OPTIONS = {
  endpoint: { type: 'string' },
  name: { type: 'string', short: 'n' },
  yes: { type: 'boolean', short: 'y' },
  resource: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** What Node's parser throws for `args`, said as ours (with `hints`). */
function said(args: string[], hints: Parameters<typeof argumentError>[1] = {}): string {
  try {
    parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (e) {
    return argumentError(e, hints);
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

describe('argumentError', () => {
  it.each([
    // kind, arguments, our sentence
    ['unknown option', ['--bogus'], 'unknown option `--bogus`'],
    ['unknown short option', ['-z'], 'unknown option `-z`'],
    ['missing value', ['--endpoint'], 'option `--endpoint` needs a value'],
    // A short option with a long one is named by its long one, not `-n,`.
    ['missing value of a short option', ['-n'], 'option `--name` needs a value'],
    [
      'ambiguous value (the next argument looks like an option)',
      ['--endpoint', '--yes'],
      'option `--endpoint` needs a value (one starting with `-` is written `--endpoint=-…`)',
    ],
    [
      'ambiguous value of a short option',
      ['-n', '-x'],
      'option `-n` needs a value (one starting with `-` is written `--name=-…`)',
    ],
    ['value given to a flag', ['--yes=1'], 'option `--yes` takes no value'],
    ['stray argument', ['extra'], 'unexpected argument `extra`: this command takes options only'],
  ])('%s', (_kind, args, sentence) => {
    expect(said(args)).toBe(sentence);
  });

  it('never says an ambiguous value is a value given to a flag', () => {
    expect(said(['--name', '-x'])).not.toContain('takes no value');
    expect(said(['--name', '-x'])).toContain('needs a value');
  });

  it('writes one line, lower-case, without a final period', () => {
    for (const args of [['--bogus'], ['--endpoint'], ['--name', '--yes'], ['--yes=1'], ['x']]) {
      const s = said(args);
      expect(s).not.toContain('\n');
      expect(s[0]).toBe(s[0]!.toLowerCase());
      expect(s).not.toMatch(/\.$/);
    }
  });

  it('suggests the option meant, or says what the command adds', () => {
    expect(said(['--resouce', '*'], { options: OPTIONS })).toBe(
      'unknown option `--resouce` — did you mean `--resource`?',
    );
    const exec = { options: OPTIONS, unknownOption: 'a command to run goes after `--`' };
    expect(said(['-s'], exec)).toBe('unknown option `-s` (a command to run goes after `--`)');
    expect(said(['extra'], { positional: 'policy files are given with --policy' })).toBe(
      'unexpected argument `extra`: policy files are given with --policy',
    );
  });

  it('says anything else Node may throw in our case, first line only', () => {
    const e = Object.assign(new Error('Something new.\nMore detail'), { code: 'ERR_OTHER' });
    expect(argumentError(e)).toBe('something new');
    expect(argumentError('Plain text')).toBe('plain text');
  });
});

describe('nearest', () => {
  it('finds a name a letter or so off, and nothing for a stranger', () => {
    expect(nearest('resouce', ['endpoint', 'resource'])).toBe('resource');
    expect(nearest('AdministratorAcces', ['AdministratorAccess', 'ReadOnlyAccess'])).toBe(
      'AdministratorAccess',
    );
    expect(nearest('zzz', ['endpoint', 'resource'])).toBeUndefined();
  });
});
