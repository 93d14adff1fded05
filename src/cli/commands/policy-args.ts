/**
 * @module The arguments of `yunbox policy validate` and `yunbox policy simulate`: parsed strictly
 * (an unknown option, a missing or empty value, an option given twice that takes one value, a
 * stray argument are refused), and every mistake said in our words, as the policy diagnostics
 * are: lower-case, one line, the input in backticks, then the command's usage line (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { argumentError } from '../argument-error.js';
import type { CliIo } from '../command.js';

export { nearest } from '../argument-error.js';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A mistake in the arguments, in our words (one line, lower-case, input in backticks). */
export class UsageError extends Error {}

/**
 * Prints `yunbox NAME: message` and the first line of `usage` on stderr; the exit status of a
 * usage error, 2.
 */
export function usageError(io: CliIo, name: string, usage: string, message: string): number {
  const line = usage.split('\n')[0] ?? '';
  io.stderr(`yunbox ${name}: ${message}\n${line} (\`--help\` for more)\n`);
  return 2;
}

/**
 * Parses the arguments of a policy command. Throws {@link UsageError} for anything it refuses:
 * Node's parser errors in our words, an empty value (`--action=`), and an option that takes one
 * value given twice (the second would silently win).
 * @param positional what to say of a stray argument when `allowPositionals` is false
 */
export function parsePolicyArgs<O extends ParseArgsOptionsConfig>(
  argv: string[],
  options: O,
  allowPositionals: boolean,
  positional = 'this command takes options only',
): { values: Record<string, string | string[] | boolean | undefined>; positionals: string[] } {
  let parsed: {
    values: Record<string, string | string[] | boolean | boolean[] | undefined>;
    positionals: string[];
    tokens?: Array<{ kind: string; name?: string; value?: string | undefined }>;
  };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(argumentError(e, { options, positional }));
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    const o = options[t.name];
    if (o?.type === 'string' && t.value === '') {
      throw new UsageError(`option \`--${t.name}\` needs a value, not an empty one`);
    }
    if (o?.type === 'string' && !o.multiple && seen.has(t.name)) {
      throw new UsageError(`option \`--${t.name}\` is given twice; it takes one value`);
    }
    seen.add(t.name);
  }
  return {
    values: parsed.values as Record<string, string | string[] | boolean | undefined>,
    positionals: parsed.positionals,
  };
}
