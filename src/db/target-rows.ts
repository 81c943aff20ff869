/**
 * Reading back what a run wrote (pure SQL text), for `xmlmigrate verify`: the rows of one target
 * table for a set of apps, either an explicit list of app_ids or a half-open app_id range (so rows
 * of apps that are not in the source are found too). Each dialect reads a column in the form that
 * keeps its value exact on the way to JavaScript (see {@link readExpression}); the comparison then
 * normalizes both sides (src/verify/normalize.ts).
 */
import type { DialectName } from './db-error.js';
import type { ColumnModel, TableModel } from './schema-types.js';
import { badArgument, chunk, validateSourceFilter, type SqlStatement, type SqlStyle } from './sql-text.js';

/**
 * Which apps' rows to read: exactly these app_ids, or every app_id with `above < app_id <= atMost`
 * (a null bound is open).
 */
export type AppIdSelection =
  | { readonly appIds: readonly number[] }
  | { readonly above: number | null; readonly atMost: number | null };

/**
 * The select expression of one column, chosen so the driver hands over an exact value:
 * - SQL Server: decimals as their text (`CONVERT(varchar)`: the driver would return a double),
 *   dates (style 23) and datetimes (ODBC canonical, style 121: every fraction digit) as text — the
 *   driver's Date has milliseconds only — and bigints as text;
 * - SQLite: bigints as text (better-sqlite3 returns doubles beyond 2^53);
 * - PostgreSQL: as stored (the session reads numeric, int8, date and timestamps back as text).
 */
export function readExpression(dialect: DialectName, col: ColumnModel, quoted: string): string {
  const k = col.type.kind;
  if (dialect === 'mssql') {
    if (k === 'decimal') return `CONVERT(varchar(60), ${quoted})`;
    if (k === 'date') return `CONVERT(char(10), ${quoted}, 23)`;
    if (k === 'datetime' || k === 'instant') return `CONVERT(varchar(40), ${quoted}, 121)`;
    if (k === 'bigint') return `CONVERT(varchar(24), ${quoted})`;
    return quoted;
  }
  if (dialect === 'sqlite' && k === 'bigint') return `CAST(${quoted} AS TEXT)`;
  return quoted;
}

/**
 * `SELECT <columns> FROM <table> WHERE <selection> ORDER BY app_id`, one statement per chunk of at
 * most `maxIds` app_ids (a range is one statement). `columns` default to every column of the table;
 * each comes back under its own name.
 */
export function targetRowsSql(style: SqlStyle, table: TableModel, sel: AppIdSelection, maxIds: number, columns?: readonly string[]): SqlStatement[] {
  const cols = columns ? columns.map((name) => {
    const c = table.columns.find((x) => x.name === name);
    if (!c) throw new Error(`internal: ${table.name} has no column ${name}`);
    return c;
  }) : table.columns;
  const select = cols.map((c) => `${readExpression(style.dialect, c, style.quote(c.name))} AS ${style.quote(c.name)}`).join(', ');
  const id = style.quote('app_id');
  const head = `SELECT ${select} FROM ${style.qualify(table)} WHERE `;
  const tail = ` ORDER BY ${id}`;
  if ('appIds' in sel) {
    for (const v of sel.appIds) if (!Number.isSafeInteger(v)) throw badArgument(style.dialect, `app_id: must be an integer, got ${String(v)}`);
    return chunk([...new Set(sel.appIds)], maxIds).map((ids) => {
      return { text: `${head}${id} IN (${ids.map((_, i) => style.param(i)).join(', ')})${tail}`, params: ids };
    });
  }
  validateSourceFilter(style.dialect, { ...(sel.above === null ? {} : { afterAppId: sel.above }), ...(sel.atMost === null ? {} : { appIdEnd: sel.atMost }) });
  const where: string[] = [];
  const params: number[] = [];
  if (sel.above !== null) { params.push(sel.above); where.push(`${id} > ${style.param(params.length - 1)}`); }
  if (sel.atMost !== null) { params.push(sel.atMost); where.push(`${id} <= ${style.param(params.length - 1)}`); }
  return [{ text: `${head}${where.length ? where.join(' AND ') : '1 = 1'}${tail}`, params }];
}
