/**
 * @module X.509 name constraints (RFC 5280 4.2.1.10) for the local CA: which names the CA may vouch
 * for, so that its key, if it leaks, cannot impersonate any other host to the programs that trust
 * it. Only what yunbox needs: permitted subtrees of DNS names and IP ranges, encoded as DER by a
 * small encoder (@peculiar/x509 has no NameConstraints class), decoded again to check an existing
 * CA, and matched as OpenSSL and RFC 5280 match them.
 *
 * ```
 * NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] … }
 * GeneralSubtree  ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
 * GeneralName     ::= … dNSName [2] IA5String … iPAddress [7] OCTET STRING (address ‖ mask) …
 * ```
 */
import { isIP } from 'node:net';

/** OID of the name constraints extension. */
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

/**
 * One permitted subtree: a DNS name (`example.com` is that name and every name under it,
 * `.example.com` only the names under it) or an IP range.
 */
export type Subtree = { kind: 'dns'; name: string } | { kind: 'ip'; address: Buffer; mask: Buffer };

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A subtree from its text: a DNS name (`localhost`, `.aliyuncs.com`; `*.example.com` means the
 * names under `example.com`, as a wildcard certificate would), an IP address (`127.0.0.1`, `::1`,
 * bracketed or not: that address alone) or a range (`127.0.0.0/8`, `::1/128`).
 * Throws on anything else.
 * @example
 * parseSubtree('127.0.0.0/8') // { kind: 'ip', address: <7f 00 00 00>, mask: <ff 00 00 00> }
 */
export function parseSubtree(text: string): Subtree {
  const raw = text.trim();
  const slash = raw.indexOf('/');
  const addressText = slash === -1 ? raw : raw.slice(0, slash);
  const bare =
    addressText.startsWith('[') && addressText.endsWith(']')
      ? addressText.slice(1, -1)
      : addressText;
  const family = bare.includes('%') ? 0 : isIP(bare);
  if (family !== 0) {
    const bits = family === 4 ? 32 : 128;
    const prefixText = slash === -1 ? String(bits) : raw.slice(slash + 1);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= bits)) {
      throw new Error(`name constraint \`${text}\` has an invalid prefix length`);
    }
    const address = ipBytes(bare);
    const mask = Buffer.alloc(bits / 8);
    for (let i = 0; i < prefix; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
    for (let i = 0; i < address.length; i++) address[i]! &= mask[i]!;
    return { kind: 'ip', address, mask };
  }
  if (slash !== -1) throw new Error(`name constraint \`${text}\` is not a dns name or ip range`);
  let name = raw.toLowerCase().replace(/\.$/, '');
  if (name.startsWith('*.')) name = name.slice(1);
  const labels = (name.startsWith('.') ? name.slice(1) : name).split('.');
  if (name.length > 253 || !labels.every((l) => DNS_LABEL.test(l))) {
    throw new Error(`name constraint \`${text}\` is not a dns name or ip range`);
  }
  return { kind: 'dns', name };
}

/**
 * The text of a subtree, the one spelling {@link parseSubtree} reads back (`127.0.0.0/8`,
 * `::1/128`, `.example.com`): what two sets of subtrees are compared by.
 */
export function formatSubtree(s: Subtree): string {
  if (s.kind === 'dns') return s.name;
  let prefix = 0;
  for (const byte of s.mask) for (let b = 7; b >= 0; b--) if (byte & (1 << b)) prefix++;
  return `${ipText(s.address)}/${prefix}`;
}

/**
 * True when `name` (a DNS name, possibly `*.`-wildcarded, or an IP literal) lies inside one of
 * `subtrees` of its kind, as RFC 5280 and OpenSSL decide it. (A certificate name of a kind with no
 * subtree at all is unconstrained; yunbox's CA always has both kinds.)
 * @example
 * permits([parseSubtree('aliyuncs.com')], '*.oss-cn-hangzhou.aliyuncs.com') // true
 */
export function permits(subtrees: readonly Subtree[], name: string): boolean {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (bare.includes('%')) return false;
  if (isIP(bare) !== 0) {
    const address = ipBytes(bare);
    return subtrees.some(
      (s) =>
        s.kind === 'ip' &&
        s.address.length === address.length &&
        address.every((b, i) => (b & s.mask[i]!) === s.address[i]),
    );
  }
  const dns = name.toLowerCase().replace(/\.$/, '');
  return subtrees.some((s) => {
    if (s.kind !== 'dns') return false;
    if (s.name.startsWith('.')) return dns.length > s.name.length && dns.endsWith(s.name);
    return dns === s.name || dns.endsWith('.' + s.name);
  });
}

/**
 * The DER of a NameConstraints value with `permitted` as its permitted subtrees (no excluded
 * ones), for an extension marked critical.
 */
export function encodeNameConstraints(permitted: readonly Subtree[]): Buffer {
  if (permitted.length === 0) throw new Error('name constraints need at least one subtree');
  const subtrees = permitted.map((s) =>
    tlv(
      0x30,
      s.kind === 'dns'
        ? tlv(0x82, Buffer.from(s.name, 'ascii'))
        : tlv(0x87, Buffer.concat([s.address, s.mask])),
    ),
  );
  return tlv(0x30, tlv(0xa0, Buffer.concat(subtrees)));
}

/**
 * The permitted subtrees of a NameConstraints DER value; undefined when it is not one yunbox could
 * have written (excluded subtrees, other name kinds, minimum or maximum, trailing bytes, bad DER).
 */
export function decodeNameConstraints(der: Uint8Array): Subtree[] | undefined {
  try {
    const buf = Buffer.from(der);
    const outer = readTlv(buf, 0);
    if (outer.tag !== 0x30 || outer.end !== buf.length) return undefined;
    const permitted = readTlv(buf, outer.start);
    if (permitted.tag !== 0xa0 || permitted.end !== outer.end) return undefined;
    const out: Subtree[] = [];
    for (let at = permitted.start; at < permitted.end;) {
      const subtree = readTlv(buf, at);
      if (subtree.tag !== 0x30 || subtree.end > permitted.end) return undefined;
      const base = readTlv(buf, subtree.start);
      if (base.end !== subtree.end) return undefined;
      const value = buf.subarray(base.start, base.end);
      if (base.tag === 0x82) {
        out.push(parseSubtree(value.toString('ascii')));
      } else if (base.tag === 0x87 && (value.length === 8 || value.length === 32)) {
        const half = value.length / 2;
        out.push({
          kind: 'ip',
          address: Buffer.from(value.subarray(0, half)),
          mask: Buffer.from(value.subarray(half)),
        });
      } else {
        return undefined;
      }
      at = subtree.end;
    }
    return out.length > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}

function tlv(tag: number, value: Buffer): Buffer {
  const n = value.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : undefined;
  if (length === undefined) throw new Error('name constraints too long');
  return Buffer.concat([Buffer.from([tag]), length, value]);
}

/** One DER element at `at`: its tag and where its value starts and ends (definite lengths only). */
function readTlv(buf: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = buf[at];
  const first = buf[at + 1];
  if (tag === undefined || first === undefined) throw new Error('truncated der');
  let length = first;
  let start = at + 2;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 2) throw new Error('unsupported der length');
    length = 0;
    for (let i = 0; i < octets; i++) {
      const b = buf[start + i];
      if (b === undefined) throw new Error('truncated der');
      length = (length << 8) | b;
    }
    start += octets;
  }
  const end = start + length;
  if (end > buf.length) throw new Error('truncated der');
  return { tag, start, end };
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // Expand `::` and an embedded IPv4 tail into eight groups.
  const [head = '', tail] = address.split('::') as [string, string?];
  const groups = (part: string) => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const v4 = g.split('.').map(Number);
      return [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    });
  };
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all =
    tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function ipText(address: Buffer): string {
  if (address.length === 4) return [...address].join('.');
  const groups = Array.from({ length: 8 }, (_, i) => address.readUInt16BE(i * 2).toString(16));
  // The longest run of zero groups (two or more) becomes `::`.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at === -1) return groups.join(':');
  const left = groups.slice(0, best.at).join(':');
  const right = groups.slice(best.at + best.len).join(':');
  return `${left}::${right}`;
}
