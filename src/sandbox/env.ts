/**
 * @module Environment of programs inside a sandbox: the standard variables that make them trust
 * yunbox's CA (Node, OpenSSL, Python requests, curl), and which of the caller's variables stay
 * outside. Nothing here points an SDK anywhere or carries credentials: programs find yunbox through
 * their default endpoints and default credential chains, as on a real instance.
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
// sandbox cannot reach) stay outside: an instance starts without them.
const LEFT_OUTSIDE = [
  /^YUNBOX_/,
  /^ALIBABA_CLOUD_/,
  /^ALICLOUD_/,
  /^ALIYUN_/,
  /^OSS_/,
  /^(http|https|ftp|all|no)_proxy$/i,
];

/** True for a variable of the caller that must not reach a sandbox. */
export function isLeftOutside(name: string): boolean {
  return LEFT_OUTSIDE.some((re) => re.test(name));
}

/**
 * The environment of a program started in a sandbox: the caller's, without
 * {@link isLeftOutside} variables, plus the sandbox's own.
 * @example
 * spawn('ip', ['netns', 'exec', netns, ...cmd], { env: sandboxProcessEnv(process.env, created.Env) })
 */
export function sandboxProcessEnv(
  callerEnv: NodeJS.ProcessEnv,
  sandbox: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(callerEnv)) {
    if (v !== undefined && !isLeftOutside(k)) out[k] = v;
  }
  return { ...out, ...sandbox };
}
