// Bundles the TypeScript sources into dist/ (git-ignored) so the web and worker processes run plain
// JavaScript: tsx's loader runs in a second V8 isolate that costs each process about 40 MB.
// Dependencies stay in node_modules; the demo and each process's entry are chunks loaded on demand.
// Takes a quarter of a second, so `npm start` and the test harness build every time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundleEntry = path.join(root, 'dist', 'cli.js');

export function build() {
  // Chunk names carry content hashes: start clean so old ones do not pile up.
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  buildSync({
    entryPoints: [path.join(root, 'src', 'cli.ts')],
    outdir: path.join(root, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Stack traces and logs keep the functions' own names.
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return bundleEntry;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
