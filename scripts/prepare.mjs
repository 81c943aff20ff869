#!/usr/bin/env node
// npm's `prepare` hook: runs after `npm install` / `npm ci` in a clone (and when npm installs this
// package from git), so `npx xmlmigrate …` works right after the install. It builds (tsc, then the
// esbuild bundles) when the dev dependencies are there. Without them — `npm ci --omit=dev`, a
// production image, an install from a packed tarball that already carries dist/ — there is nothing to
// build with: it says so and leaves the install alone (exit 0) instead of failing it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(new URL('../package.json', import.meta.url));
const have = (pkg) => { try { require.resolve(`${pkg}/package.json`); return true; } catch { return false; } };
const built = existsSync(new URL('../dist/cli/main.js', import.meta.url));

if (!have('typescript') || !have('esbuild')) {
  process.stderr.write(built
    ? 'xmlmigrate prepare: dev dependencies not installed; using the dist/ that is already there\n'
    : 'xmlmigrate prepare: dev dependencies not installed and no dist/ — the CLI cannot run yet: install with dev dependencies (`npm ci`) and run `npm run build`\n');
} else {
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
