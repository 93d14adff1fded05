/**
 * @module Test-only guard against handlers that change what a store hands out. Read caches
 * (store/read-cache.ts) return frozen values shared by every request, so a handler that assigns
 * to a row it read fails with `TypeError` on SQLite only, and only when the row was cached (that
 * is how UpdateRole failed). {@link freezingResults} makes every store result frozen, always, so a
 * unit test that runs the handlers over it finds such a handler on the first call.
 */

/**
 * Deep-freezes plain objects and arrays (not buffers or typed arrays, which cannot be frozen).
 * @example
 * const r = deepFreeze({ a: [1] });
 * Object.isFrozen(r.a); // true
 */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v) || ArrayBuffer.isView(v)) return v;
  for (const x of Object.values(v)) deepFreeze(x);
  return Object.freeze(v);
}

/**
 * A view of `target` whose methods return deep-frozen results (awaited ones included), as a
 * read cache would. Records the names of the methods called in `calls`.
 * @example
 * const store = freezingResults(new RamSqlStore(db));
 * const role = await store.getRole(acct, 'app'); // frozen
 */
export function freezingResults<T extends object>(target: T, calls?: Set<string>): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls?.add(String(prop));
        const out = (v as (...a: unknown[]) => unknown).apply(t, args);
        return out instanceof Promise ? out.then(deepFreeze) : deepFreeze(out);
      };
    },
  });
}
