/**
 * PostgreSQL DDL (pure). `CREATE SCHEMA IF NOT EXISTS`, then `CREATE TABLE IF NOT EXISTS` per table.
 * Types: varchar(n)/text, numeric(18,p), smallint/integer/bigint (tinyint → smallint), double
 * precision, date, timestamp(6) without time zone (local wall-clock time, never shifted);
 * bit → smallint holding 0/1 (CHECK) so stored values are the same 0/1 integers as on
 * SQL Server and SQLite; processed_at → timestamptz DEFAULT now().
 */
import { createTableBody, creationOrder, type DdlSpelling } from '../ddl-common.js';
import { quoteDouble } from '../identifiers.js';
import type { ColumnModel, SchemaModel, TableModel } from '../schema-types.js';

/** Longest varchar PostgreSQL accepts; longer contract lengths become text. */
export const PG_MAX_VARCHAR = 10_485_760;

/** `"schema"."table"`. */
export function postgresQualify(table: Pick<TableModel, 'schema' | 'name'>): string {
  return `${quoteDouble(table.schema)}.${quoteDouble(table.name)}`;
}

/** The PostgreSQL type of a column. */
export function postgresType(col: ColumnModel): string {
  const t = col.type;
  switch (t.kind) {
    case 'string': return t.length === 'max' || t.length > PG_MAX_VARCHAR ? 'text' : `varchar(${t.length})`;
    case 'decimal': return `numeric(${t.precision},${t.scale})`;
    case 'tinyint': case 'smallint': case 'bit': return 'smallint';
    case 'int': return 'integer';
    case 'bigint': return 'bigint';
    case 'float': return 'double precision';
    case 'date': return 'date';
    case 'datetime': return 'timestamp(6) without time zone';
    case 'instant': return 'timestamptz';
  }
}

const spelling: DdlSpelling = {
  quote: quoteDouble,
  qualify: postgresQualify,
  type: postgresType,
  checks: (col) => (col.type.kind === 'bit' ? [`${quoteDouble(col.name)} IN (0, 1)`] : []),
  nowDefault: 'now()',
  namedConstraints: false,
};

/** `CREATE TABLE IF NOT EXISTS` for one table. */
export function postgresCreateTable(table: TableModel): string {
  return `CREATE TABLE IF NOT EXISTS ${postgresQualify(table)} (\n${createTableBody(table, spelling).join(',\n')}\n)`;
}

/** Every statement `schema --dialect postgres` prints / `--apply` runs, in order. */
export function postgresDdl(model: SchemaModel, opts: { readonly includeSource?: boolean } = {}): string[] {
  const tables = [...creationOrder(model.tables), model.processingLog, ...model.claimTables, ...(opts.includeSource ?? true ? [model.source] : [])];
  return [`CREATE SCHEMA IF NOT EXISTS ${quoteDouble(model.schema)}`, ...tables.map(postgresCreateTable)];
}
