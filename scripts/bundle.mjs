// Bundles the compiled CLI (dist/cli/main.js) into one file, dist/yunbox.mjs, which `npm start`
// and the `yunbox` bin run. One file instead of a few hundred modules halves the cold start and
// trims ~20 MB of resident memory (kysely alone is ~140 modules). Native and optional packages
// stay external and load from node_modules.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

/** How the Node bundles are built: ESM for Node 20, native and optional packages external. */
const nodeBundle = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  banner: {
    js: "import { createRequire as __yunboxCreateRequire } from 'node:module'; const require = __yunboxCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

await build({ ...nodeBundle, entryPoints: ['dist/cli/main.js'], outfile: 'dist/yunbox.mjs' });

// The audit trail's writer thread (src/services/trail/worker.ts), started by the CLI's bundle
// from beside it: dist/trail-worker.mjs.
await build({
  ...nodeBundle,
  entryPoints: ['dist/services/trail/worker.js'],
  outfile: 'dist/trail-worker.mjs',
});

// V8 keeps a script's source in the heap as long as the script lives, in one byte per character
// only if every character is Latin-1: one '—' in a comment (esbuild escapes them in code, not in
// the comments it keeps) made the CLI's 3.2 MB source a 6.4 MB two-byte string, for the life of
// the process (bench/notes.md item 22). Outside comments these escapes mean the same character.
for (const file of ['dist/yunbox.mjs', 'dist/trail-worker.mjs']) {
  const text = await readFile(file, 'utf8');
  await writeFile(
    file,
    text.replace(/[^\t-~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

// The console page (src/console/web, browser code) into dist/console/app.js, with its static
// index.html and style.css beside it; the server serves exactly these three files at
// /_yunbox/console/. Nothing is fetched at run time.
await build({
  entryPoints: ['src/console/web/main.ts'],
  outfile: 'dist/console/app.js',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const name of ['index.html', 'style.css']) {
  await copyFile(`src/console/static/${name}`, `dist/console/${name}`);
}
