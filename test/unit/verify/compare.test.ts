/**
 * The row matching of `xmlmigrate verify` (compare.ts), the sample (inSample), `--sample` parsing and
 * the SQL that reads target rows back (target-rows.ts), all pure.
 */
import { describe, expect, it } from 'vitest';
import { parsePercent } from '../../../src/cli/commands/verify.js';
import { CliError } from '../../../src/cli/cli-error.js';
import { MSSQL_STYLE } from '../../../src/db/mssql/mssql-plan.js';
import { POSTGRES_STYLE } from '../../../src/db/postgres/postgres-plan.js';
import { SQLITE_STYLE } from '../../../src/db/sqlite/sqlite-plan.js';
import type { TableModel } from '../../../src/db/schema-types.js';
import { targetRowsSql } from '../../../src/db/target-rows.js';
import { compareTable, keyLabel, type CanonicalRow, type CompareCounts, type RowDiff } from '../../../src/verify/compare.js';
import { inSample } from '../../../src/verify/verifier.js';

const big = { kind: 'bigint' } as const;
const str = { kind: 'string', length: 50 } as const;
/** A contact child keyed on (app_id, con_id, address_type_enum). */
const address: TableModel = {
  name: 'app_contact_address', schema: 'dbo', role: 'contact',
  columns: [
    { name: 'app_id', type: big, nullable: false }, { name: 'con_id', type: big, nullable: false },
    { name: 'address_type_enum', type: { kind: 'smallint' }, nullable: false }, { name: 'city', type: str, nullable: true },
    { name: 'zip', type: str, nullable: true },
  ],
  primaryKey: ['app_id', 'con_id', 'address_type_enum'], unique: [], foreignKey: null, duplicatePolicy: 'first',
};
/** The same table without a key (its type column unmapped): compared as a multiset. */
const keyless: TableModel = { ...address, name: 'app_contact_other', primaryKey: [] };

function run(table: TableModel, expected: CanonicalRow[], found: CanonicalRow[]): { diffs: RowDiff[]; counts: CompareCounts } {
  const diffs: RowDiff[] = [];
  const counts: CompareCounts = { expectedRows: 0, foundRows: 0, matchedRows: 0 };
  compareTable(table, expected, found, diffs, counts);
  return { diffs, counts };
}

describe('keyed tables: rows matched on the primary key', () => {
  const a: CanonicalRow = ['7', '71', '1', 'NORTHVALE', '07647'];
  const b: CanonicalRow = ['7', '72', '1', 'SOUTHVALE', '07648'];
  it('equal rows in any order match', () => {
    expect(run(address, [a, b], [b, a])).toEqual({ diffs: [], counts: { expectedRows: 2, foundRows: 2, matchedRows: 2 } });
  });
  it('a changed cell is one value difference named by key and column', () => {
    const { diffs, counts } = run(address, [a, b], [a, ['7', '72', '1', 'SOUTHVALE', null]]);
    expect(diffs).toEqual([{ table: 'app_contact_address', kind: 'value', key: 'con_id=72, address_type_enum=1', column: 'zip', expected: '07648', found: null }]);
    expect(counts.matchedRows).toBe(1);
  });
  it('a missing and an extra row; a changed key column reads as both', () => {
    const { diffs } = run(address, [a, b], [a, ['7', '72', '2', 'SOUTHVALE', '07648']]);
    expect(diffs.map((d) => [d.kind, d.key])).toEqual([['missing-row', 'con_id=72, address_type_enum=1'], ['extra-row', 'con_id=72, address_type_enum=2']]);
    expect(diffs[0]).toMatchObject({ row: { app_id: '7', con_id: '72', address_type_enum: '1', city: 'SOUTHVALE', zip: '07648' } });
  });
  it('a key found twice (a target without its primary key): the second is extra', () => {
    const { diffs } = run(address, [a], [a, a]);
    expect(diffs.map((d) => d.kind)).toEqual(['extra-row']);
  });
  it('keyLabel: the key after app_id, or empty for one-row-per-app tables', () => {
    expect(keyLabel(address, a)).toBe('con_id=71, address_type_enum=1');
    expect(keyLabel({ ...address, primaryKey: ['app_id'] }, a)).toBe('');
  });
});

describe('tables without a key: multisets of rows', () => {
  const r1: CanonicalRow = ['7', '71', null, 'A', '1'];
  const r2: CanonicalRow = ['7', '71', null, 'B', '2'];
  it('duplicates count: two equal rows expected, one found', () => {
    const { diffs, counts } = run(keyless, [r1, r1], [r1]);
    expect(diffs.map((d) => d.kind)).toEqual(['missing-row']);
    expect(counts.matchedRows).toBe(1);
  });
  it('a row with one changed cell pairs with its expected row: one value difference', () => {
    const { diffs } = run(keyless, [r1, r2], [r1, ['7', '71', null, 'B', '3']]);
    expect(diffs).toEqual([{ table: 'app_contact_other', kind: 'value', key: 'row 1 without a key', column: 'zip', expected: '2', found: '3' }]);
  });
  it('rows with little in common stay a missing and an extra row', () => {
    const { diffs } = run(keyless, [r1], [['7', '99', '5', 'Z', '9']]);
    expect(diffs.map((d) => d.kind)).toEqual(['missing-row', 'extra-row']);
  });
});

describe('--sample', () => {
  it('inSample is a pure function of app id, percentage and seed', () => {
    const pick = (seed: number) => Array.from({ length: 2000 }, (_, i) => i + 1).filter((id) => inSample(id, 10, seed));
    expect(pick(7)).toEqual(pick(7));
    expect(pick(7)).not.toEqual(pick(8));
  });
  it('picks close to the percentage, and everything at 100%', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => i + 1);
    const n = ids.filter((id) => inSample(id, 10, 42)).length;
    expect(n).toBeGreaterThan(9_500);
    expect(n).toBeLessThan(10_500);
    expect(ids.filter((id) => inSample(id, 1, 42)).length).toBeGreaterThan(900);
    expect(ids.every((id) => inSample(id, 100, 3))).toBe(true);
    // app ids beyond 2^32 mix their high half too
    const high = Array.from({ length: 10_000 }, (_, i) => 2 ** 40 + i).filter((id) => inSample(id, 50, 1)).length;
    expect(high).toBeGreaterThan(4_700);
    expect(high).toBeLessThan(5_300);
  });
  it('parsePercent: 5%, 5, 0.5%; refuses 0, above 100 and words', () => {
    expect(parsePercent('5%')).toBe(5);
    expect(parsePercent(' 0.5 % ')).toBe(0.5);
    expect(parsePercent('100')).toBe(100);
    for (const bad of ['0', '0%', '101%', 'ten', '-5%', '']) expect(() => parsePercent(bad)).toThrow(CliError);
  });
});

describe('reading target rows back (SQL text)', () => {
  const dec = { kind: 'decimal', precision: 18, scale: 2 } as const;
  const t: TableModel = {
    name: 'app_pricing_cc', schema: 'dbo', role: 'app', primaryKey: ['app_id'], unique: [], foreignKey: null, duplicatePolicy: 'error',
    columns: [{ name: 'app_id', type: big, nullable: false }, { name: 'apr', type: dec, nullable: true }, { name: 'd', type: { kind: 'datetime' }, nullable: true }, { name: 'b', type: { kind: 'date' }, nullable: true }],
  };
  it('a range is one statement with its bounds as parameters', () => {
    expect(targetRowsSql(POSTGRES_STYLE, t, { above: 100, atMost: 200 }, 1000)).toEqual([{
      text: 'SELECT "app_id" AS "app_id", "apr" AS "apr", "d" AS "d", "b" AS "b" FROM "dbo"."app_pricing_cc" WHERE "app_id" > $1 AND "app_id" <= $2 ORDER BY "app_id"',
      params: [100, 200],
    }]);
    expect(targetRowsSql(SQLITE_STYLE, t, { above: null, atMost: null }, 1000)[0]!.text).toBe(
      'SELECT CAST("app_id" AS TEXT) AS "app_id", "apr" AS "apr", "d" AS "d", "b" AS "b" FROM "app_pricing_cc" WHERE 1 = 1 ORDER BY "app_id"');
  });
  it('SQL Server reads decimals, datetimes, dates and bigints as exact text', () => {
    expect(targetRowsSql(MSSQL_STYLE, t, { above: null, atMost: 5 }, 1000)[0]).toEqual({
      text: 'SELECT CONVERT(varchar(24), [app_id]) AS [app_id], CONVERT(varchar(60), [apr]) AS [apr], CONVERT(varchar(40), [d], 121) AS [d], CONVERT(char(10), [b], 23) AS [b] FROM [dbo].[app_pricing_cc] WHERE [app_id] <= @p0 ORDER BY [app_id]',
      params: [5],
    });
  });
  it('an id list is chunked; duplicates are read once; a column subset; bad ids refused', () => {
    const sts = targetRowsSql(SQLITE_STYLE, t, { appIds: [1, 2, 2, 3] }, 2, ['app_id']);
    expect(sts).toEqual([
      { text: 'SELECT CAST("app_id" AS TEXT) AS "app_id" FROM "app_pricing_cc" WHERE "app_id" IN (?, ?) ORDER BY "app_id"', params: [1, 2] },
      { text: 'SELECT CAST("app_id" AS TEXT) AS "app_id" FROM "app_pricing_cc" WHERE "app_id" IN (?) ORDER BY "app_id"', params: [3] },
    ]);
    expect(() => targetRowsSql(SQLITE_STYLE, t, { appIds: [1.5] }, 10)).toThrow(/app_id: must be an integer/);
  });
});
