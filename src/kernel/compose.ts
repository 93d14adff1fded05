/**
 * @module Composing pipeline stages as `(ctx, next)` functions, as Hono's compose.ts does: each
 * stage may act before and after the rest of the pipeline, or stop it by not calling `next`.
 */

/** One stage of a pipeline. */
export type Stage<C> = (ctx: C, next: () => Promise<void>) => Promise<void>;

/**
 * Composes stages into one function running them in order.
 * @example
 * const run = compose([parse, authn, authz, handle]);
 * await run(ctx);
 */
export function compose<C>(stages: ReadonlyArray<Stage<C>>): (ctx: C) => Promise<void> {
  return (ctx) => {
    let last = -1;
    const dispatch = async (i: number): Promise<void> => {
      // INVARIANT: a stage calls next() at most once.
      if (i <= last) throw new Error('next() called twice');
      last = i;
      const stage = stages[i];
      if (stage) await stage(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
