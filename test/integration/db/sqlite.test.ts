import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
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

describe('SQLite target: locking', () => {
  it('a write lock held by another connection past busy_timeout is a transient DbError; the batch is not half-written', async () => {
    const { buildSchemaModel } = await import('../../../src/db/schema-model.js');
    const { DbError } = await import('../../../src/db/db-error.js');
    const { smallContract, appRows } = await import('./target-suite.js');
    const dir = mkdtempSync(join(tmpdir(), 'xm-sqlite-lock-'));
    const file = join(dir, 'lock.db');
    const model = buildSchemaModel(smallContract('x'));
    const s = await openTarget(`sqlite:${file}?busy_timeout=200`, model);
    const other = new Database(file);
    try {
      await s.applySchema();
      other.exec('BEGIN IMMEDIATE');
      const t0 = Date.now();
      const err = await s.writeBatch({ tables: appRows(model, 1), log: [{ appId: 1, status: 'success' }] }).catch((e: unknown) => e);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
      expect(err).toBeInstanceOf(DbError);
      expect(err).toMatchObject({ kind: 'transient', code: 'SQLITE_BUSY', phase: 'begin' });
      other.exec('ROLLBACK');
      await s.writeBatch({ tables: appRows(model, 1), log: [{ appId: 1, status: 'success' }] });
      expect((await s.loggedStatus([1])).get(1)).toBe('success');
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite target: the example contract (contracts/credit-card.json) schema', () => {
  it('applies and preflights clean', async () => {
    const { buildSchemaModel } = await import('../../../src/db/schema-model.js');
    const { exampleContract } = await import('./target-suite.js');
    const contract = exampleContract('migration');
    const dir = mkdtempSync(join(tmpdir(), 'xm-sqlite-example-'));
    const s = await openTarget(`sqlite:${join(dir, 'example.db')}`, buildSchemaModel(contract));
    try {
      // before: every data table is reported missing (the check is not vacuous); after: nothing at all
      const model = buildSchemaModel(contract);
      expect(model.tables).toHaveLength(11);
      const before = (await s.preflight()).filter((p) => p.code === 'missing-table').map((p) => p.table);
      expect(before).toEqual(expect.arrayContaining(model.tables.map((t) => t.name)));
      await s.applySchema();
      expect(await s.preflight()).toEqual([]);
      expect(await s.countPending({})).toBe(0);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
