/**
 * SQLite planning (pure): the SQL style, INSERT text per (table, column set), bind values, and
 * the normaliser that turns `PRAGMA table_xinfo` rows into preflight {@link LiveTable}s.
 */
import type { EncodedCell } from '../cell-encode.js';
import { quoteDouble } from '../identifiers.js';
import type { LiveColumn, LiveTable, LiveType } from '../preflight.js';
import type { ColumnModel, TableModel } from '../schema-types.js';
import type { SqlStyle } from '../sql-text.js';
import { sqliteQualify } from './sqlite-ddl.js';

/** Placeholders `?`, double-quoted identifiers, LIMIT. */
export const SQLITE_STYLE: SqlStyle = {
  dialect: 'sqlite', quote: quoteDouble, qualify: sqliteQualify, param: () => '?', limit: 'limit',
};

/** SQLite's bound-parameter limit (SQLITE_MAX_VARIABLE_NUMBER default since 3.32). */
export const SQLITE_MAX_PARAMS = 32766;

/** A value better-sqlite3 can bind. */
export type SqliteValue = null | string | number | bigint;

/** Binds one encoded cell: dates as `YYYY-MM-DD`, datetimes as ISO text without zone, the rest as is. */
export function sqliteValue(cell: EncodedCell, col: ColumnModel): SqliteValue {
  if (cell === null || typeof cell !== 'object') return cell;
  return col.type.kind === 'date' ? cell.dateText : cell.iso;
}

/** `INSERT INTO "t" ("a", "b") VALUES (?, ?)` for one row with exactly these columns. */
export function sqliteInsertSql(table: TableModel, columns: readonly string[]): string {
  return `INSERT INTO ${sqliteQualify(table)} (${columns.map(quoteDouble).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
}

/** Normalises an SQLite declared type (affinity rules plus the product's own `*_TEXT` names). */
export function sqliteLiveType(declared: string): { type: LiveType; declared: string } {
  const up = declared.trim().toUpperCase();
  const args = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(up);
  const a1 = args?.[1] === undefined ? null : Number(args[1]);
  const a2 = args?.[2] === undefined ? null : Number(args[2]);
  if (up.startsWith('DECIMAL_TEXT')) return { type: { family: 'exact', precision: a1, scale: a2 ?? 0 }, declared };
  if (up === 'DATETIME_TEXT') return { type: { family: 'datetime', fractionDigits: 6, zoned: false }, declared };
  if (up === 'DATE_TEXT') return { type: { family: 'date' }, declared };
  if (up.includes('INT')) {
    const kind = up.startsWith('TINYINT') ? 'tinyint' : up.startsWith('SMALLINT') ? 'smallint' : up.startsWith('BIGINT') ? 'bigint' : null;
    return { type: { family: 'integer', kind }, declared };
  }
  if (/CHAR|CLOB|TEXT/.test(up)) return { type: { family: 'string', length: /CHAR/.test(up) && a1 !== null ? a1 : 'max' }, declared };
  if (/REAL|FLOA|DOUB/.test(up)) return { type: { family: 'float' }, declared };
  if (up.startsWith('BOOL')) return { type: { family: 'boolean' }, declared };
  if (up === 'DATE') return { type: { family: 'date' }, declared };
  if (up.startsWith('DATETIME') || up.startsWith('TIMESTAMP')) return { type: { family: 'datetime', fractionDigits: 6, zoned: false }, declared };
  if (/DEC|NUMERIC/.test(up)) {
    // NUMERIC affinity converts decimal text to a double (15 significant digits): not exact.
    return { type: { family: 'float' }, declared: `${declared} (NUMERIC affinity stores a double; use DECIMAL_TEXT)` };
  }
  return { type: { family: 'other' }, declared: declared === '' ? '(no type)' : declared };
}

/** One row of `PRAGMA table_xinfo`. */
export interface SqliteColumnInfo {
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly dflt_value: string | null;
  readonly pk: number;
  readonly hidden: number;
}

/** Builds a LiveTable from `PRAGMA table_xinfo` rows and the single-column unique indexes. */
export function sqliteLiveTable(name: string, cols: readonly SqliteColumnInfo[], uniqueIndexColumns: readonly string[]): LiveTable {
  const pkCols = cols.filter((c) => c.pk > 0);
  const rowidAlias = pkCols.length === 1 && pkCols[0]?.type.toUpperCase() === 'INTEGER' ? pkCols[0].name : null;
  const columns = new Map<string, LiveColumn>();
  for (const c of cols) {
    const { type, declared } = sqliteLiveType(c.type);
    const generated = c.hidden === 2 || c.hidden === 3;
    columns.set(c.name, {
      name: c.name, type, declared,
      // A rowid-alias primary key is never NULL and fills itself.
      nullable: c.notnull === 0 && c.name !== rowidAlias,
      hasDefault: c.dflt_value !== null || c.name === rowidAlias || generated,
      isIdentity: c.name === rowidAlias,
    });
  }
  const unique = new Set(uniqueIndexColumns);
  if (pkCols.length === 1 && pkCols[0]) unique.add(pkCols[0].name);
  return { name, columns, uniqueColumns: unique };
}
