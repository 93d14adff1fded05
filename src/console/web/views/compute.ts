/**
 * @module VPC and ECS views: VPCs and vSwitches; instances with their state, private IP, attached
 * role, the current metadata credential's expiry and the next rotation (Yunbox
 * `DescribeInstanceMetadataCredential`, which never returns the credential), and the metadata
 * fault injected per instance, with a control to change it (`SetInstanceMetadataFault`).
 */
import { loadSession, rpc } from '../api.js';
import { count, h, link, mount, table, uid } from '../dom.js';
import { errorBox, loading, must, thrownBox, when } from '../ui.js';

const region = () => loadSession()?.Region ?? 'cn-hangzhou';
const YUNBOX = '2026-11-01';

/** VPCs and vSwitches of the region. */
export async function networkView(root: HTMLElement): Promise<void> {
  mount(root, h('h2', {}, 'VPCs and vSwitches'), loading('VPCs'));
  try {
    const [vpcs, vsws] = await Promise.all([
      rpc('2016-04-28', 'DescribeVpcs', { RegionId: region(), PageSize: '50' }).then(must),
      rpc('2016-04-28', 'DescribeVSwitches', { RegionId: region(), PageSize: '50' }).then(must),
    ]);
    mount(
      root,
      h('h2', {}, 'VPCs and vSwitches'),
      h(
        'p',
        {},
        link(
          `/explorer?product=Vpc&op=CreateVpc&RegionId=${region()}`,
          'Create a VPC in the explorer',
        ),
        ' · ',
        link(`/explorer?product=Vpc&op=CreateVSwitch&RegionId=${region()}`, 'Create a vSwitch'),
      ),
      h('h3', {}, 'VPCs'),
      table(
        ['VPC', 'Name', 'CIDR', 'Status', 'vSwitches', 'Created'],
        (vpcs?.Vpcs?.Vpc ?? []).map((v: any) => [
          h('code', {}, v.VpcId),
          v.VpcName ?? '',
          v.CidrBlock,
          v.Status,
          (v.VSwitchIds?.VSwitchId ?? []).join(', '),
          when(v.CreationTime),
        ]),
        undefined,
        [
          'No VPCs yet: an instance needs a vSwitch in one. ',
          link(`/explorer?product=Vpc&op=CreateVpc&RegionId=${region()}`, 'Create a VPC'),
          ' first.',
        ],
      ),
      h('h3', {}, 'vSwitches'),
      table(
        ['vSwitch', 'Name', 'VPC', 'Zone', 'CIDR', 'Free addresses', 'Status'],
        (vsws?.VSwitches?.VSwitch ?? []).map((s: any) => [
          h('code', {}, s.VSwitchId),
          s.VSwitchName ?? '',
          h('code', {}, s.VpcId),
          s.ZoneId,
          s.CidrBlock,
          String(s.AvailableIpAddressCount ?? ''),
          s.Status,
        ]),
        undefined,
        [
          'No vSwitches yet: ',
          link(`/explorer?product=Vpc&op=CreateVSwitch&RegionId=${region()}`, 'create one'),
          ' in a VPC, then instances in it.',
        ],
      ),
    );
  } catch (e) {
    root.querySelector('[role=status]')?.remove();
    root.append(thrownBox(e));
  }
}

/** A time in a table whose heading says UTC: `2026-01-01 06:00:00`. */
const utc = (iso: string) => when(iso).replace(/ UTC$/, '');

const FAULTS = ['none', 'slow', 'error', 'expired-credential', 'refuse-token'];

/**
 * The metadata fault control of an instance: its mode, the delay or status it takes, Apply.
 * `onDone` is told what was applied, in words, for the redrawn view to say (`notice`): the server
 * answers the mode only, so the delay or status set is said once, there.
 */
function faultControl(
  instanceId: string,
  mode: string,
  onDone: (applied: string) => void,
  notice?: string,
): HTMLElement {
  const id = uid('fault');
  const select = h(
    'select',
    { id, 'data-instance': instanceId, class: 'fault-mode' },
    FAULTS.map((f) => h('option', { value: f, selected: f === mode }, f)),
  );
  const extra = h('input', {
    type: 'text',
    inputmode: 'numeric',
    size: 5,
    'aria-label': `delay (ms) or status for ${instanceId}`,
    placeholder: 'ms / status',
  });
  const out = h('span', { class: 'fault-result muted', role: 'status' }, notice ?? '');
  const apply = async () => {
    const params: Record<string, string> = { InstanceId: instanceId, Mode: select.value };
    if (extra.value.trim()) {
      if (select.value === 'slow') params.DelayMs = extra.value.trim();
      else if (select.value === 'error' || select.value === 'refuse-token')
        params.StatusCode = extra.value.trim();
    }
    const r = await rpc(YUNBOX, 'SetInstanceMetadataFault', params);
    if (r.error) mount(out, errorBox(r.error.code, r.error.message));
    else
      onDone(
        `applied: ${params.Mode}${params.DelayMs ? `, ${params.DelayMs} ms` : ''}${params.StatusCode ? `, status ${params.StatusCode}` : ''}`,
      );
  };
  return h(
    'span',
    { class: 'fault' },
    h('label', { for: id, class: 'visually-hidden' }, `metadata fault of ${instanceId}`),
    select,
    extra,
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        'aria-label': `apply the metadata fault of ${instanceId}`,
        onclick: () => void apply(),
      },
      'Apply',
    ),
    out,
  );
}

/**
 * Instances with role, credential windows and faults; `notice` says what was just applied to an
 * instance's fault (by instance id).
 */
export async function instancesView(
  root: HTMLElement,
  notice: Record<string, string> = {},
): Promise<void> {
  mount(root, h('h2', {}, 'Instances'), loading('instances'));
  try {
    const out = must(
      await rpc('2014-05-26', 'DescribeInstances', { RegionId: region(), PageSize: '100' }),
    );
    const instances: any[] = out?.Instances?.Instance ?? [];
    const creds = await Promise.all(
      instances.map(async (i) => {
        const r = await rpc(YUNBOX, 'DescribeInstanceMetadataCredential', {
          InstanceId: i.InstanceId,
        });
        return r.error ? { error: r.error } : r.json;
      }),
    );
    const refresh = () => void instancesView(root);
    const applied = (id: string) => (text: string) => void instancesView(root, { [id]: text });
    mount(
      root,
      h('h2', {}, 'Instances'),
      h(
        'p',
        {},
        link(
          `/explorer?product=Ecs&op=CreateInstance&RegionId=${region()}&ImageId=centos_7_03_64_40G_alibase_20170503.vhd&InstanceType=ecs.g6.large`,
          'Create an instance in the explorer',
        ),
        ' · ',
        h('button', { type: 'button', class: 'small', onclick: refresh }, 'Refresh'),
      ),
      table(
        [
          'Instance',
          'Status',
          'Private IP, vSwitch',
          'RAM role',
          'Role credential (UTC)',
          'Metadata fault',
        ],
        instances.map((i, n) => {
          const c = creds[n] as any;
          const role = c?.error
            ? errorBox(c.error.code, c.error.message)
            : c?.RamRoleName || h('span', { class: 'muted' }, 'none');
          return [
            h(
              'span',
              {},
              h('code', {}, i.InstanceId),
              i.InstanceName && i.InstanceName !== i.InstanceId ? h('br') : null,
              i.InstanceName !== i.InstanceId ? i.InstanceName : '',
            ),
            h('span', { class: `state ${String(i.Status).toLowerCase()}` }, i.Status),
            h(
              'span',
              {},
              (i.VpcAttributes?.PrivateIpAddress?.IpAddress ?? []).join(', '),
              h('br'),
              h('code', { class: 'muted' }, i.VpcAttributes?.VSwitchId ?? ''),
            ),
            role,
            c?.HasCredential
              ? h(
                  'span',
                  { class: 'cred' },
                  'expires ',
                  h('time', { datetime: c.Expiration, class: 'cred-expiry' }, utc(c.Expiration)),
                  h('br'),
                  h('span', { class: 'muted' }, 'next '),
                  h(
                    'time',
                    { datetime: c.NextRotation, class: 'cred-rotation muted' },
                    utc(c.NextRotation),
                  ),
                )
              : h('span', { class: 'muted' }, 'none'),
            c && !c.error
              ? faultControl(
                  i.InstanceId,
                  c.FaultMode ?? 'none',
                  applied(i.InstanceId),
                  notice[i.InstanceId],
                )
              : '',
          ];
        }),
        `${count(instances.length, 'instance')} in ${region()}`,
        [
          'No instances yet: ',
          link(`/network`, 'a VPC and a vSwitch'),
          ' come first, then ',
          link(
            `/explorer?product=Ecs&op=CreateInstance&RegionId=${region()}&ImageId=centos_7_03_64_40G_alibase_20170503.vhd&InstanceType=ecs.g6.large`,
            'create an instance',
          ),
          ' with the role.',
        ],
      ),
      h(
        'p',
        { class: 'muted' },
        'Instance role credentials last 6 hours; a new one is issued every 5.5 hours from when the role was attached (30 minutes before the previous one expires), on the server clock.',
      ),
    );
  } catch (e) {
    root.querySelector('[role=status]')?.remove();
    root.append(thrownBox(e));
  }
}
