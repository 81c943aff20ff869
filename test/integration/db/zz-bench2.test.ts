import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { prepareBatch } from '../../../src/db/batch-prep.js';
import { postgresInsertStatements } from '../../../src/db/postgres/postgres-plan.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import { DateTime, Decimal, type CellValue, type Row } from '../../../src/mapping/values.js';
import type { ColumnModel, TableModel } from '../../../src/db/schema-types.js';

function val(c: ColumnModel, i: number): CellValue {
  const t = c.type;
  switch (t.kind) {
    case 'string': return `v${i}`.slice(0, t.length === 'max' ? 40 : t.length);
    case 'decimal': return new Decimal(`${i % 1000}.${'5'.repeat(t.scale)}`.replace(/\.$/, ''));
    case 'tinyint': return i % 200;
    case 'smallint': return i % 30000;
    case 'int': case 'bigint': return i;
    case 'float': return i / 7;
    case 'bit': return i % 2;
    case 'date': return new DateTime(1990, 1 + (i % 12), 1 + (i % 28));
    case 'datetime': case 'instant': return new DateTime(2024, 1 + (i % 12), 1 + (i % 28), 12, 30, 15, i % 999999);
  }
}
it('profile', () => {
  const cc = JSON.parse(readFileSync('/work/shared/fixtures/xmlconversion/contract-cc.json', 'utf8'));
  const model = buildSchemaModel(cc);
  const tables = model.tables.map((t: TableModel) => ({ table: t, rows: Array.from({ length: 800 }, (_, a) => { const r: Row = {}; for (const c of t.columns) r[c.name] = val(c, a); r['app_id'] = a; return r; }) }));
  let t0 = performance.now();
  const p = prepareBatch({ tables, log: [] }, model.processingLog);
  const t1 = performance.now();
  let n = 0;
  for (const pt of p.tables) n += postgresInsertStatements(pt).length;
  const t2 = performance.now();
  console.log(`rows=${tables.length * 800} prepare=${(t1 - t0).toFixed(0)}ms plan=${(t2 - t1).toFixed(0)}ms stmts=${n}`);
});
