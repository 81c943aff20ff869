/**
 * SQL Server planning (pure): turns a prepared table into bulk loads and T-SQL steps, and holds
 * the catalog queries. Nothing here talks to a server, so every plan is unit-tested for its exact
 * column definitions and SQL text.
 *
 * Per table:
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
import type { SchemaModel } from '../schema-types.js';
import { chunk, type SqlStatement, type SqlStyle } from '../sql-text.js';
import { mssqlQualify } from './mssql-ddl.js';
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
}

/** Temp-table name used to stage rows of an identity table. */
export function stageName(table: string): string {
  return `#xm_stage_${table}`.slice(0, 116);
}

function insertStatements(target: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): MssqlStatement[] {
  const perRow = Math.max(1, columns.length);
  const size = Math.max(1, Math.min(MSSQL_MAX_VALUES_ROWS, Math.floor(MSSQL_MAX_PARAMS / perRow)));
  const head = `INSERT INTO ${target} (${columns.map((c) => quoteBracket(c.name)).join(', ')}) VALUES `;
  return chunk(rows, size).map((group) => {
    const params: MssqlParam[] = [];
    const tuples = group.map((row) => `(${columns.map((c, i) => {
      const v = row[i];
      if (v === null || v === undefined) return 'DEFAULT';
      const name = `p${params.length}`;
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

/**
 * Plans one prepared table. Columns: those with at least one value (NULL-only columns are left to
 * their defaults), typed from the live catalog when known, else from the model.
 */
export function planMssqlTable(pt: PreparedTable, live?: MssqlLiveInfo): MssqlTablePlan {
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
      text: `SET IDENTITY_INSERT ${name} ON; INSERT INTO ${name} (${list}) SELECT ${list} FROM ${target}; SET IDENTITY_INSERT ${name} OFF; DROP TABLE ${target}`,
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
  const names = [...model.tables, model.processingLog, model.source].map((t) => t.name);
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
