/**
 * SQL Server DDL (pure, T-SQL). Schema created if missing; each table created only when
 * `OBJECT_ID` finds none (existing tables are never altered — preflight reports mismatches).
 * Types: nvarchar(n) (n > 4000 or -1/absent → nvarchar(max)), decimal(18,p), tinyint…bigint,
 * float, bit, date, datetime2(6) (microseconds kept); processed_at datetime2(6) DEFAULT SYSUTCDATETIME().
 * Keys are plain int columns (app_id/con_id come from the documents): no IDENTITY.
 */
import { createTableBody, creationOrder, type DdlSpelling } from '../ddl-common.js';
import { quoteBracket } from '../identifiers.js';
import type { ColumnModel, SchemaModel, TableModel } from '../schema-types.js';

/** Longest sized nvarchar; longer lengths become nvarchar(max). */
export const MSSQL_MAX_NVARCHAR = 4000;

/** `[schema].[table]`. */
export function mssqlQualify(table: Pick<TableModel, 'schema' | 'name'>): string {
  return `${quoteBracket(table.schema)}.${quoteBracket(table.name)}`;
}

/** The T-SQL type of a column. */
export function mssqlColumnType(col: ColumnModel): string {
  const t = col.type;
  switch (t.kind) {
    case 'string': return t.length === 'max' || t.length > MSSQL_MAX_NVARCHAR ? 'nvarchar(max)' : `nvarchar(${t.length})`;
    case 'decimal': return `decimal(${t.precision},${t.scale})`;
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'bit': case 'float': case 'date': return t.kind;
    case 'datetime': case 'instant': return 'datetime2(6)';
  }
}

const spelling: DdlSpelling = {
  quote: quoteBracket,
  qualify: mssqlQualify,
  type: mssqlColumnType,
  checks: () => [],
  nowDefault: 'SYSUTCDATETIME()',
  namedConstraints: true,
};

/** N'…' string literal (for OBJECT_ID / SCHEMA_ID arguments built from validated identifiers). */
export function nliteral(text: string): string {
  return `N'${text.replace(/'/g, "''")}'`;
}

/** `IF OBJECT_ID(…) IS NULL CREATE TABLE …` for one table. */
export function mssqlCreateTable(table: TableModel): string {
  const name = mssqlQualify(table);
  return `IF OBJECT_ID(${nliteral(name)}, N'U') IS NULL\nCREATE TABLE ${name} (\n${createTableBody(table, spelling).join(',\n')}\n)`;
}

/** Every batch `schema --dialect mssql` prints / `--apply` runs, in order (print them separated by GO). */
export function mssqlDdl(model: SchemaModel, opts: { readonly includeSource?: boolean } = {}): string[] {
  const tables = [...creationOrder(model.tables), model.processingLog, ...model.claimTables, ...(opts.includeSource ?? true ? [model.source] : [])];
  const schema = quoteBracket(model.schema);
  return [
    `IF SCHEMA_ID(${nliteral(model.schema)}) IS NULL EXEC(${nliteral(`CREATE SCHEMA ${schema}`)})`,
    ...tables.map(mssqlCreateTable),
  ];
}
