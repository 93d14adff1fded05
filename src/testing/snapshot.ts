/**
 * @module "Nothing stored": a snapshot of row counts of every yunbox table, to compare before and
 * after a refused request.
 */
import type { Db } from '../store/db.js';

const TABLES = [
  'ram_users',
  'ram_groups',
  'ram_group_members',
  'ram_roles',
  'ram_policies',
  'ram_policy_versions',
  'ram_attachments',
  'ram_access_keys',
  'sts_keys',
  'vpc_vpcs',
  'vpc_vswitches',
  'ecs_instances',
  'ecs_security_groups',
  'ecs_security_group_rules',
  'ecs_security_group_members',
  'oss_buckets',
  'oss_objects',
  'oss_segments',
  'oss_uploads',
  'oss_parts',
  'oss_blobs',
  'oss_blob_chunks',
];

/** Row counts per table (tables that do not exist yet are skipped). */
export async function rowCounts(db: Db, extra: string[] = []): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...TABLES, ...extra]) {
    try {
      const r: any = await db.k
        .selectFrom(t)
        .select((eb: any) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      out[t] = Number(r.n);
    } catch {
      /* table absent */
    }
  }
  return out;
}
