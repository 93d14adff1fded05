/**
 * @module Advice on a document's actions: which of them no service yunbox serves has. RAM itself
 * accepts any `<service>:<Name>` (so does `validate.ts`, and so do the APIs), which lets a typo
 * such as `oss:GetObjects` or `osss:List*` pass silently and allow nothing. An
 * {@link ActionCatalogue} holds the actions the services declare (built from the operation
 * declarations by `services/catalogue.ts`, and by the console from its API catalogue), and
 * {@link adviseActions} turns every `Action`/`NotAction` entry it does not cover into a warning:
 *
 * | entry                                   | code                   | advice                                   |
 * | --------------------------------------- | ---------------------- | ---------------------------------------- |
 * | served prefix, no such action           | `UnknownAction`        | the closest action of that service       |
 * | served prefix, wildcard matching none   | `ActionMatchesNothing` |                                          |
 * | a product yunbox does not serve (`log`) | `UnservedService`      | nothing here checks it                   |
 * | a prefix no product has (`osss`)        | `UnknownService`       | the closest prefix                       |
 *
 * Warnings only: the document stays valid, as it is for RAM. Pure and synchronous, no Node API:
 * the console page runs it too. Suggestions use an edit distance bounded by a small `k`, computed
 * in a band of the dynamic-programming table (O(k·n) per candidate), over names of bounded length.
 */
import { parseJson, pointerToken, type JsonValue } from './document.js';
import type { Diagnostic } from './types.js';
import { compilePatterns, hasWildcard, MAX_PATTERN_LENGTH } from './wildcard.js';

/**
 * Action prefixes of Alibaba Cloud products that yunbox does not serve but whose system policies
 * a newcomer copies (AliyunLogFullAccess, AliyunKMSFullAccess, …): an action of theirs is real,
 * yunbox just never asks about it. Every prefix in `SYSTEM_POLICIES` is served or listed here
 * (`services/catalogue.test.ts`).
 */
export const UNSERVED_SERVICES: readonly string[] = [
  'accessanalyzer',
  'alb',
  'alidns',
  'arms',
  'bss',
  'cdn',
  'cms',
  'cr',
  'cs',
  'dbs',
  'dds',
  'dm',
  'dms',
  'dts',
  'eci',
  'ehpc',
  'ess',
  'fc',
  'hbr',
  'hdm',
  'kms',
  'kvstore',
  'log',
  'mns',
  'nas',
  'nlb',
  'ons',
  'ots',
  'polardb',
  'pvtz',
  'rds',
  'resourcemanager',
  'slb',
  'sms',
  'tag',
  'waf',
];

/** Longest name (after the prefix) compared for a suggestion; longer names get none. */
export const MAX_SUGGESTION_LENGTH = 128;

/**
 * Edit distance (Levenshtein: insert, delete, replace one character) between `a` and `b` when it
 * is at most `k`, else `k + 1`. Only the band |i - j| <= k of the table is computed: O(k·n).
 * @example
 * boundedEditDistance('getobjects', 'getobject', 2); // 1
 * boundedEditDistance('putobject', 'getobject', 1); // 2 (more than 1)
 */
export function boundedEditDistance(a: string, b: string, k: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > k) return k + 1;
  const far = k + 1;
  let prev = new Array<number>(m + 2).fill(far);
  let cur = new Array<number>(m + 2).fill(far);
  for (let j = 0; j <= Math.min(m, k); j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - k);
    const hi = Math.min(m, i + k);
    cur[lo - 1] = lo === 1 && i <= k ? i : far;
    let best = cur[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const replace = prev[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
      const v = Math.min(replace, prev[j]! + 1, cur[j - 1]! + 1, far);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (hi + 1 <= m) cur[hi + 1] = far;
    if (best > k) return far;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[m]!, far);
}

/**
 * The candidate closest to `word` (case-insensitive) within a distance that grows with its length
 * (1 up to 4 characters, then a quarter of the length, at most 3), or undefined. Ties go to the
 * first candidate.
 * @example
 * closestName('GetObjects', ['GetObject', 'PutObject']); // 'GetObject'
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  if (word.length === 0 || word.length > MAX_SUGGESTION_LENGTH) return undefined;
  const w = word.toLowerCase();
  const k = Math.min(3, Math.max(1, Math.floor(w.length / 4)));
  let best: string | undefined;
  let bestDistance = k + 1;
  for (const c of candidates) {
    if (c.length > MAX_SUGGESTION_LENGTH) continue;
    const d = boundedEditDistance(w, c.toLowerCase(), Math.min(k, bestDistance - 1));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
      if (d === 0) break;
    }
  }
  return best;
}

/** One piece of advice about one action entry. */
export interface ActionAdvice {
  code: 'UnknownAction' | 'ActionMatchesNothing' | 'UnservedService' | 'UnknownService';
  message: string;
}

/**
 * The actions yunbox's services check, by service prefix, and the prefixes of products it does
 * not serve. Built once (from the operation declarations) and then only read.
 * @example
 * const c = new ActionCatalogue(['oss:GetObject', 'oss:PutObject']);
 * c.advise('oss:GetObjects')?.message; // '`oss:GetObjects` is not an action of `oss` … did you mean `oss:GetObject`?'
 */
export class ActionCatalogue {
  /** Lower-case prefix -> action names (after the colon) as declared. */
  readonly #names = new Map<string, string[]>();
  /** Lower-case full action -> declared spelling. */
  readonly #actions = new Map<string, string>();
  readonly #unserved: ReadonlySet<string>;

  constructor(actions: Iterable<string>, unserved: readonly string[] = UNSERVED_SERVICES) {
    for (const a of actions) {
      const colon = a.indexOf(':');
      if (colon <= 0 || hasWildcard(a) || this.#actions.has(a.toLowerCase())) continue;
      this.#actions.set(a.toLowerCase(), a);
      const prefix = a.slice(0, colon).toLowerCase();
      const list = this.#names.get(prefix) ?? [];
      list.push(a.slice(colon + 1));
      this.#names.set(prefix, list);
    }
    for (const list of this.#names.values()) list.sort();
    this.#unserved = new Set(
      unserved.map((s) => s.toLowerCase()).filter((s) => !this.#names.has(s)),
    );
  }

  /** Service prefixes yunbox serves, sorted. */
  get services(): string[] {
    return [...this.#names.keys()].sort();
  }

  /** Every served action, sorted. */
  get actions(): string[] {
    return [...this.#actions.values()].sort();
  }

  /** Whether `action` (no wildcards) is one the services check; case-insensitive. */
  has(action: string): boolean {
    return this.#actions.has(action.toLowerCase());
  }

  /**
   * Advice on one `Action` entry, or undefined when it names (or matches) a served action. `*`
   * and entries that are not `<service>:<name>` (validation reports those) get none.
   */
  advise(pattern: string): ActionAdvice | undefined {
    const colon = pattern.indexOf(':');
    if (pattern === '*' || colon <= 0 || pattern.length > MAX_PATTERN_LENGTH) return undefined;
    const prefix = pattern.slice(0, colon);
    const name = pattern.slice(colon + 1);
    const q = `\`${pattern}\``;
    if (hasWildcard(prefix)) {
      // `*:BatchGet*` may well name actions of products yunbox does not serve: only a pattern
      // that reaches no product outside the catalogue can be said to match nothing.
      const prefixes = compilePatterns([prefix], true);
      if ([...this.#unserved].some((s) => prefixes.test(s))) return undefined;
      const set = compilePatterns([pattern], true);
      if ([...this.#actions.keys()].some((a) => set.test(a))) return undefined;
      return { code: 'ActionMatchesNothing', message: `${q} matches no action yunbox knows` };
    }
    const lower = prefix.toLowerCase();
    const names = this.#names.get(lower);
    if (!names) {
      if (this.#unserved.has(lower)) {
        return {
          code: 'UnservedService',
          message: `yunbox does not serve \`${prefix}\`: nothing here checks ${q}`,
        };
      }
      const near = closestName(prefix, [...this.#names.keys(), ...this.#unserved]);
      return {
        code: 'UnknownService',
        message: `yunbox does not serve \`${prefix}\`, and knows no service of that name${near ? ` — did you mean \`${near}\`?` : ''}`,
      };
    }
    if (hasWildcard(name)) {
      const set = compilePatterns([name], true);
      if (names.some((n) => set.test(n.toLowerCase()))) return undefined;
      return {
        code: 'ActionMatchesNothing',
        message: `${q} matches no action of \`${lower}\` that yunbox knows`,
      };
    }
    if (this.#actions.has(pattern.toLowerCase())) return undefined;
    const near = closestName(name, names);
    return {
      code: 'UnknownAction',
      message: near
        ? `${q} is not an action of \`${lower}\` that yunbox knows — did you mean \`${lower}:${near}\`?`
        : `${q} is not an action of \`${lower}\` that yunbox knows (a typo, or an operation yunbox does not implement)`,
    };
  }
}

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Warnings for the `Action` and `NotAction` entries of a policy document that `catalogue` does not
 * cover, located like validation's diagnostics (JSON pointer, line, column). Text that is not a
 * JSON object gets none (validation reports it).
 * @example
 * adviseActions('{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObjects","Resource":"*"}]}', catalogue)
 * // [{ code: 'UnknownAction', pointer: '/Statement/0/Action', line: 1, column: 48, severity: 'warning', … }]
 */
export function adviseActions(text: string, catalogue: ActionCatalogue): Diagnostic[] {
  const parsed = parseJson(text);
  if (!parsed.ok || !isObject(parsed.json.value)) return [];
  const { value, positions } = parsed.json;
  const raw = value.Statement;
  const statements: Array<[JsonValue, string]> = Array.isArray(raw)
    ? raw.map((s, i) => [s, `/Statement/${i}`])
    : raw === undefined
      ? []
      : [[raw, '/Statement']];
  const out: Diagnostic[] = [];
  for (const [st, at] of statements) {
    if (!isObject(st)) continue;
    for (const element of ['Action', 'NotAction']) {
      const v = st[element];
      const entries: Array<[JsonValue, string]> = Array.isArray(v)
        ? v.map((e, i) => [e, `${at}/${pointerToken(element)}/${i}`])
        : v === undefined
          ? []
          : [[v, `${at}/${element}`]];
      for (const [entry, pointer] of entries) {
        if (typeof entry !== 'string') continue;
        const advice = catalogue.advise(entry);
        if (!advice) continue;
        const d: Diagnostic = { ...advice, pointer, severity: 'warning' };
        const pos = positions.get(pointer);
        if (pos) {
          d.line = pos.line;
          d.column = pos.column;
        }
        out.push(d);
      }
    }
  }
  return out;
}
