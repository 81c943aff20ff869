/**
 * TargetSession.replaceSource (`import --replace`) on SQLite and PostgreSQL: an app that never ran and
 * a failed app get the new document (the failed app's processing_log row goes, in the same
 * transaction); a migrated app and an unknown app id are left alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import type { TargetSession } from '../../../src/db/dialect.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';
import { PG_URL } from '../pipeline/pipeline-harness.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const contract = (schema: string): MappingContract => ({ ...(JSON.parse(readFileSync(path.join(ROOT, 'contracts', 'credit-card.json'), 'utf8')) as MappingContract), target_schema: schema });

async function exercise(s: TargetSession): Promise<void> {
  await s.applySchema({ includeSource: true });
  await s.insertSource([1, 2, 3].map((id) => ({ appId: id, xml: `<v1 id="${id}"/>` })));
  await s.writeBatch({ tables: [], log: [{ appId: 1, status: 'success' }, { appId: 2, status: 'failed', stage: 'mapping', failureReason: 'x' }] });
  const r = await s.replaceSource([1, 2, 3, 9].map((id) => ({ appId: id, xml: `<v2 id="${id}"/>` })));
  expect(r).toEqual({ replaced: [2, 3], failedCleared: [2] });
  const docs = await s.readSourceByIds([1, 2, 3, 9]);
  expect(docs.map((d) => [d.appId, d.xml])).toEqual([[1, '<v1 id="1"/>'], [2, '<v2 id="2"/>'], [3, '<v2 id="3"/>']]);
  expect([...(await s.loggedStatus([1, 2, 3]))]).toEqual([[1, 'success']]);
  // a large document (beyond any 4000-character parameter) goes through whole
  const big = `<v3>${'x'.repeat(300_000)}</v3>`;
  expect((await s.replaceSource([{ appId: 3, xml: big }])).replaced).toEqual([3]);
  expect((await s.readSourceByIds([3]))[0]?.xml).toBe(big);
}

describe('replaceSource', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => { for (const c of cleanups) await c(); });

  it('SQLite', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xm-replace-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const s = await openTarget(`sqlite:${path.join(dir, 'r.db')}`, buildSchemaModel(contract('dbo')));
    try { await exercise(s); } finally { await s.close(); }
  });

  it('PostgreSQL', async () => {
    const schema = `xm_replace_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    cleanups.push(async () => {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try { await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await admin.end(); }
    });
    const s = await openTarget(PG_URL, buildSchemaModel(contract(schema)));
    try { await exercise(s); } finally { await s.close(); }
  });
});
