/**
 * @module RAM views: roles (trust policy, attached policies), policies (versions, each document
 * highlighted, who it is attached to), users (access keys, attached policies). Every list and
 * detail is a real signed RAM call with the session's credentials, so what a RAM user may not
 * read shows the server's denial.
 */
import { rpc } from '../api.js';
import { count, h, link, mount, table } from '../dom.js';
import { jsonBlock } from '../highlight.js';
import { facts, loading, must, thrownBox, when } from '../ui.js';

const RAM = '2015-05-01';
const ram = async (action: string, params: Record<string, string> = {}) =>
  must(await rpc(RAM, action, params));
const explore = (op: string, values: Record<string, string> = {}) =>
  `/explorer?${new URLSearchParams({ product: 'Ram', op, ...values }).toString()}`;
const enc = encodeURIComponent;

/** Roles, or one role (`name`). */
export async function rolesView(root: HTMLElement, name?: string): Promise<void> {
  mount(root, h('h2', {}, name ? `Role ${name}` : 'Roles'), loading(name ? 'the role' : 'roles'));
  try {
    if (!name) {
      const out = await ram('ListRoles', { MaxItems: '1000' });
      const roles: any[] = out?.Roles?.Role ?? [];
      mount(
        root,
        h('h2', {}, 'Roles'),
        h('p', {}, link(explore('CreateRole'), 'Create a role in the explorer')),
        table(
          ['Role', 'ARN', 'Created', 'Description'],
          roles.map((r) => [
            link(`/roles/${enc(r.RoleName)}`, r.RoleName),
            h('code', {}, r.Arn),
            when(r.CreateDate),
            r.Description ?? '',
          ]),
          count(roles.length, 'role'),
          [
            'No roles yet. The tutorial starts here: ',
            link(explore('CreateRole'), 'create a role'),
            ' that ECS instances may assume (the explorer has its trust policy as a template).',
          ],
        ),
      );
      return;
    }
    const [role, attached] = await Promise.all([
      ram('GetRole', { RoleName: name }),
      ram('ListPoliciesForRole', { RoleName: name }),
    ]);
    const r = role.Role;
    const policies: any[] = attached?.Policies?.Policy ?? [];
    mount(
      root,
      h('h2', {}, `Role ${name}`),
      h('p', {}, link('/roles', '← all roles')),
      facts([
        ['ARN', h('code', {}, r.Arn)],
        ['Role id', r.RoleId],
        ['Created', when(r.CreateDate)],
        ['Max session', `${r.MaxSessionDuration ?? 3600} s`],
        ['Description', r.Description ?? ''],
      ]),
      h('h3', {}, 'Trust policy'),
      jsonBlock(r.AssumeRolePolicyDocument, 'trust policy'),
      h('h3', {}, 'Attached policies'),
      table(
        ['Policy', 'Type', 'Attached', 'Description'],
        policies.map((p) => [
          link(`/policies/${enc(p.PolicyType)}/${enc(p.PolicyName)}`, p.PolicyName),
          p.PolicyType,
          when(p.AttachDate),
          p.Description ?? '',
        ]),
        undefined,
        [
          'No policy attached: the role may do nothing yet. ',
          link(explore('CreatePolicy'), 'Create a policy'),
          ', then attach it below.',
        ],
      ),
      h(
        'p',
        {},
        link(
          explore('AttachPolicyToRole', { RoleName: name, PolicyType: 'Custom' }),
          'Attach a policy in the explorer',
        ),
      ),
    );
  } catch (e) {
    root.append(thrownBox(e));
    root.querySelector('[role=status]')?.remove();
  }
}

/** Policies, or one policy (`type`, `name`), optionally showing version `version`. */
export async function policiesView(
  root: HTMLElement,
  type?: string,
  name?: string,
  params?: URLSearchParams,
): Promise<void> {
  mount(
    root,
    h('h2', {}, name ? `Policy ${name}` : 'Policies'),
    loading(name ? 'the policy' : 'policies'),
  );
  try {
    if (!type || !name) {
      const filter = params?.get('type') ?? 'Custom';
      const out = await ram('ListPolicies', {
        MaxItems: '1000',
        ...(filter !== 'All' ? { PolicyType: filter } : {}),
      });
      const list: any[] = out?.Policies?.Policy ?? [];
      const select = h(
        'select',
        {
          id: 'policy-type',
          onchange: (e: Event) =>
            (location.hash = `#/policies?type=${(e.target as HTMLSelectElement).value}`),
        },
        ['Custom', 'System', 'All'].map((t) =>
          h('option', { value: t, selected: t === filter }, t),
        ),
      );
      mount(
        root,
        h('h2', {}, 'Policies'),
        h(
          'p',
          {},
          h('label', { for: 'policy-type' }, 'Type '),
          select,
          ' ',
          link(explore('CreatePolicy'), 'Create a policy in the explorer'),
        ),
        table(
          ['Policy', 'Type', 'Default version', 'Attachments', 'Description'],
          list.map((p) => [
            link(`/policies/${enc(p.PolicyType)}/${enc(p.PolicyName)}`, p.PolicyName),
            p.PolicyType,
            p.DefaultVersion,
            String(p.AttachmentCount ?? ''),
            p.Description ?? '',
          ]),
          `${list.length} ${filter === 'All' ? '' : filter.toLowerCase() + ' '}polic${list.length === 1 ? 'y' : 'ies'}`,
          filter === 'Custom'
            ? [
                'No custom policies yet: ',
                link(explore('CreatePolicy'), 'create one'),
                ' (the explorer has an OSS read-only template), or look at the System ones.',
              ]
            : 'none',
        ),
      );
      return;
    }
    // A link from a response names the policy only (`/policies/any/NAME`): Custom, else System.
    if (type === 'any') {
      const custom = await rpc(RAM, 'GetPolicy', { PolicyType: 'Custom', PolicyName: name });
      type = custom.error ? 'System' : 'Custom';
    }
    const [pol, versions, entities] = await Promise.all([
      ram('GetPolicy', { PolicyType: type, PolicyName: name }),
      ram('ListPolicyVersions', { PolicyType: type, PolicyName: name }),
      ram('ListEntitiesForPolicy', { PolicyType: type, PolicyName: name }),
    ]);
    const p = pol.Policy;
    const vs: any[] = versions?.PolicyVersions?.PolicyVersion ?? [];
    const shown = params?.get('version') ?? p.DefaultVersion;
    const doc =
      shown === p.DefaultVersion
        ? pol.DefaultPolicyVersion?.PolicyDocument
        : (await ram('GetPolicyVersion', { PolicyType: type, PolicyName: name, VersionId: shown }))
            .PolicyVersion?.PolicyDocument;
    const base = `/policies/${enc(type)}/${enc(name)}`;
    const who = [
      ...(entities?.Roles?.Role ?? []).map((x: any) => [
        'role',
        link(`/roles/${enc(x.RoleName)}`, x.RoleName),
        when(x.AttachDate),
      ]),
      ...(entities?.Users?.User ?? []).map((x: any) => [
        'user',
        link(`/users/${enc(x.UserName)}`, x.UserName),
        when(x.AttachDate),
      ]),
      ...(entities?.Groups?.Group ?? []).map((x: any) => [
        'group',
        x.GroupName,
        when(x.AttachDate),
      ]),
    ];
    mount(
      root,
      h('h2', {}, `Policy ${name}`),
      h('p', {}, link('/policies', '← all policies')),
      facts([
        ['Type', p.PolicyType],
        ['Default version', p.DefaultVersion],
        ['Created', when(p.CreateDate)],
        ['Updated', when(p.UpdateDate)],
        ['Description', p.Description ?? ''],
      ]),
      h('h3', {}, 'Versions'),
      table(
        ['Version', 'Default', 'Created', ''],
        vs.map((v) => [
          v.VersionId,
          v.IsDefaultVersion ? 'default' : '',
          when(v.CreateDate),
          v.VersionId === shown
            ? h('strong', {}, 'shown below')
            : link(`${base}?version=${enc(v.VersionId)}`, 'show'),
        ]),
      ),
      h('h3', {}, `Document (${shown})`),
      jsonBlock(doc ?? '', `policy document ${shown}`),
      h('h3', {}, 'Attached to'),
      table(['Kind', 'Name', 'Attached'], who),
    );
  } catch (e) {
    root.append(thrownBox(e));
    root.querySelector('[role=status]')?.remove();
  }
}

/** Users, or one user (`name`) with keys and policies. */
export async function usersView(root: HTMLElement, name?: string): Promise<void> {
  mount(
    root,
    h('h2', {}, name ? `User ${name}` : 'Users and keys'),
    loading(name ? 'the user' : 'users'),
  );
  try {
    if (!name) {
      const out = await ram('ListUsers', { MaxItems: '1000' });
      const users: any[] = out?.Users?.User ?? [];
      mount(
        root,
        h('h2', {}, 'Users and keys'),
        h('p', {}, link(explore('CreateUser'), 'Create a user in the explorer')),
        table(
          ['User', 'Display name', 'Created', 'Comments'],
          users.map((u) => [
            link(`/users/${enc(u.UserName)}`, u.UserName),
            u.DisplayName ?? '',
            when(u.CreateDate),
            u.Comments ?? '',
          ]),
          count(users.length, 'user'),
          [
            'No RAM users yet: ',
            link(explore('CreateUser'), 'create one'),
            ' to give a program its own AccessKey instead of the root account’s.',
          ],
        ),
      );
      return;
    }
    const [user, keys, policies] = await Promise.all([
      ram('GetUser', { UserName: name }),
      ram('ListAccessKeys', { UserName: name }),
      ram('ListPoliciesForUser', { UserName: name }),
    ]);
    const u = user.User;
    mount(
      root,
      h('h2', {}, `User ${name}`),
      h('p', {}, link('/users', '← all users')),
      facts([
        ['User id', u.UserId],
        ['Display name', u.DisplayName ?? ''],
        ['Created', when(u.CreateDate)],
        ['Last login', when(u.LastLoginDate)],
      ]),
      h('h3', {}, 'Access keys'),
      table(
        ['AccessKeyId', 'Status', 'Created'],
        (keys?.AccessKeys?.AccessKey ?? []).map((k: any) => [
          h('code', {}, k.AccessKeyId),
          k.Status,
          when(k.CreateDate),
        ]),
      ),
      h(
        'p',
        { class: 'muted' },
        'Secrets are shown once, when a key is created (CreateAccessKey), and never again.',
      ),
      h('h3', {}, 'Attached policies'),
      table(
        ['Policy', 'Type', 'Attached'],
        (policies?.Policies?.Policy ?? []).map((p: any) => [
          link(`/policies/${enc(p.PolicyType)}/${enc(p.PolicyName)}`, p.PolicyName),
          p.PolicyType,
          when(p.AttachDate),
        ]),
      ),
      h(
        'p',
        {},
        link(
          explore('CreateAccessKey', { UserName: name }),
          'Create an access key in the explorer',
        ),
        ' · ',
        link(
          explore('AttachPolicyToUser', { UserName: name, PolicyType: 'Custom' }),
          'Attach a policy',
        ),
      ),
    );
  } catch (e) {
    root.append(thrownBox(e));
    root.querySelector('[role=status]')?.remove();
  }
}
