import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInitSpec, loadInit } from './init.js';
import { TUTORIAL_OBJECTS, tutorialSpec } from './tutorial.js';

describe('resource files', () => {
  it('accept the tutorial set', () => {
    expect(checkInitSpec(tutorialSpec(), 'tutorial')).toEqual([]);
    expect(tutorialSpec().buckets![0]!.Objects).toHaveLength(10);
    expect(TUTORIAL_OBJECTS.slice(0, 2)).toEqual(['ramroletest.txt', 'test.shh']);
  });

  it('refuse unknown keys and fields, missing names and wrong shapes, saying where', () => {
    expect(
      checkInitSpec(
        {
          roles: [{ RoleName: 'r' }],
          users: [{ UserName: 'u', Password: 'x' }],
          buckets: [{ BucketName: 'b', Objects: [{ Key: 'k' }] }],
          vpc: [],
        },
        'f.json',
      ),
    ).toEqual([
      'f.json: roles[0]: `AssumeRolePolicyDocument` is required',
      'f.json: users[0]: unknown field `Password` (expected UserName, DisplayName, Groups, Policies, AccessKey)',
      'f.json: buckets[0].Objects[0]: `Key` and `Content` (text) are required',
      'f.json: unknown key `vpc` (expected policies, roles, groups, users, vpcs, instances, buckets)',
    ]);
    expect(checkInitSpec([], 'f.json')[0]).toMatch(/expected a JSON object/);
    expect(checkInitSpec({ roles: {} }, 'f.json')).toEqual([
      'f.json: `roles` must be a list of at most 1000',
    ]);
  });

  it('load from a directory in name order, merged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-init-unit-'));
    try {
      await writeFile(join(dir, 'b.json'), JSON.stringify({ groups: [{ GroupName: 'second' }] }));
      await writeFile(join(dir, 'a.json'), JSON.stringify({ groups: [{ GroupName: 'first' }] }));
      await writeFile(join(dir, 'notes.txt'), 'ignored');
      const r = await loadInit(dir, '/', tutorialSpec);
      expect(r.ok && r.spec.groups!.map((g) => g.GroupName)).toEqual(['first', 'second']);
      const bad = await loadInit(join(dir, 'missing'), '/', tutorialSpec);
      expect(bad.ok).toBe(false);
      await writeFile(join(dir, 'c.json'), '{ not json');
      const broken = await loadInit(dir, '/', tutorialSpec);
      expect(!broken.ok && broken.error).toContain('c.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
