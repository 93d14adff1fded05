/**
 * @module The explorer's form, generated from an operation's parameters: a labelled field per
 * parameter (required ones marked), constraints as hints, a list editor for JSON-array and list
 * parameters (`InstanceIds`), rows of fields for object lists (`Tag`), and problems shown beside
 * each field. Values are read back as {@link FormValues}.
 */
import type { CatalogueParam } from './catalogue-types.js';
import { h, uid } from './dom.js';
import { constraints, type FieldValue, type FormValues } from './params.js';

/** A generated form. */
export interface GeneratedForm {
  element: HTMLElement;
  read(): FormValues;
  /** Shows problems by parameter name (clears the others); focuses the first. */
  showErrors(errors: Record<string, string>): void;
}

interface Field {
  read(): FieldValue;
  error: HTMLElement;
  focus(): void;
}

const LONG = /Document|Policy$|UserData|Description/;

/**
 * Parameters yunbox accepts (as Alibaba's SDKs send them) but does nothing with: their
 * declarations say "not used". They go in a collapsed group below the others.
 */
export const isUnusedParam = (info: CatalogueParam): boolean =>
  !info.required && (info.doc ?? '').includes('not used');

/** Parameters holding a secret (`Password`, `NewPassword`, `AccessKeySecret`): never shown. */
export const isSecretParam = (name: string): boolean =>
  name.endsWith('Password') || name.endsWith('Secret');

function scalarInput(
  name: string,
  info: CatalogueParam,
  id: string,
  describedBy: string,
  initial: string,
): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement {
  const common = {
    id,
    name,
    'aria-describedby': describedBy,
    ...(info.required ? { 'aria-required': 'true' } : {}),
  };
  if (info.enum || info.type === 'boolean') {
    const options = info.type === 'boolean' ? ['true', 'false'] : [...(info.enum ?? [])];
    return h(
      'select',
      common,
      h('option', { value: '' }, info.required ? '— choose —' : '(not set)'),
      options.map((o) => h('option', { value: o, selected: o === initial }, o)),
    );
  }
  if (isSecretParam(name)) {
    return h('input', {
      ...common,
      type: 'password',
      autocomplete: 'new-password',
      spellcheck: 'false',
      value: initial,
    });
  }
  if (info.in === 'body' || LONG.test(name) || (info.type === 'string' && (info.max ?? 0) > 512)) {
    return h(
      'textarea',
      {
        ...common,
        rows: info.in === 'body' || /Document|Policy$|UserData/.test(name) ? 8 : 2,
        spellcheck: 'false',
      },
      initial,
    );
  }
  return h('input', {
    ...common,
    type: 'text',
    ...(info.type === 'integer' ? { inputmode: 'numeric' } : {}),
    autocomplete: 'off',
    spellcheck: 'false',
    value: initial,
  });
}

function listEditor(
  name: string,
  id: string,
  describedBy: string,
  initial: string[],
): { el: HTMLElement; read(): string[]; focus(): void } {
  const list = h('ul', { class: 'list-editor', id, 'aria-describedby': describedBy });
  const add = (value = '') => {
    const input = h('input', {
      type: 'text',
      value,
      'aria-label': `${name} item`,
      autocomplete: 'off',
      spellcheck: 'false',
    });
    const row = h(
      'li',
      {},
      input,
      h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `remove this ${name} item`,
          onclick: () => {
            row.remove();
          },
        },
        'Remove',
      ),
    );
    list.append(row);
    return input;
  };
  for (const v of initial.length ? initial : ['']) add(v);
  const el = h(
    'div',
    {},
    list,
    h(
      'button',
      { type: 'button', class: 'small', onclick: () => add().focus() },
      `Add ${name} item`,
    ),
  );
  return {
    el,
    read: () =>
      [...list.querySelectorAll('input')].map((i) => i.value.trim()).filter((v) => v !== ''),
    focus: () => list.querySelector('input')?.focus(),
  };
}

function objectListEditor(
  name: string,
  info: CatalogueParam,
  id: string,
  describedBy: string,
): { el: HTMLElement; read(): Array<Record<string, string>>; focus(): void } {
  const rows = h('div', { class: 'object-list', id, 'aria-describedby': describedBy });
  const fields = Object.entries(info.fields ?? {});
  const add = () => {
    const row = h('fieldset', { class: 'row' }, h('legend', {}, `${name} item`));
    for (const [f, finfo] of fields) {
      const fid = uid('f');
      row.append(
        h('label', { for: fid }, f, finfo.required ? h('abbr', { title: 'required' }, '*') : null),
        h('input', { id: fid, 'data-field': f, type: 'text', autocomplete: 'off' }),
      );
    }
    row.append(
      h('button', { type: 'button', class: 'small', onclick: () => row.remove() }, 'Remove'),
    );
    rows.append(row);
    return row;
  };
  const el = h(
    'div',
    {},
    rows,
    h(
      'button',
      { type: 'button', class: 'small', onclick: () => add().querySelector('input')?.focus() },
      `Add ${name} item`,
    ),
  );
  return {
    el,
    read: () =>
      [...rows.querySelectorAll('fieldset')].map((row) => {
        const out: Record<string, string> = {};
        for (const i of row.querySelectorAll<HTMLInputElement>('input[data-field]'))
          out[i.dataset.field!] = i.value.trim();
        return out;
      }),
    focus: () => rows.querySelector('input')?.focus(),
  };
}

/**
 * Builds the form of `params`, prefilled with `initial` (text values; JSON arrays as JSON).
 * @example
 * const form = buildForm(op.params, { RoleName: 'EcsRamRoleTest' });
 */
export function buildForm(
  params: Record<string, CatalogueParam>,
  initial: Record<string, string> = {},
): GeneratedForm {
  const element = h('div', { class: 'fields' });
  const fields = new Map<string, Field>();
  const unused = h('div', { class: 'fields' });
  const entries = Object.entries(params).sort(
    ([, a], [, b]) => Number(b.required) - Number(a.required),
  );
  if (entries.length === 0)
    element.append(h('p', { class: 'muted' }, 'This operation takes no parameters.'));
  for (const [name, info] of entries) {
    const id = uid('p');
    const hintId = `${id}-hint`;
    const errId = `${id}-err`;
    const error = h('p', { class: 'field-error', id: errId, role: 'alert', hidden: true });
    const hint = h(
      'p',
      { class: 'hint', id: hintId },
      info.doc ? `${info.doc} — ` : '',
      // A documented field's regular expression is a tooltip, not text: the doc says it in words.
      info.doc && info.pattern
        ? h(
            'span',
            { class: 'constraints', title: `pattern ${info.pattern}` },
            constraints({ ...info, pattern: undefined }),
          )
        : h('span', { class: 'constraints' }, constraints(info)),
    );
    const label = h(
      'label',
      { for: id },
      name,
      info.required ? h('abbr', { title: 'required', class: 'req' }, ' *') : null,
    );
    let field: Field;
    let control: HTMLElement;
    if (info.type === 'json-array' || info.type === 'list') {
      let start: string[] = [];
      const raw = initial[name];
      if (raw) {
        try {
          const parsed: unknown = JSON.parse(raw);
          start = Array.isArray(parsed) ? parsed.map(String) : [raw];
        } catch {
          start = [raw];
        }
      }
      const ed = listEditor(name, id, `${hintId} ${errId}`, start);
      control = ed.el;
      field = { read: ed.read, error, focus: ed.focus };
      if (info.type === 'json-array') hint.append(' (sent as one JSON array, e.g. ["i-…"])');
    } else if (info.type === 'object-list') {
      const ed = objectListEditor(name, info, id, `${hintId} ${errId}`);
      control = ed.el;
      field = { read: ed.read, error, focus: ed.focus };
    } else {
      const input = scalarInput(name, info, id, `${hintId} ${errId}`, initial[name] ?? '');
      control = input;
      field = { read: () => input.value, error, focus: () => input.focus() };
    }
    fields.set(name, field);
    (isUnusedParam(info) ? unused : element).append(
      h(
        'div',
        { class: `field${info.required ? ' required' : ''}`, 'data-param': name },
        label,
        control,
        hint,
        error,
      ),
    );
  }
  if (unused.childElementCount > 0) {
    const names = [...unused.querySelectorAll<HTMLElement>('.field')].map((f) => f.dataset.param);
    element.append(
      h(
        'details',
        {
          class: 'unused-fields',
          // Opened when the link or the caller already filled one in.
          open: names.some((n) => n !== undefined && (initial[n] ?? '') !== ''),
        },
        h(
          'summary',
          {},
          `${unused.childElementCount} more field${unused.childElementCount === 1 ? '' : 's'} yunbox accepts but does not use`,
        ),
        unused,
      ),
    );
  }
  return {
    element,
    read() {
      const out: FormValues = {};
      for (const [name, f] of fields) out[name] = f.read();
      return out;
    },
    showErrors(errors) {
      let first: Field | undefined;
      for (const [name, f] of fields) {
        const e = errors[name];
        f.error.hidden = e === undefined;
        f.error.textContent = e ? `${name}: ${e}` : '';
        f.error.closest('.field')?.classList.toggle('invalid', e !== undefined);
        if (e && !first) first = f;
        // A problem in a collapsed field is shown, not hidden.
        const group = f.error.closest('details');
        if (e && group) group.open = true;
      }
      first?.focus();
    },
  };
}
