/**
 * PostgreSQL planning (pure): SQL style, COPY FROM STDIN data, multi-row parameterised INSERTs
 * chunked under the 65,535-parameter limit, parameter values, and the catalog query + normaliser
 * for preflight.
 *
 * Values travel as text parameters with no type OID, so the server parses them with the target
 * column's own input function: decimals arrive as exact text (`"12345678901234.56"`), datetimes as
 * `YYYY-MM-DD HH:MM:SS.ffffff` (no JavaScript Date, no time-zone shift). A NULL cell is written as
 * `DEFAULT` — the column default, or NULL when it has none — the same rule as the other dialects.
 * `OVERRIDING SYSTEM VALUE` lets a pre-existing GENERATED ALWAYS identity key take the document's id
 * (COPY writes identity values as given).
 *
 * Fast path: one `COPY … (used columns) FROM STDIN` per table in the text format — measured faster
 * than the earlier `INSERT … SELECT * FROM unnest($1::t[], …)` (which was ~2× faster than multi-row
 * VALUES on wide tables): 16–21 % less wall and 15–33 % less machine CPU for the rows of 750 apps
 * (`benchmarks/write-path.mjs`, BENCHMARKS.md). The server reads every value with the column's
 * own input function, as for parameters. COPY cannot say DEFAULT (a missing value is NULL), so a
 * table falls back to the multi-row VALUES form when one of its written columns has a live DEFAULT
 * (or is boolean) and some row leaves it NULL.
 */
import type { PreparedTable } from '../batch-prep.js';
import { sqlDateTimeText, type EncodedCell } from '../cell-encode.js';
import { quoteDouble } from '../identifiers.js';
import type { LiveColumn, LiveTable, LiveType } from '../preflight.js';
import { catalogTables, type ColumnModel, type SchemaModel } from '../schema-types.js';
import type { SqlStatement, SqlStyle } from '../sql-text.js';
import { postgresQualify } from './postgres-ddl.js';

/** `$1`-style placeholders, double-quoted identifiers, LIMIT. */
export const POSTGRES_STYLE: SqlStyle = {
  dialect: 'postgres', quote: quoteDouble, qualify: postgresQualify, param: (i) => `$${i + 1}`, limit: 'limit',
};

/** The protocol's bind-parameter limit (Int16 count). */
export const PG_MAX_PARAMS = 65_535;
/** Upper bound on rows per INSERT statement, to keep statement text moderate. */
export const PG_MAX_ROWS_PER_INSERT = 5_000;

/** One parameter value: text, number, or NULL. */
export function postgresValue(cell: EncodedCell, col: ColumnModel): string | number | null {
  if (cell === null || typeof cell === 'string' || typeof cell === 'number') return cell;
  if (typeof cell === 'bigint') return cell.toString();
  return col.type.kind === 'date' ? cell.dateText : sqlDateTimeText(cell);
}

/** Multi-row INSERTs for one prepared table, each with at most `maxParams` parameters. */
export function postgresInsertStatements(pt: PreparedTable, maxParams = PG_MAX_PARAMS, maxRows = PG_MAX_ROWS_PER_INSERT): SqlStatement[] {
  const { table } = pt;
  const cols = table.columns.map((c, i) => ({ c, i })).filter(({ i }) => pt.used[i]);
  if (cols.length === 0) return pt.rows.map(() => ({ text: `INSERT INTO ${postgresQualify(table)} DEFAULT VALUES`, params: [] }));
  const head = `INSERT INTO ${postgresQualify(table)} (${cols.map(({ c }) => quoteDouble(c.name)).join(', ')}) OVERRIDING SYSTEM VALUE VALUES `;
  const out: SqlStatement[] = [];
  let tuples: string[] = [];
  let params: (string | number | null)[] = [];
  const flush = (): void => {
    if (tuples.length) out.push({ text: head + tuples.join(', '), params });
    tuples = [];
    params = [];
  };
  for (const row of pt.rows) {
    const needed = cols.reduce((n, { i }) => n + (row[i] === null ? 0 : 1), 0);
    if (params.length + needed > maxParams || tuples.length >= maxRows) flush();
    const parts = cols.map(({ c, i }) => {
      const cell = row[i] ?? null;
      if (cell === null) return 'DEFAULT';
      params.push(postgresValue(cell, c));
      return `$${params.length}`;
    });
    tuples.push(`(${parts.join(', ')})`);
  }
  flush();
  return out;
}

/** Per-table facts from the live catalog that decide between the unnest and VALUES forms. */
export interface PgLiveInfo {
  /** table → columns with a DEFAULT (or identity / generated). */
  readonly defaults: ReadonlyMap<string, ReadonlySet<string>>;
  /** table → boolean columns. */
  readonly booleans: ReadonlyMap<string, ReadonlySet<string>>;
}

/** A parameterised statement. */
export interface PgStatement {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** A `COPY … FROM STDIN` and its data: complete lines of COPY text, UTF-8. */
export interface PgCopyStatement {
  readonly copy: string;
  readonly data: Buffer;
  readonly rows: number;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped. */
export function copyTextValue(v: string | number | null): string {
  if (v === null) return '\\N';
  const t = String(v);
  return /[\\\t\n\r]/.test(t) ? t.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : t;
}

/** True when `pt` must use the VALUES form (a NULL would have to become a live DEFAULT, or a boolean column). */
export function needsValuesForm(pt: PreparedTable, live?: PgLiveInfo): boolean {
  if (!live) return false;
  const defaults = live.defaults.get(pt.table.name);
  const booleans = live.booleans.get(pt.table.name);
  return pt.table.columns.some((c, i) => pt.used[i] && (booleans?.has(c.name)
    || (defaults?.has(c.name) && pt.rows.some((r) => r[i] === null))));
}

/** One `COPY … FROM STDIN` of all rows of `pt` over its used columns (NULL cells insert NULL). */
export function postgresCopyStatement(pt: PreparedTable): PgCopyStatement {
  const { table } = pt;
  const cols = table.columns.map((c, i) => ({ c, i })).filter(({ i }) => pt.used[i]);
  const lines: string[] = [];
  for (const row of pt.rows) lines.push(`${cols.map(({ c, i }) => copyTextValue(postgresValue(row[i] ?? null, c))).join('\t')}\n`);
  return {
    copy: `COPY ${postgresQualify(table)} (${cols.map(({ c }) => quoteDouble(c.name)).join(', ')}) FROM STDIN`,
    data: Buffer.from(lines.join(''), 'utf8'),
    rows: pt.rows.length,
  };
}

/** The statements that write `pt`: one COPY, or multi-row VALUES when {@link needsValuesForm}. */
export function postgresTableStatements(pt: PreparedTable, live?: PgLiveInfo): (PgStatement | PgCopyStatement)[] {
  if (pt.rows.length === 0) return [];
  if (!pt.used.some(Boolean) || needsValuesForm(pt, live)) return postgresInsertStatements(pt);
  return [postgresCopyStatement(pt)];
}

/** information_schema.columns for the model's tables ($1 = schema, $2 = table names). */
export function postgresColumnsSql(model: SchemaModel): SqlStatement {
  const names = catalogTables(model).map((t) => t.name);
  return {
    text: `SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,
  datetime_precision, is_nullable, column_default, is_identity, is_generated
FROM information_schema.columns WHERE table_schema = $1 AND table_name = ANY($2::text[]) ORDER BY table_name, ordinal_position`,
    params: [model.schema, `{${names.join(',')}}`],
  };
}

/** Single-column unique indexes (PK, UNIQUE, unique index without predicate) of the model's tables. */
export function postgresUniqueSql(model: SchemaModel): SqlStatement {
  const names = catalogTables(model).map((t) => t.name);
  return {
    text: `SELECT t.relname AS table_name, a.attname AS column_name
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
WHERE n.nspname = $1 AND t.relname = ANY($2::text[]) AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL`,
    params: [model.schema, `{${names.join(',')}}`],
  };
}

/** One row of {@link postgresColumnsSql}. */
export interface PgColumnRow {
  readonly table_name: string;
  readonly column_name: string;
  readonly data_type: string;
  readonly character_maximum_length: number | null;
  readonly numeric_precision: number | null;
  readonly numeric_scale: number | null;
  readonly datetime_precision: number | null;
  readonly is_nullable: 'YES' | 'NO';
  readonly column_default: string | null;
  readonly is_identity: 'YES' | 'NO';
  readonly is_generated: string;
}

/** Normalises one information_schema column type. */
export function postgresLiveType(r: PgColumnRow): { type: LiveType; declared: string } {
  const len = r.character_maximum_length;
  switch (r.data_type) {
    case 'character varying': return { type: { family: 'string', length: len ?? 'max' }, declared: len === null ? 'varchar' : `varchar(${len})` };
    case 'character': return { type: { family: 'string', length: len ?? 1 }, declared: `char(${len ?? 1})` };
    case 'text': case 'xml': return { type: { family: 'string', length: 'max' }, declared: r.data_type };
    case 'numeric': return {
      type: { family: 'exact', precision: r.numeric_precision, scale: r.numeric_scale },
      declared: r.numeric_precision === null ? 'numeric' : `numeric(${r.numeric_precision},${r.numeric_scale ?? 0})`,
    };
    case 'smallint': return { type: { family: 'integer', kind: 'smallint' }, declared: 'smallint' };
    case 'integer': return { type: { family: 'integer', kind: 'int' }, declared: 'integer' };
    case 'bigint': return { type: { family: 'integer', kind: 'bigint' }, declared: 'bigint' };
    case 'real': case 'double precision': return { type: { family: 'float' }, declared: r.data_type };
    case 'boolean': return { type: { family: 'boolean' }, declared: 'boolean' };
    case 'date': return { type: { family: 'date' }, declared: 'date' };
    case 'timestamp without time zone': case 'timestamp with time zone': {
      const zoned = r.data_type.endsWith('with time zone');
      const p = r.datetime_precision ?? 6;
      return { type: { family: 'datetime', fractionDigits: p, zoned }, declared: `${zoned ? 'timestamptz' : 'timestamp'}(${p})` };
    }
    default: return { type: { family: 'other' }, declared: r.data_type };
  }
}

/** Builds the unnest/VALUES decision facts from catalog rows. */
export function postgresLiveInfo(cols: readonly PgColumnRow[]): PgLiveInfo {
  const defaults = new Map<string, Set<string>>();
  const booleans = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, t: string, c: string): void => {
    let set = m.get(t);
    if (!set) m.set(t, set = new Set());
    set.add(c);
  };
  for (const r of cols) {
    if (r.column_default !== null || r.is_identity === 'YES' || r.is_generated === 'ALWAYS') add(defaults, r.table_name, r.column_name);
    if (r.data_type === 'boolean') add(booleans, r.table_name, r.column_name);
  }
  return { defaults, booleans };
}

/** Groups catalog rows into LiveTables. */
export function postgresLiveTables(cols: readonly PgColumnRow[], unique: readonly { table_name: string; column_name: string }[]): Map<string, LiveTable> {
  const byTable = new Map<string, Map<string, LiveColumn>>();
  for (const r of cols) {
    let m = byTable.get(r.table_name);
    if (!m) byTable.set(r.table_name, m = new Map());
    const { type, declared } = postgresLiveType(r);
    const isIdentity = r.is_identity === 'YES';
    m.set(r.column_name, {
      name: r.column_name, type, declared, isIdentity,
      nullable: r.is_nullable === 'YES',
      hasDefault: r.column_default !== null || isIdentity || r.is_generated === 'ALWAYS',
    });
  }
  const out = new Map<string, LiveTable>();
  for (const [name, columns] of byTable) {
    out.set(name, { name, columns, uniqueColumns: new Set(unique.filter((u) => u.table_name === name).map((u) => u.column_name)) });
  }
  return out;
}
