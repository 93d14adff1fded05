/**
 * @module The one list of OSS features yunbox does not serve yet, by the sub-resource that asks
 * for them. A request carrying one of these (or any other sub-resource V1 signing knows and no
 * operation declares) answers `501 NotImplemented` naming the feature, whatever its method, and
 * so does a request on a sub-resource no operation serves with its method: never `405`
 * (protocol.ts, route stage). Whoever builds one of these features removes its entry here.
 */

/** Sub-resource -> the feature it asks for. */
export const NOT_IMPLEMENTED_FEATURES: Readonly<Record<string, string>> = Object.freeze({
  // Every feature once listed here (versioning, restore, lifecycle, WORM) is served now.
});
