/**
 * The SQLite {@link TargetSession} (the embedded default) on better-sqlite3: WAL journal,
 * busy_timeout (default 10 s), synchronous=NORMAL, foreign_keys=ON. better-sqlite3 is
 * synchronous; each method runs to completion and is wrapped in a Promise.
 */
import { accessSync, constants as fsConstants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { prepareBatch } from '../batch-prep.js';
import { toDbError } from '../classify-error.js';
import type {
  DialectInfo, InsertSourceResult, PreflightOptions, ReplaceSourceResult, PreflightProblem, RawSourceRecord, SessionOptions, SourceFilter,
  SourceIdStats, SourcePageQuery, SourceRecord, StatusSummary, TargetSession, WriteBatch, WriteResult,
} from '../dialect.js';
import type { ClaimDb, ClaimExecResult, ClaimStatement } from '../claims-sql.js';
import { quoteDouble } from '../identifiers.js';
import { comparePreflight, type LiveTable } from '../preflight.js';
import { targetRowsSql, type AppIdSelection } from '../target-rows.js';
import { catalogTables, type SchemaModel, type TableModel } from '../schema-types.js';
import {
  chunk, countPendingSql, sourceIdStatsOf, sourceIdStatsSql, deleteFailedForAppSql, deleteFailedSql, loggedStatusSql, replaceSourceSql, sourceByIdsSql, sourcePageSql, reportSql, statusSql, type SqlStatement,
} from '../sql-text.js';
import type { TargetConfig } from '../target-url.js';
import { sqliteDdl, sqliteQualify } from './sqlite-ddl.js';
import { SQLITE_MAX_PARAMS, SQLITE_STYLE, sqliteLiveTable, type SqliteColumnInfo, type SqliteValue } from './sqlite-plan.js';
import { SqliteWriter, type SqliteDb } from './sqlite-writer.js';

/** Static facts about SQLite. */
export const SQLITE_INFO: DialectInfo = {
  name: 'sqlite', maxParams: SQLITE_MAX_PARAMS, bulkLoad: false, supportsSchemas: false,
  quote: quoteDouble, qualify: sqliteQualify,
};

/** Default busy timeout in milliseconds (`?busy_timeout=` overrides). */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const ID_CHUNK = 900;

/** Opens (creating if needed) the SQLite file of `cfg` and returns a session bound to `model`. */
export async function openSqliteSession(cfg: TargetConfig, model: SchemaModel, opts: SessionOptions = {}): Promise<TargetSession> {
  const mod = await import('better-sqlite3');
  // CommonJS module: Node exposes module.exports as `default`; the typings declare `export =`.
  const Database = (mod as unknown as { default?: typeof mod }).default ?? mod;
  const file = cfg.database;
  const busy = cfg.params['busy_timeout'] === undefined ? SQLITE_BUSY_TIMEOUT_MS : Number(cfg.params['busy_timeout']);
  const sync = (cfg.params['synchronous'] ?? 'NORMAL').toUpperCase();
  try {
    if (!Number.isInteger(busy) || busy < 0) throw new Error(`busy_timeout must be a non-negative integer (ms)`);
    if (!['OFF', 'NORMAL', 'FULL', 'EXTRA'].includes(sync)) throw new Error(`synchronous must be OFF, NORMAL, FULL or EXTRA`);
    if (opts.mustExist && file !== ':memory:' && !existsSync(file)) {
      throw new Error(`database file ${file} does not exist (create it with \`xmlmigrate schema --apply\`)`);
    }
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: busy });
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${busy}`);
    db.pragma(`synchronous = ${sync}`);
    db.pragma('foreign_keys = ON');
    // better-sqlite3's overloaded generic Statement typings are wider than the slice we call.
    return new SqliteSession(db as unknown as SqliteDb, model, busy);
  } catch (err) {
    throw toDbError('sqlite', err, { phase: 'connect' });
  }
}

/** A SQLite session over any {@link SqliteDb} (tests may pass their own connection). */
export class SqliteSession implements TargetSession {
  readonly info = SQLITE_INFO;
  private readonly writer: SqliteWriter;
  private closed = false;

  constructor(private readonly db: SqliteDb, readonly model: SchemaModel, private readonly busyMs = SQLITE_BUSY_TIMEOUT_MS) {
    this.writer = new SqliteWriter(db);
  }

  private all<T>(st: SqlStatement): T[] {
    return this.writer.statement(st.text).all(...(st.params as SqliteValue[])) as T[];
  }

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(toDbError('sqlite', err, { phase: 'query' }));
    }
  }

  /** Reads the catalog of every model table into LiveTables. */
  private liveTables(): Map<string, LiveTable> {
    const live = new Map<string, LiveTable>();
    for (const t of catalogTables(this.model)) {
      const cols = this.db.prepare('SELECT * FROM pragma_table_xinfo(?)').all(t.name) as SqliteColumnInfo[];
      if (cols.length === 0) continue;
      const indexes = this.db.prepare('SELECT name, "unique" AS u, partial FROM pragma_index_list(?)').all(t.name) as { name: string; u: number; partial: number }[];
      const unique: string[] = [];
      for (const ix of indexes.filter((i) => i.u === 1 && i.partial === 0)) {
        const ixCols = this.db.prepare('SELECT name FROM pragma_index_info(?)').all(ix.name) as { name: string | null }[];
        const only = ixCols[0]?.name;
        if (ixCols.length === 1 && only) unique.push(only);
      }
      live.set(t.name, sqliteLiveTable(t.name, cols, unique));
    }
    return live;
  }

  /** See {@link TargetSession.preflight}. */
  preflight(opts: PreflightOptions = {}): Promise<PreflightProblem[]> {
    return this.run(() => [...this.fileProblems(opts), ...comparePreflight(this.model, this.liveTables(), opts)]);
  }

  /**
   * SQLite has no grants: what matters is whether this user may write the database file and its
   * directory (the WAL and shared-memory files live beside it) — checked when the run writes here.
   */
  private fileProblems(opts: PreflightOptions): PreflightProblem[] {
    const file = this.db.name;
    if (!(opts.target ?? true) || file === undefined || file === '' || file === ':memory:') return [];
    const missing: string[] = [];
    for (const [what, path] of [['the database file', file], ['its directory', dirname(file)]] as const) {
      try { accessSync(path, fsConstants.W_OK); } catch { missing.push(`${what} ${path}`); }
    }
    if (missing.length === 0) return [];
    const log = this.model.processingLog;
    return [{
      severity: 'error', code: 'missing-privilege', table: log.name,
      message: `${missing.join(' and ')}: not writable by this user (the run writes every target table and processing_log here; SQLite also creates its -wal and -shm files beside the database)`,
    }];
  }

  /** See {@link TargetSession.sourceIdStats}. */
  sourceIdStats(): Promise<SourceIdStats> {
    const st = sourceIdStatsSql(SQLITE_STYLE, this.model);
    return this.run(() => sourceIdStatsOf(this.all<Record<string, unknown>>(st.range)[0], this.all<Record<string, unknown>>(st.examples)));
  }

  /** See {@link TargetSession.applySchema}; all statements in one transaction. */
  applySchema(opts: { readonly includeSource?: boolean } = {}): Promise<void> {
    const ddl = sqliteDdl(this.model, opts);
    try {
      this.writer.inTransaction(() => { for (const s of ddl) this.db.exec(s); });
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** See {@link TargetSession.readSourcePage}. */
  readSourcePage(q: SourcePageQuery): Promise<SourceRecord[]> {
    return this.run(() => this.all<{ app_id: number; xml: string | null }>(sourcePageSql(SQLITE_STYLE, this.model, q))
      .map((r) => ({ appId: Number(r.app_id), xml: r.xml })));
  }

  /** See {@link TargetSession.readSourceIds}. */
  readSourceIds(q: SourcePageQuery): Promise<number[]> {
    return this.run(() => this.all<{ app_id: number }>(sourcePageSql(SQLITE_STYLE, this.model, q, true)).map((r) => Number(r.app_id)));
  }

  /** See {@link TargetSession.readSourceByIds}. */
  readSourceByIds(appIds: readonly number[]): Promise<SourceRecord[]> {
    return this.run(() => chunk([...new Set(appIds)], ID_CHUNK)
      .flatMap((ids) => this.all<{ app_id: number; xml: string | null }>(sourceByIdsSql(SQLITE_STYLE, this.model, ids)))
      .map((r) => ({ appId: Number(r.app_id), xml: r.xml }))
      .sort((a, b) => a.appId - b.appId));
  }

  /**
   * See {@link TargetSession.readSourceBytesByIds}: `CAST(xml AS BLOB)` hands over the stored UTF-8
   * bytes, so no string is built for a whole document. Each Buffer is the driver's own copy.
   */
  readSourceBytesByIds(appIds: readonly number[]): Promise<RawSourceRecord[]> {
    return this.run(() => chunk([...new Set(appIds)], ID_CHUNK)
      .flatMap((ids) => this.all<{ app_id: number; xml: Buffer | string | null }>(sourceByIdsSql(SQLITE_STYLE, this.model, ids, (col) => `CAST(${col} AS BLOB)`)))
      .map((r) => ({ appId: Number(r.app_id), bytes: typeof r.xml === 'string' ? Buffer.from(r.xml, 'utf8') : r.xml }))
      .sort((a, b) => a.appId - b.appId));
  }

  /** See {@link TargetSession.countPending}. */
  countPending(q: SourceFilter): Promise<number> {
    return this.run(() => Number(this.all<{ n: number }>(countPendingSql(SQLITE_STYLE, this.model, q))[0]?.n ?? 0));
  }

  /** See {@link TargetSession.writeBatch}. */
  writeBatch(batch: WriteBatch): Promise<WriteResult> {
    try {
      const prepared = prepareBatch(batch, this.model.processingLog);
      const counts = this.writer.write(prepared);
      return Promise.resolve({ ...counts, duplicatesDropped: prepared.duplicatesDropped });
    } catch (err) {
      return Promise.reject(toDbError('sqlite', err, { phase: 'write' }));
    }
  }

  /** See {@link TargetSession.loggedStatus}. */
  loggedStatus(appIds: readonly number[]): Promise<Map<number, 'success' | 'failed'>> {
    return this.run(() => {
      const out = new Map<number, 'success' | 'failed'>();
      for (const ids of chunk([...new Set(appIds)], ID_CHUNK)) {
        for (const r of this.all<{ app_id: number; status: 'success' | 'failed' }>(loggedStatusSql(SQLITE_STYLE, this.model, ids))) {
          out.set(Number(r.app_id), r.status);
        }
      }
      return out;
    });
  }

  /** See {@link TargetSession.insertSource}. */
  insertSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<InsertSourceResult> {
    const q = quoteDouble;
    const sql = `INSERT INTO ${sqliteQualify(this.model.source)} (${q('app_id')}, ${q(this.model.sourceColumn)}) VALUES (?, ?) ON CONFLICT (${q('app_id')}) DO NOTHING`;
    try {
      const inserted = this.writer.inTransaction(() => {
        const st = this.writer.statement(sql);
        const seen = new Set<number>();
        let n = 0;
        for (const r of records) {
          if (seen.has(r.appId)) continue;
          seen.add(r.appId);
          n += Number(st.run(r.appId, r.xml).changes);
        }
        return n;
      });
      return Promise.resolve({ inserted, skipped: records.length - inserted });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** See {@link TargetSession.replaceSource}. */
  replaceSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<ReplaceSourceResult> {
    return this.run(() => this.writer.inTransaction(() => {
      const replaced: number[] = [];
      const failedCleared: number[] = [];
      for (const r of records) {
        const up = replaceSourceSql(SQLITE_STYLE, this.model, r.appId, r.xml);
        if (Number(this.writer.statement(up.text).run(...(up.params as SqliteValue[])).changes) === 0) continue;
        replaced.push(r.appId);
        const del = deleteFailedForAppSql(SQLITE_STYLE, this.model, r.appId);
        if (Number(this.writer.statement(del.text).run(...(del.params as SqliteValue[])).changes) > 0) failedCleared.push(r.appId);
      }
      return { replaced, failedCleared };
    }));
  }

  /** See {@link TargetSession.deleteFailedLog}. */
  deleteFailedLog(): Promise<number> {
    return this.run(() => {
      const st = deleteFailedSql(SQLITE_STYLE, this.model);
      return Number(this.writer.statement(st.text).run(...(st.params as SqliteValue[])).changes);
    });
  }

  /** See {@link TargetSession.statusSummary}. */
  statusSummary(limit = 20): Promise<StatusSummary> {
    return this.run(() => {
      const s = statusSql(SQLITE_STYLE, this.model, limit);
      const fold = (st: SqlStatement): Record<string, number> => Object.fromEntries(
        this.all<{ k: string | null; n: number }>(st).map((r) => [r.k ?? '(none)', Number(r.n)]));
      const last = this.all<Record<string, unknown>>(s.last).map((r) => ({
        appId: Number(r['app_id']), status: r['status'] as 'success' | 'failed',
        stage: (r['stage'] as string | null) ?? null, failureReason: (r['failure_reason'] as string | null) ?? null,
        runId: (r['run_id'] as string | null) ?? null, workerId: r['worker_id'] == null ? null : Number(r['worker_id']),
        attempts: Number(r['attempts'] ?? 1), processedAt: (r['processed_at'] as string | null) ?? null,
      }));
      return { byStatus: fold(s.byStatus), byStage: fold(s.byStage), lastFailures: last };
    });
  }

  /** See {@link TargetSession.reportLog}. */
  reportLog(opts: { readonly runId: string | null; readonly failureLimit: number }): Promise<import('../dialect.js').LogReport> {
    return this.run(() => {
      const r = reportSql(SQLITE_STYLE, this.model, opts.runId, opts.failureLimit);
      return {
        byTime: this.all<{ t: string | null; s: string; n: number }>(r.byTime).map((x) => ({ at: x.t, status: String(x.s), count: Number(x.n) })),
        failures: this.all<Record<string, unknown>>(r.failures).map((x) => ({ appId: Number(x['app_id']), stage: (x['stage'] as string | null) ?? null, reason: (x['failure_reason'] as string | null) ?? null })),
        failedTotal: Number(this.all<{ n: number }>(r.failedTotal)[0]?.n ?? 0),
        rowCounts: Object.fromEntries(r.counts.map((c) => [c.table, Number(this.all<{ n: number }>(c.st)[0]?.n ?? 0)])),
      };
    });
  }

  /** See {@link TargetSession.ping}. */
  ping(): Promise<void> {
    return this.run(() => { this.db.prepare('SELECT 1').all(); });
  }

  /** See {@link TargetSession.close}. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      try { this.db.close(); } catch { /* already closed */ }
    }
    return Promise.resolve();
  }

  /** See {@link TargetSession.readSourceSizes}: `octet_length` reads a value's size without its overflow pages. */
  readSourceSizes(appIds: readonly number[]): Promise<import('../dialect.js').SourceSize[]> {
    return this.run(() => chunk([...new Set(appIds)], ID_CHUNK)
      .flatMap((ids) => this.all<{ app_id: number; xml: number | null }>(sourceByIdsSql(SQLITE_STYLE, this.model, ids, (col) => `octet_length(${col})`)))
      .map((r) => ({ appId: Number(r.app_id), bytes: Number(r.xml ?? 0) })));
  }

  /** See {@link TargetSession.readTargetRows}. */
  readTargetRows(table: TableModel, sel: AppIdSelection, columns?: readonly string[]): Promise<Record<string, unknown>[]> {
    return this.run(() => targetRowsSql(SQLITE_STYLE, table, sel, ID_CHUNK, columns).flatMap((st) => this.all<Record<string, unknown>>(st)));
  }

  /**
   * See {@link TargetSession.claimDb}. SQLite has one writer: every claim transaction is `BEGIN
   * IMMEDIATE` (the write lock up front), so claims never interleave. better-sqlite3 waits for a lock
   * synchronously, which would freeze the run's event loop (signals, IPC with its workers) while its
   * workers keep the database busy; so a claim statement that finds the lock taken fails at once and
   * is tried again a few milliseconds later, asynchronously, for up to the session's busy_timeout.
   */
  claimDb(): ClaimDb {
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const once = <T>(fn: () => T): T => {
      this.db.pragma('busy_timeout = 0');
      try { return fn(); } finally { this.db.pragma(`busy_timeout = ${this.busyMs}`); }
    };
    const patiently = async <T>(fn: () => T): Promise<T> => {
      const deadline = Date.now() + this.busyMs;
      for (;;) {
        try {
          return once(fn);
        } catch (err) {
          if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw toDbError('sqlite', err, { phase: 'query' });
          await sleep(2 + Math.random() * 18);
        }
      }
    };
    const run = (st: ClaimStatement): ClaimExecResult => {
      const stmt = this.writer.statement(st.text);
      const params = st.params as SqliteValue[];
      return st.reads ? { rows: stmt.all(...params) as Record<string, unknown>[], changed: 0 } : { rows: [], changed: Number(stmt.run(...params).changes) };
    };
    // inside a transaction the write lock is held: statements run straight away
    const inTx = (st: ClaimStatement): Promise<ClaimExecResult> => this.run(() => run(st));
    return {
      style: SQLITE_STYLE,
      exec: (st) => patiently(() => run(st)),
      transaction: async (_lockName, _serialize, fn) => {
        await patiently(() => this.db.exec('BEGIN IMMEDIATE'));
        try {
          const out = await fn(inTx);
          await this.run(() => this.db.exec('COMMIT'));
          return out;
        } catch (err) {
          if (this.db.inTransaction) { try { this.db.exec('ROLLBACK'); } catch { /* already rolled back */ } }
          throw err;
        }
      },
    };
  }
}
