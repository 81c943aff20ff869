import { describe, expect, it } from 'vitest';
import { prepareTable } from '../../../../src/db/batch-prep.js';
import { postgresCreateTable, postgresDdl } from '../../../../src/db/postgres/postgres-ddl.js';
import {
  copyTextValue, needsValuesForm, postgresInsertStatements, postgresLiveInfo, postgresLiveTables, postgresTableStatements, postgresValue,
  type PgColumnRow, type PgLiveInfo,
} from '../../../../src/db/postgres/postgres-plan.js';
import { DateTime, Decimal } from '../../../../src/mapping/values.js';
import { smallModel, tableOf } from '../helpers.js';

describe('PostgreSQL DDL', () => {
  it('renders exact types: text for max, numeric(18,p), timestamp(6) without time zone, bit as smallint 0/1', () => {
    expect(postgresCreateTable(tableOf('app_detail'))).toBe(`CREATE TABLE IF NOT EXISTS "xm_small"."app_detail" (
  "app_id" bigint NOT NULL,
  "blackbox" text NULL,
  "intro_apr" numeric(18,5) NULL,
  "signature_flag" smallint NOT NULL CHECK ("signature_flag" IN (0, 1)),
  "ratio" double precision NULL,
  "transmission_id" bigint NULL,
  "late_fee" smallint NULL,
  "campaign_num" varchar(6) NOT NULL,
  PRIMARY KEY ("app_id"),
  FOREIGN KEY ("app_id") REFERENCES "xm_small"."app_base" ("app_id") ON DELETE CASCADE
)`);
    expect(postgresCreateTable(tableOf('app_base'))).toContain('"receive_date" timestamp(6) without time zone NOT NULL');
  });

  it('creates the schema, processing_log with timestamptz default now() and UNIQUE(app_id)', () => {
    const ddl = postgresDdl(smallModel);
    expect(ddl[0]).toBe('CREATE SCHEMA IF NOT EXISTS "xm_small"');
    const log = ddl.find((s) => s.includes('"processing_log"'));
    expect(log).toContain('"processed_at" timestamptz NOT NULL DEFAULT now()');
    expect(log).toContain('UNIQUE ("app_id")');
    expect(log).not.toContain('FOREIGN KEY');
  });
});

describe('PostgreSQL multi-row INSERT plan', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({
    app_id: i + 1, receive_date: new DateTime(2024, 2, 29, 23, 59, 59, 123456), product_line_enum: 600,
    ...(i % 2 === 0 ? { requested_amount: new Decimal('12345678901234.56') } : {}),
  }));

  it('writes only used columns, DEFAULT for NULL cells, exact text for decimals and datetimes', () => {
    const [st] = postgresInsertStatements(prepareTable(tableOf('app_base'), rows(2)));
    expect(st?.text).toBe('INSERT INTO "xm_small"."app_base" ("app_id", "receive_date", "product_line_enum", "requested_amount") OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4), ($5, $6, $7, DEFAULT)');
    expect(st?.params).toEqual([1, '2024-02-29 23:59:59.123456', 600, '12345678901234.56', 2, '2024-02-29 23:59:59.123456', 600]);
  });

  it('chunks under the parameter limit and a row cap', () => {
    const pt = prepareTable(tableOf('app_base'), rows(10));
    const byParams = postgresInsertStatements(pt, 9);
    expect(byParams.map((s) => s.params.length)).toEqual([7, 7, 7, 7, 7]);
    expect(byParams.every((s) => s.params.length <= 9)).toBe(true);
    expect(postgresInsertStatements(pt, 65535, 3).map((s) => (s.text.match(/\(\$\d+/g) ?? []).length)).toEqual([3, 3, 3, 1]);
    expect(postgresInsertStatements(prepareTable(tableOf('app_base'), rows(30000))).every((s) => s.params.length <= 65535)).toBe(true);
  });

  it('converts values: dates, bigints as text', () => {
    expect(postgresValue(new DateTime(1980, 12, 31), { name: 'd', type: { kind: 'date' }, nullable: true })).toBe('1980-12-31');
    expect(postgresValue(9007199254740993n, { name: 'b', type: { kind: 'bigint' }, nullable: true })).toBe('9007199254740993');
  });
});

describe('PostgreSQL catalog normaliser', () => {
  const r = (table_name: string, column_name: string, data_type: string, extra: Partial<PgColumnRow> = {}): PgColumnRow => ({
    table_name, column_name, data_type, character_maximum_length: null, numeric_precision: null, numeric_scale: null,
    datetime_precision: null, is_nullable: 'YES', column_default: null, is_identity: 'NO', is_generated: 'NEVER', ...extra,
  });

  it('maps information_schema types and identity/default/unique facts', () => {
    const live = postgresLiveTables([
      r('t', 'id', 'integer', { is_nullable: 'NO', is_identity: 'YES' }),
      r('t', 'v', 'character varying', { character_maximum_length: 20 }),
      r('t', 'n', 'numeric', { numeric_precision: 12, numeric_scale: 2 }),
      r('t', 'ts', 'timestamp with time zone', { datetime_precision: 6 }),
      r('t', 'j', 'jsonb'),
    ], [{ table_name: 't', column_name: 'id' }]);
    const t = live.get('t');
    expect(t?.uniqueColumns.has('id')).toBe(true);
    expect(t?.columns.get('id')).toMatchObject({ isIdentity: true, hasDefault: true, nullable: false, type: { family: 'integer', kind: 'int' } });
    expect(t?.columns.get('v')).toMatchObject({ declared: 'varchar(20)', type: { family: 'string', length: 20 } });
    expect(t?.columns.get('n')).toMatchObject({ declared: 'numeric(12,2)', type: { family: 'exact', precision: 12, scale: 2 } });
    expect(t?.columns.get('ts')?.type).toEqual({ family: 'datetime', fractionDigits: 6, zoned: true });
    expect(t?.columns.get('j')?.type).toEqual({ family: 'other' });
  });
});

describe('PostgreSQL COPY fast path', () => {
  const pt = () => prepareTable(tableOf('app_base'), [
    { app_id: 1, receive_date: new DateTime(2024, 2, 29, 23, 59, 59, 123456), product_line_enum: 600, requested_amount: new Decimal('12345678901234.56') },
    { app_id: 2, receive_date: new DateTime(2024, 3, 1), product_line_enum: 601 },
  ]);

  it('writes a table with one COPY … FROM STDIN over the used columns: exact text, \\N for NULL, one line per row', () => {
    const [st] = postgresTableStatements(pt());
    expect(st && 'copy' in st ? { copy: st.copy, rows: st.rows, data: st.data.toString('utf8') } : st).toEqual({
      copy: 'COPY "xm_small"."app_base" ("app_id", "receive_date", "product_line_enum", "requested_amount") FROM STDIN',
      rows: 2,
      data: '1\t2024-02-29 23:59:59.123456\t600\t12345678901234.56\n2\t2024-03-01 00:00:00.000000\t601\t\\N\n',
    });
  });

  it('escapes backslash, tab, newline and carriage return; everything else is verbatim UTF-8', () => {
    expect(copyTextValue(null)).toBe('\\N');
    expect(copyTextValue('\\N')).toBe('\\\\N'); // the two characters \N, not NULL
    expect(copyTextValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyTextValue('O\'Brien "x" ; DROP TABLE t; 中文 𝄞')).toBe('O\'Brien "x" ; DROP TABLE t; 中文 𝄞');
    expect(copyTextValue(-12.5)).toBe('-12.5');
    expect(copyTextValue('')).toBe('');
    const strings = prepareTable(tableOf('app_contact_base'), [{ app_id: 1, con_id: 2, first_name: 'Ann\tMarie\n' }]);
    const [st] = postgresTableStatements(strings);
    expect(st && 'copy' in st ? st.data.toString('utf8') : null).toBe('1\t2\tAnn\\tMarie\\n\n');
  });

  it('falls back to VALUES … DEFAULT when a NULL meets a live default, or for a boolean column', () => {
    const defaults: PgLiveInfo = { defaults: new Map([['app_base', new Set(['requested_amount'])]]), booleans: new Map() };
    expect(needsValuesForm(pt(), defaults)).toBe(true);
    const [st] = postgresTableStatements(pt(), defaults);
    expect(st && 'text' in st ? st.text : null).toContain('VALUES ($1, $2, $3, $4), ($5, $6, $7, DEFAULT)');
    const unrelated: PgLiveInfo = { defaults: new Map([['app_base', new Set(['decision_date'])]]), booleans: new Map() };
    expect(needsValuesForm(pt(), unrelated)).toBe(false);
    const bools: PgLiveInfo = { defaults: new Map(), booleans: new Map([['app_base', new Set(['product_line_enum'])]]) };
    expect(needsValuesForm(pt(), bools)).toBe(true);
  });

  it('derives the decision facts from catalog rows', () => {
    const r = (column_name: string, extra: Partial<PgColumnRow>): PgColumnRow => ({
      table_name: 't', column_name, data_type: 'integer', character_maximum_length: null, numeric_precision: null, numeric_scale: null,
      datetime_precision: null, is_nullable: 'YES', column_default: null, is_identity: 'NO', is_generated: 'NEVER', ...extra,
    });
    const info = postgresLiveInfo([r('a', { column_default: '0' }), r('b', { is_identity: 'YES' }), r('c', { data_type: 'boolean' }), r('d', {})]);
    expect([...(info.defaults.get('t') ?? [])]).toEqual(['a', 'b']);
    expect([...(info.booleans.get('t') ?? [])]).toEqual(['c']);
  });
});
