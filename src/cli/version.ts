/**
 * @module yunbox's own version, read from the package.json above `dist/`.
 */
import { readFileSync } from 'node:fs';

/**
 * The version of the installed yunbox package, or `unknown`.
 * @example
 * yunboxVersion() // '0.1.0'
 */
export function yunboxVersion(): string {
  // dist/cli/version.js (tsc output) or dist/yunbox.mjs (the bundle): package.json is above dist.
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
      if (pkg.name === 'yunbox') return String(pkg.version);
    } catch {
      /* try the next */
    }
  }
  return 'unknown';
}
