/**
 * @module The console page's files (`index.html`, `app.js`, `style.css`), built by
 * `npm run build` into `dist/console/` (`scripts/bundle.mjs`). Only those three names are ever
 * served, whatever else that folder holds. Each is read once, then served from memory with an
 * ETag.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file of the page. */
export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The files served, by name, with their content types. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/**
 * `dist/console` of the package this module belongs to: the nearest folder above it that has a
 * `package.json`, whether it runs from `dist/yunbox.mjs`, `dist/console/*.js` or `src/` (tests).
 */
export function defaultAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
    const up = dirname(dir);
    if (up === dir) return join(process.cwd(), 'dist', 'console');
    dir = up;
  }
}

/** Loads assets from `dir` on first use; a missing file is retried on the next request. */
export function assetLoader(dir: string): (name: string) => Asset | undefined {
  const cache = new Map<string, Asset>();
  return (name) => {
    const type = ASSET_TYPES[name];
    if (type === undefined) return undefined;
    const hit = cache.get(name);
    if (hit) return hit;
    let body: Buffer;
    try {
      body = readFileSync(join(dir, name));
    } catch {
      return undefined;
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    const asset = { body, type, etag };
    cache.set(name, asset);
    return asset;
  };
}
