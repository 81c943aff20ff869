/**
 * SQLite DDL (pure). Schemas are ignored (SQLite has none; `target_schema` only matters on
 * SQL Server and PostgreSQL). Type choices keep values exact:
 * - decimals are `DECIMAL_TEXT(18,p)` — TEXT affinity, so the fixed-scale decimal text is stored
 *   byte for byte (a NUMERIC column would turn it into a double and lose digits);
 * - datetimes are `DATETIME_TEXT` / `DATE_TEXT` holding ISO-8601 text (`2025-01-02T03:04:05.123456`),
 *   which sorts correctly and works with SQLite's date functions;
 * - `VARCHAR(n)` gets CHECK (length(x) <= n) so SQLite rejects over-long text like the others do;
 * - bits are INTEGER with CHECK (x IN (0, 1)).
 */
import { createTableBody, creationOrder, type DdlSpelling } from '../ddl-common.js';
import { quoteDouble } from '../identifiers.js';
import type { ColumnModel, SchemaModel, TableModel } from '../schema-types.js';

/** `"table"` — SQLite ignores the schema. */
export function sqliteQualify(table: Pick<TableModel, 'schema' | 'name'>): string {
  return quoteDouble(table.name);
}

/** The declared SQLite type of a column. */
export function sqliteType(col: ColumnModel): string {
  const t = col.type;
  switch (t.kind) {
    case 'string': return t.length === 'max' ? 'TEXT' : `VARCHAR(${t.length})`;
    case 'decimal': return `DECIMAL_TEXT(${t.precision},${t.scale})`;
    // All INTEGER affinity; the spelling documents the intended range (app_id stays INTEGER: rowid alias).
    case 'tinyint': return 'TINYINT';
    case 'smallint': return 'SMALLINT';
    case 'bigint': return 'BIGINT';
    case 'int': case 'bit': return 'INTEGER';
    case 'float': return 'REAL';
    case 'date': return 'DATE_TEXT';
    case 'datetime': return 'DATETIME_TEXT';
    case 'instant': return 'DATETIME_TEXT';
  }
}

const spelling: DdlSpelling = {
  quote: quoteDouble,
  qualify: sqliteQualify,
  type: sqliteType,
  checks(col) {
    const q = quoteDouble(col.name);
    if (col.type.kind === 'string' && col.type.length !== 'max') return [`length(${q}) <= ${col.type.length}`];
    if (col.type.kind === 'bit') return [`${q} IN (0, 1)`];
    return [];
  },
  nowDefault: "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
  namedConstraints: false,
};

/** `CREATE TABLE IF NOT EXISTS` for one table. */
export function sqliteCreateTable(table: TableModel): string {
  return `CREATE TABLE IF NOT EXISTS ${sqliteQualify(table)} (\n${createTableBody(table, spelling).join(',\n')}\n)`;
}

/** Every statement `schema --dialect sqlite` prints / `--apply` runs, in order. */
export function sqliteDdl(model: SchemaModel, opts: { readonly includeSource?: boolean } = {}): string[] {
  const tables = [...creationOrder(model.tables), model.processingLog, ...model.claimTables, ...(opts.includeSource ?? true ? [model.source] : [])];
  return tables.map(sqliteCreateTable);
}
