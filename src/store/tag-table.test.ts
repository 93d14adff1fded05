/**
 * The two forms of a tag filter agree: {@link carriesAll} in memory (VPC's rows, ECS's
 * DescribeInstances and ListTagResources) and {@link TagTable.carrying} in SQL (the Describe
 * listings of ECS's security groups, key pairs and disks), on random resources and filters over
 * a small alphabet, on SQLite.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceTag } from '../kernel/tags.js';
import { openDb, type Db } from './db.js';
import { TagTable, carriesAll, createTagTable, type TagMatch } from './tag-table.js';

const ACCT = '1000000000000001';
const table = new TagTable('t_tags');
let db: Db;

beforeAll(async () => {
  db = await openDb({ kind: 'sqlite', file: ':memory:' });
  await createTagTable(db, 't_tags');
  await db.k.schema.createTable('t_things').addColumn('id', 'text').execute();
});
afterAll(async () => {
  await db?.close();
});

const key = fc.constantFrom('a', 'b', 'c');
const value = fc.constantFrom('', '1', '2');
/** Up to 4 resources, each with up to 3 distinct keys. */
const resources = fc.array(
  fc.uniqueArray(fc.record({ key, value }), { maxLength: 3, selector: (t) => t.key }),
  { maxLength: 4 },
);
const filters = fc.array(
  fc.record({
    key: fc.option(key, { nil: undefined }),
    value: fc.option(value, { nil: undefined }),
  }),
  { minLength: 1, maxLength: 3 },
);

describe('tag filters', () => {
  it('in memory and in SQL keep the same resources', async () => {
    await fc.assert(
      fc.asyncProperty(resources, filters, async (things: ResourceTag[][], wanted: TagMatch[]) => {
        await db.transaction(async (tx) => {
          await tx.k.deleteFrom('t_things').execute();
          await tx.k.deleteFrom('t_tags').execute();
          for (const [n, tags] of things.entries()) {
            await tx.k
              .insertInto('t_things')
              .values({ id: `r${n}` })
              .execute();
            await table.insertNew(tx, ACCT, '', 'thing', `r${n}`, tags);
          }
        });
        const inSql = (
          await db.k
            .selectFrom('t_things')
            .select('id')
            .where(table.carrying(ACCT, 'thing', 't_things.id', wanted))
            .orderBy('id')
            .execute()
        ).map((r: any) => r.id as string);
        const inMemory = things.flatMap((tags, n) => (carriesAll(tags, wanted) ? [`r${n}`] : []));
        expect(inSql).toEqual(inMemory);
      }),
      { numRuns: 200 },
    );
  });

  it('keep everything when there is nothing to filter by, in memory', () => {
    expect(carriesAll([], [])).toBe(true);
    expect(carriesAll([{ key: 'a', value: '1' }], [{ key: 'a', value: '2' }])).toBe(false);
    expect(carriesAll([{ key: 'a', value: '1' }], [{ value: '1' }])).toBe(false);
  });
});
