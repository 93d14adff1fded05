/**
 * @module STS's cases for the shared store suite: one sealing key, shared by every node.
 */
import { expect } from 'vitest';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { StsKeyStore } from './store.js';

export const stsConformance: ConformanceSuite = {
  service: 'sts',
  cases: [
    {
      name: 'two nodes agree on the sealing key, even when racing to create it',
      async run({ db, another }) {
        const db2 = await another();
        const [a, b] = await Promise.all([
          new StsKeyStore(db).current(1),
          new StsKeyStore(db2).current(1),
        ]);
        expect(a.id).toBe(b.id);
        expect(a.key.equals(b.key)).toBe(true);
        expect((await new StsKeyStore(db2).get(a.id))?.key.equals(a.key)).toBe(true);
        expect(await new StsKeyStore(db).get('nope')).toBeUndefined();
      },
    },
  ],
};
