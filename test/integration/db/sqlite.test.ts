import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import { defineTargetSuite, type DbHarness } from './target-suite.js';

describe('SQLite target', () => {
  defineTargetSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-sqlite-'));
    const file = join(dir, 'sub', 'target.db');
    let raw: Database.Database | undefined;
    const harness: DbHarness = {
      name: 'sqlite',
      schema: 'ignored_schema',
      open: (model) => openTarget(`sqlite:${file}`, model),
      raw(sql) {
        raw ??= new Database(file, { readonly: true }).defaultSafeIntegers(true);
        return Promise.resolve(raw.prepare(sql).all() as Record<string, unknown>[]);
      },
      qualify: (table) => `"${table}"`,
      text: (col) => `CAST("${col}" AS TEXT)`,
      cleanup() {
        raw?.close();
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
    return harness;
  });
});
