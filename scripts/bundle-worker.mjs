#!/usr/bin/env node
// Build step after `tsc`: bundles the forked worker (dist/worker/worker-main.js and everything it
// imports, pg included) into one ES module, dist/worker/worker-bundle.js. A worker then starts by
// reading one file instead of resolving and compiling ~100 modules: measured ~100 ms less CPU per
// worker at start-up (see BENCHMARKS.md). The coordinator forks the bundle when it exists and
// falls back to worker-main.js otherwise. Packages that must stay files of their own — native
// addons, the optional SQL Server driver and pino's worker threads — stay external.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: ['dist/worker/worker-main.js'],
  outfile: 'dist/worker/worker-bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'mssql', 'tedious', 'pino', 'pg-native'],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins
  banner: { js: "import { createRequire as __xmCreateRequire } from 'node:module'; const require = __xmCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
