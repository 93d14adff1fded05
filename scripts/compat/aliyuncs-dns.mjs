/**
 * Preloaded (`node --import`) into the process that runs a third-party test suite, and only that
 * process: every `*.aliyuncs.com` name resolves to the loopback address in
 * `YUNBOX_COMPAT_GATEWAY`, where the compatibility runner's forwarder listens on ports 80 and 443.
 * Any other name fails with ENOTFOUND, so the suite never reaches a real Alibaba Cloud endpoint or
 * anything else off this machine; `localhost` and IP literals resolve as usual. Nothing outside
 * the process changes (no /etc/hosts edit). Wraps `dns.lookup` and `dns.promises.lookup`, which
 * `net`, `http`, `https` and urllib call through the module object at connect time.
 */
// The default export of a built-in is the object CommonJS `require` returns too.
import dns from 'node:dns';
import net from 'node:net';
import process from 'node:process';

const gateway = process.env.YUNBOX_COMPAT_GATEWAY;
if (!gateway || net.isIPv4(gateway) === false)
  throw new Error('aliyuncs-dns: YUNBOX_COMPAT_GATEWAY must be an IPv4 loopback address');

/** `redirect` (to the gateway), `pass` (real resolver), or `refuse`. */
function decide(hostname) {
  const name = String(hostname).toLowerCase().replace(/\.$/, '');
  if (name === 'aliyuncs.com' || name.endsWith('.aliyuncs.com')) return 'redirect';
  if (name === 'localhost' || net.isIP(name) !== 0) return 'pass';
  return 'refuse';
}

function notFound(hostname) {
  const err = new Error(
    `getaddrinfo ENOTFOUND ${hostname} (refused by yunbox compat: loopback only)`,
  );
  err.code = 'ENOTFOUND';
  err.errno = -3008;
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

function answer(options) {
  const all = typeof options === 'object' && options !== null && options.all === true;
  return all ? [{ address: gateway, family: 4 }] : { address: gateway, family: 4 };
}

const realLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? undefined : options;
  const what = decide(hostname);
  if (what === 'pass') return realLookup.call(dns, hostname, options, callback);
  process.nextTick(() => {
    if (what === 'refuse') return cb(notFound(hostname));
    const a = answer(opts);
    if (Array.isArray(a)) cb(null, a);
    else cb(null, a.address, a.family);
  });
  return {};
};

const realPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function lookup(hostname, options) {
  const what = decide(hostname);
  if (what === 'pass') return realPromiseLookup.call(dns.promises, hostname, options);
  if (what === 'refuse') throw notFound(hostname);
  return answer(options);
};
