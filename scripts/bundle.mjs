#!/usr/bin/env node
// Build step after `tsc`: bundles the two entry points that start processes — the CLI
// (dist/cli/main.js → dist/cli/cli-bundle.js) and the forked worker (dist/worker/worker-main.js →
// dist/worker/worker-bundle.js) — each into one ES module with its dependencies (pg, commander,
// fast-xml-parser, ajv …). A process then reads and compiles one file instead of resolving ~150
// modules: the CLI forks its workers ~0.3 s sooner and each worker starts with ~100 ms less CPU
// (BENCHMARKS.md). bin/xmlmigrate.js and the coordinator use a bundle only when it is newer than the
// module it was built from, so a plain `tsc` never runs stale code. Bundles sit next to their
// entry module, so paths relative to import.meta.url stay right. Packages that must stay files of
// their own — native addons, the optional SQL Server driver, pino's worker threads — stay external.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// A worker loads pino (29 CommonJS modules, ~27 ms of CPU) only when it logs to --log-file: its
// dynamic import of the logger module must stay a real import of the tsc output, not an inlined copy.
const lazy = (pattern, outfile) => ({
  name: 'keep-lazy-imports-external',
  setup(b) {
    b.onResolve({ filter: pattern }, (args) => {
      const rel = path.relative(path.dirname(path.join(root, outfile)), path.resolve(args.resolveDir, args.path));
      return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
    });
  },
});
const entries = [
  ['dist/cli/main.js', 'dist/cli/cli-bundle.js', []],
  ['dist/worker/worker-main.js', 'dist/worker/worker-bundle.js', [lazy(/observability\/logger\.js$/, 'dist/worker/worker-bundle.js')]],
  // `xmlmigrate verify`'s forked worker (src/verify/verify-pool.ts picks it when current)
  ['dist/verify/verify-worker.js', 'dist/verify/verify-worker-bundle.js', []],
];
for (const [entry, outfile, plugins] of entries) {
  await build({
    plugins,
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
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
}

// The SQL Server driver (mssql + tedious: ~430 CommonJS modules, ~325 ms of CPU to load in every
// process that talks to SQL Server) as one file, dist/db/mssql/mssql-driver.cjs, which the SQL Server
// dialect loads when present (else `import('mssql')`). Azure AD authentication (@azure/identity and
// its ~200 modules, which tedious requires at load time) stays outside, loaded on first use only:
// the file then loads in ~100 ms of CPU (BENCHMARKS.md, "SQL Server").
const lazyAzureIdentity = {
  name: 'lazy-azure-identity',
  setup(b) {
    b.onResolve({ filter: /^@azure\/identity$/ }, () => ({ path: 'lazy-azure-identity', namespace: 'xm-lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'xm-lazy' }, () => ({
      loader: 'js',
      resolveDir: root,
      contents: "let m; const load = () => (m ??= require('@azure/identity')); module.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() });",
    }));
  },
};
await build({
  plugins: [lazyAzureIdentity],
  absWorkingDir: root,
  entryPoints: ['node_modules/mssql/index.js'],
  outfile: 'dist/db/mssql/mssql-driver.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@azure/identity'],
  legalComments: 'none',
  logLevel: 'warning',
});
