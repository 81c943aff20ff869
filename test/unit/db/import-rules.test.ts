/**
 * The database layer's import rules: only create-dialect.ts reaches into dialect folders (lazily),
 * and each driver package is imported only by its own dialect file, dynamically.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../src/db/', import.meta.url).pathname;
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
});
const sources = files(root).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
const staticImports = (text: string): string[] => [...text.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');

describe('src/db import rules', () => {
  it('no file outside a dialect folder statically imports one', () => {
    for (const f of sources.filter((s) => !s.path.includes('/'))) {
      expect(staticImports(f.text).filter((i) => /\/(mssql|postgres|sqlite)\//.test(i)), f.path).toEqual([]);
    }
  });

  it('driver packages are only loaded with import() from their own dialect file', () => {
    for (const f of sources) {
      const drivers = staticImports(f.text).filter((i) => ['mssql', 'pg', 'better-sqlite3', 'tedious'].includes(i));
      expect(drivers, f.path).toEqual([]);
    }
    expect(sources.find((s) => s.path === 'mssql/mssql-dialect.ts')?.text).toContain("await import('mssql')");
    expect(sources.find((s) => s.path === 'postgres/postgres-dialect.ts')?.text).toContain("await import('pg')");
    expect(sources.find((s) => s.path === 'sqlite/sqlite-dialect.ts')?.text).toContain("await import('better-sqlite3')");
  });

  it('dialect folders do not import each other, and shared modules import no dialect', () => {
    for (const f of sources.filter((s) => s.path.includes('/'))) {
      const own = f.path.split('/')[0];
      expect(staticImports(f.text).filter((i) => /^\.\.\/(mssql|postgres|sqlite)\//.test(i) && !i.startsWith(`../${own}/`)), f.path).toEqual([]);
    }
  });

  it('every export has a doc comment', () => {
    for (const f of sources) {
      const lines = f.text.split('\n');
      lines.forEach((line, i) => {
        if (/^export (async )?(function|class|const|interface|type) [A-Za-z]/.test(line)) {
          const prev = lines.slice(Math.max(0, i - 3), i).join('\n');
          expect(prev, `${f.path}:${i + 1} ${line}`).toMatch(/\*\/\s*$/);
        }
      });
    }
  });
});
