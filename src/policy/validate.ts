/**
 * @module Write-time validation: turns a document's text into a normalised {@link PolicyDocument}
 * or a list of diagnostics, each with a code, a one-line message, a JSON pointer and a line and
 * column. Checks RAM's size limits, the element grammar of "Policy structure and syntax", the
 * operators of "Conditional operators", known condition keys, ARN shapes and Principal entries.
 * Never throws. `Principal` and `Condition` are checked in validate-principal.ts and
 * validate-condition.ts; the diagnostic collector and message helpers are in validate-common.ts.
 *
 * Choices where Alibaba's documentation is silent (details and sources in README.md here):
 * - `Statement` may be a single object (accepted, with a warning; RAM's grammar shows a list).
 * - `Sid` is accepted (OSS and KMS documents use it).
 * - `NotResource` is accepted like `NotAction` (complement within the statement).
 * - `...IfExists` and `Null` are rejected (RAM's operator list has neither; field report of
 *   "The condition operator ... is not supported"); `ForAnyValue:`/`ForAllValues:` are accepted
 *   with a warning (not in RAM's list; evaluated with the usual set semantics).
 * - Unknown `acs:` condition keys are errors; unknown service keys are warnings.
 */
import {
  jsonPointer,
  parseJson,
  pointerToken,
  type JsonValue,
  type SourcePosition,
} from './document.js';
import type { PrincipalSpec } from './principal.js';
import type { Diagnostic, PolicyKind } from './types.js';
import {
  checkPattern,
  hasControlCharacter,
  isObject,
  KIND_LABEL,
  quote,
  Reporter,
  stringList,
  suggest,
  typeName,
} from './validate-common.js';
import { validateConditionBlock, type PolicyCondition } from './validate-condition.js';
import { validatePrincipal } from './validate-principal.js';

export type { PolicyCondition } from './validate-condition.js';

/** A validated statement; exactly one of action/notAction, at most one of resource/notResource. */
export interface PolicyStatement {
  index: number;
  pointer: string;
  sid?: string;
  effect: 'Allow' | 'Deny';
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  conditions: PolicyCondition[];
}

/** A validated document. */
export interface PolicyDocument {
  version: '1';
  statements: PolicyStatement[];
}

/** Default `maxLength` per kind, in characters. */
export const DEFAULT_MAX_LENGTH: Record<PolicyKind, number> = {
  // CreatePolicy PolicyDocument 1-6144 [DTS CreatePolicyRequest.d.ts]; older docs said 2048/4096.
  identity: 6144,
  // AssumeRole Policy 1-2048 [DTS AssumeRoleRequest.d.ts]; AttachInstanceRamRole passes 1024.
  session: 2048,
  // Undocumented (only the error InvalidParameter.AssumeRolePolicyDocument.Length exists); chosen
  // to equal the session limit. OPEN.
  trust: 2048,
  // "the total size of the policies cannot exceed 16 KB" [OSS console: Configure bucket policies].
  bucket: 16 * 1024,
};

const TOP_LEVEL = ['Version', 'Statement'];
const STATEMENT_ELEMENTS = [
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'Condition',
];

const ACTION_RE = /^[A-Za-z0-9_*?-]+:[A-Za-z0-9_.*?-]+$/;
const ARN_SERVICE_RE = /^[A-Za-z0-9_*?-]+$/;
const ARN_FIELD_RE = /^[A-Za-z0-9_*?-]*$/;

/** Validation result: the document, or diagnostics; warnings accompany both. */
export type ValidationOutcome =
  | { ok: true; document: PolicyDocument; warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Validates a document's text for `kind`. `patternLimits: false` skips the limits on wildcard
 * patterns (see `checkPattern`), for documents stored before those limits existed.
 * @example
 * const r = validatePolicyText('{"Version":"1","Statement":[]}', 'identity');
 * // r.ok === false; r.diagnostics[0].code === 'EmptyStatement'
 */
export function validatePolicyText(
  text: unknown,
  kind: PolicyKind,
  maxLength: number = DEFAULT_MAX_LENGTH[kind],
  opts: { patternLimits?: boolean } = {},
): ValidationOutcome {
  if (!Object.prototype.hasOwnProperty.call(DEFAULT_MAX_LENGTH, kind)) {
    return fail(
      'InvalidKind',
      `unknown policy kind \`${String(kind)}\`; use identity, session, trust or bucket`,
      '',
    );
  }
  if (typeof text !== 'string') {
    return fail('InvalidJson', 'the policy document must be JSON text', '');
  }
  if (text.length === 0 || text.trim().length === 0) {
    return fail('EmptyPolicy', 'the policy document is empty', '');
  }
  if (text.length > maxLength) {
    return fail(
      'PolicyTooLong',
      `the policy document has ${text.length} characters; ${KIND_LABEL[kind]} may have at most ${maxLength}`,
      '',
    );
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    return {
      ok: false,
      diagnostics: [
        {
          code: 'InvalidJson',
          message: `the policy document is not valid JSON: ${parsed.error.message}`,
          pointer: '',
          line: parsed.error.position.line,
          column: parsed.error.position.column,
          severity: 'error',
        },
      ],
    };
  }
  const v = new Validator(kind, parsed.json.positions, opts.patternLimits ?? true);
  const document = v.document(parsed.json.value);
  const errors = v.diagnostics.filter((d) => d.severity === 'error');
  const warnings = v.diagnostics.filter((d) => d.severity === 'warning');
  if (errors.length > 0 || document === undefined) return { ok: false, diagnostics: v.diagnostics };
  return { ok: true, document, warnings };
}

function fail(code: string, message: string, pointer: string): ValidationOutcome {
  return { ok: false, diagnostics: [{ code, message, pointer, severity: 'error' }] };
}

class Validator {
  readonly #r: Reporter;
  readonly #kind: PolicyKind;

  constructor(kind: PolicyKind, positions: Map<string, SourcePosition>, patternLimits: boolean) {
    this.#kind = kind;
    this.#r = new Reporter(positions, patternLimits);
  }

  get diagnostics(): Diagnostic[] {
    return this.#r.diagnostics;
  }
  #error(code: string, message: string, pointer: string): void {
    this.#r.error(code, message, pointer);
  }
  #warn(code: string, message: string, pointer: string): void {
    this.#r.warn(code, message, pointer);
  }

  document(root: JsonValue): PolicyDocument | undefined {
    if (!isObject(root)) {
      this.#error(
        'NotAnObject',
        `the policy document must be a JSON object, not ${typeName(root)}`,
        '',
      );
      return undefined;
    }
    for (const key of Object.keys(root)) {
      if (!TOP_LEVEL.includes(key)) {
        this.#error(
          'UnknownElement',
          `unknown element ${quote(key)} at the top level; a policy has \`Version\` and \`Statement\`${suggest(key, TOP_LEVEL)}`,
          jsonPointer(key),
        );
      }
    }
    if (!('Version' in root)) {
      this.#error('MissingVersion', 'the policy has no `Version`; it must be `"1"`', '');
    } else if (root.Version !== '1') {
      this.#error(
        'InvalidVersion',
        `\`Version\` must be the string \`"1"\`, not ${root.Version === null ? 'null' : quote(JSON.stringify(root.Version))}`,
        '/Version',
      );
    }
    if (!('Statement' in root)) {
      this.#error('MissingStatement', 'the policy has no `Statement` list', '');
      return undefined;
    }
    const raw = root.Statement!;
    let items: { value: JsonValue; pointer: string }[];
    if (Array.isArray(raw)) {
      if (raw.length === 0) {
        this.#error(
          'EmptyStatement',
          '`Statement` is empty; a policy needs at least one statement',
          '/Statement',
        );
        return undefined;
      }
      items = raw.map((value, i) => ({ value, pointer: `/Statement/${i}` }));
    } else if (isObject(raw)) {
      this.#warn(
        'StatementNotList',
        '`Statement` is a single object; RAM documents it as a list of statements',
        '/Statement',
      );
      items = [{ value: raw, pointer: '/Statement' }];
    } else {
      this.#error(
        'InvalidStatement',
        `\`Statement\` must be a list of statements, not ${typeName(raw)}`,
        '/Statement',
      );
      return undefined;
    }
    const statements: PolicyStatement[] = [];
    const sids = new Map<string, number>();
    items.forEach((item, index) => {
      const st = this.#statement(item.value, item.pointer, index);
      if (st === undefined) return;
      if (st.sid !== undefined) {
        const prev = sids.get(st.sid);
        if (prev !== undefined) {
          this.#warn(
            'DuplicateSid',
            `statements ${prev} and ${index} have the same \`Sid\` ${quote(st.sid)}`,
            `${item.pointer}/Sid`,
          );
        } else {
          sids.set(st.sid, index);
        }
      }
      statements.push(st);
    });
    if (statements.length !== items.length) return undefined;
    return { version: '1', statements };
  }

  #statement(value: JsonValue, pointer: string, index: number): PolicyStatement | undefined {
    if (!isObject(value)) {
      this.#error(
        'InvalidStatement',
        `statement ${index} must be an object, not ${typeName(value)}`,
        pointer,
      );
      return undefined;
    }
    const before = this.diagnostics.filter((d) => d.severity === 'error').length;
    const kind = this.#kind;
    for (const key of Object.keys(value)) {
      const at = `${pointer}/${pointerToken(key)}`;
      if (!STATEMENT_ELEMENTS.includes(key)) {
        const extra =
          key === 'NotPrincipal'
            ? '; RAM does not support `NotPrincipal`'
            : suggest(key, STATEMENT_ELEMENTS);
        this.#error(
          'UnknownElement',
          `unknown element ${quote(key)} in statement ${index}${extra}`,
          at,
        );
      } else if (key === 'Principal' && (kind === 'identity' || kind === 'session')) {
        this.#error(
          'UnexpectedElement',
          `\`Principal\` is not allowed in ${KIND_LABEL[kind]}; only trust policies and bucket policies name principals`,
          at,
        );
      } else if ((key === 'Resource' || key === 'NotResource') && kind === 'trust') {
        this.#error(
          'UnexpectedElement',
          `\`${key}\` is not allowed in a trust policy; the resource is the role itself`,
          at,
        );
      }
    }

    const st: PolicyStatement = { index, pointer, effect: 'Allow', conditions: [] };

    if ('Sid' in value) {
      if (typeof value.Sid === 'string') st.sid = value.Sid;
      else
        this.#error(
          'InvalidSid',
          `\`Sid\` must be a string, not ${typeName(value.Sid!)}`,
          `${pointer}/Sid`,
        );
    }

    if (!('Effect' in value)) {
      this.#error(
        'MissingEffect',
        `statement ${index} has no \`Effect\`; use \`Allow\` or \`Deny\``,
        pointer,
      );
    } else if (value.Effect === 'Allow' || value.Effect === 'Deny') {
      st.effect = value.Effect;
    } else {
      const e = value.Effect!;
      this.#error(
        'InvalidEffect',
        `\`Effect\` must be \`Allow\` or \`Deny\`, not ${typeof e === 'string' ? quote(e) : typeName(e)}${typeof e === 'string' ? suggest(e.trim(), ['Allow', 'Deny']) : ''}`,
        `${pointer}/Effect`,
      );
    }

    const hasAction = 'Action' in value;
    const hasNotAction = 'NotAction' in value;
    if (hasAction && hasNotAction) {
      this.#error(
        'ActionAndNotAction',
        `statement ${index} has both \`Action\` and \`NotAction\`; use one`,
        pointer,
      );
    } else if (!hasAction && !hasNotAction) {
      this.#error(
        'MissingAction',
        `statement ${index} has no \`Action\` (or \`NotAction\`)`,
        pointer,
      );
    } else {
      const name = hasAction ? 'Action' : 'NotAction';
      const list = stringList(this.#r, value[name]!, `${pointer}/${name}`, name, 'InvalidAction');
      if (list) {
        list.forEach((a, i) => {
          const at = `${pointer}/${name}${Array.isArray(value[name]) ? `/${i}` : ''}`;
          if (!checkPattern(this.#r, a, at)) return;
          if (a !== '*' && !ACTION_RE.test(a)) {
            this.#error(
              'InvalidAction',
              `${quote(a)} is not an action; write \`<service>:<ActionName>\` such as \`oss:GetObject\`, with \`*\` or \`?\` wildcards`,
              at,
            );
          }
        });
        if (hasAction) st.action = list;
        else st.notAction = list;
        if (
          kind === 'trust' &&
          hasAction &&
          !list.some((a) => /^(\*|sts:\*|sts:assumerole.*)$/i.test(a))
        ) {
          this.#warn(
            'TrustActionNotAssumeRole',
            'a trust policy statement should allow `sts:AssumeRole`; this one never applies to AssumeRole',
            `${pointer}/Action`,
          );
        }
      }
    }

    if (kind !== 'trust') {
      const hasRes = 'Resource' in value;
      const hasNotRes = 'NotResource' in value;
      if (hasRes && hasNotRes) {
        this.#error(
          'ResourceAndNotResource',
          `statement ${index} has both \`Resource\` and \`NotResource\`; use one`,
          pointer,
        );
      } else if (!hasRes && !hasNotRes) {
        this.#error(
          'MissingResource',
          `statement ${index} has no \`Resource\`; use \`"*"\` for all resources`,
          pointer,
        );
      } else {
        const name = hasRes ? 'Resource' : 'NotResource';
        const list = stringList(
          this.#r,
          value[name]!,
          `${pointer}/${name}`,
          name,
          'InvalidResource',
        );
        if (list) {
          list.forEach((r, i) =>
            this.#resource(r, `${pointer}/${name}${Array.isArray(value[name]) ? `/${i}` : ''}`),
          );
          if (hasRes) st.resource = list;
          else st.notResource = list;
        }
      }
    }

    if (kind === 'bucket' && !('Principal' in value)) {
      // OSS accepts a bucket-policy statement without Principal (oss2 tests/test_bucket.py puts
      // one) and it is read as `"*"`: everyone, with the owner rule of `"*"` (README table).
      this.#warn(
        'ImplicitPrincipal',
        `statement ${index} has no \`Principal\`; it applies to everyone, as \`"*"\``,
        pointer,
      );
      st.principal = { any: true, ram: [], service: [], federated: [] };
    } else if (kind === 'trust' || kind === 'bucket') {
      if (!('Principal' in value)) {
        this.#error(
          'MissingPrincipal',
          `statement ${index} has no \`Principal\`; ${KIND_LABEL[kind]} must say whom it applies to`,
          pointer,
        );
      } else {
        const p = validatePrincipal(this.#r, kind, value.Principal!, `${pointer}/Principal`);
        if (p) st.principal = p;
      }
    }

    if ('Condition' in value) {
      st.conditions = validateConditionBlock(this.#r, value.Condition!, `${pointer}/Condition`);
    }

    const after = this.diagnostics.filter((d) => d.severity === 'error').length;
    return after === before ? st : undefined;
  }

  #resource(r: string, pointer: string): void {
    if (!checkPattern(this.#r, r, pointer)) return;
    if (r === '*') {
      if (this.#kind === 'bucket') {
        this.#warn(
          'BucketResourceWildcard',
          'a bucket policy resource should name the bucket, such as `acs:oss:*:*:bucket/*`',
          pointer,
        );
      }
      return;
    }
    const parts = r.split(':');
    const wellFormed =
      parts.length >= 5 &&
      parts[0] === 'acs' &&
      parts[1] !== '' &&
      ARN_SERVICE_RE.test(parts[1]!) &&
      ARN_FIELD_RE.test(parts[2]!) &&
      ARN_FIELD_RE.test(parts[3]!) &&
      parts.slice(4).join(':').length > 0 &&
      !hasControlCharacter(r);
    if (!wellFormed) {
      this.#error(
        'InvalidResource',
        `${quote(r)} is not a resource ARN; write \`acs:<service>:<region>:<account-id>:<relative-id>\` (\`*\` where a field does not apply) or \`*\``,
        pointer,
      );
      return;
    }
    if (this.#kind === 'bucket' && parts[1]!.toLowerCase() !== 'oss' && parts[1] !== '*') {
      this.#error(
        'InvalidResource',
        `${quote(r)} is not an OSS resource; a bucket policy can only name its bucket and objects`,
        pointer,
      );
      return;
    }
    if (parts[2] === '' && parts[1]!.toLowerCase() === 'ram') {
      this.#warn(
        'ResourceRegionEmpty',
        `${quote(r)} has an empty region; RAM resources in requests use \`*\` (\`${['acs', parts[1], '*', ...parts.slice(3)].join(':')}\`), so this never matches`,
        pointer,
      );
    }
  }
}

/**
 * Guesses a document's kind from its shape, for the CLI: a `Principal` object with `RAM`,
 * `Service` or `Federated` (or `"*"` on `sts:` actions) is a trust policy, a `Principal` list or
 * string is a bucket policy, anything else an identity policy.
 * @example
 * guessPolicyKind('{"Statement":[{"Principal":["123"]}]}'); // 'bucket'
 */
export function guessPolicyKind(text: string): PolicyKind {
  const parsed = parseJson(text);
  if (!parsed.ok || !isObject(parsed.json.value)) return 'identity';
  const raw = parsed.json.value.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  for (const st of statements) {
    if (!isObject(st) || !('Principal' in st)) continue;
    const p = st.Principal!;
    if (isObject(p)) return 'trust';
    if (p === '*') {
      const actions =
        typeof st.Action === 'string' ? [st.Action] : Array.isArray(st.Action) ? st.Action : [];
      const hasResource = 'Resource' in st || 'NotResource' in st;
      return !hasResource &&
        actions.some((a) => typeof a === 'string' && a.toLowerCase().startsWith('sts:'))
        ? 'trust'
        : 'bucket';
    }
    return 'bucket';
  }
  return 'identity';
}
