/**
 * @module The arguments of `yunbox policy validate` and `yunbox policy simulate`: parsed strictly
 * (an unknown option, a missing or empty value, an option given twice that takes one value, a
 * stray argument are refused), and every mistake said in our words, as the policy diagnostics
 * are: lower-case, one line, the input in backticks, then the command's usage line (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from '../command.js';

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

/** Edit distance of two short strings (option names), for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The name of `candidates` closest to `given` (a letter or so off: `--resouce` → `resource`,
 * `AdministratorAcces` → `AdministratorAccess`), if one is close.
 */
export function nearest(given: string, candidates: Iterable<string>): string | undefined {
  const name = given.slice(0, 128);
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d <= Math.max(1, Math.floor(c.length / 4)) && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}

/** The option of `options` closest to `given` (`--resouce` → `--resource`), if one is close. */
function closest(given: string, options: ParseArgsOptionsConfig): string | undefined {
  const near = nearest(given.replace(/^-+/, '').split('=')[0]!, Object.keys(options));
  return near && `--${near}`;
}

/** The first `'quoted'` part of a Node parser message: the argument it is about. */
const quotedIn = (message: string): string => /'([^']{0,200})'/.exec(message)?.[1] ?? '?';

/**
 * Node's `parseArgs` error said as ours.
 * @example
 * parserError(e, options, 'policy files go after the options') // 'unknown option `--bogus`'
 */
function parserError(e: unknown, options: ParseArgsOptionsConfig, positional: string): string {
  const err = e as NodeJS.ErrnoException;
  const message = String(err.message ?? e);
  const quoted = quotedIn(message);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = closest(quoted, options);
      return `unknown option \`${quoted}\`${near ? ` — did you mean \`${near}\`?` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = quoted.split(' ')[0];
      if (message.includes('argument missing')) return `option \`${option}\` needs a value`;
      if (message.includes('ambiguous'))
        return `option \`${option}\` needs a value (one starting with \`-\` is written \`${option}=-…\`)`;
      return `option \`${option}\` takes no value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument \`${quoted}\`: ${positional}`;
    default: {
      const first = message.split('\n')[0]!.replace(/\.$/, '');
      return first.charAt(0).toLowerCase() + first.slice(1);
    }
  }
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
    throw new UsageError(parserError(e, options, positional));
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
