/**
 * Generated docs are fresh: docs/errors.md lists exactly the declared error codes, and the API
 * reference and coverage match the operation declarations (`npm run docs` regenerates them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../scripts/gen-docs.js';
import { REPO_ROOT } from '../src/testing/spawn.js';

describe('generated docs', () => {
  for (const [rel, text] of Object.entries(generatedDocs())) {
    it(`${rel} is up to date (run \`npm run docs\`)`, () => {
      let onDisk = '';
      try {
        onDisk = readFileSync(join(REPO_ROOT, rel), 'utf8');
      } catch {
        /* missing */
      }
      expect(onDisk).toBe(text);
    });
  }
});
