/**
 * @module ECS's token paging of lists ordered by `seq` (DescribeInstances, DescribeDisks,
 * DescribeNetworkInterfaces with NextToken/MaxResults): the token is `seq:<last seq>` in base64url.
 */
import * as E from './errors.js';

/** Digits a `seq` can have (creation order; far below 2^53). A longer token is forged. */
const SEQ_TOKEN = /^seq:(\d{1,15})$/;

/** The page of `all` (in `seq` order) after `nextToken`, `maxResults` long (ECS's default 10). */
export function seqPage<T extends { seq: number }>(
  all: readonly T[],
  nextToken: string | undefined,
  maxResults: number | undefined,
): { items: T[]; nextToken: string } {
  let after = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const m = SEQ_TOKEN.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!m) throw E.InvalidNextTokenMalformed();
    after = Number(m[1]);
  }
  const size = maxResults ?? 10;
  const rest = all.filter((i) => i.seq > after);
  const items = rest.slice(0, size);
  return {
    items,
    nextToken:
      rest.length > size
        ? Buffer.from(`seq:${items[items.length - 1]!.seq}`).toString('base64url')
        : '',
  };
}
