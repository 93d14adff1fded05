import { describe, expect, it } from 'vitest';
import { seqPage } from './paging.js';

const rows = [1, 2, 3, 5, 8].map((seq) => ({ seq }));
const token = (s: string) => Buffer.from(s).toString('base64url');

describe('seqPage', () => {
  it('pages in seq order, with a token only while more remain', () => {
    const first = seqPage(rows, undefined, 2);
    expect(first.items.map((r) => r.seq)).toEqual([1, 2]);
    expect(first.nextToken).toBe(token('seq:2'));
    const second = seqPage(rows, first.nextToken, 2);
    expect(second.items.map((r) => r.seq)).toEqual([3, 5]);
    const last = seqPage(rows, second.nextToken, 2);
    expect(last).toEqual({ items: [{ seq: 8 }], nextToken: '' });
    expect(seqPage(rows, '', undefined).items).toHaveLength(5);
  });

  it('refuses a token it did not issue, including one with more digits than a seq has', () => {
    for (const bad of ['seq:', 'seq:x', 'at:1', `seq:${'9'.repeat(16)}`]) {
      expect(() => seqPage(rows, token(bad), 2)).toThrow(
        expect.objectContaining({ code: 'InvalidNextToken.Malformed' }),
      );
    }
    expect(seqPage(rows, token(`seq:${'0'.repeat(14)}3`), 2).items[0]).toEqual({ seq: 5 });
  });
});
