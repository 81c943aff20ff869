#!/usr/bin/env node
// Shim only: the CLI lives in dist/cli/main.js (built by `npm run build`).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`xmlmigrate: cannot start: ${err && err.message ? err.message : String(err)}\n` +
    'hint: run `npm run build` first\n');
  process.exitCode = 2;
});
