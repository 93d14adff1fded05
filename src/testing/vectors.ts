/**
 * @module Where the wire test vectors live: `test/vectors/` in this repository (copied from the
 * team's shared wire reference, so tests run on any clean clone).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Directory of the vectors, as a `file:` URL ending in `/`. */
export const VECTORS_URL = new URL('../../test/vectors/', import.meta.url);

/** Absolute path of a vector file. */
export function vectorPath(name: string): string {
  return fileURLToPath(new URL(name, VECTORS_URL));
}

/** Parsed JSON of a vector file. */
export function readVectors<T = any>(name: string): T {
  return JSON.parse(readFileSync(vectorPath(name), 'utf8')) as T;
}
