/**
 * SQL text shared by all three dialects, parameterised by a {@link SqlStyle} (quoting, placeholder
 * spelling, TOP vs LIMIT). Values always travel as parameters, never inside the text. Pure.
 */
import { DbError, type DialectName } from './db-error.js';
import type { SourceFilter, SourceIdStats, SourcePageQuery } from './dialect.js';
import type { SchemaModel, TableModel } from './schema-types.js';

/** How a dialect spells the bits of SQL that differ. */
export interface SqlStyle {
  readonly dialect: DialectName;
  quote(id: string): string;
  qualify(table: Pick<TableModel, 'schema' | 'name'>): string;
  /** Placeholder for the i-th parameter (0-based): `?`, `$1`, `@p0`. */
  param(i: number): string;
  /** `top` → SELECT TOP (n) …; `limit` → … LIMIT n. */
  readonly limit: 'top' | 'limit';
}

/** SQL text plus its parameters, in placeholder order. */
export interface SqlStatement {
  readonly text: string;
  readonly params: readonly (string | number | null)[];
}

/** A permanent DbError `XM_BAD_ARGUMENT`: a caller passed a value no statement may be built from. */
export function badArgument(dialect: DialectName, message: string): DbError {
  return new DbError(message, { code: 'XM_BAD_ARGUMENT', dialect, kind: 'permanent' });
}

/** Throws a permanent DbError naming the first bad field of a filter. */
export function validateSourceFilter(dialect: DialectName, q: SourceFilter & { readonly limit?: number }): void {
  const int = (v: number | undefined, name: string, min: number): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) throw badArgument(dialect, `${name}: must be an integer ≥ ${min}, got ${String(v)}`);
  };
  int(q.afterAppId, 'afterAppId', Number.MIN_SAFE_INTEGER);
  int(q.appIdStart, 'appIdStart', Number.MIN_SAFE_INTEGER);
  int(q.appIdEnd, 'appIdEnd', Number.MIN_SAFE_INTEGER);
  int(q.limit, 'limit', 1);
  if (q.shard) {
    int(q.shard.count, 'shard.count', 1);
    int(q.shard.index, 'shard.index', 0);
    if (q.shard.index >= q.shard.count) throw badArgument(dialect, `shard: index ${q.shard.index} must be < count ${q.shard.count}`);
  }
}

function sourceWhere(style: SqlStyle, model: SchemaModel, q: SourceFilter, params: (string | number | null)[]): string {
  const id = `s.${style.quote('app_id')}`;
  const add = (v: number): string => { params.push(v); return style.param(params.length - 1); };
  const where: string[] = [];
  if (q.afterAppId !== undefined) where.push(`${id} > ${add(q.afterAppId)}`);
  if (q.appIdStart !== undefined) where.push(`${id} >= ${add(q.appIdStart)}`);
  if (q.appIdEnd !== undefined) where.push(`${id} <= ${add(q.appIdEnd)}`);
  // app_id ≡ index (mod count), also for ids ≤ 0: SQL's % keeps the dividend's sign (-7 % 4 = -3 ≡ 1)
  if (q.shard) where.push(`${id} % ${add(q.shard.count)} IN (${add(q.shard.index)}, ${add(q.shard.index - q.shard.count)})`);
  if (q.excludeLogged ?? true) {
    where.push(`NOT EXISTS (SELECT 1 FROM ${style.qualify(model.processingLog)} pl WHERE pl.${style.quote('app_id')} = ${id})`);
  }
  return where.length ? ` WHERE ${where.join(' AND ')}` : '';
}

/** The keyset page query: `SELECT app_id, xml … WHERE <filters> ORDER BY app_id` limited to `q.limit` (`idsOnly`: app_id alone). */
export function sourcePageSql(style: SqlStyle, model: SchemaModel, q: SourcePageQuery, idsOnly = false): SqlStatement {
  validateSourceFilter(style.dialect, q);
  const params: (string | number | null)[] = [];
  const cols = idsOnly ? `s.${style.quote('app_id')} AS app_id` : `s.${style.quote('app_id')} AS app_id, s.${style.quote(model.sourceColumn)} AS xml`;
  const from = ` FROM ${style.qualify(model.source)} s`;
  if (style.limit === 'top') {
    params.push(q.limit);
    const where = sourceWhere(style, model, q, params);
    return { text: `SELECT TOP (${style.param(0)}) ${cols}${from}${where} ORDER BY s.${style.quote('app_id')}`, params };
  }
  const where = sourceWhere(style, model, q, params);
  params.push(q.limit);
  return { text: `SELECT ${cols}${from}${where} ORDER BY s.${style.quote('app_id')} LIMIT ${style.param(params.length - 1)}`, params };
}

/** `SELECT COUNT(*) AS n` over the same filters. */
export function countPendingSql(style: SqlStyle, model: SchemaModel, q: SourceFilter): SqlStatement {
  validateSourceFilter(style.dialect, q);
  const params: (string | number | null)[] = [];
  const where = sourceWhere(style, model, q, params);
  return { text: `SELECT COUNT(*) AS n FROM ${style.qualify(model.source)} s${where}`, params };
}

/**
 * The source's app_id range (as text, so no driver rounds a 64-bit value) and its count of app_id <= 0;
 * `examples`: up to five app_ids <= 0, smallest first.
 */
export function sourceIdStatsSql(style: SqlStyle, model: SchemaModel): { range: SqlStatement; examples: SqlStatement } {
  const id = style.quote('app_id');
  const src = style.qualify(model.source);
  const asText = (e: string): string => `CAST(${e} AS VARCHAR(40))`;
  return {
    range: { text: `SELECT ${asText(`MIN(${id})`)} AS lo, ${asText(`MAX(${id})`)} AS hi, SUM(CASE WHEN ${id} <= 0 THEN 1 ELSE 0 END) AS nonpos FROM ${src}`, params: [] },
    examples: style.limit === 'top'
      ? { text: `SELECT TOP (5) ${asText(id)} AS id FROM ${src} WHERE ${id} <= 0 ORDER BY ${id}`, params: [] }
      : { text: `SELECT ${asText(id)} AS id FROM ${src} WHERE ${id} <= 0 ORDER BY ${id} LIMIT 5`, params: [] },
  };
}

/** {@link SourceIdStats} from the rows of {@link sourceIdStatsSql}. */
export function sourceIdStatsOf(range: Record<string, unknown> | undefined, examples: readonly Record<string, unknown>[]): SourceIdStats {
  const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(String(v).trim()));
  return {
    min: big(range?.['lo']), max: big(range?.['hi']), notPositive: Number(range?.['nonpos'] ?? 0),
    notPositiveExamples: examples.map((r) => big(r['id'])).filter((v): v is bigint => v !== null),
  };
}

/** `… WHERE app_id IN (…)` for one chunk of ids. */
function inList(style: SqlStyle, ids: readonly number[]): SqlStatement & { readonly list: string } {
  return { text: '', params: [...ids], list: ids.map((_, i) => style.param(i)).join(', ') };
}

/** Source rows for the given app_ids, ordered by app_id. */
export function sourceByIdsSql(style: SqlStyle, model: SchemaModel, ids: readonly number[], wrapXml?: (col: string) => string): SqlStatement {
  const { params, list } = inList(style, ids);
  const q = style.quote;
  const col = q(model.sourceColumn);
  return {
    text: `SELECT ${q('app_id')} AS app_id, ${wrapXml ? wrapXml(col) : col} AS xml FROM ${style.qualify(model.source)} WHERE ${q('app_id')} IN (${list}) ORDER BY ${q('app_id')}`,
    params,
  };
}

/** `SELECT app_id, status FROM processing_log WHERE app_id IN (…)`. */
export function loggedStatusSql(style: SqlStyle, model: SchemaModel, ids: readonly number[]): SqlStatement {
  const { params, list } = inList(style, ids);
  const q = style.quote;
  return { text: `SELECT ${q('app_id')} AS app_id, ${q('status')} AS status FROM ${style.qualify(model.processingLog)} WHERE ${q('app_id')} IN (${list})`, params };
}

/** Deletes every failed processing_log row. */
export function deleteFailedSql(style: SqlStyle, model: SchemaModel): SqlStatement {
  return { text: `DELETE FROM ${style.qualify(model.processingLog)} WHERE ${style.quote('status')} = ${style.param(0)}`, params: ['failed'] };
}

/**
 * `import --replace`, one app: sets the source document of `appId` unless processing_log holds a
 * `success` row for it (a migrated app keeps the document its rows came from). Parameter 0 is the XML.
 */
export function replaceSourceSql(style: SqlStyle, model: SchemaModel, appId: number, xml: string): SqlStatement {
  const q = style.quote;
  return {
    text: `UPDATE ${style.qualify(model.source)} SET ${q(model.sourceColumn)} = ${style.param(0)} WHERE ${q('app_id')} = ${style.param(1)}`
      + ` AND NOT EXISTS (SELECT 1 FROM ${style.qualify(model.processingLog)} pl WHERE pl.${q('app_id')} = ${style.param(2)} AND pl.${q('status')} = ${style.param(3)})`,
    params: [xml, appId, appId, 'success'],
  };
}

/** Deletes the failed processing_log row of one app (its replaced document runs again). */
export function deleteFailedForAppSql(style: SqlStyle, model: SchemaModel, appId: number): SqlStatement {
  const q = style.quote;
  return { text: `DELETE FROM ${style.qualify(model.processingLog)} WHERE ${q('app_id')} = ${style.param(0)} AND ${q('status')} = ${style.param(1)}`, params: [appId, 'failed'] };
}

/** The three status queries: counts by status, failed counts by stage, last `limit` failures. */
export function statusSql(style: SqlStyle, model: SchemaModel, limit: number): { byStatus: SqlStatement; byStage: SqlStatement; last: SqlStatement } {
  const q = style.quote;
  const log = style.qualify(model.processingLog);
  const cols = ['app_id', 'status', 'stage', 'failure_reason', 'run_id', 'worker_id', 'attempts', 'processed_at'].map(q).join(', ');
  const order = `ORDER BY ${q('processed_at')} DESC, ${q('app_id')} DESC`;
  const last = style.limit === 'top'
    ? { text: `SELECT TOP (${style.param(1)}) ${cols} FROM ${log} WHERE ${q('status')} = ${style.param(0)} ${order}`, params: ['failed', limit] }
    : { text: `SELECT ${cols} FROM ${log} WHERE ${q('status')} = ${style.param(0)} ${order} LIMIT ${style.param(1)}`, params: ['failed', limit] };
  return {
    byStatus: { text: `SELECT ${q('status')} AS k, COUNT(*) AS n FROM ${log} GROUP BY ${q('status')}`, params: [] },
    byStage: { text: `SELECT ${q('stage')} AS k, COUNT(*) AS n FROM ${log} WHERE ${q('status')} = ${style.param(0)} GROUP BY ${q('stage')}`, params: ['failed'] },
    last,
  };
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `INSERT INTO <table> (<columns>) VALUES ` — the rows are appended by the caller. */
export function insertPrefix(style: SqlStyle, table: TableModel, columns: readonly string[]): string {
  return `INSERT INTO ${style.qualify(table)} (${columns.map((c) => style.quote(c)).join(', ')}) VALUES `;
}

/**
 * The queries of `xmlmigrate report` (one run when `runId` is given): apps logged per processed_at
 * timestamp and status (one row per distinct timestamp — about one per batch, since a batch commits
 * at once), the failed rows ordered by app_id (at most `failureLimit`), the failed total, and each data
 * table's row count. Plain GROUP BY and COUNT: no date functions, the same text on every dialect.
 */
export function reportSql(style: SqlStyle, model: SchemaModel, runId: string | null, failureLimit: number): { byTime: SqlStatement; failures: SqlStatement; failedTotal: SqlStatement; counts: { table: string; st: SqlStatement }[] } {
  const q = style.quote;
  const log = style.qualify(model.processingLog);
  const run = (i: number) => (runId === null ? '' : ` AND ${q('run_id')} = ${style.param(i)}`);
  const runParams = runId === null ? [] : [runId];
  const cols = `${q('app_id')}, ${q('stage')}, ${q('failure_reason')}`;
  const failedWhere = `WHERE ${q('status')} = ${style.param(0)}${run(1)}`;
  const limitAt = runId === null ? 1 : 2;
  const failures = style.limit === 'top'
    ? { text: `SELECT TOP (${style.param(limitAt)}) ${cols} FROM ${log} ${failedWhere} ORDER BY ${q('app_id')}`, params: ['failed', ...runParams, failureLimit] }
    : { text: `SELECT ${cols} FROM ${log} ${failedWhere} ORDER BY ${q('app_id')} LIMIT ${style.param(limitAt)}`, params: ['failed', ...runParams, failureLimit] };
  return {
    byTime: {
      text: `SELECT ${q('processed_at')} AS t, ${q('status')} AS s, COUNT(*) AS n FROM ${log}${runId === null ? '' : ` WHERE ${q('run_id')} = ${style.param(0)}`} GROUP BY ${q('processed_at')}, ${q('status')}`,
      params: runParams,
    },
    failures,
    failedTotal: { text: `SELECT COUNT(*) AS n FROM ${log} ${failedWhere}`, params: ['failed', ...runParams] },
    counts: model.tables.map((t) => ({ table: t.name, st: { text: `SELECT COUNT(*) AS n FROM ${style.qualify(t)}`, params: [] } })),
  };
}
