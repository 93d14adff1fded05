/**
 * @module Pickers beside the explorer's resource fields: the names and ids that exist now (roles,
 * policies, users, VPCs, vSwitches, instances) and what the server offers (images, instance
 * types), read with the session's own signed list calls when the form is drawn. Shown as a few
 * buttons that fill the field, and as the input's suggestion list; the field stays free text.
 * A field that names the resource being created (CreateRole's `RoleName`) gets none.
 */
import { rpc, loadSession } from './api.js';
import type { Catalogue, CatalogueOperation } from './catalogue-types.js';
import { h, mount, uid } from './dom.js';

/** Buttons shown at most; the suggestion list holds up to {@link MAX_SUGGESTIONS}. */
const MAX_BUTTONS = 8;
const MAX_SUGGESTIONS = 200;

interface Source {
  product: string;
  action: string;
  params: (region: string) => Record<string, string>;
  list: (out: any) => unknown[];
  /** Operations whose field of this name is a new name, not an existing one. */
  creates: readonly string[];
}

const RAM_ROLES: Source = {
  product: 'Ram',
  action: 'ListRoles',
  params: () => ({ MaxItems: '1000' }),
  list: (o) => (o?.Roles?.Role ?? []).map((r: any) => r.RoleName),
  creates: ['CreateRole'],
};

/** Where the values of each field come from, by parameter name. */
const SOURCES: Record<string, Source> = {
  RoleName: RAM_ROLES,
  RamRoleName: RAM_ROLES,
  PolicyName: {
    product: 'Ram',
    action: 'ListPolicies',
    params: () => ({ MaxItems: '1000', PolicyType: 'Custom' }),
    list: (o) => (o?.Policies?.Policy ?? []).map((p: any) => p.PolicyName),
    creates: ['CreatePolicy'],
  },
  UserName: {
    product: 'Ram',
    action: 'ListUsers',
    params: () => ({ MaxItems: '1000' }),
    list: (o) => (o?.Users?.User ?? []).map((u: any) => u.UserName),
    creates: ['CreateUser'],
  },
  VpcId: {
    product: 'Vpc',
    action: 'DescribeVpcs',
    params: (region) => ({ RegionId: region, PageSize: '50' }),
    list: (o) => (o?.Vpcs?.Vpc ?? []).map((v: any) => v.VpcId),
    creates: [],
  },
  VSwitchId: {
    product: 'Vpc',
    action: 'DescribeVSwitches',
    params: (region) => ({ RegionId: region, PageSize: '50' }),
    list: (o) => (o?.VSwitches?.VSwitch ?? []).map((v: any) => v.VSwitchId),
    creates: [],
  },
  InstanceId: {
    product: 'Ecs',
    action: 'DescribeInstances',
    params: (region) => ({ RegionId: region, PageSize: '100' }),
    list: (o) => (o?.Instances?.Instance ?? []).map((i: any) => i.InstanceId),
    creates: [],
  },
  ImageId: {
    product: 'Ecs',
    action: 'DescribeImages',
    params: (region) => ({ RegionId: region, PageSize: '100' }),
    list: (o) => (o?.Images?.Image ?? []).map((i: any) => i.ImageId),
    creates: [],
  },
  InstanceType: {
    product: 'Ecs',
    action: 'DescribeInstanceTypes',
    params: () => ({}),
    list: (o) => (o?.InstanceTypes?.InstanceType ?? []).map((t: any) => t.InstanceTypeId),
    creates: [],
  },
};
SOURCES.InstanceIds = SOURCES.InstanceId!;

/** The source of field `name` of `op`, if it has one. */
export function pickerSource(op: CatalogueOperation, name: string): Source | undefined {
  const s = SOURCES[name];
  return s && !op.oss && !s.creates.includes(op.name) ? s : undefined;
}

/**
 * Puts pickers under the resource fields of `op` in `form` (the generated form's element). The
 * lists are read in the background; a list that cannot be read (no permission) shows nothing.
 */
export function attachPickers(
  form: HTMLElement,
  op: CatalogueOperation,
  catalogue: Catalogue,
): void {
  const region = loadSession()?.Region ?? catalogue.region;
  const reads = new Map<Source, Promise<string[]>>();
  for (const name of Object.keys(op.params)) {
    const source = pickerSource(op, name);
    const version = catalogue.products.find((p) => p.product === source?.product)?.version;
    const field = form.querySelector<HTMLElement>(`.field[data-param="${CSS.escape(name)}"]`);
    if (!source || !version || !field) continue;
    let read = reads.get(source);
    if (!read) {
      read = rpc(version, source.action, source.params(region)).then(
        (r) =>
          r.error
            ? []
            : [...new Set(source.list(r.json).filter((v): v is string => typeof v === 'string'))],
        () => [],
      );
      reads.set(source, read);
    }
    const listId = uid('pick');
    const datalist = h('datalist', { id: listId });
    const bar = h('div', { class: 'picker', 'data-picker': name });
    field.append(datalist, bar);
    // Inputs of a list editor come and go: each gets the suggestions when it is focused.
    const inputs = () => [...field.querySelectorAll<HTMLInputElement>('input[type=text]')];
    for (const i of inputs()) i.setAttribute('list', listId);
    field.addEventListener('focusin', (e) => {
      if (e.target instanceof HTMLInputElement && e.target.type === 'text')
        e.target.setAttribute('list', listId);
    });
    const fill = (value: string) => {
      const all = inputs();
      const target = all.find((i) => i.value.trim() === '') ?? all[all.length - 1];
      if (!target) return;
      target.value = value;
      target.dispatchEvent(new Event('input', { bubbles: true }));
      target.focus();
    };
    void read.then((values) => {
      mount(
        datalist,
        values.slice(0, MAX_SUGGESTIONS).map((v) => h('option', { value: v })),
      );
      if (values.length === 0) return;
      mount(
        bar,
        h('span', { class: 'muted' }, 'Existing: '),
        values.slice(0, MAX_BUTTONS).map((v) =>
          h(
            'button',
            {
              type: 'button',
              class: 'small chip',
              'aria-label': `use ${name} ${v}`,
              onclick: () => fill(v),
            },
            v,
          ),
        ),
        values.length > MAX_BUTTONS
          ? h('span', { class: 'muted' }, ` and ${values.length - MAX_BUTTONS} more as you type`)
          : null,
      );
    });
  }
}
