#!/usr/bin/env node
// Shim only: the CLI lives in dist/cli/main.js (built by `npm run build`), which the build also
// bundles into dist/cli/cli-bundle.js (faster start); the bundle is used only when it is current.
import { statSync } from 'node:fs';

const dist = new URL('../dist/cli/', import.meta.url);
const mtime = (name) => { try { return statSync(new URL(name, dist)).mtimeMs; } catch { return -1; } };
const entry = mtime('cli-bundle.js') >= mtime('main.js') && mtime('main.js') !== -1 ? 'cli-bundle.js' : 'main.js';
import(new URL(entry, dist).href).then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`xmlmigrate: cannot start: ${err && err.message ? err.message : String(err)}\n` +
    'hint: run `npm run build` first\n');
  process.exitCode = 2;
});
