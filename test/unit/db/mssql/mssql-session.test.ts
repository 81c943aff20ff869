import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { DbError } from '../../../../src/db/db-error.js';
import { MssqlSession, mssqlDriverTypes } from '../../../../src/db/mssql/mssql-dialect.js';
import { MSSQL_OPENJSON_PROBE } from '../../../../src/db/mssql/mssql-plan.js';
import type { MssqlColumnRow } from '../../../../src/db/mssql/mssql-types.js';
import { mssqlSpecForColumn, mssqlTypeSql } from '../../../../src/db/mssql/mssql-types.js';
import type { TableModel } from '../../../../src/db/schema-types.js';
import { DateTime } from '../../../../src/mapping/values.js';
import { smallModel, tableOf } from '../helpers.js';
import { FakeMssql } from './fake-mssql.js';

/** Catalog rows describing exactly what the product's DDL creates. */
function catalogFor(tables: readonly TableModel[]): MssqlColumnRow[] {
  return tables.flatMap((t) => t.columns.map((c): MssqlColumnRow => {
    const spec = mssqlSpecForColumn(c);
    const typeSql = mssqlTypeSql(spec);
    return {
      table_name: t.name, column_name: c.name, data_type: typeSql.replace(/\(.*$/, ''),
      max_length: 'length' in spec ? (spec.length === 'max' ? -1 : spec.length) : null,
      numeric_precision: 'precision' in spec ? spec.precision : null, numeric_scale: 'scale' in spec && spec.name !== 'DateTime2' ? spec.scale : null,
      datetime_precision: spec.name === 'DateTime2' ? spec.scale : null,
      is_nullable: c.nullable ? 'YES' : 'NO', column_default: c.defaultNow ? '(sysutcdatetime())' : null, is_identity: 0, is_computed: 0,
    };
  }));
}
const allTables = [...smallModel.tables, smallModel.processingLog, smallModel.source];

describe('MssqlSession (fake driver)', () => {
  it('preflight is clean against a catalog equal to the DDL, and flags legacy types', async () => {
    const fake = new FakeMssql();
    const rows = catalogFor(allTables);
    fake.results = [{ match: /INFORMATION_SCHEMA\.COLUMNS/, rows }, { match: /sys\.indexes/, rows: [{ table_name: 'processing_log', column_name: 'app_id' }] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    expect(await s.preflight()).toEqual([]);
    const legacy = rows.map((r) => (r.table_name === 'app_base' && r.column_name === 'decision_date' ? { ...r, data_type: 'datetime', datetime_precision: 3 } : r));
    fake.results = [{ match: /INFORMATION_SCHEMA\.COLUMNS/, rows: legacy }, { match: /sys\.indexes/, rows: [] }];
    expect((await s.preflight()).map((p) => `${p.severity}:${p.code}:${p.table}.${p.column}`)).toEqual([
      'warning:precision-loss:app_base.decision_date', 'error:missing-unique:processing_log.app_id',
    ]);
    expect(fake.inputs.find((i) => i.name === 'schema')?.value).toBe('xm_small');
  });

  it('reads a keyset page with typed parameters', async () => {
    const fake = new FakeMssql();
    fake.results = [{ match: /SELECT TOP/, rows: [{ app_id: 5, xml: '<a/>' }, { app_id: 6, xml: null }] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    expect(await s.readSourcePage({ limit: 2, afterAppId: 4 })).toEqual([{ appId: 5, xml: '<a/>' }, { appId: 6, xml: null }]);
    expect(fake.inputs).toEqual([{ name: 'p0', type: { name: 'BigInt' }, value: 2 }, { name: 'p1', type: { name: 'BigInt' }, value: 4 }]);
  });

  it('writeBatch reads the live catalog and probes OPENJSON once; an IDENTITY table is written under IDENTITY_INSERT', async () => {
    const fake = new FakeMssql();
    const rows = catalogFor(allTables).map((r) => (r.table_name === 'app_base' && r.column_name === 'app_id' ? { ...r, is_identity: 1 } : r));
    fake.results = [{ match: /INFORMATION_SCHEMA\.COLUMNS/, rows }, { match: /OPENJSON\(N/, rows: [{ n: 1 }] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    const write = (appId: number) => s.writeBatch({
      tables: [{ table: tableOf('app_base'), rows: [{ app_id: appId, receive_date: new DateTime(2024, 1, 1), product_line_enum: 1 }] }],
      log: [{ appId, status: 'success' }],
    });
    await write(1);
    await write(2);
    expect(fake.calls.filter((c) => c.includes('INFORMATION_SCHEMA'))).toHaveLength(1);
    expect(fake.calls.filter((c) => c.includes('sys.indexes'))).toHaveLength(0);
    expect(fake.calls.filter((c) => c === `pool query ${MSSQL_OPENJSON_PROBE}`)).toHaveLength(1);
    const tx = fake.calls.filter((c) => c.startsWith('tx '));
    expect(tx).toHaveLength(2);
    expect(tx[0]?.split('\n').map((l) => l.slice(0, 80))).toEqual([
      'tx query SET XACT_ABORT ON;',
      'SET IDENTITY_INSERT [xm_small].[app_base] ON; INSERT INTO [xm_small].[app_base] ',
      'INSERT INTO [xm_small].[processing_log] ([app_id], [status], [attempts]) SELECT ',
    ]);
    expect(tx[0]).toContain('SET IDENTITY_INSERT [xm_small].[app_base] OFF;\nINSERT INTO [xm_small].[processing_log]');
  });

  it('a session handed the parent\'s write catalog runs no catalog query or probe, and writes the same statements', async () => {
    const rows = catalogFor(allTables).map((r) => (r.table_name === 'app_base' && r.column_name === 'app_id' ? { ...r, is_identity: 1 } : r));
    const parentFake = new FakeMssql();
    parentFake.results = [{ match: /INFORMATION_SCHEMA\.COLUMNS/, rows }, { match: /OPENJSON\(N/, rows: [{ n: 1 }] }];
    // it crosses the IPC channel: only plain data survives
    const catalog = structuredClone(await new MssqlSession(parentFake.pool, parentFake.types, smallModel).exportWriteCatalog());
    const write = (s: MssqlSession) => s.writeBatch({
      tables: [{ table: tableOf('app_base'), rows: [{ app_id: 7, receive_date: new DateTime(2024, 1, 1), product_line_enum: 1 }] }],
      log: [{ appId: 7, status: 'success' }],
    });
    const own = new FakeMssql();
    own.results = parentFake.results;
    await write(new MssqlSession(own.pool, own.types, smallModel));
    const handed = new FakeMssql();
    const worker = new MssqlSession(handed.pool, handed.types, smallModel);
    worker.useWriteCatalog(catalog);
    await write(worker);
    expect(handed.calls.filter((c) => c.startsWith('pool '))).toEqual([]);
    expect(handed.calls).toEqual(own.calls.filter((c) => !c.startsWith('pool ')));
    expect(handed.calls.join('\n')).toContain('SET IDENTITY_INSERT [xm_small].[app_base] ON');
  });

  it('lists for IDENTITY_INSERT only the tables whose IDENTITY column the model writes', async () => {
    const rows = [...catalogFor(allTables).map((r) => (r.table_name === 'app_base' && r.column_name === 'app_id' ? { ...r, is_identity: 1 } : r)),
      { ...catalogFor([smallModel.processingLog])[0]!, column_name: 'log_id', is_identity: 1 }];
    const fake = new FakeMssql();
    fake.results = [{ match: /INFORMATION_SCHEMA\.COLUMNS/, rows }, { match: /OPENJSON\(N/, rows: [{ n: 1 }] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    s.useWriteCatalog(await s.exportWriteCatalog());
    await s.writeBatch({ tables: [{ table: tableOf('app_base'), rows: [{ app_id: 1, receive_date: new DateTime(2024, 1, 1), product_line_enum: 1 }] }], log: [{ appId: 1, status: 'success' }] });
    const tx = fake.calls.filter((c) => c.startsWith('tx ')).join('\n');
    expect(tx).toContain('SET IDENTITY_INSERT [xm_small].[app_base] ON');
    expect(tx).not.toContain('processing_log] OFF');
  });

  it('ignores a handed catalog that is not one (or is another schema\'s) and reads its own', async () => {
    const rows = catalogFor(allTables);
    for (const bogus of [null, 'x', { kind: 'other' }, { kind: 'xmlmigrate/mssql-write-catalog/1', schema: 'other', columns: rows, openJson: true }]) {
      const fake = new FakeMssql();
      fake.results = [{ match: /INFORMATION_SCHEMA\.COLUMNS/, rows }, { match: /OPENJSON\(N/, rows: [{ n: 1 }] }];
      const s = new MssqlSession(fake.pool, fake.types, smallModel);
      s.useWriteCatalog(bogus);
      await s.writeBatch({ tables: [{ table: tableOf('app_base'), rows: [{ app_id: 1, receive_date: new DateTime(2024, 1, 1), product_line_enum: 1 }] }], log: [{ appId: 1, status: 'success' }] });
      expect(fake.calls.filter((c) => c.includes('INFORMATION_SCHEMA'))).toHaveLength(1);
    }
  });

  it('writeBatch falls back to bulk loads (and stages IDENTITY tables) when the OPENJSON probe fails', async () => {
    const fake = new FakeMssql();
    const rows = catalogFor(allTables).map((r) => (r.table_name === 'app_base' && r.column_name === 'app_id' ? { ...r, is_identity: 1 } : r));
    fake.results = [{ match: /INFORMATION_SCHEMA\.COLUMNS/, rows }];
    fake.failOn = { match: /OPENJSON\(N/, error: Object.assign(new Error("Invalid object name 'OPENJSON'."), { number: 208 }) };
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    await s.writeBatch({
      tables: [{ table: tableOf('app_base'), rows: [{ app_id: 1, receive_date: new DateTime(2024, 1, 1), product_line_enum: 1 }] }],
      log: [{ appId: 1, status: 'success' }],
    });
    const tx = fake.calls.filter((c) => c.startsWith('tx '));
    expect(tx[0]).toMatch(/^tx query SET XACT_ABORT ON;\nIF OBJECT_ID\(N'tempdb\.\.#xm_stage_app_base'\) IS NOT NULL DROP TABLE/);
    expect(tx[1]).toMatch(/^tx bulk #xm_stage_app_base /);
    expect(tx[2]).toMatch(/^tx query SET IDENTITY_INSERT \[xm_small\]\.\[app_base\] ON; INSERT INTO/);
    expect(tx[3]).toMatch(/^tx bulk \[xm_small\]\.\[processing_log\] /);
  });

  it('insertSource de-duplicates input and counts what the server inserted', async () => {
    const fake = new FakeMssql();
    fake.results = [{ match: /INSERT INTO \[xm_small\]\.\[app_xml\]/, rows: [], rowsAffected: [1] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    expect(await s.insertSource([{ appId: 1, xml: 'a' }, { appId: 2, xml: 'b' }, { appId: 1, xml: 'c' }])).toEqual({ inserted: 1, skipped: 2 });
    expect(fake.calls[0]).toBe('begin');
    expect(fake.calls.at(-1)).toBe('commit');
  });

  it('query errors become DbErrors with the password scrubbed', async () => {
    const fake = new FakeMssql();
    fake.failOn = { match: /SELECT 1/, error: Object.assign(new Error("Login failed for user 'sa' (password Sup3r)"), { code: 'ELOGIN' }) };
    const s = new MssqlSession(fake.pool, fake.types, smallModel, ['Sup3r']);
    const err = await s.ping().catch((e: unknown) => e) as DbError;
    expect(err).toBeInstanceOf(DbError);
    expect(err.message).not.toContain('Sup3r');
    expect(err.kind).toBe('permanent');
  });
});

describe('mssqlDriverTypes (real mssql module, no server)', () => {
  it('builds real mssql types and a Table on the bracketed path', () => {
    const types = mssqlDriverTypes(sql);
    const t = types.newTable('[xm_small].[app_base]') as unknown as sql.Table;
    expect(t.path).toBe('[xm_small].[app_base]');
    expect(t.schema).toBe('xm_small');
    types.newTable('#xm_stage_x');
    const col = types.type({ name: 'NVarChar', length: 'max' }) as { type: unknown; length: number };
    expect(col.type).toBe(sql.NVarChar);
    expect(col.length).toBe(sql.MAX);
    expect(types.type({ name: 'Decimal', precision: 18, scale: 5 })).toMatchObject({ type: sql.Decimal, precision: 18, scale: 5 });
    expect(types.type({ name: 'DateTime2', scale: 6 })).toMatchObject({ type: sql.DateTime2, scale: 6 });
    expect(types.type({ name: 'Int' })).toBe(sql.Int);
  });
});
