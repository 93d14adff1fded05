/**
 * @module `yunbox serve --init DIR|FILE|tutorial`: resource files applied at a data directory's
 * first start (as LocalStack's init hooks are), through the server's own API signed as root, so
 * they are checked, authorised and recorded in the audit trail like any SDK call.
 *
 * A resource file is one JSON object; a directory's `*.json` files are applied in name order.
 * Every key is optional; names refer to resources of the same files or already in yunbox:
 *
 * ```json
 * {
 *   "policies":  [{ "PolicyName": "P", "PolicyDocument": { "Version": "1", "Statement": [] }, "Description": "…" }],
 *   "roles":     [{ "RoleName": "R", "AssumeRolePolicyDocument": { … }, "Description": "…", "Policies": ["P"] }],
 *   "groups":    [{ "GroupName": "G", "Policies": ["AliyunOSSReadOnlyAccess"] }],
 *   "users":     [{ "UserName": "U", "Groups": ["G"], "Policies": ["P"], "AccessKey": true }],
 *   "vpcs":      [{ "VpcName": "V", "CidrBlock": "192.168.0.0/16",
 *                   "VSwitches": [{ "VSwitchName": "S", "CidrBlock": "192.168.0.0/24", "ZoneId": "cn-hangzhou-i" }] }],
 *   "instances": [{ "InstanceName": "I", "VSwitchName": "S", "ImageId": "…", "InstanceType": "…",
 *                   "RamRoleName": "R", "Running": true }],
 *   "buckets":   [{ "BucketName": "b", "Objects": [{ "Key": "k.txt", "Content": "text", "ContentType": "text/plain" }] }]
 * }
 * ```
 *
 * A policy named in `Policies` is `Custom` when one of the files defines it, else `System`
 * (`{ "PolicyName": "…", "PolicyType": "…" }` says so explicitly). Policy documents may be objects
 * or JSON strings. A vSwitch without `ZoneId` takes the region's first zone. Users' AccessKeys are
 * written to `DIR/init-access-keys.json` (0600), never printed. Application order: policies,
 * roles, groups, users, VPCs and vSwitches, instances, buckets and objects.
 */
import { readdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { API_VERSIONS, apiCall } from './server-client.js';
import { ossPut } from './oss-client.js';

/** A policy reference in `Policies`. */
export type PolicyRef = string | { PolicyName: string; PolicyType?: 'System' | 'Custom' };

/** One resource file (every key optional). */
export interface InitSpec {
  policies?: Array<{ PolicyName: string; PolicyDocument: unknown; Description?: string }>;
  roles?: Array<{
    RoleName: string;
    AssumeRolePolicyDocument: unknown;
    Description?: string;
    Policies?: PolicyRef[];
  }>;
  groups?: Array<{ GroupName: string; Comments?: string; Policies?: PolicyRef[] }>;
  users?: Array<{
    UserName: string;
    DisplayName?: string;
    Groups?: string[];
    Policies?: PolicyRef[];
    AccessKey?: boolean;
  }>;
  vpcs?: Array<{
    VpcName: string;
    CidrBlock: string;
    VSwitches?: Array<{ VSwitchName: string; CidrBlock: string; ZoneId?: string }>;
  }>;
  instances?: Array<{
    InstanceName: string;
    VSwitchName: string;
    ImageId: string;
    InstanceType: string;
    RamRoleName?: string;
    HostName?: string;
    Running?: boolean;
  }>;
  buckets?: Array<{
    BucketName: string;
    Objects?: Array<{ Key: string; Content: string; ContentType?: string }>;
  }>;
}

/** The marker written once a data directory's init has been applied. */
export const INIT_MARKER = 'init-applied.json';
/** Where users' AccessKeys made by init go. */
export const INIT_KEYS_FILE = 'init-access-keys.json';

const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_FILES = 100;
const MAX_ITEMS = 1000;

const ALLOWED: Record<keyof InitSpec, readonly string[]> = {
  policies: ['PolicyName', 'PolicyDocument', 'Description'],
  roles: ['RoleName', 'AssumeRolePolicyDocument', 'Description', 'Policies'],
  groups: ['GroupName', 'Comments', 'Policies'],
  users: ['UserName', 'DisplayName', 'Groups', 'Policies', 'AccessKey'],
  vpcs: ['VpcName', 'CidrBlock', 'VSwitches'],
  instances: [
    'InstanceName',
    'VSwitchName',
    'ImageId',
    'InstanceType',
    'RamRoleName',
    'HostName',
    'Running',
  ],
  buckets: ['BucketName', 'Objects'],
};
const REQUIRED: Record<keyof InitSpec, readonly string[]> = {
  policies: ['PolicyName', 'PolicyDocument'],
  roles: ['RoleName', 'AssumeRolePolicyDocument'],
  groups: ['GroupName'],
  users: ['UserName'],
  vpcs: ['VpcName', 'CidrBlock'],
  instances: ['InstanceName', 'VSwitchName', 'ImageId', 'InstanceType'],
  buckets: ['BucketName'],
};

/**
 * Checks a parsed resource file's shape: known keys only, required names present, bounded
 * counts. Returns the diagnostics (empty when it is fine).
 * @example
 * checkInitSpec({ roles: [{}] }, 'a.json') // ['a.json: roles[0]: `RoleName` is required', …]
 */
export function checkInitSpec(spec: unknown, file: string): string[] {
  const out: string[] = [];
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return [
      `${file}: expected a JSON object with policies, roles, groups, users, vpcs, instances, buckets`,
    ];
  }
  for (const [key, list] of Object.entries(spec)) {
    if (!(key in ALLOWED)) {
      out.push(`${file}: unknown key \`${key}\` (expected ${Object.keys(ALLOWED).join(', ')})`);
      continue;
    }
    const k = key as keyof InitSpec;
    if (!Array.isArray(list) || list.length > MAX_ITEMS) {
      out.push(`${file}: \`${key}\` must be a list of at most ${MAX_ITEMS}`);
      continue;
    }
    list.forEach((item: unknown, i) => {
      const where = `${file}: ${key}[${i}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        out.push(`${where}: expected an object`);
        return;
      }
      for (const f of Object.keys(item)) {
        if (!ALLOWED[k].includes(f)) {
          out.push(`${where}: unknown field \`${f}\` (expected ${ALLOWED[k].join(', ')})`);
        }
      }
      for (const f of REQUIRED[k]) {
        const v = (item as Record<string, unknown>)[f];
        if (v === undefined || v === '') out.push(`${where}: \`${f}\` is required`);
      }
      const obj = item as Record<string, unknown>;
      for (const f of ['Policies', 'Groups', 'VSwitches', 'Objects']) {
        if (
          obj[f] !== undefined &&
          (!Array.isArray(obj[f]) || (obj[f] as unknown[]).length > MAX_ITEMS)
        ) {
          out.push(`${where}: \`${f}\` must be a list`);
        }
      }
      if (k === 'buckets' && Array.isArray(obj.Objects)) {
        (obj.Objects as unknown[]).forEach((o, j) => {
          const x = o as Record<string, unknown>;
          if (typeof x?.Key !== 'string' || typeof x.Content !== 'string') {
            out.push(`${where}.Objects[${j}]: \`Key\` and \`Content\` (text) are required`);
          }
        });
      }
    });
  }
  return out;
}

/**
 * Reads `--init`'s argument: `tutorial` (built in), a JSON file, or a directory of them (its
 * `*.json` files in name order), merged into one spec. Never throws.
 */
export async function loadInit(
  arg: string,
  cwd: string,
  tutorial: () => InitSpec,
): Promise<{ ok: true; spec: InitSpec; source: string } | { ok: false; error: string }> {
  if (arg === 'tutorial') return { ok: true, spec: tutorial(), source: 'tutorial' };
  const path = resolve(cwd, arg);
  let files: string[];
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      files = (await readdir(path))
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => join(path, n));
      if (files.length === 0) return { ok: false, error: `\`${arg}\` has no *.json file` };
      if (files.length > MAX_FILES) {
        return { ok: false, error: `\`${arg}\` has more than ${MAX_FILES} *.json files` };
      }
    } else files = [path];
  } catch {
    return {
      ok: false,
      error: `\`${arg}\` is neither \`tutorial\` nor a resource file or directory`,
    };
  }
  const merged: Record<string, unknown[]> = {};
  for (const file of files) {
    let spec: unknown;
    try {
      if ((await stat(file)).size > MAX_FILE_BYTES) {
        return { ok: false, error: `\`${file}\` is larger than 4 MiB` };
      }
      spec = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      return { ok: false, error: `\`${file}\`: ${(e as Error).message}` };
    }
    const problems = checkInitSpec(spec, file);
    if (problems.length) return { ok: false, error: problems.slice(0, 10).join('\n') };
    for (const [k, v] of Object.entries(spec as Record<string, unknown[]>)) {
      (merged[k] ??= []).push(...v);
    }
  }
  return { ok: true, spec: merged as InitSpec, source: path };
}

/** What {@link applyInit} did. */
export interface InitResult {
  ok: boolean;
  /** One line per resource made (or found already there), and the error that stopped it. */
  lines: string[];
  /** Instance ids by name. */
  instances: Record<string, string>;
}

const ALREADY = /^(EntityAlreadyExists|BucketAlreadyExists|InvalidVpcName\.Duplicate)/;

/**
 * Applies `spec` to the server at `endpoint` as root. Stops at the first error (what was made
 * stays); resources that already exist are taken as they are.
 */
export async function applyInit(
  endpoint: string,
  creds: { accessKeyId: string; accessKeySecret: string },
  region: string,
  spec: InitSpec,
  dataDir: string,
): Promise<InitResult> {
  const lines: string[] = [];
  const instances: Record<string, string> = {};
  const custom = new Set((spec.policies ?? []).map((p) => p.PolicyName));
  const call = async (version: string, action: string, params: Record<string, string>) => {
    const r = await apiCall(endpoint, creds, version, action, params);
    if (r.ok) return { made: true, body: r.body };
    if (r.code && ALREADY.test(r.code)) return { made: false, body: {} };
    throw new Error(`${action}: ${r.error}`);
  };
  const doc = (d: unknown) => (typeof d === 'string' ? d : JSON.stringify(d));
  const ref = (p: PolicyRef) =>
    typeof p === 'string'
      ? { PolicyName: p, PolicyType: custom.has(p) ? 'Custom' : 'System' }
      : {
          PolicyName: p.PolicyName,
          PolicyType: p.PolicyType ?? (custom.has(p.PolicyName) ? 'Custom' : 'System'),
        };
  const attach = async (action: string, target: Record<string, string>, list?: PolicyRef[]) => {
    for (const p of list ?? []) {
      const r = await apiCall(endpoint, creds, API_VERSIONS.ram, action, { ...ref(p), ...target });
      if (!r.ok && !(r.code ?? '').startsWith('EntityAlreadyExists')) {
        throw new Error(`${action} ${ref(p).PolicyName}: ${r.error}`);
      }
    }
  };
  const said = (made: boolean, what: string) =>
    lines.push(`${made ? 'created' : 'exists '} ${what}`);
  try {
    for (const p of spec.policies ?? []) {
      const r = await call(API_VERSIONS.ram, 'CreatePolicy', {
        PolicyName: p.PolicyName,
        PolicyDocument: doc(p.PolicyDocument),
        ...(p.Description ? { Description: p.Description } : {}),
      });
      said(r.made, `policy ${p.PolicyName}`);
    }
    for (const role of spec.roles ?? []) {
      const r = await call(API_VERSIONS.ram, 'CreateRole', {
        RoleName: role.RoleName,
        AssumeRolePolicyDocument: doc(role.AssumeRolePolicyDocument),
        ...(role.Description ? { Description: role.Description } : {}),
      });
      await attach('AttachPolicyToRole', { RoleName: role.RoleName }, role.Policies);
      said(
        r.made,
        `role ${role.RoleName}${role.Policies?.length ? ` (${role.Policies.map((p) => ref(p).PolicyName).join(', ')})` : ''}`,
      );
    }
    for (const g of spec.groups ?? []) {
      const r = await call(API_VERSIONS.ram, 'CreateGroup', {
        GroupName: g.GroupName,
        ...(g.Comments ? { Comments: g.Comments } : {}),
      });
      await attach('AttachPolicyToGroup', { GroupName: g.GroupName }, g.Policies);
      said(r.made, `group ${g.GroupName}`);
    }
    const keys: Array<{ UserName: string; AccessKeyId: string; AccessKeySecret: string }> = [];
    for (const u of spec.users ?? []) {
      const r = await call(API_VERSIONS.ram, 'CreateUser', {
        UserName: u.UserName,
        ...(u.DisplayName ? { DisplayName: u.DisplayName } : {}),
      });
      for (const g of u.Groups ?? []) {
        const a = await apiCall(endpoint, creds, API_VERSIONS.ram, 'AddUserToGroup', {
          UserName: u.UserName,
          GroupName: g,
        });
        if (!a.ok && !(a.code ?? '').startsWith('EntityAlreadyExists')) {
          throw new Error(`AddUserToGroup ${g}: ${a.error}`);
        }
      }
      await attach('AttachPolicyToUser', { UserName: u.UserName }, u.Policies);
      if (u.AccessKey && r.made) {
        const k = await call(API_VERSIONS.ram, 'CreateAccessKey', { UserName: u.UserName });
        const ak = (k.body as { AccessKey?: { AccessKeyId: string; AccessKeySecret: string } })
          .AccessKey;
        if (ak) {
          keys.push({
            UserName: u.UserName,
            AccessKeyId: ak.AccessKeyId,
            AccessKeySecret: ak.AccessKeySecret,
          });
        }
      }
      said(r.made, `user ${u.UserName}${u.AccessKey && r.made ? ' with an AccessKey' : ''}`);
    }
    if (keys.length) {
      const file = join(dataDir, INIT_KEYS_FILE);
      let previous: unknown[] = [];
      try {
        previous = JSON.parse(await readFile(file, 'utf8')) as unknown[];
      } catch {
        previous = [];
      }
      await writeFile(file, JSON.stringify([...previous, ...keys], null, 2) + '\n', {
        mode: 0o600,
      });
      await chmod(file, 0o600);
      lines.push(`AccessKeys of ${keys.map((k) => k.UserName).join(', ')} in ${file} (0600)`);
    }
    const vswitches = new Map<string, string>();
    let zone: string | undefined;
    for (const v of spec.vpcs ?? []) {
      const r = await call(API_VERSIONS.vpc, 'CreateVpc', {
        RegionId: region,
        VpcName: v.VpcName,
        CidrBlock: v.CidrBlock,
      });
      const vpcId = String(r.body.VpcId);
      said(true, `vpc ${v.VpcName} ${vpcId} ${v.CidrBlock}`);
      for (const s of v.VSwitches ?? []) {
        if (!s.ZoneId && zone === undefined) {
          const z = await call(API_VERSIONS.ecs, 'DescribeZones', { RegionId: region });
          const zones = (z.body as { Zones?: { Zone?: Array<{ ZoneId: string }> } }).Zones?.Zone;
          zone = zones?.[0]?.ZoneId;
          if (!zone) throw new Error(`DescribeZones: no zone in region ${region}`);
        }
        const w = await call(API_VERSIONS.vpc, 'CreateVSwitch', {
          RegionId: region,
          VpcId: vpcId,
          VSwitchName: s.VSwitchName,
          CidrBlock: s.CidrBlock,
          ZoneId: s.ZoneId ?? zone!,
        });
        vswitches.set(s.VSwitchName, String(w.body.VSwitchId));
        said(true, `vswitch ${s.VSwitchName} ${String(w.body.VSwitchId)} ${s.CidrBlock}`);
      }
    }
    for (const i of spec.instances ?? []) {
      const vsw = vswitches.get(i.VSwitchName);
      if (!vsw)
        throw new Error(
          `instance ${i.InstanceName}: no vSwitch named \`${i.VSwitchName}\` in the files`,
        );
      const params = {
        RegionId: region,
        InstanceName: i.InstanceName,
        VSwitchId: vsw,
        ImageId: i.ImageId,
        InstanceType: i.InstanceType,
        ...(i.RamRoleName ? { RamRoleName: i.RamRoleName } : {}),
        ...(i.HostName ? { HostName: i.HostName } : {}),
      };
      const r = await call(
        API_VERSIONS.ecs,
        i.Running === false ? 'CreateInstance' : 'RunInstances',
        params,
      );
      const id =
        i.Running === false
          ? String(r.body.InstanceId)
          : String(
              (r.body as { InstanceIdSets?: { InstanceIdSet?: string[] } }).InstanceIdSets
                ?.InstanceIdSet?.[0],
            );
      instances[i.InstanceName] = id;
      said(
        true,
        `instance ${i.InstanceName} ${id}${i.RamRoleName ? ` (role ${i.RamRoleName})` : ''}, ${i.Running === false ? 'stopped' : 'running in a few seconds'}`,
      );
    }
    for (const b of spec.buckets ?? []) {
      const r = await ossPut(endpoint, creds, b.BucketName);
      if (!r.ok && !ALREADY.test(r.code ?? ''))
        throw new Error(`PutBucket ${b.BucketName}: ${r.error}`);
      for (const o of b.Objects ?? []) {
        const w = await ossPut(
          endpoint,
          creds,
          b.BucketName,
          o.Key,
          Buffer.from(o.Content, 'utf8'),
          o.ContentType ?? 'text/plain',
        );
        if (!w.ok) throw new Error(`PutObject ${b.BucketName}/${o.Key}: ${w.error}`);
      }
      said(
        r.ok,
        `bucket ${b.BucketName}${b.Objects?.length ? ` with ${b.Objects.length} objects` : ''}`,
      );
    }
    return { ok: true, lines, instances };
  } catch (e) {
    lines.push(`error: ${(e as Error).message}`);
    return { ok: false, lines, instances };
  }
}
