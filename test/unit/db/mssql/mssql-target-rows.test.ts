/**
 * SQL Server readTargetRows (fake driver): the statement reads decimals, datetimes, dates and bigints
 * as text, the range travels as typed parameters, and what the driver then hands over (text, booleans
 * for bits, numbers for floats) normalizes to what the writer stored — verify's SQL Server path
 * without a server.
 */
import { describe, expect, it } from 'vitest';
import { encodeCell } from '../../../../src/db/cell-encode.js';
import { MssqlSession } from '../../../../src/db/mssql/mssql-dialect.js';
import type { TableModel } from '../../../../src/db/schema-types.js';
import { DateTime, Decimal, type CellValue } from '../../../../src/mapping/values.js';
import { expectedText, foundText } from '../../../../src/verify/normalize.js';
import { smallModel } from '../helpers.js';
import { FakeMssql } from './fake-mssql.js';

const table: TableModel = {
  name: 'app_pricing_cc', schema: 'dbo', role: 'app', primaryKey: ['app_id'], unique: [], foreignKey: null, duplicatePolicy: 'error',
  columns: [
    { name: 'app_id', type: { kind: 'bigint' }, nullable: false },
    { name: 'apr', type: { kind: 'decimal', precision: 18, scale: 5 }, nullable: true },
    { name: 'decided', type: { kind: 'datetime' }, nullable: true },
    { name: 'expires', type: { kind: 'date' }, nullable: true },
    { name: 'flag', type: { kind: 'bit' }, nullable: true },
    { name: 'line', type: { kind: 'float' }, nullable: true },
    { name: 'name', type: { kind: 'string', length: 20 }, nullable: true },
  ],
};

describe('MssqlSession.readTargetRows (fake driver)', () => {
  it('reads exact text where the driver would round, and the values verify against the written ones', async () => {
    const fake = new FakeMssql();
    // what SQL Server returns for the CONVERTs (style 121 keeps all 7 fraction digits of datetime2)
    const returned = { app_id: '9007199254740993', apr: '12.34560', decided: '2021-10-18 06:03:23.3000010', expires: '2026-01-31', flag: true, line: 250.5, name: 'LANTERN ' };
    fake.results = [{ match: /FROM \[dbo\]\.\[app_pricing_cc\]/, rows: [returned] }];
    const s = new MssqlSession(fake.pool, fake.types, smallModel);
    const rows = await s.readTargetRows(table, { above: 100, atMost: null });
    const text = fake.calls.find((c) => c.includes('app_pricing_cc')) ?? '';
    expect(text).toContain('CONVERT(varchar(24), [app_id]) AS [app_id], CONVERT(varchar(60), [apr]) AS [apr], CONVERT(varchar(40), [decided], 121) AS [decided], CONVERT(char(10), [expires], 23) AS [expires], [flag] AS [flag]');
    expect(text).toContain('WHERE [app_id] > @p0 ORDER BY [app_id]');
    expect(fake.inputs.map((i) => String(i.value))).toEqual(['100']);

    const written: Record<string, CellValue> = {
      app_id: '9007199254740993', apr: new Decimal('12.3456'), decided: new DateTime(2021, 10, 18, 6, 3, 23, 300001),
      expires: '2026-01-31', flag: 'true', line: 250.5, name: 'LANTERN ',
    };
    for (const c of table.columns) {
      const e = expectedText(encodeCell(written[c.name], c, table.name, 1), c);
      expect(foundText(rows[0]![c.name], c, 'mssql'), c.name).toBe(e);
    }
  });
});
