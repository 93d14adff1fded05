/**
 * @module The explorer's form, generated from an operation's parameters: a labelled field per
 * parameter (required ones marked), constraints as hints, a list editor for JSON-array and list
 * parameters (`InstanceIds`), rows of fields for object lists (`Tag`), and problems shown beside
 * each field. A long form keeps the required fields and those the tutorial needs in view, the
 * others under "more fields", and those yunbox accepts but does not use in a group of their own
 * (`tutorial.ts` {@link fieldGroups}). Values are read back as {@link FormValues}.
 */
import type { CatalogueParam } from './catalogue-types.js';
import { h, uid, withCode } from './dom.js';
import { fieldHint, isSecretParam, type FieldValue, type FormValues } from './params.js';
import { fieldGroups } from './tutorial.js';

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
  op = '',
): GeneratedForm {
  const element = h('div', { class: 'fields' });
  const fields = new Map<string, Field>();
  const groups = fieldGroups(op, params);
  const more = h('div', { class: 'fields' });
  const unused = h('div', { class: 'fields' });
  const hostOf = (name: string) =>
    groups.more.includes(name) ? more : groups.unused.includes(name) ? unused : element;
  if (Object.keys(params).length === 0)
    element.append(h('p', { class: 'muted' }, 'This operation takes no parameters.'));
  for (const name of [...groups.shown, ...groups.more, ...groups.unused]) {
    const info = params[name]!;
    const id = uid('p');
    const hintId = `${id}-hint`;
    const errId = `${id}-err`;
    const error = h('p', { class: 'field-error', id: errId, role: 'alert', hidden: true });
    const { text: hintText, title: hintTitle } = fieldHint(info);
    const hint = h('p', { class: 'hint', id: hintId, title: hintTitle }, withCode(hintText));
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
      if (info.type === 'json-array' && !/JSON array/i.test(info.doc ?? ''))
        hint.append(' (sent as one JSON array, e.g. ["i-…"])');
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
    hostOf(name).append(
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
  // Collapsed groups open when the link or the caller already filled one of their fields in.
  const filled = (names: string[]) => names.some((n) => (initial[n] ?? '') !== '');
  if (groups.more.length > 0) {
    const n = groups.more.length;
    const named = groups.more.slice(0, 4).join(', ');
    element.append(
      h(
        'details',
        { class: 'more-fields', open: filled(groups.more) },
        h(
          'summary',
          {},
          `${n} more field${n === 1 ? '' : 's'}`,
          h('span', { class: 'muted' }, ` (${named}${n > 4 ? ', …' : ''})`),
        ),
        more,
      ),
    );
  }
  if (groups.unused.length > 0) {
    const n = groups.unused.length;
    element.append(
      h(
        'details',
        { class: 'unused-fields', open: filled(groups.unused) },
        h('summary', {}, `${n} more field${n === 1 ? '' : 's'} yunbox accepts but does not use`),
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
