/**
 * @module Node's `parseArgs` errors said in our words (Cedar's style: lower-case, one line, no
 * final period, the argument in backticks), for every command: an unknown option (with "did you
 * mean" when one is a letter or so off), a value missing, a value that looks like an option
 * (ambiguous), a value given to a flag, a stray argument. One piece for `parseCommandArgs`,
 * `serve` and the policy commands.
 */
import type { ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What a command adds to {@link argumentError}'s sentences. */
export interface ArgumentHints {
  /** The command's options, for "did you mean" on an unknown one. */
  options?: ParseArgsOptionsConfig;
  /** Said after an unknown option that is near none of `options` (`a command … goes after --`). */
  unknownOption?: string;
  /** Said of a stray argument; default `this command takes options only`. */
  positional?: string;
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
 * The name of `candidates` closest to `given` (a letter or so off), if one is close.
 * @example
 * nearest('resouce', ['action', 'resource']) // 'resource'
 * nearest('AdministratorAcces', names) // 'AdministratorAccess'
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

/** The `'quoted'` parts of a Node parser message (each the argument or a way to write it). */
function quotedIn(message: string): string[] {
  return [...message.matchAll(/'([^'\n]{0,200})'/g)].map((m) => m[1]!);
}

/**
 * The option a parser message names, as a user writes it: `--name` from `-n, --name <value>`,
 * `-n` from `-n` (a short option without a long one stays short).
 */
function optionIn(quoted: string): string {
  const words = quoted.split(' ').map((w) => w.replace(/,$/, ''));
  return words.find((w) => w.startsWith('--')) ?? words[0] ?? '?';
}

/**
 * Node's `parseArgs` error in our words.
 * @example
 * argumentError(e) // 'option `--endpoint` needs a value'
 * argumentError(e, { options }) // 'unknown option `--resouce` — did you mean `--resource`?'
 */
export function argumentError(e: unknown, hints: ArgumentHints = {}): string {
  const err = e as NodeJS.ErrnoException;
  const message = String(err.message ?? e);
  const quoted = quotedIn(message);
  const first = quoted[0] ?? '?';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = first.replace(/^-+/, '').split('=')[0]!;
      const near = hints.options ? nearest(name, Object.keys(hints.options)) : undefined;
      if (near) return `unknown option \`${first}\` — did you mean \`--${near}\`?`;
      return `unknown option \`${first}\`${hints.unknownOption ? ` (${hints.unknownOption})` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = optionIn(first);
      if (message.includes('argument missing')) return `option \`${option}\` needs a value`;
      if (message.includes('ambiguous')) {
        // `--name -x`: the next argument looks like an option, so it is not taken as the value.
        // Node names the way to write such a value last (`--name=-XYZ`); ours says it with `…`.
        const long = quoted.find((q) => q.startsWith('--') && q.includes('=')) ?? `${option}=-XYZ`;
        const written = `${long.slice(0, long.indexOf('=') + 1)}-…`;
        return `option \`${option}\` needs a value (one starting with \`-\` is written \`${written}\`)`;
      }
      if (message.includes('does not take an argument'))
        return `option \`${option}\` takes no value`;
      break;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument \`${first}\`: ${hints.positional ?? 'this command takes options only'}`;
  }
  // Anything else Node may say: its first line, in our case and without the final period.
  const line = message.split('\n')[0]!.replace(/\.$/, '');
  return line.charAt(0).toLowerCase() + line.slice(1);
}
