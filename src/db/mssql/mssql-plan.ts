/**
 * SQL Server planning (pure): turns a prepared table into bulk loads and T-SQL steps, and holds
 * the catalog queries. Nothing here talks to a server, so every plan is unit-tested for its exact
 * column definitions and SQL text.
 *
 * Per table, by default (the server has OPENJSON — SQL Server 2016+ at compatibility level ≥ 130, and
 * the TDS test server — probed once per session):
 * - one `INSERT INTO t (cols) SELECT cols FROM OPENJSON(@jN) WITH (col carrier-type '$[k]', …)`: the
 *   table's rows travel as ONE nvarchar(max) parameter holding a JSON array of row arrays, and every
 *   table of the batch plus processing_log goes to the server in ONE request (see mssql-writer.ts), so a
 *   batch costs three round trips (begin, the request, commit) instead of two per table for bulk
 *   loads. Measured faster on the TDS test server (benchmarks/mssql-choices.mjs, BENCHMARKS.md).
 *   Values convert as for any INSERT: NOT NULL, CHECK, foreign keys, string lengths (truncation is
 *   an error under the session's ANSI_WARNINGS ON), decimal precision and integer ranges are enforced
 *   by the server the same way on SQL Server and the test server, unlike bulk loads there. Decimals
 *   travel as their exact text (no double rounding), datetimes as ISO text with microseconds,
 *   bigints as text. The carrier type (the WITH column) is the live type for decimal, date, bit and
 *   float columns, nvarchar(max) for strings, bigint for integers and datetime2(7) for datetimes, so
 *   that narrowing to the live column is the INSERT's own conversion (an error, never a silent cut);
 * - a table with a live IDENTITY column among the loaded ones is wrapped in SET IDENTITY_INSERT ON/OFF;
 * - a table where a NULL cell must become a live column DEFAULT (INSERT … SELECT would store NULL)
 *   takes the bulk load below instead.
 * Otherwise (no OPENJSON):
 * - rows go into one TDS bulk load (`insert bulk` via `request.bulk`) with CHECK_CONSTRAINTS (so
 *   foreign keys and CHECKs are enforced as for INSERT) and without KEEP_NULLS (a NULL cell takes
 *   the column default, NULL when there is none — the same rule as the other dialects);
 * - rows holding a decimal tedious cannot serialise exactly go through a multi-row INSERT whose
 *   decimal parameters are text CAST on the server (exact);
 * - a pre-existing table whose loaded columns include an IDENTITY column: `insert bulk` cannot keep
 *   identity values (tedious has no KEEP_IDENTITY option, and SET IDENTITY_INSERT does not apply to
 *   bulk loads), so rows are bulk-loaded into a session temp table with the same column types,
 *   then moved with SET IDENTITY_INSERT ON; INSERT … SELECT; SET IDENTITY_INSERT OFF — all inside
 *   the batch transaction.
 */
import type { PreparedTable } from '../batch-prep.js';
import { ValueError } from '../db-error.js';
import { quoteBracket } from '../identifiers.js';
import { catalogTables, type SchemaModel } from '../schema-types.js';
import { chunk, type SqlStatement, type SqlStyle } from '../sql-text.js';
import { mssqlQualify } from './mssql-ddl.js';
import { canonicalDecimal, type EncodedCell } from '../cell-encode.js';
import {
  isInexactDecimal, mssqlSpecForColumn, mssqlTypeSql, mssqlValue, type MssqlTypeSpec,
} from './mssql-types.js';

/** `@p0` placeholders, bracket quoting, TOP. */
export const MSSQL_STYLE: SqlStyle = {
  dialect: 'mssql', quote: quoteBracket, qualify: mssqlQualify, param: (i) => `@p${i}`, limit: 'top',
};

/** Parameters allowed per request (2,100, minus headroom). */
export const MSSQL_MAX_PARAMS = 2000;
/** Row constructors allowed in one VALUES list. */
export const MSSQL_MAX_VALUES_ROWS = 1000;

/** One bulk-load column. */
export interface BulkColumn {
  readonly name: string;
  readonly type: MssqlTypeSpec;
  readonly nullable: boolean;
}

/** TDS bulk-load options handed to tedious. */
export interface BulkOptions {
  readonly checkConstraints: boolean;
  readonly keepNulls: boolean;
}

/** The bulk options every load uses. */
export const BULK_OPTIONS: BulkOptions = { checkConstraints: true, keepNulls: false };

/** One bulk load: target path (as `mssql.Table` parses it), columns, rows in column order. */
export interface BulkLoad {
  readonly path: string;
  readonly columns: readonly BulkColumn[];
  readonly rows: readonly (readonly unknown[])[];
  readonly options: BulkOptions;
}

/** A typed request parameter. */
export interface MssqlParam {
  readonly name: string;
  readonly type: MssqlTypeSpec;
  readonly value: unknown;
}

/** T-SQL text with typed parameters. */
export interface MssqlStatement {
  readonly text: string;
  readonly params: readonly MssqlParam[];
}

/** One step of a table plan. */
export type MssqlStep = { readonly kind: 'bulk'; readonly load: BulkLoad } | { readonly kind: 'sql'; readonly statement: MssqlStatement };

/** Everything to write one table. */
export interface MssqlTablePlan {
  readonly table: string;
  readonly steps: readonly MssqlStep[];
  readonly rowCount: number;
}

/** What the live database says about the tables being written (from {@link mssqlColumnsSql}). */
export interface MssqlLiveInfo {
  /** table → column → spec of the live column. */
  readonly types: ReadonlyMap<string, ReadonlyMap<string, MssqlTypeSpec>>;
  /** table → IDENTITY column names. */
  readonly identity: ReadonlyMap<string, ReadonlySet<string>>;
  /** table → columns with a DEFAULT (absent: the model's defaults). */
  readonly defaults?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Every table (bracket-qualified) whose live IDENTITY column is one the model writes: the tables a
   * batch may switch IDENTITY_INSERT on for. IDENTITY_INSERT is a session setting, not part of the
   * transaction: a request that fails between ON and OFF leaves it ON, and SQL Server allows it on
   * for one table per session — so switching it on for one table first switches it off for these.
   */
  readonly identityInsert?: readonly string[];
  /** False when the server has no OPENJSON ({@link MSSQL_OPENJSON_PROBE} failed): bulk loads only. Default true. */
  readonly openJson?: boolean;
}

/** Succeeds on a server whose current database can run the OPENJSON … WITH inserts. */
export const MSSQL_OPENJSON_PROBE = "SELECT COUNT(*) AS n FROM OPENJSON(N'[[1]]') WITH (a int '$[0]')";

/** Temp-table name used to stage rows of an identity table. */
export function stageName(table: string): string {
  return `#xm_stage_${table}`.slice(0, 116);
}

function insertStatements(
  target: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[], paramName: (statement: number, n: number) => string = (_, n) => `p${n}`,
): MssqlStatement[] {
  const perRow = Math.max(1, columns.length);
  const size = Math.max(1, Math.min(MSSQL_MAX_VALUES_ROWS, Math.floor(MSSQL_MAX_PARAMS / perRow)));
  const head = `INSERT INTO ${target} (${columns.map((c) => quoteBracket(c.name)).join(', ')}) VALUES `;
  return chunk(rows, size).map((group, g) => {
    const params: MssqlParam[] = [];
    const tuples = group.map((row) => `(${columns.map((c, i) => {
      const v = row[i];
      if (v === null || v === undefined) return 'DEFAULT';
      const name = paramName(g, params.length);
      if (isInexactDecimal(v)) {
        params.push({ name, type: { name: 'VarChar', length: 50 }, value: v.inexactDecimal });
        return `CAST(@${name} AS ${mssqlTypeSql(c.type)})`;
      }
      params.push({ name, type: c.type, value: v });
      return `@${name}`;
    }).join(', ')})`);
    return { text: head + tuples.join(', '), params };
  });
}

/** The WITH-clause type an OPENJSON column is read as before the INSERT converts it to the live type. */
export function openJsonCarrier(spec: MssqlTypeSpec): string {
  switch (spec.name) {
    case 'NVarChar': case 'VarChar': case 'NChar': case 'Char': return 'nvarchar(max)';
    case 'TinyInt': case 'SmallInt': case 'Int': case 'BigInt': return 'bigint';
    case 'DateTime2': case 'DateTime': case 'SmallDateTime': case 'DateTimeOffset': return 'datetime2(7)';
    default: return mssqlTypeSql(spec);
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A checked cell ({@link mssqlValue} has accepted it) as the JSON value the carrier type reads exactly. */
function jsonCell(cell: EncodedCell, spec: MssqlTypeSpec, checked: unknown): unknown {
  if (checked === null || checked === undefined || cell === null) return null;
  if (typeof cell === 'object') {
    const date = `${pad(cell.year, 4)}-${pad(cell.month)}-${pad(cell.day)}`;
    return spec.name === 'Date' ? date : `${date}T${pad(cell.hour)}:${pad(cell.minute)}:${pad(cell.second)}.${pad(cell.micro, 6)}`;
  }
  if (spec.name === 'Decimal' || spec.name === 'Numeric') return isInexactDecimal(checked) ? checked.inexactDecimal : canonicalDecimal(String(cell), spec.precision, spec.scale);
  if (typeof checked === 'bigint') return checked.toString();
  return checked;
}

/** The table's columns with a DEFAULT: the live catalog's when known, else the model's. */
function defaultColumns(pt: PreparedTable, live?: MssqlLiveInfo): Set<string> {
  const live1 = live?.defaults?.get(pt.table.name);
  return new Set(pt.table.columns.filter((c) => (live1 ? live1.has(c.name) : c.defaultNow === true)).map((c) => c.name));
}

/**
 * True for a string OPENJSON returns intact on every server the product has met: nothing JSON must
 * escape (quote, backslash, control characters, unpaired surrogates) and at most 4,000 UTF-16 units.
 * The TDS test server's OPENJSON returns escaped text as written ("a\\tb") and cuts nvarchar(max)
 * values at 4,000 characters; such strings go as typed parameters instead (see planMssqlTable).
 */
export function plainJsonString(s: string): boolean {
  return s.length <= 4000 && !/["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/**
 * Plans one prepared table. Columns: those with at least one value (NULL-only columns are left to
 * their defaults), typed from the live catalog when known, else from the model. `name`: this table's
 * parameter prefix within the batch request (`j0`: the OPENJSON parameter is `@j0`, typed-parameter
 * rows use `@j0_<statement>_<n>`). Rows holding a string {@link plainJsonString} rejects go through a
 * multi-row INSERT … VALUES with typed parameters (decimals tedious cannot send exactly as text CAST on
 * the server) — the same INSERT semantics as the OPENJSON rows.
 */
export function planMssqlTable(pt: PreparedTable, live?: MssqlLiveInfo, name = 'j0'): MssqlTablePlan {
  if (live?.openJson === false) return planMssqlTableBulk(pt, live);
  const { table } = pt;
  const liveTypes = live?.types.get(table.name);
  const used = table.columns.map((c, i) => ({ c, i })).filter(({ i }) => pt.used[i]);
  const columns: BulkColumn[] = used.map(({ c }) => ({ name: c.name, type: liveTypes?.get(c.name) ?? mssqlSpecForColumn(c), nullable: c.nullable }));
  const withDefault = defaultColumns(pt, live);
  const appIdx = table.columns.findIndex((c) => c.name === 'app_id');
  const jsonRows: unknown[][] = [];
  const paramRows: unknown[][] = [];
  for (const row of pt.rows) {
    const json: unknown[] = [];
    const checkedRow: unknown[] = [];
    let plain = true;
    for (let k = 0; k < used.length; k++) {
      const col = columns[k]!;
      const cell = row[used[k]!.i] ?? null;
      // a NULL that must take the column's DEFAULT: INSERT … SELECT cannot, the bulk load can
      if (cell === null && withDefault.has(col.name)) return planMssqlTableBulk(pt, live);
      let checked: unknown;
      try {
        checked = mssqlValue(cell, col.type);
      } catch (e) {
        const appId = row[appIdx];
        throw new ValueError(table.name, col.name, typeof appId === 'number' ? appId : null, e instanceof Error ? e.message : String(e));
      }
      if (typeof checked === 'string' && !plainJsonString(checked)) plain = false;
      checkedRow.push(checked);
      json.push(jsonCell(cell, col.type, checked));
    }
    if (plain) jsonRows.push(json);
    else paramRows.push(checkedRow);
  }
  const target = mssqlQualify(table);
  const identityCols = live?.identity.get(table.name);
  const identity = identityCols !== undefined && columns.some((c) => identityCols.has(c.name));
  const wrap = (st: MssqlStatement): MssqlStatement => (identity ? { text: `${identityOn(target, live)} ${st.text}; SET IDENTITY_INSERT ${target} OFF;`, params: st.params } : { text: `${st.text};`, params: st.params });
  const steps: MssqlStep[] = [];
  if (jsonRows.length > 0) {
    const list = columns.map((c) => quoteBracket(c.name)).join(', ');
    const shape = columns.map((c, k) => `${quoteBracket(c.name)} ${openJsonCarrier(c.type)} '$[${k}]'`).join(', ');
    steps.push({ kind: 'sql', statement: wrap({
      text: `INSERT INTO ${target} (${list}) SELECT ${list} FROM OPENJSON(@${name}) WITH (${shape})`,
      params: [{ name, type: { name: 'NVarChar', length: 'max' }, value: JSON.stringify(jsonRows) }],
    }) });
  }
  for (const st of insertStatements(target, columns, paramRows, (g, n) => `${name}_${g}_${n}`)) steps.push({ kind: 'sql', statement: wrap(st) });
  return { table: table.name, steps, rowCount: pt.rows.length };
}

/**
 * `SET IDENTITY_INSERT <table> ON;`, first switching it off for the session's other identity tables
 * (a request that failed before its OFF may have left one of them on; see {@link MssqlLiveInfo.identityInsert}).
 */
function identityOn(table: string, live: MssqlLiveInfo | undefined): string {
  const others = (live?.identityInsert ?? []).filter((t) => t !== table);
  return [...others.map((t) => `SET IDENTITY_INSERT ${t} OFF;`), `SET IDENTITY_INSERT ${table} ON;`].join(' ');
}

/** The bulk-load plan of one prepared table (servers without OPENJSON; NULLs that take a live DEFAULT). */
export function planMssqlTableBulk(pt: PreparedTable, live?: MssqlLiveInfo): MssqlTablePlan {
  const { table } = pt;
  const liveTypes = live?.types.get(table.name);
  const used = table.columns.map((c, i) => ({ c, i })).filter(({ i }) => pt.used[i]);
  const columns: BulkColumn[] = used.map(({ c }) => ({ name: c.name, type: liveTypes?.get(c.name) ?? mssqlSpecForColumn(c), nullable: c.nullable }));
  const bulkRows: unknown[][] = [];
  const castRows: unknown[][] = [];
  const appIdx = table.columns.findIndex((c) => c.name === 'app_id');
  for (const row of pt.rows) {
    let inexact = false;
    const values = used.map(({ i }, k) => {
      const col = columns[k];
      if (!col) return null;
      let v: unknown;
      try {
        v = mssqlValue(row[i] ?? null, col.type);
      } catch (e) {
        // The live column is narrower than the model's (e.g. decimal(12,2)): fail this app precisely.
        const appId = row[appIdx];
        throw new ValueError(table.name, col.name, typeof appId === 'number' ? appId : null, e instanceof Error ? e.message : String(e));
      }
      if (isInexactDecimal(v)) inexact = true;
      return v;
    });
    (inexact ? castRows : bulkRows).push(values);
  }
  const identityCols = live?.identity.get(table.name);
  const usesIdentity = identityCols !== undefined && columns.some((c) => identityCols.has(c.name));
  const target = usesIdentity ? stageName(table.name) : mssqlQualify(table);
  const steps: MssqlStep[] = [];
  if (usesIdentity) {
    const defs = columns.map((c) => `${quoteBracket(c.name)} ${mssqlTypeSql(c.type)} NULL`).join(', ');
    steps.push({ kind: 'sql', statement: { text: `IF OBJECT_ID(N'tempdb..${target}') IS NOT NULL DROP TABLE ${target}; CREATE TABLE ${target} (${defs})`, params: [] } });
  }
  if (bulkRows.length > 0) steps.push({ kind: 'bulk', load: { path: target, columns, rows: bulkRows, options: BULK_OPTIONS } });
  for (const statement of insertStatements(target, columns, castRows)) steps.push({ kind: 'sql', statement });
  if (usesIdentity) {
    const list = columns.map((c) => quoteBracket(c.name)).join(', ');
    const name = mssqlQualify(table);
    steps.push({ kind: 'sql', statement: {
      text: `${identityOn(name, live)} INSERT INTO ${name} (${list}) SELECT ${list} FROM ${target}; SET IDENTITY_INSERT ${name} OFF; DROP TABLE ${target}`,
      params: [],
    } });
  }
  return { table: table.name, steps, rowCount: pt.rows.length };
}

/** Typed parameters for a shared {@link SqlStatement}: numbers → BigInt, text → NVarChar. */
export function typedStatement(st: SqlStatement): MssqlStatement {
  return {
    text: st.text,
    params: st.params.map((value, i) => ({
      name: `p${i}`,
      type: typeof value === 'number' ? { name: 'BigInt' } : { name: 'NVarChar', length: 4000 },
      value,
    })),
  };
}

function tableNameParams(model: SchemaModel): { list: string; params: MssqlParam[] } {
  const names = catalogTables(model).map((t) => t.name);
  const params: MssqlParam[] = [{ name: 'schema', type: { name: 'NVarChar', length: 128 }, value: model.schema }];
  names.forEach((n, i) => params.push({ name: `t${i}`, type: { name: 'NVarChar', length: 128 }, value: n }));
  return { list: names.map((_, i) => `@t${i}`).join(', '), params };
}

/** INFORMATION_SCHEMA.COLUMNS (+ identity/computed flags) for the model's tables. */
export function mssqlColumnsSql(model: SchemaModel): MssqlStatement {
  const { list, params } = tableNameParams(model);
  const obj = `OBJECT_ID(QUOTENAME(c.TABLE_SCHEMA) + '.' + QUOTENAME(c.TABLE_NAME))`;
  return {
    text: `SELECT c.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name, c.DATA_TYPE AS data_type,
  c.CHARACTER_MAXIMUM_LENGTH AS max_length, c.NUMERIC_PRECISION AS numeric_precision, c.NUMERIC_SCALE AS numeric_scale,
  c.DATETIME_PRECISION AS datetime_precision, c.IS_NULLABLE AS is_nullable, c.COLUMN_DEFAULT AS column_default,
  COLUMNPROPERTY(${obj}, c.COLUMN_NAME, 'IsIdentity') AS is_identity,
  COLUMNPROPERTY(${obj}, c.COLUMN_NAME, 'IsComputed') AS is_computed
FROM INFORMATION_SCHEMA.COLUMNS c
WHERE c.TABLE_SCHEMA = @schema AND c.TABLE_NAME IN (${list})
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
    params,
  };
}

/** Columns covered alone by a unique index/constraint (no filter) in the model's tables. */
export function mssqlUniqueSql(model: SchemaModel): MssqlStatement {
  const { list, params } = tableNameParams(model);
  return {
    text: `SELECT t.name AS table_name, col.name AS column_name
FROM sys.indexes i
JOIN sys.tables t ON t.object_id = i.object_id
JOIN sys.schemas s ON s.schema_id = t.schema_id
JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0
JOIN sys.columns col ON col.object_id = ic.object_id AND col.column_id = ic.column_id
WHERE s.name = @schema AND t.name IN (${list}) AND i.is_unique = 1 AND i.has_filter = 0
  AND (SELECT COUNT(*) FROM sys.index_columns k WHERE k.object_id = i.object_id AND k.index_id = i.index_id AND k.is_included_column = 0) = 1`,
    params,
  };
}

/** Inserts source documents whose app_id is not present yet (≤ 1,000 per statement). */
export function mssqlInsertSourceStatements(model: SchemaModel, records: readonly { readonly appId: number; readonly xml: string }[]): MssqlStatement[] {
  const src = mssqlQualify(model.source);
  const id = quoteBracket('app_id');
  const col = quoteBracket(model.sourceColumn);
  return chunk(records, MSSQL_MAX_VALUES_ROWS).map((group) => ({
    text: `INSERT INTO ${src} (${id}, ${col}) SELECT v.app_id, v.xml FROM (VALUES ${group.map((_, i) => `(@a${i}, @x${i})`).join(', ')}) AS v(app_id, xml) WHERE NOT EXISTS (SELECT 1 FROM ${src} s WHERE s.${id} = v.app_id)`,
    params: group.flatMap((r, i): MssqlParam[] => [
      { name: `a${i}`, type: { name: 'Int' }, value: r.appId },
      { name: `x${i}`, type: { name: 'NVarChar', length: 'max' }, value: r.xml },
    ]),
  }));
}

/** `SET XACT_ABORT ON` for each batch transaction: any error dooms the whole transaction server-side. */
export const MSSQL_TX_PREAMBLE = 'SET XACT_ABORT ON';
