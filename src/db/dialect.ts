/**
 * The small interface every target database implements. Dialect differences are data
 * ({@link DialectInfo}); everything a run does with a database goes through a {@link TargetSession}.
 */
import type { Row } from '../mapping/values.js';
import type { DialectName } from './db-error.js';
import type { ClaimDb } from './claims-sql.js';
import type { SchemaModel, TableModel } from './schema-types.js';
import type { AppIdSelection } from './target-rows.js';

export type { DialectName } from './db-error.js';
export { classifyError } from './classify-error.js';

/** Static facts about a dialect that core code asks instead of branching on its name. */
export interface DialectInfo {
  readonly name: DialectName;
  /** Bind parameters allowed in one statement (SQL Server 2,100; PostgreSQL 65,535; SQLite 32,766). */
  readonly maxParams: number;
  /** True when rows are loaded with a bulk protocol (SQL Server TDS bulk load). */
  readonly bulkLoad: boolean;
  /** False for SQLite: `target_schema` is ignored there. */
  readonly supportsSchemas: boolean;
  /** Quotes one validated identifier (`[x]` or `"x"`). */
  quote(id: string): string;
  /** Schema-qualified, quoted table name (`[s].[t]`, `"s"."t"`, or just `"t"` for SQLite). */
  qualify(table: Pick<TableModel, 'schema' | 'name'>): string;
}

/** Which source rows a read considers. All bounds inclusive; all fields optional. */
export interface SourceFilter {
  /** Keyset cursor: only app_id > afterAppId. Default: no lower cursor. */
  readonly afterAppId?: number;
  /** Range mode: app_id >= appIdStart. */
  readonly appIdStart?: number;
  /** Range mode: app_id <= appIdEnd. */
  readonly appIdEnd?: number;
  /** Modulo sharding: app_id % count = index (0 ≤ index < count). */
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * Skip app_ids that have any processing_log row (success or failed). Default true. Only valid
   * when processing_log lives in the same database as the source; otherwise pass false and filter
   * with the target's {@link TargetSession.loggedStatus}.
   */
  readonly excludeLogged?: boolean;
}

/** One keyset page: {@link SourceFilter} plus a page size. */
export interface SourcePageQuery extends SourceFilter {
  /** Maximum rows returned (≥ 1). */
  readonly limit: number;
}

/** One source document. `xml` is null when the source column is NULL (the caller logs it as failed). */
export interface SourceRecord {
  readonly appId: number;
  readonly xml: string | null;
}

/**
 * One source document as raw bytes ({@link TargetSession.readSourceBytesByIds}). `bytes` holds the
 * document's UTF-8 encoding, or is null when the source column is NULL.
 */
export interface RawSourceRecord {
  readonly appId: number;
  readonly bytes: Buffer | null;
}

/** One processing_log row. `processed_at` is set by the database clock. */
export interface LogRow {
  readonly appId: number;
  readonly status: 'success' | 'failed';
  /** validation / parsing / mapping / insert / worker-crash … Default null. */
  readonly stage?: string | null;
  /** Truncated to 1,000 characters. Default null. */
  readonly failureReason?: string | null;
  readonly runId?: string | null;
  readonly workerId?: number | null;
  /** Default 1. */
  readonly attempts?: number;
}

/** Rows for one table; the table must come from the session's SchemaModel. */
export interface TableRows {
  readonly table: TableModel;
  readonly rows: readonly Row[];
}

/** One unit of work: every table's rows (in insert order) plus the processing_log rows. */
export interface WriteBatch {
  readonly tables: readonly TableRows[];
  readonly log: readonly LogRow[];
}

/** A row dropped because an earlier/later row of the same app had the same primary key. */
export interface DroppedDuplicate {
  readonly table: string;
  readonly appId: number | null;
  /** The key values, joined with `|`. */
  readonly key: string;
}

/** What {@link TargetSession.writeBatch} did. */
export interface WriteResult {
  /** Rows inserted per table (tables with zero rows omitted). */
  readonly rowsByTable: Readonly<Record<string, number>>;
  readonly logRows: number;
  readonly duplicatesDropped: readonly DroppedDuplicate[];
}

/** One mismatch between the SchemaModel and the live database. */
export interface PreflightProblem {
  /** `error` stops a run (exit 2); `warning` is reported and the run continues. */
  readonly severity: 'error' | 'warning';
  readonly code:
    | 'missing-table' | 'missing-column' | 'incompatible-type' | 'narrower-type' | 'precision-loss'
    | 'missing-unique' | 'unmapped-not-null' | 'not-null-mismatch'
    | 'missing-privilege' | 'app-id-range' | 'app-id-not-positive';
  readonly table: string;
  readonly column?: string;
  readonly message: string;
}

/** What {@link TargetSession.preflight} checks. */
export interface PreflightOptions {
  /** Data tables and processing_log. Default true. */
  readonly target?: boolean;
  /** The source table (app_id + XML column). Default true. */
  readonly source?: boolean;
  /**
   * The source's app_id range ({@link TargetSession.sourceIdStats}): every live app_id column must
   * hold the largest one, and app ids beyond 2^53 − 1 or of zero and below are reported.
   */
  readonly sourceIds?: SourceIdStats;
  /** The claim tables (`xmlmigrate_runs`, `xmlmigrate_claims`) a run with claims needs. Default false. */
  readonly claims?: boolean;
}

/** The app_ids of the source table, for the preflight and `status`. */
export interface SourceIdStats {
  /** Smallest and largest app_id (exact, as bigint); null for an empty source. */
  readonly min: bigint | null;
  readonly max: bigint | null;
  /** Rows with app_id <= 0, and up to five of those ids (smallest first). */
  readonly notPositive: number;
  readonly notPositiveExamples: readonly bigint[];
}

/** What `xmlmigrate report` reads from processing_log and the target tables ({@link TargetSession.reportLog}). */
export interface LogReport {
  /** Apps logged per processed_at (ISO 8601 UTC) and status: about one entry per batch. */
  readonly byTime: readonly { readonly at: string | null; readonly status: string; readonly count: number }[];
  /** Failed rows ordered by app_id, at most the limit asked for. */
  readonly failures: readonly { readonly appId: number; readonly stage: string | null; readonly reason: string | null }[];
  /** All failed rows (of the run, when one was named). */
  readonly failedTotal: number;
  /** Rows in each data table now (all runs). */
  readonly rowCounts: Readonly<Record<string, number>>;
}

/** Counts for `xmlmigrate status`. */
export interface StatusSummary {
  readonly byStatus: Readonly<Record<string, number>>;
  /** Failed rows per stage (`(none)` for a null stage). */
  readonly byStage: Readonly<Record<string, number>>;
  /** Most recent failures, newest first (processedAt as ISO-8601 UTC text). */
  readonly lastFailures: readonly (LogRow & { readonly processedAt: string | null })[];
}

/** Result of {@link TargetSession.insertSource}. */
export interface InsertSourceResult {
  readonly inserted: number;
  /** Records whose app_id already existed (or repeated within the input). */
  readonly skipped: number;
}

/** Result of {@link TargetSession.replaceSource}. */
export interface ReplaceSourceResult {
  /** App ids whose document was replaced. */
  readonly replaced: readonly number[];
  /** Of those, the ones whose `failed` processing_log row was deleted. */
  readonly failedCleared: readonly number[];
}

/**
 * A connection (or pool) to one database, bound to one SchemaModel. Every method throws only
 * {@link import('./db-error.js').DbError}.
 */
export interface TargetSession {
  readonly info: DialectInfo;
  readonly model: SchemaModel;
  /** Every mismatch at once: missing tables/columns, incompatible types, processing_log without UNIQUE(app_id). */
  preflight(opts?: PreflightOptions): Promise<PreflightProblem[]>;
  /** Creates the schema (if missing) and every table that does not exist yet; never alters existing tables. */
  applySchema(opts?: { readonly includeSource?: boolean }): Promise<void>;
  /** Keyset page: filters of `q`, ORDER BY app_id, at most `q.limit` rows. */
  readSourcePage(q: SourcePageQuery): Promise<SourceRecord[]>;
  /** The app_ids of one keyset page, without their documents (the parent of a worker-reads run pages with this). */
  readSourceIds(q: SourcePageQuery): Promise<number[]>;
  /** Source documents for exactly these app_ids (missing ids are absent from the result), ordered by app_id. */
  readSourceByIds(appIds: readonly number[]): Promise<SourceRecord[]>;
  /**
   * Optional fast path (PostgreSQL, binary COPY): like {@link readSourceByIds}, but each document
   * arrives as its UTF-8 bytes, never decoded into a string. Ordered by app_id; missing ids are
   * absent; a NULL document has `bytes: null`. The Buffers may be views of memory the session
   * reuses: they are valid until the second call of this method after this one on the same session
   * (so a reader can fetch one chunk ahead while it works on the current one), then overwritten.
   */
  readSourceBytesByIds?(appIds: readonly number[]): Promise<RawSourceRecord[]>;
  /** Number of source rows matching `q`. */
  countPending(q: SourceFilter): Promise<number>;
  /** The source's app_id range and its rows with app_id <= 0 (for the preflight and `status`). */
  sourceIdStats(): Promise<SourceIdStats>;
  /** ONE transaction: each table's rows in order, then the processing_log rows, then COMMIT; rolled back on any error. */
  writeBatch(batch: WriteBatch): Promise<WriteResult>;
  /** Which of these app_ids have a processing_log row, with its status (used when a commit outcome is unknown). */
  loggedStatus(appIds: readonly number[]): Promise<Map<number, 'success' | 'failed'>>;
  /** Adds source documents, skipping app_ids that already exist (for `import` and `seed`). */
  insertSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<InsertSourceResult>;
  /**
   * `import --replace`, in ONE transaction: replaces the document of every existing source row among
   * `records` whose app has no `success` processing_log row, and deletes the `failed` processing_log
   * row of each replaced app (so the next run maps the new document). App ids absent from the source,
   * and apps that migrated successfully, are left alone (not in `replaced`).
   */
  replaceSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<ReplaceSourceResult>;
  /** Deletes every `failed` processing_log row (for `retry-failed`); returns how many. */
  deleteFailedLog(): Promise<number>;
  /** processing_log counts by status and stage, and the last `limit` (default 20) failures. */
  statusSummary(limit?: number): Promise<StatusSummary>;
  /** processing_log and row counts for `xmlmigrate report` (one run's rows when `runId` is given). */
  reportLog(opts: { readonly runId: string | null; readonly failureLimit: number }): Promise<LogReport>;
  /** Cheap round trip (`SELECT 1`) for circuit-breaker probes. */
  ping(): Promise<void>;
  /** Closes every connection; idempotent. */
  close(): Promise<void>;
  /**
   * The stored size in bytes of each of these app_ids' documents, read without reading the
   * documents (so reads can be planned by bytes). Missing ids are absent; a NULL document has 0
   * bytes. PostgreSQL and SQLite: `octet_length` (the UTF-8 bytes); SQL Server: `DATALENGTH` (the
   * stored size: two bytes per UTF-16 code unit for nvarchar, a conservative estimate).
   */
  readSourceSizes(appIds: readonly number[]): Promise<SourceSize[]>;
  /**
   * Optional (SQL Server): the catalog facts the writer needs (live column types, IDENTITY columns,
   * defaults, OPENJSON support), as a structured-clone-able value. The parent reads them once, after
   * its preflight, and hands them to every worker ({@link useWriteCatalog}), so no worker session
   * runs the catalog queries itself — on a cold session they cost the server about a second each.
   */
  exportWriteCatalog?(): Promise<unknown>;
  /**
   * Optional: adopt a catalog another session exported for the same model instead of reading one
   * before the first write. A value that is not a catalog this dialect exported is ignored (the
   * session then reads its own, as without it).
   */
  useWriteCatalog?(catalog: unknown): void;
  /**
   * The rows of `table` (a data table or processing_log of the session's model) for the selected
   * apps, ordered by app_id (`xmlmigrate verify`): `columns` (default every column of the table),
   * each under its name, in the exact form of `readExpression` in target-rows.ts.
   */
  readTargetRows(table: TableModel, sel: AppIdSelection, columns?: readonly string[]): Promise<Record<string, unknown>[]>;
  /**
   * The session's connection as a {@link ClaimDb}, for the claim protocol (src/db/claim-store.ts).
   * Open a session of its own for it: a claim transaction holds its connection while the run reads
   * the source.
   */
  claimDb(): ClaimDb;
}

/** Options shared by every dialect when opening a session. */
export interface SessionOptions {
  /** Connections kept open: 1 = one dedicated connection (`--no-pool`). Default 1. */
  readonly poolMax?: number;
  /** Application name reported to the server. Default `xmlmigrate`. */
  readonly applicationName?: string;
  /** SQLite: refuse a database file that does not exist instead of creating it (runs). Default false. */
  readonly mustExist?: boolean;
}

/** One document's stored size ({@link TargetSession.readSourceSizes}). */
export interface SourceSize {
  readonly appId: number;
  readonly bytes: number;
}
