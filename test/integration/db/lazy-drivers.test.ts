/**
 * A SQLite run must not load `mssql` or `pg` (create-dialect imports dialect folders lazily).
 * src/db is compiled to a temp dir and run in a fresh Node process, so no other test's imports
 * interfere and Node's own module cache is what is inspected.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = new URL('../../../', import.meta.url).pathname;

describe('lazy driver loading', () => {
  it('opening a SQLite target loads better-sqlite3 but neither mssql/tedious nor pg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-lazy-'));
    try {
      execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'),
        '--outDir', join(dir, 'out'), '--rootDir', repo, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
        '--skipLibCheck', '--types', 'node', '--noCheck',
        join(repo, 'src/db/create-dialect.ts'), join(repo, 'src/db/schema-model.ts')], { cwd: repo, stdio: 'pipe' });
      symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
      symlinkSync(join(repo, 'package.json'), join(dir, 'package.json'));
      const script = `
        import { createRequire } from 'node:module';
        import { readFileSync } from 'node:fs';
        const { openTarget } = await import('./out/src/db/create-dialect.js');
        const { buildSchemaModel } = await import('./out/src/db/schema-model.js');
        const contract = JSON.parse(readFileSync(${JSON.stringify(join(repo, 'test/fixtures/contracts/db-small.json'))}, 'utf8'));
        const s = await openTarget('sqlite:${join(dir, 'x.db')}', buildSchemaModel(contract));
        await s.applySchema();
        await s.close();
        const loaded = Object.keys(createRequire(import.meta.url).cache);
        console.log(JSON.stringify({
          sqlite: loaded.some((p) => p.includes('/better-sqlite3/')),
          mssql: loaded.some((p) => p.includes('/mssql/') || p.includes('/tedious/')),
          pg: loaded.some((p) => /\\/pg(-[a-z]+)?\\//.test(p)),
        }));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: dir });
      expect(JSON.parse(out.trim().split('\n').at(-1) ?? '{}')).toEqual({ sqlite: true, mssql: false, pg: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
