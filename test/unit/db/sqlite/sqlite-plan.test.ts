import { describe, expect, it } from 'vitest';
import { sqliteCreateTable, sqliteDdl } from '../../../../src/db/sqlite/sqlite-ddl.js';
import { sqliteInsertSql, sqliteLiveTable, sqliteLiveType, sqliteValue } from '../../../../src/db/sqlite/sqlite-plan.js';
import { DateTime } from '../../../../src/mapping/values.js';
import { smallModel, tableOf } from '../helpers.js';

describe('SQLite DDL', () => {
  it('keeps decimals and datetimes as exact text and enforces varchar lengths and bits', () => {
    expect(sqliteCreateTable(tableOf('app_detail'))).toBe(`CREATE TABLE IF NOT EXISTS "app_detail" (
  "app_id" BIGINT NOT NULL,
  "blackbox" TEXT NULL,
  "intro_apr" DECIMAL_TEXT(18,5) NULL,
  "signature_flag" INTEGER NOT NULL CHECK ("signature_flag" IN (0, 1)),
  "ratio" REAL NULL,
  "transmission_id" BIGINT NULL,
  "late_fee" TINYINT NULL,
  "campaign_num" VARCHAR(6) NOT NULL CHECK (length("campaign_num") <= 6),
  PRIMARY KEY ("app_id"),
  FOREIGN KEY ("app_id") REFERENCES "app_base" ("app_id") ON DELETE CASCADE
)`);
  });

  it('ignores the schema and puts processing_log after the data tables, then the claim tables', () => {
    const ddl = sqliteDdl(smallModel, { includeSource: false });
    expect(ddl.some((s) => s.includes('xm_small'))).toBe(false);
    expect(ddl.at(-2)).toContain('CREATE TABLE IF NOT EXISTS "xmlmigrate_runs"');
    expect(ddl.at(-1)).toContain('CREATE TABLE IF NOT EXISTS "xmlmigrate_claims"');
    expect(ddl.at(-3)).toContain(`"processed_at" DATETIME_TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
  });
});

describe('SQLite plan', () => {
  it('binds datetimes as ISO text and dates as YYYY-MM-DD', () => {
    expect(sqliteValue(new DateTime(2024, 2, 29, 23, 59, 59, 123456), { name: 'c', type: { kind: 'datetime' }, nullable: true })).toBe('2024-02-29T23:59:59.123456');
    expect(sqliteValue(new DateTime(1980, 12, 31), { name: 'c', type: { kind: 'date' }, nullable: true })).toBe('1980-12-31');
    expect(sqliteValue('12.50', { name: 'c', type: { kind: 'decimal', precision: 18, scale: 2 }, nullable: true })).toBe('12.50');
    expect(sqliteInsertSql(tableOf('scores'), ['app_id', 'score'])).toBe('INSERT INTO "scores" ("app_id", "score") VALUES (?, ?)');
  });

  it('normalises declared types by affinity; NUMERIC decimals are flagged as not exact', () => {
    expect(sqliteLiveType('DECIMAL_TEXT(18,2)').type).toEqual({ family: 'exact', precision: 18, scale: 2 });
    expect(sqliteLiveType('varchar(30)').type).toEqual({ family: 'string', length: 30 });
    expect(sqliteLiveType('SMALLINT').type).toEqual({ family: 'integer', kind: 'smallint' });
    expect(sqliteLiveType('DECIMAL(18,2)')).toEqual({ type: { family: 'float' }, declared: 'DECIMAL(18,2) (NUMERIC affinity stores a double; use DECIMAL_TEXT)' });
    expect(sqliteLiveType('').type).toEqual({ family: 'other' });
  });

  it('treats an INTEGER PRIMARY KEY as a self-filling, unique rowid alias', () => {
    const t = sqliteLiveTable('t', [
      { name: 'id', type: 'INTEGER', notnull: 0, dflt_value: null, pk: 1, hidden: 0 },
      { name: 'x', type: 'TEXT', notnull: 1, dflt_value: null, pk: 0, hidden: 0 },
    ], []);
    expect(t.columns.get('id')).toMatchObject({ nullable: false, hasDefault: true, isIdentity: true });
    expect(t.uniqueColumns.has('id')).toBe(true);
  });
});
