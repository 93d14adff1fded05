/**
 * docs/ecs-catalogue.md says what the catalogue holds: one table row per instance type (vCPUs,
 * memory, architecture, family and generation) and per image (architecture, size), and every disk
 * category. Also the local names and generations the placement calls show.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../testing/spawn.js';
import { IMAGES, INSTANCE_TYPES } from '../catalogue.js';
import {
  DISK_CATEGORIES,
  generationOf,
  languageOf,
  regionLocalName,
  zoneLocalName,
  zonesOfRegion,
} from './catalogue.js';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'ecs-catalogue.md'), 'utf8');
const rows = doc
  .split('\n')
  .filter((l) => l.startsWith('| `'))
  .map((l) =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim()),
  );

describe('docs/ecs-catalogue.md', () => {
  it('has one row per instance type, with its figures', () => {
    for (const t of INSTANCE_TYPES) {
      const row = rows.find((r) => r[0] === `\`${t.instanceTypeId}\``);
      expect(row, t.instanceTypeId).toEqual([
        `\`${t.instanceTypeId}\``,
        `\`${t.family}\` (${generationOf(t)})`,
        String(t.cpu),
        String(t.memory),
        t.architecture,
        t.category,
      ]);
    }
  });

  it('has one row per image, and every disk category', () => {
    for (const i of IMAGES) {
      const row = rows.find((r) => r[0] === `\`${i.imageId}\``);
      expect(row?.slice(2), i.imageId).toEqual([i.architecture, String(i.size)]);
    }
    for (const c of DISK_CATEGORIES) expect(doc).toContain(`| \`${c}\``);
    const documented = rows.filter((r) => /^`(ecs\.|[A-Za-z_0-9]+\.vhd)/.test(r[0]!)).length;
    expect(documented).toBe(INSTANCE_TYPES.length + IMAGES.length);
  });
});

describe('names', () => {
  it('gives regions and zones local names in the language asked', () => {
    expect(languageOf(undefined)).toBe('zh');
    expect(languageOf('en-US')).toBe('en');
    expect(regionLocalName('cn-hangzhou', 'en')).toBe('China (Hangzhou)');
    expect(regionLocalName('xx-nowhere-1', 'zh')).toBe('xx-nowhere-1');
    expect(zoneLocalName('cn-hangzhou-i', 'cn-hangzhou', 'en')).toBe('China (Hangzhou) Zone I');
    expect(zonesOfRegion('cn-shanghai')).toHaveLength(11);
  });
});
