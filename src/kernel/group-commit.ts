/**
 * @module Group commit: many callers that each need "everything I wrote so far is on disk" share
 * one flush. A caller's promise settles after a flush that *started after the call*, so its own
 * writes are covered; calls arriving while a flush runs share the single next one. Used for the
 * SQLite WAL (store/db.ts) and blob directories (blob/fs).
 */

/**
 * Wraps `flush` so concurrent callers share flushes.
 * @example
 * const durable = groupCommit(() => walHandle.datasync());
 * await durable(); // the WAL as it was when durable() was called is on disk
 */
export function groupCommit(flush: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const p = flush().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return () => {
    if (running === undefined) return start();
    next ??= running
      .catch(() => {})
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
