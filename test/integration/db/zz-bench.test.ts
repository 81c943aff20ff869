import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { it } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import type { ColumnModel, SchemaModel, TableModel } from '../../../src/db/schema-types.js';
import { DateTime, Decimal, type CellValue, type Row } from '../../../src/mapping/values.js';
import type { WriteBatch } from '../../../src/db/dialect.js';

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
const PER_APP: Record<string, number> = { app_contact_base: 2, app_contact_address: 2, app_contact_employment: 1, app_historical_lookup: 4, scores: 4, indicators: 1, app_report_results_lookup: 1 };
function rowsFor(t: TableModel, appId: number): Row[] {
  const n = PER_APP[t.name] ?? 1;
  return Array.from({ length: n }, (_, k) => {
    const r: Row = {};
    for (const c of t.columns) r[c.name] = val(c, appId * 10 + k);
    r['app_id'] = appId;
    if ('con_id' in r) r['con_id'] = appId * 10 + k;
    for (const key of t.primaryKey.slice(1)) if (key !== 'con_id') r[key] = typeof r[key] === 'string' ? `k${k}` : k + 1;
    return r;
  });
}
function batch(model: SchemaModel, first: number, apps: number): { b: WriteBatch; rows: number } {
  let rows = 0;
  const tables = model.tables.map((t) => {
    const rs = Array.from({ length: apps }, (_, a) => rowsFor(t, first + a)).flat();
    rows += rs.length;
    return { table: t, rows: rs };
  });
  return { b: { tables, log: Array.from({ length: apps }, (_, a) => ({ appId: first + a, status: 'success' as const })) }, rows: rows + apps };
}

it('bench', async () => {
  const cc = JSON.parse(readFileSync('/work/shared/fixtures/xmlconversion/contract-cc.json', 'utf8'));
  const small = JSON.parse(readFileSync('test/fixtures/contracts/db-small.json', 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'xm-bench-'));
  const out: string[] = [];
  for (const [label, contract] of [['cc', cc], ['small', small]] as const) {
    const schema = `xm_bench_${label}_${Date.now().toString(36)}`;
    const model = buildSchemaModel({ ...contract, target_schema: schema });
    const perApp = batch(model, 1, 1).rows;
    const apps = Math.ceil(10000 / perApp);
    for (const url of [`sqlite:${join(dir, label + '.db')}`, 'postgres://postgres@127.0.0.1:5432/test']) {
      const s = await openTarget(url, model);
      await s.applySchema();
      // warm-up batch
      await s.writeBatch(batch(model, 1_000_000, 20).b);
      const times: number[] = [];
      let rows = 0;
      for (let rep = 0; rep < 3; rep++) {
        const { b, rows: n } = batch(model, 1 + rep * apps, apps);
        rows = n;
        const t0 = performance.now();
        await s.writeBatch(b);
        times.push(performance.now() - t0);
      }
      const best = Math.min(...times);
      out.push(`${label} ${url.split(':')[0]} apps=${apps} rows=${rows} times=${times.map((t) => t.toFixed(0)).join('/')}ms best=${(rows / best * 1000).toFixed(0)} rows/s`);
      await s.close();
      if (url.startsWith('postgres')) {
        const c = new pg.Client('postgres://postgres@127.0.0.1:5432/test'); await c.connect();
        await c.query(`DROP SCHEMA "${schema}" CASCADE`); await c.end();
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(out.join('\n'));
}, 300_000);
