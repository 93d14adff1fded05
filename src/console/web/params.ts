/**
 * @module The explorer's form values: checking them against the declarations before sending (the
 * same rules the server applies: required, length in code points, pattern, enum, integer range,
 * item counts) and turning them into the wire parameters (RPC `Name`, `Name.N`, `Name.N.Field`,
 * JSON arrays; OSS path, query, headers and body). No DOM: unit-tested in Node.
 */
import type { CatalogueOperation, CatalogueParam } from './catalogue-types.js';

/** A field's value: text, a list of texts, or a list of records. */
export type FieldValue = string | string[] | Array<Record<string, string>>;

/** Form values by parameter name. */
export type FormValues = Record<string, FieldValue>;

const length = (s: string) => [...s].length;

/** Whether a value counts as given. */
export function isGiven(v: FieldValue | undefined): v is FieldValue {
  if (v === undefined) return false;
  if (typeof v === 'string') return v !== '';
  return v.some((x) => (typeof x === 'string' ? x !== '' : Object.values(x).some((y) => y !== '')));
}

function checkScalar(info: CatalogueParam, v: string): string | undefined {
  if (info.type === 'integer') {
    if (!/^-?\d{1,15}$/.test(v.trim())) return 'expected an integer';
    const n = Number(v.trim());
    if ((info.min !== undefined && n < info.min) || (info.max !== undefined && n > info.max)) {
      return `expected a value between ${info.min ?? '-∞'} and ${info.max ?? '∞'}`;
    }
    return undefined;
  }
  if (info.type === 'boolean') {
    return /^(true|false)$/i.test(v.trim()) ? undefined : 'expected true or false';
  }
  const n = length(v);
  if ((info.min !== undefined && n < info.min) || (info.max !== undefined && n > info.max)) {
    return `length must be between ${info.min ?? 0} and ${info.max ?? 'unbounded'} characters (now ${n})`;
  }
  if (info.enum && !info.enum.includes(v)) return `expected one of ${info.enum.join(', ')}`;
  if (info.pattern) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(info.pattern, 'u');
    } catch {
      try {
        re = new RegExp(info.pattern);
      } catch {
        re = undefined;
      }
    }
    // In the declaration's words when it has them (the expression is the hint's tooltip).
    if (re && !re.test(v))
      return info.doc ? `not allowed — ${info.doc}` : `does not match \`${info.pattern}\``;
  }
  return undefined;
}

/**
 * Problems with `values`, by parameter name (empty when all is well).
 * @example
 * validate(op.params, { RoleName: '' }) // { RoleName: 'required' }
 */
export function validate(
  params: Record<string, CatalogueParam>,
  values: FormValues,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [name, info] of Object.entries(params)) {
    const v = values[name];
    if (!isGiven(v)) {
      if (info.required) errors[name] = 'required';
      continue;
    }
    if (typeof v === 'string') {
      const e = checkScalar(info, v);
      if (e) errors[name] = e;
      continue;
    }
    const given = items(v);
    if (info.max !== undefined && given.length > info.max) {
      errors[name] = `at most ${info.max} items`;
      continue;
    }
    for (const [i, item] of given.entries()) {
      if (typeof item === 'string') continue;
      for (const [field, finfo] of Object.entries(info.fields ?? {})) {
        const fv = item[field] ?? '';
        if (fv === '') {
          if (finfo.required) errors[name] = `item ${i + 1}: \`${field}\` is required`;
          continue;
        }
        const e = checkScalar(finfo, fv);
        if (e) errors[name] = `item ${i + 1}: \`${field}\` ${e}`;
      }
    }
  }
  return errors;
}

function items(v: FieldValue): Array<string | Record<string, string>> {
  return typeof v === 'string'
    ? []
    : (v as Array<string | Record<string, string>>).filter((x) =>
        typeof x === 'string' ? x !== '' : Object.values(x).some((y) => y !== ''),
      );
}

/**
 * The RPC parameters of `values`, in declaration order: scalars as given, JSON arrays as one JSON
 * string (`InstanceIds=["i-1"]`), lists flattened 1-based (`VSwitchIds.1`), object lists by field
 * (`Tag.1.Key`).
 * @example
 * rpcParams(op.params, { InstanceIds: ['i-1'] }) // [['InstanceIds', '["i-1"]']]
 */
export function rpcParams(
  params: Record<string, CatalogueParam>,
  values: FormValues,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, info] of Object.entries(params)) {
    const v = values[name];
    if (v === undefined || !isGiven(v)) continue;
    if (typeof v === 'string') {
      out.push([name, info.type === 'integer' || info.type === 'boolean' ? v.trim() : v]);
    } else if (info.type === 'json-array') {
      out.push([name, JSON.stringify(items(v))]);
    } else if (info.type === 'list') {
      items(v).forEach((x, i) => out.push([`${name}.${i + 1}`, String(x)]));
    } else {
      items(v).forEach((x, i) => {
        for (const [field, fv] of Object.entries(x as Record<string, string>)) {
          if (fv !== '') out.push([`${name}.${i + 1}.${field}`, fv]);
        }
      });
    }
  }
  return out;
}

/** An OSS request from an operation and form values. */
export interface OssParts {
  method: string;
  bucket?: string;
  key?: string;
  query: Array<[string, string | null]>;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The OSS request of `op` for `values`: bucket and key in the path, the operation's fixed
 * sub-resources and the given query fields, headers, body.
 * @example
 * ossParts(listObjects, { Bucket: 'ramroletest', prefix: 'a/' })
 */
export function ossParts(op: CatalogueOperation, values: FormValues): OssParts {
  const parts: OssParts = {
    method: op.oss?.method ?? 'GET',
    query: [...(op.oss?.query ?? [])],
    headers: {},
  };
  for (const [name, info] of Object.entries(op.params)) {
    const v = values[name];
    if (typeof v !== 'string' || v === '') continue;
    if (info.in === 'path') {
      if (name === 'Bucket') parts.bucket = v;
      else parts.key = v;
    } else if (info.in === 'query') parts.query.push([name, v]);
    else if (info.in === 'header') parts.headers[name] = v;
    else if (info.in === 'body') parts.body = v;
  }
  return parts;
}

/** A one-line summary of a parameter's constraints, for its hint. */
export function constraints(info: CatalogueParam): string {
  const out: string[] = [info.type];
  if (info.type === 'integer') {
    if (info.min !== undefined || info.max !== undefined) {
      out.push(`${info.min ?? '−∞'} to ${info.max ?? '∞'}`);
    }
  } else if (info.type === 'string') {
    if (info.min !== undefined || info.max !== undefined) {
      out.push(`${info.min ?? 0}-${info.max ?? '∞'} characters`);
    }
    if (info.pattern) out.push(`pattern \`${info.pattern}\``);
  } else if (info.max !== undefined) out.push(`at most ${info.max} items`);
  if (info.in) out.push(`in ${info.in}`);
  return out.join(', ');
}

/**
 * The hint under a field: its declaration's words, with the constraints a newcomer needs and
 * not already said (a doc that gives its own limits, `1-64 letters, digits`, gets none; the
 * bare type `string` is left out). The full constraints, the regular expression included, are
 * the hint's tooltip.
 * @example
 * fieldHint({ type: 'string', required: true, doc: 'description', max: 1024 })
 * // { text: 'description — up to 1024 characters', title: 'string, 0-1024 characters' }
 */
export function fieldHint(info: CatalogueParam): { text: string; title: string } {
  const title = constraints(info);
  const doc = info.doc ?? '';
  if (/\d/.test(doc)) return { text: doc, title };
  const said: string[] = [];
  if (info.type === 'integer') {
    if (info.min !== undefined || info.max !== undefined)
      said.push(`a whole number, ${info.min ?? '−∞'} to ${info.max ?? '∞'}`);
    else said.push('a whole number');
  } else if (info.type === 'boolean') said.push('true or false');
  else if (info.type === 'string') {
    if (info.max !== undefined && (info.min ?? 0) <= 1) said.push(`up to ${info.max} characters`);
    else if (info.min !== undefined || info.max !== undefined)
      said.push(`${info.min ?? 0}-${info.max ?? '∞'} characters`);
    if (info.pattern && !doc) said.push(`pattern \`${info.pattern}\``);
  } else if (info.max !== undefined) said.push(`at most ${info.max} items`);
  if (info.in && info.in !== 'path') said.push(`sent in the ${info.in}`);
  const extra = said.join(', ');
  return { text: doc && extra ? `${doc} — ${extra}` : doc || extra, title };
}

/** Parameters holding a secret (`Password`, `NewPassword`, `AccessKeySecret`): never shown. */
export const isSecretParam = (name: string): boolean =>
  /(?:Password|Secret)$/i.test(name.replace(/\.\d+$/, ''));

/** What a secret's value is shown as. */
export const MASK = '********';

/**
 * A form-encoded body (or query string) with the values of secret parameters replaced by
 * {@link MASK}, for showing a request as signed: the signature was computed on the real values.
 * @example
 * maskSecrets('InstanceId=i-1&Password=Step2.2-Passw0rd%21') // 'InstanceId=i-1&Password=********'
 */
export function maskSecrets(form: string): string {
  return form
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name: string;
      try {
        name = decodeURIComponent(pair.slice(0, eq).replace(/\+/g, ' '));
      } catch {
        name = pair.slice(0, eq);
      }
      return isSecretParam(name) ? `${pair.slice(0, eq)}=${MASK}` : pair;
    })
    .join('&');
}

/**
 * A request as it was signed, to show: method and URL, headers, body; a secret parameter's value
 * (a password in the form body or the query) is {@link MASK}: the signature shown was computed
 * on the real value.
 */
export function requestText(q: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}): string {
  const at = q.url.indexOf('?');
  const url = at < 0 ? q.url : `${q.url.slice(0, at)}?${maskSecrets(q.url.slice(at + 1))}`;
  const lines = [`${q.method} ${url}`];
  for (const [n, v] of Object.entries(q.headers)) lines.push(`${n}: ${v}`);
  const form = /x-www-form-urlencoded/i.test(q.headers['content-type'] ?? '');
  if (q.body !== undefined && q.body !== '') lines.push('', form ? maskSecrets(q.body) : q.body);
  return lines.join('\n');
}
