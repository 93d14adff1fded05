/**
 * @module Reading a `node --cpu-prof` profile: where the busy time went, by function (self and
 * inclusive time) and by area (a yunbox source file, an npm package, node internals, GC). Used
 * with `npm run bench -- --profile`; the raw `.cpuprofile` files stay in `bench/results/` for
 * Chrome DevTools or speedscope.
 */
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the busy time. */
export interface ProfileEntry {
  /** `name (file:line)`. */
  fn: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

/** Summary of one profile. */
export interface ProfileSummary {
  label: string;
  file: string;
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  /** By self time. */
  topSelf: ProfileEntry[];
  /** yunbox's own functions by inclusive time. */
  topYunbox: ProfileEntry[];
  /** Self time by area (file of yunbox, npm package, node internals, GC). */
  areas: Array<{ area: string; ms: number; pct: number }>;
}

/** Short place of a URL: `dist/kernel/gateway.js`, `pino`, `node:internal/...`. */
export function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const d = /\/(dist|src|bench)\/(.*)$/.exec(url);
  if (d) return `${d[1]}/${d[2]}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*$/, 'node:$1');
  return url;
}

/**
 * Summarises a `.cpuprofile`.
 * @example
 * const s = await summarizeProfile('bench/results/profiles/x.cpuprofile', 'sqlite');
 */
export async function summarizeProfile(
  file: string,
  label: string,
  top = 15,
): Promise<ProfileSummary> {
  const prof = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const keyOf = (n: ProfileNode) => {
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    return f.url ? `${name} (${areaOf(f.url, name)}:${f.lineNumber + 1})` : name;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const node = byId.get(prof.samples[i]!);
    const dt = (prof.timeDeltas[i] ?? 0) / 1000;
    if (!node || dt <= 0) continue;
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    busy += dt;
    const k = keyOf(node);
    self.set(k, (self.get(k) ?? 0) + dt);
    const area = areaOf(node.callFrame.url, name);
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      const key = keyOf(n);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + dt);
    }
  }
  const entry = (fn: string): ProfileEntry => {
    const s = self.get(fn) ?? 0;
    const t = total.get(fn) ?? 0;
    return {
      fn,
      selfMs: s,
      selfPct: busy ? (s / busy) * 100 : 0,
      totalMs: t,
      totalPct: busy ? (t / busy) * 100 : 0,
    };
  };
  const topSelf = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn]) => entry(fn));
  const topYunbox = [...total.entries()]
    .filter(([fn]) => /\((dist|src)\//.test(fn))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn]) => entry(fn));
  return {
    label,
    file,
    busyMs: busy,
    topSelf,
    topYunbox,
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, ms]) => ({ area, ms, pct: busy ? (ms / busy) * 100 : 0 })),
  };
}

/** The summary as text lines, for the console and BENCHMARKS.md. */
export function formatProfile(s: ProfileSummary): string[] {
  const pct = (x: number) => `${x.toFixed(1)}%`.padStart(6);
  return [
    `profile ${s.label}: ${(s.busyMs / 1000).toFixed(1)} s busy (${s.file})`,
    '  self time by area:',
    ...s.areas.map((a) => `    ${pct(a.pct)}  ${a.area}`),
    '  self time by function:',
    ...s.topSelf.map((e) => `    ${pct(e.selfPct)}  ${e.fn}`),
    '  yunbox functions by inclusive time:',
    ...s.topYunbox.map((e) => `    ${pct(e.totalPct)}  ${e.fn}`),
  ];
}
