/**
 * @module Environment of programs inside a sandbox: the standard variables that make them trust
 * yunbox's CA (Node, OpenSSL, Python requests, curl), and which of the caller's variables stay
 * outside. Nothing here points an SDK anywhere or carries credentials: programs find yunbox through
 * their default endpoints and default credential chains, as on a real instance. Under the manual
 * clock the sandbox adds libfaketime's variables (`faketime.ts`); the caller's own preloads and
 * libfaketime settings stay outside whatever the clock, so only yunbox decides a program's time.
 */
import type { SandboxCaPaths } from './host.js';

/**
 * The variables to set inside a sandbox: `NODE_EXTRA_CA_CERTS` (yunbox's CA; Node does not read
 * the system bundle), and the system bundle with yunbox's CA in it for `SSL_CERT_FILE` (OpenSSL,
 * Python `ssl`, Go), `REQUESTS_CA_BUNDLE` (Python requests, which ships its own bundle) and
 * `CURL_CA_BUNDLE`.
 * @example
 * sandboxEnv({ caFile: '/etc/ssl/certs/yunbox-ca.pem', bundle: '/etc/ssl/certs/ca-certificates.crt' })
 */
export function sandboxEnv(paths: SandboxCaPaths): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: paths.caFile,
    SSL_CERT_FILE: paths.bundle,
    REQUESTS_CA_BUNDLE: paths.bundle,
    CURL_CA_BUNDLE: paths.bundle,
  };
}

// The caller's own cloud credentials and settings, yunbox's (root keys!), and proxies (which the
// sandbox cannot reach) stay outside: an instance starts without them. So do libraries the caller
// preloads and libfaketime's settings: a program's time is yunbox's clock, nothing else.
const LEFT_OUTSIDE = [
  /^YUNBOX_/,
  /^ALIBABA_CLOUD_/,
  /^ALICLOUD_/,
  /^ALIYUN_/,
  /^OSS_/,
  /^(http|https|ftp|all|no)_proxy$/i,
  /^LD_(PRELOAD|AUDIT)$/,
  /^FAKETIME/,
  /^(DONT_FAKE_MONOTONIC|NO_FAKE_STAT|FAKE_UTIME)$/,
  /^FAKERANDOM_/,
];

// Search paths the sandbox adds to rather than replaces: its entries first, then the caller's.
const PREPENDED = new Set(['PYTHONPATH']);

// What a server may set for the program (CreateSandbox's `Env`): the CLI runs as root, so anything
// else a server answers (LD_LIBRARY_PATH, …) is ignored.
const SANDBOX_VARIABLES = new Set([
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'LD_PRELOAD',
  'FAKETIME_TIMESTAMP_FILE',
  'FAKETIME_CACHE_DURATION',
  'FAKETIME_DONT_FAKE_MONOTONIC',
  'FAKETIME_FORCE_MONOTONIC_FIX',
  'NO_FAKE_STAT',
  'PYTHONPATH',
]);

/**
 * True for a variable a sandbox may set with this value: one of those yunbox sets, and
 * `LD_PRELOAD` only as one absolute path.
 */
export function isSandboxVariable(name: string, value: unknown): value is string {
  if (!SANDBOX_VARIABLES.has(name) || typeof value !== 'string') return false;
  return name !== 'LD_PRELOAD' || /^\/[^\s:]+$/.test(value);
}

/** True for a variable of the caller that must not reach a sandbox. */
export function isLeftOutside(name: string): boolean {
  return LEFT_OUTSIDE.some((re) => re.test(name));
}

/**
 * The environment of a program started in a sandbox: the caller's, without
 * {@link isLeftOutside} variables, plus the sandbox's own ({@link isSandboxVariable}; others are
 * dropped; `PYTHONPATH`: the sandbox's entries, then the caller's).
 * @example
 * spawn('ip', ['netns', 'exec', netns, ...cmd], { env: sandboxProcessEnv(process.env, created.Env) })
 */
export function sandboxProcessEnv(
  callerEnv: NodeJS.ProcessEnv,
  sandbox: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(callerEnv)) {
    if (v !== undefined && !isLeftOutside(k)) out[k] = v;
  }
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(sandbox)) {
    if (isSandboxVariable(k, v)) own[k] = v;
  }
  const merged = { ...out, ...own };
  for (const k of PREPENDED) {
    const mine = own[k];
    const caller = out[k];
    if (mine !== undefined && caller !== undefined && caller !== '') {
      merged[k] = `${mine}:${caller}`;
    }
  }
  return merged;
}
