import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { DbError } from '../../../../src/db/db-error.js';
import { MssqlSession, mssqlDriverTypes } from '../../../../src/db/mssql/mssql-dialect.js';
import { MSSQL_BYTES_PROBE, MSSQL_OPENJSON_PROBE } from '../../../../src/db/mssql/mssql-plan.js';
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

  it('reads documents as bytes: SQL Server\'s UTF-16LE becomes UTF-8 (probed once; NULL stays null)', async () => {
    const fake = new FakeMssql();
    const text = '\uFEFF<a x="é">😀 ü</a>';
    fake.results = [
      { match: /AS b$/, rows: [{ b: Buffer.from('\uFEFF<é😀>', 'utf16le') }] },
      { match: /varbinary/, rows: [{ app_id: 7, xml: Buffer.from(text, 'utf16le') }, { app_id: 3, xml: null }, { app_id: 5, xml: Buffer.alloc(0) }] },
    ];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    const got = await s.readSourceBytesByIds([7, 3, 5, 7]);
    expect(got.map((r) => [r.appId, r.bytes === null ? null : r.bytes.toString('utf8')])).toEqual([[3, null], [5, ''], [7, text]]);
    expect(Buffer.compare(got[2]!.bytes!, Buffer.from(text, 'utf8'))).toBe(0);
    await s.readSourceBytesByIds([3]);
    expect(fake.calls).toEqual([
      `pool query ${MSSQL_BYTES_PROBE}`,
      'pool query SELECT [app_id] AS app_id, CAST(CAST([app_XML] AS nvarchar(max)) AS varbinary(max)) AS xml FROM [xm_small].[app_xml] WHERE [app_id] IN (@p0, @p1, @p2) ORDER BY [app_id]',
      'pool query SELECT [app_id] AS app_id, CAST(CAST([app_XML] AS nvarchar(max)) AS varbinary(max)) AS xml FROM [xm_small].[app_xml] WHERE [app_id] IN (@p0) ORDER BY [app_id]',
    ]);
    expect(fake.inputs.slice(0, 3)).toEqual([7, 3, 5].map((value, i) => ({ name: `p${i}`, type: { name: 'BigInt' }, value })));
  });

  it('reads documents as bytes: a server whose varbinary is UTF-8 is used as is; any other answer reads strings', async () => {
    const utf8 = new FakeMssql();
    const doc = Buffer.from('<a>é</a>', 'utf8');
    utf8.results = [{ match: /AS b$/, rows: [{ b: Buffer.from('\uFEFF<é😀>', 'utf8') }] }, { match: /varbinary/, rows: [{ app_id: 1, xml: doc }] }];
    const got = await new MssqlSession(utf8.pool, utf8.types, smallModel).readSourceBytesByIds([1]);
    expect(got[0]?.bytes).toBe(doc);
    const other = new FakeMssql();
    other.results = [{ match: /AS b$/, rows: [{ b: Buffer.from('?<??>', 'latin1') }] }, { match: /SELECT \[app_id\] AS app_id, \[app_XML\] AS xml/, rows: [{ app_id: 1, xml: '<a>é</a>' }] }];
    const viaStrings = await new MssqlSession(other.pool, other.types, smallModel).readSourceBytesByIds([1]);
    expect(viaStrings[0]?.bytes?.toString('utf8')).toBe('<a>é</a>');
    expect(other.calls.some((c) => c.includes('varbinary(max)) AS xml'))).toBe(false);
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
