/**
 * @module Parameter declarations for RPC operations: one declaration per parameter feeds parsing
 * and validation (with Alibaba's per-field error codes, which a generic JSON-Schema validator
 * cannot produce), the handler's input type, docs and the console's forms. Wire names stay
 * PascalCase here; handlers convert to camelCase domain values.
 */
import { ServiceError, type ErrorDef } from '../kernel/errors.js';
import { InvalidParameter } from './rpc-errors.js';

/** Decoded request parameters (query + form body), by wire name. */
export type ParamBag = ReadonlyMap<string, string>;

/** Describes a parameter for docs and forms. */
export interface ParamInfo {
  type: 'string' | 'integer' | 'boolean' | 'json-array' | 'list' | 'object-list';
  required: boolean;
  doc?: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: readonly string[];
  fields?: Record<string, ParamInfo>;
}

/** One declared parameter producing a `T`. */
export interface Param<T, R extends boolean = false> {
  readonly info: ParamInfo & { required: R };
  /** Reads and validates the value of `name` from `bag`; `undefined` when absent. Throws ServiceError. */
  read(bag: ParamBag, name: string): T | undefined;
}

type ErrorSpec = ErrorDef | string | undefined;

function fail(spec: ErrorSpec, name: string, fallback: string): never {
  if (typeof spec === 'function') throw spec();
  if (typeof spec === 'string') throw new ServiceError(spec, 400, fallback);
  throw InvalidParameter(`The specified parameter "${name}" is not valid. ${fallback}`.trim());
}

/** Options for string parameters. */
export interface StringOpts {
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
  /** Error for a length outside [min, max] (code or declared error). */
  lengthError?: ErrorSpec;
  /** Error for characters outside `pattern` or a value outside `enum`. */
  charsError?: ErrorSpec;
  doc?: string;
}

/** Length in characters as Alibaba counts them (code points). */
function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function str(o: StringOpts = {}): Param<string> {
  return {
    info: {
      type: 'string',
      required: false,
      ...(o.doc !== undefined && { doc: o.doc }),
      ...(o.min !== undefined && { min: o.min }),
      ...(o.max !== undefined && { max: o.max }),
      ...(o.pattern && { pattern: o.pattern.source }),
      ...(o.enum && { enum: o.enum }),
    },
    read(bag, name) {
      const v = bag.get(name);
      if (v === undefined) return undefined;
      const len = charLength(v);
      if ((o.min !== undefined && len < o.min) || (o.max !== undefined && len > o.max)) {
        fail(
          o.lengthError,
          name,
          `length must be between ${o.min ?? 0} and ${o.max ?? 'unbounded'} characters`,
        );
      }
      if (o.pattern && !o.pattern.test(v))
        fail(o.charsError, name, 'it contains invalid characters');
      if (o.enum && !o.enum.includes(v))
        fail(o.charsError, name, `expected one of ${o.enum.join(', ')}`);
      return v;
    },
  };
}

/** Options for integer parameters. */
export interface IntOpts {
  min?: number;
  max?: number;
  error?: ErrorSpec;
  doc?: string;
}

function int(o: IntOpts = {}): Param<number> {
  return {
    info: {
      type: 'integer',
      required: false,
      ...(o.doc !== undefined && { doc: o.doc }),
      ...(o.min !== undefined && { min: o.min }),
      ...(o.max !== undefined && { max: o.max }),
    },
    read(bag, name) {
      const v = bag.get(name);
      if (v === undefined) return undefined;
      if (!/^-?\d{1,15}$/.test(v.trim())) fail(o.error, name, 'expected an integer');
      const n = Number(v.trim());
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
        fail(o.error, name, `expected a value between ${o.min ?? '-∞'} and ${o.max ?? '∞'}`);
      }
      return n;
    },
  };
}

function bool(o: { doc?: string; error?: ErrorSpec } = {}): Param<boolean> {
  return {
    info: { type: 'boolean', required: false, ...(o.doc !== undefined && { doc: o.doc }) },
    read(bag, name) {
      const v = bag.get(name);
      if (v === undefined) return undefined;
      const t = v.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      return fail(o.error, name, 'expected true or false');
    },
  };
}

/** A JSON array of strings carried as one string parameter (ECS `InstanceIds`). */
function jsonStringArray(
  o: { maxItems?: number; minItems?: number; error?: ErrorSpec; doc?: string } = {},
): Param<string[]> {
  return {
    info: {
      type: 'json-array',
      required: false,
      ...(o.doc !== undefined && { doc: o.doc }),
      ...(o.maxItems !== undefined && { max: o.maxItems }),
    },
    read(bag, name) {
      const v = bag.get(name);
      if (v === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        return fail(o.error, name, 'expected a JSON array of strings');
      }
      if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
        return fail(o.error, name, 'expected a JSON array of strings');
      }
      if (
        (o.maxItems !== undefined && parsed.length > o.maxItems) ||
        parsed.length < (o.minItems ?? 0)
      ) {
        return fail(o.error, name, `expected ${o.minItems ?? 0} to ${o.maxItems} items`);
      }
      return parsed as string[];
    },
  };
}

/** A repeated scalar `Name.1`, `Name.2`, … (1-based, flattened by the SDKs). */
function list<T>(item: Param<T, boolean>, o: { max?: number; doc?: string } = {}): Param<T[]> {
  return {
    info: {
      type: 'list',
      required: false,
      ...(o.doc !== undefined && { doc: o.doc }),
      ...(o.max !== undefined && { max: o.max }),
    },
    read(bag, name) {
      const out: T[] = [];
      const prefix = name + '.';
      const indexes = new Set<number>();
      for (const k of bag.keys()) {
        if (!k.startsWith(prefix)) continue;
        const rest = k.slice(prefix.length);
        if (/^\d+$/.test(rest)) indexes.add(Number(rest));
      }
      if (indexes.size === 0) return undefined;
      for (const i of [...indexes].sort((a, b) => a - b)) {
        const v = item.read(bag, `${prefix}${i}`);
        if (v !== undefined) out.push(v);
      }
      if (o.max !== undefined && out.length > o.max)
        fail(undefined, name, `at most ${o.max} items`);
      return out;
    },
  };
}

/** A repeated structure `Tag.1.Key`, `Tag.1.Value`, … */
function objectList<F extends Record<string, Param<any, boolean>>>(
  fields: F,
  o: { max?: number; doc?: string } = {},
): Param<Array<{ [K in keyof F]?: F[K] extends Param<infer T, boolean> ? T : never }>> {
  const fieldInfo: Record<string, ParamInfo> = {};
  for (const [k, f] of Object.entries(fields)) fieldInfo[k] = f.info;
  return {
    info: {
      type: 'object-list',
      required: false,
      fields: fieldInfo,
      ...(o.doc !== undefined && { doc: o.doc }),
      ...(o.max !== undefined && { max: o.max }),
    },
    read(bag, name) {
      const prefix = name + '.';
      const indexes = new Set<number>();
      for (const k of bag.keys()) {
        if (!k.startsWith(prefix)) continue;
        const m = /^(\d+)\./.exec(k.slice(prefix.length));
        if (m) indexes.add(Number(m[1]));
      }
      if (indexes.size === 0) return undefined;
      const out: any[] = [];
      for (const i of [...indexes].sort((a, b) => a - b)) {
        const item: Record<string, unknown> = {};
        for (const [fname, f] of Object.entries(fields)) {
          const v = f.read(bag, `${prefix}${i}.${fname}`);
          if (v !== undefined) item[fname] = v;
          else if (f.info.required) fail(undefined, `${prefix}${i}.${fname}`, 'it is required');
        }
        out.push(item);
      }
      if (o.max !== undefined && out.length > o.max)
        fail(undefined, name, `at most ${o.max} items`);
      return out;
    },
  };
}

/** Marks a parameter as required: absent or empty -> `Missing<Name>`. */
function required<T>(param: Param<T, boolean>, missingCode?: string): Param<T, true> {
  return {
    info: { ...param.info, required: true },
    read(bag, name) {
      const v = bag.get(name) === '' ? undefined : param.read(bag, name);
      if (v === undefined) {
        throw new ServiceError(
          missingCode ?? `Missing${name.replace(/\./g, '')}`,
          400,
          `${name} is mandatory for this action.`,
        );
      }
      return v;
    },
  };
}

/** Parameter builders. */
export const p = { str, int, bool, jsonStringArray, list, objectList, required };

/** A record of declared parameters. */
export type ParamShape = Record<string, Param<any, boolean>>;

type ValueOf<P> = P extends Param<infer T, boolean> ? T : never;
type RequiredKeys<S extends ParamShape> = {
  [K in keyof S]: S[K] extends Param<any, true> ? K : never;
}[keyof S];
type OptionalKeys<S extends ParamShape> = Exclude<keyof S, RequiredKeys<S>>;

/** The handler input type of a parameter shape. */
export type InputOf<S extends ParamShape> = { [K in RequiredKeys<S>]: ValueOf<S[K]> } & {
  [K in OptionalKeys<S>]?: ValueOf<S[K]>;
};

/** Reads every declared parameter in declaration order; the first failure throws. */
export function readParams<S extends ParamShape>(shape: S, bag: ParamBag): InputOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(shape)) {
    const v = param.read(bag, name);
    if (v !== undefined) out[name] = v;
  }
  return out as InputOf<S>;
}
