/**
 * The PostgreSQL {@link TargetSession} on `pg`: a Pool of `poolMax` connections (1 = one dedicated
 * connection), session TimeZone UTC (only `processed_at` is zoned; local timestamps are untouched),
 * timestamps/dates/numerics read back as text so nothing is reinterpreted by JavaScript.
 */
import { prepareBatch } from '../batch-prep.js';
import { toDbError } from '../classify-error.js';
import type {
  DialectInfo, InsertSourceResult, PreflightOptions, ReplaceSourceResult, PreflightProblem, RawSourceRecord, SessionOptions, SourceFilter,
  SourceIdStats, SourcePageQuery, SourceRecord, StatusSummary, TargetSession, WriteBatch, WriteResult,
} from '../dialect.js';
import type { ClaimDb, ClaimExec, ClaimStatement } from '../claims-sql.js';
import { NO_PASSWORD_CODE } from '../connect-hint.js';
import { DbError, type ErrorPhase } from '../db-error.js';
import { quoteDouble } from '../identifiers.js';
import { comparePreflight, type LiveTable, type Privilege } from '../preflight.js';
import { targetRowsSql, type AppIdSelection } from '../target-rows.js';
import { catalogTables, type SchemaModel, type TableModel } from '../schema-types.js';
import {
  chunk, countPendingSql, deleteFailedForAppSql, deleteFailedSql, loggedStatusSql, replaceSourceSql, sourceByIdsSql, sourceIdStatsOf, sourceIdStatsSql, sourcePageSql, reportSql, statusSql, type SqlStatement,
} from '../sql-text.js';
import type { TargetConfig } from '../target-url.js';
import { ByteArena, copyOutSourceRows, sourceBytesCopySql, type PgSubmittable } from './pg-copy-out.js';
import { postgresDdl, postgresQualify } from './postgres-ddl.js';
import {
  PG_MAX_PARAMS, POSTGRES_STYLE, postgresColumnsSql, postgresLiveInfo, postgresLiveTables, postgresUniqueSql,
  type PgColumnRow, type PgLiveInfo,
} from './postgres-plan.js';
import { writePostgresBatch, type PgClient } from './postgres-writer.js';

/** Static facts about PostgreSQL. */
export const POSTGRES_INFO: DialectInfo = {
  name: 'postgres', maxParams: PG_MAX_PARAMS, bulkLoad: false, supportsSchemas: true,
  quote: quoteDouble, qualify: postgresQualify,
};

/** A pooled client: the query slice (text, or a submittable) plus release (passing an Error destroys the connection). */
export interface PgPoolClient extends PgClient {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(submittable: PgSubmittable): unknown;
  release(destroy?: Error | boolean): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
}

/** The slice of a `pg` Pool this layer calls. */
export interface PgPool {
  connect(): Promise<PgPoolClient>;
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  end(): Promise<void>;
}

const ID_CHUNK = 5000;
const SOURCE_CHUNK_BYTES = 32 * 1024 * 1024;
/** OIDs read back as raw text: numeric, date, timestamp, timestamptz, int8. */
const RAW_TEXT_OIDS = new Set([1700, 1082, 1114, 1184, 20]);

/**
 * Loads `pg`. On Node 20 (no global `navigator`), pg probes for Cloudflare Workers with
 * `new Response(…)`, which makes Node load its whole fetch implementation: ~80 ms of start-up in
 * every worker. A `navigator` present only while pg loads answers the probe instead.
 */
async function importPg(): Promise<typeof import('pg')> {
  const g = globalThis as { navigator?: unknown };
  if (g.navigator !== undefined) return import('pg');
  Object.defineProperty(g, 'navigator', { value: { userAgent: `Node.js/${process.version}` }, configurable: true, writable: true });
  try {
    return await import('pg');
  } finally {
    delete g.navigator;
  }
}

/**
 * pg.Client whose socket is closed when connecting fails. pg leaves it open after an error raised on
 * the client side of the handshake (SCRAM without a password): the server then waits for its
 * authentication timeout (60 s by default) and the socket keeps the process alive all that time.
 */
function closingClient(Base: typeof import('pg').Client): typeof import('pg').Client {
  type Callback = (err: Error | null) => void;
  type Connect = (this: object, callback?: Callback) => Promise<unknown> | void;
  const connect = Base.prototype.connect as unknown as Connect;
  class ClosingClient extends Base {}
  const closingConnect: Connect = function (this: object, callback?: Callback) {
    const close = (): void => (this as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    if (!callback) return (connect.call(this) as Promise<unknown>).catch((err: unknown) => { close(); throw err; });
    connect.call(this, (err) => { if (err) close(); callback(err); });
    return undefined;
  };
  Object.defineProperty(ClosingClient.prototype, 'connect', { value: closingConnect, writable: true, configurable: true });
  return ClosingClient;
}

/** pg's refusal to answer a password challenge without a password (SCRAM; md5/cleartext send none and get 28P01). */
const NO_PASSWORD_TEXT = /client password must be a (non-empty )?string/;

/** Opens a pg Pool for `cfg` and returns a session bound to `model`. */
export async function openPostgresSession(cfg: TargetConfig, model: SchemaModel, opts: SessionOptions = {}): Promise<TargetSession> {
  const pgMod = await importPg();
  const pg = (pgMod as unknown as { default?: typeof pgMod }).default ?? pgMod;
  const secrets = cfg.password ? [cfg.password] : [];
  const ssl = cfg.params['sslmode'];
  const num = (k: string): number | undefined => (cfg.params[k] === undefined ? undefined : Number(cfg.params[k]));
  const connectTimeout = num('connect_timeout');
  const statementTimeout = num('statement_timeout');
  const pool = new pg.Pool({
    Client: closingClient(pg.Client),
    host: cfg.host, database: cfg.database, max: Math.max(1, opts.poolMax ?? 1),
    ...(cfg.port === null ? {} : { port: cfg.port }),
    ...(cfg.user === null ? {} : { user: cfg.user }),
    ...(cfg.password === null ? {} : { password: cfg.password }),
    ...(ssl === undefined || ssl === 'disable' ? {} : { ssl: ssl === 'no-verify' ? { rejectUnauthorized: false } : true }),
    ...(connectTimeout === undefined ? {} : { connectionTimeoutMillis: connectTimeout * 1000 }),
    ...(statementTimeout === undefined ? {} : { statement_timeout: statementTimeout }),
    application_name: cfg.params['application_name'] ?? opts.applicationName ?? 'xmlmigrate',
    options: '-c TimeZone=UTC',
    // pg decodes text as UTF-8 and readSourceBytesByIds promises UTF-8 bytes: never let the server
    // default the client encoding to a non-UTF-8 database encoding.
    client_encoding: 'UTF8',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        RAW_TEXT_OIDS.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection dropped by the server (restart, pg_terminate_backend) emits 'error' on the
  // pool; without a listener Node would crash the worker. The next checkout simply reconnects.
  pool.on('error', () => undefined);
  const session = new PostgresSession(pool as unknown as PgPool, model, secrets);
  try {
    await session.ping();
  } catch (err) {
    await pool.end().catch(() => undefined);
    // pg's SCRAM code rejects a missing password with its own text: say what happened instead
    if (cfg.password === null && err instanceof Error && NO_PASSWORD_TEXT.test(err.message)) {
      throw new DbError('the server asks for a password and none was given', { code: NO_PASSWORD_CODE, dialect: 'postgres', kind: 'permanent', phase: 'connect', cause: err });
    }
    throw err;
  }
  return session;
}

function isoUtc(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(' ', 'T').replace(/\+00(:00)?$/, 'Z');
}

/** A PostgreSQL session over any {@link PgPool} (tests may inject one). */
export class PostgresSession implements TargetSession {
  readonly info = POSTGRES_INFO;
  private closed = false;
  private live: PgLiveInfo | undefined;
  /** Memory for {@link readSourceBytesByIds}' documents, reused by every call. */
  private readonly arenas = [new ByteArena(), new ByteArena()];
  private readonly arenaBusy = [false, false];
  private nextArena = 0;

  constructor(private readonly pool: PgPool, readonly model: SchemaModel, private readonly secrets: readonly string[] = []) {}

  private async q<T>(st: SqlStatement): Promise<T[]> {
    try {
      return (await this.pool.query(st.text, st.params)).rows as T[];
    } catch (err) {
      throw toDbError('postgres', err, { phase: 'query', secrets: this.secrets });
    }
  }

  private async withClient<T>(fn: (c: PgPoolClient) => Promise<T>, phase: ErrorPhase = 'write'): Promise<T> {
    let client: PgPoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw toDbError('postgres', err, { phase: 'connect', secrets: this.secrets });
    }
    // pg-pool drops its own error listener while a client is checked out; a socket error would
    // then be an unhandled 'error' event and kill the process. The failing query rejects anyway.
    const onError = (): void => undefined;
    client.on('error', onError);
    try {
      const out = await fn(client);
      client.removeListener('error', onError);
      client.release();
      return out;
    } catch (err) {
      const e = toDbError('postgres', err, { phase, secrets: this.secrets });
      if (e.kind === 'permanent') {
        client.removeListener('error', onError);
        client.release();
      } else {
        // Connection-level failure: destroy the client (the listener stays for late socket errors).
        client.release(e);
      }
      throw e;
    }
  }

  /** See {@link TargetSession.preflight}. */
  async preflight(opts: PreflightOptions = {}): Promise<PreflightProblem[]> {
    const cols = await this.q<PgColumnRow>(postgresColumnsSql(this.model));
    this.live = postgresLiveInfo(cols);
    const unique = await this.q<{ table_name: string; column_name: string }>(postgresUniqueSql(this.model));
    const privileges = await this.q<{ table_name: string; usage: boolean; ins: boolean; sel: boolean; upd: boolean; del: boolean }>(this.privilegesSql());
    const live = new Map<string, LiveTable>();
    for (const [name, t] of postgresLiveTables(cols, unique)) {
      const p = privileges.find((r) => r.table_name === name);
      const granted = new Set<Privilege>(p ? [
        ...(p.ins ? ['INSERT' as const] : []), ...(p.sel ? ['SELECT' as const] : []), ...(p.upd ? ['UPDATE' as const] : []), ...(p.del ? ['DELETE' as const] : []),
      ] : []);
      live.set(name, p ? { ...t, privileges: granted, schemaUsage: p.usage } : t);
    }
    return comparePreflight(this.model, live, opts);
  }

  /** The session user's INSERT/SELECT/UPDATE/DELETE on every model table and USAGE on its schema (has_table_privilege). */
  private privilegesSql(): SqlStatement {
    const names = catalogTables(this.model).map((t) => t.name);
    return {
      text: `SELECT c.relname AS table_name, has_schema_privilege(n.oid, 'USAGE') AS usage,
               has_table_privilege(c.oid, 'INSERT') AS ins, has_table_privilege(c.oid, 'SELECT') AS sel,
               has_table_privilege(c.oid, 'UPDATE') AS upd, has_table_privilege(c.oid, 'DELETE') AS del
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p', 'v', 'f')`,
      params: [this.model.schema, `{${names.map((n) => `"${n}"`).join(',')}}`],
    };
  }

  /** See {@link TargetSession.sourceIdStats}. */
  async sourceIdStats(): Promise<SourceIdStats> {
    const st = sourceIdStatsSql(POSTGRES_STYLE, this.model);
    return sourceIdStatsOf((await this.q<Record<string, unknown>>(st.range))[0], await this.q<Record<string, unknown>>(st.examples));
  }

  /** See {@link TargetSession.applySchema}; one transaction (PostgreSQL DDL is transactional). */
  async applySchema(opts: { readonly includeSource?: boolean } = {}): Promise<void> {
    const ddl = postgresDdl(this.model, opts);
    await this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        for (const s of ddl) await c.query(s);
        await c.query('COMMIT');
        this.live = undefined;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /** See {@link TargetSession.readSourcePage}. */
  async readSourcePage(q: SourcePageQuery): Promise<SourceRecord[]> {
    const rows = await this.q<{ app_id: number; xml: string | null }>(sourcePageSql(POSTGRES_STYLE, this.model, q));
    return rows.map((r) => ({ appId: Number(r.app_id), xml: r.xml }));
  }

  /** See {@link TargetSession.readSourceIds}. */
  async readSourceIds(q: SourcePageQuery): Promise<number[]> {
    return (await this.q<{ app_id: number }>(sourcePageSql(POSTGRES_STYLE, this.model, q, true))).map((r) => Number(r.app_id));
  }

  /** See {@link TargetSession.readSourceByIds}. */
  async readSourceByIds(appIds: readonly number[]): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    for (const ids of chunk([...new Set(appIds)], ID_CHUNK)) {
      const rows = await this.q<{ app_id: number; xml: string | null }>(sourceByIdsSql(POSTGRES_STYLE, this.model, ids));
      out.push(...rows.map((r) => ({ appId: Number(r.app_id), xml: r.xml })));
    }
    return out.sort((a, b) => a.appId - b.appId);
  }

  /**
   * See {@link TargetSession.readSourceBytesByIds}: one binary COPY per 5,000 ids on one pooled
   * connection; the bytes are copied into one of this session's two arenas, used in turn, so the
   * returned Buffers stay valid until the second call after this one. (A call that finds its arena
   * still being filled by a running call gets memory of its own.)
   */
  async readSourceBytesByIds(appIds: readonly number[]): Promise<RawSourceRecord[]> {
    const ids = [...new Set(appIds)];
    if (ids.length === 0) return [];
    // Validates every id (a permanent DbError) before a connection is taken.
    const statements = chunk(ids.sort((a, b) => a - b), ID_CHUNK).map((c) => sourceBytesCopySql(this.model, c));
    // two arenas used in turn, so a reader can fetch the next chunk while it still holds this one
    const slot = this.nextArena;
    const own = !this.arenaBusy[slot];
    const arena = own ? this.arenas[slot]! : new ByteArena();
    if (own) {
      this.arenaBusy[slot] = true;
      this.nextArena = 1 - slot;
      arena.reset();
    }
    try {
      return await this.withClient(async (c) => {
        const out: RawSourceRecord[] = [];
        for (const text of statements) for (const r of await copyOutSourceRows(c, text, arena)) out.push(r);
        return out;
      }, 'query');
    } finally {
      if (own) this.arenaBusy[slot] = false;
    }
  }

  /** See {@link TargetSession.countPending}. */
  async countPending(q: SourceFilter): Promise<number> {
    const rows = await this.q<{ n: string }>(countPendingSql(POSTGRES_STYLE, this.model, q));
    return Number(rows[0]?.n ?? 0);
  }

  /** See {@link TargetSession.writeBatch}. */
  async writeBatch(batch: WriteBatch): Promise<WriteResult> {
    let prepared;
    try {
      prepared = prepareBatch(batch, this.model.processingLog);
    } catch (err) {
      throw toDbError('postgres', err, { phase: 'write' });
    }
    const p = prepared;
    // Column defaults decide COPY vs VALUES; read once per session (and after applySchema/preflight).
    this.live ??= postgresLiveInfo(await this.q<PgColumnRow>(postgresColumnsSql(this.model)));
    const live = this.live;
    const counts = await this.withClient((c) => writePostgresBatch(c, p, live, this.secrets));
    return { ...counts, duplicatesDropped: prepared.duplicatesDropped };
  }

  /** See {@link TargetSession.loggedStatus}. */
  async loggedStatus(appIds: readonly number[]): Promise<Map<number, 'success' | 'failed'>> {
    const out = new Map<number, 'success' | 'failed'>();
    for (const ids of chunk([...new Set(appIds)], ID_CHUNK)) {
      for (const r of await this.q<{ app_id: number; status: 'success' | 'failed' }>(loggedStatusSql(POSTGRES_STYLE, this.model, ids))) {
        out.set(Number(r.app_id), r.status);
      }
    }
    return out;
  }

  /** See {@link TargetSession.insertSource}; chunks by size, ON CONFLICT (app_id) DO NOTHING. */
  async insertSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<InsertSourceResult> {
    const seen = new Set<number>();
    const unique = records.filter((r) => (seen.has(r.appId) ? false : (seen.add(r.appId), true)));
    const q = quoteDouble;
    const head = `INSERT INTO ${postgresQualify(this.model.source)} (${q('app_id')}, ${q(this.model.sourceColumn)}) VALUES `;
    const tail = ` ON CONFLICT (${q('app_id')}) DO NOTHING`;
    const groups: (typeof unique)[] = [];
    let cur: typeof unique = [];
    let bytes = 0;
    for (const r of unique) {
      if (cur.length > 0 && (bytes + r.xml.length > SOURCE_CHUNK_BYTES || cur.length >= 10_000)) { groups.push(cur); cur = []; bytes = 0; }
      cur.push(r);
      bytes += r.xml.length;
    }
    if (cur.length) groups.push(cur);
    const inserted = await this.withClient(async (c) => {
      let n = 0;
      await c.query('BEGIN');
      try {
        for (const g of groups) {
          const text = head + g.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ') + tail;
          n += (await c.query(text, g.flatMap((r) => [r.appId, r.xml]))).rowCount ?? 0;
        }
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      return n;
    });
    return { inserted, skipped: records.length - inserted };
  }

  /** See {@link TargetSession.replaceSource}. */
  async replaceSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<ReplaceSourceResult> {
    return this.withClient(async (c) => {
      const replaced: number[] = [];
      const failedCleared: number[] = [];
      await c.query('BEGIN');
      try {
        for (const r of records) {
          const up = replaceSourceSql(POSTGRES_STYLE, this.model, r.appId, r.xml);
          if (((await c.query(up.text, up.params)).rowCount ?? 0) === 0) continue;
          replaced.push(r.appId);
          const del = deleteFailedForAppSql(POSTGRES_STYLE, this.model, r.appId);
          if (((await c.query(del.text, del.params)).rowCount ?? 0) > 0) failedCleared.push(r.appId);
        }
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      return { replaced, failedCleared };
    });
  }

  /** See {@link TargetSession.deleteFailedLog}. */
  async deleteFailedLog(): Promise<number> {
    const st = deleteFailedSql(POSTGRES_STYLE, this.model);
    try {
      return (await this.pool.query(st.text, st.params)).rowCount ?? 0;
    } catch (err) {
      throw toDbError('postgres', err, { phase: 'query', secrets: this.secrets });
    }
  }

  /** See {@link TargetSession.statusSummary}. */
  async statusSummary(limit = 20): Promise<StatusSummary> {
    const s = statusSql(POSTGRES_STYLE, this.model, limit);
    const fold = async (st: SqlStatement): Promise<Record<string, number>> =>
      Object.fromEntries((await this.q<{ k: string | null; n: string }>(st)).map((r) => [r.k ?? '(none)', Number(r.n)]));
    const last = (await this.q<Record<string, unknown>>(s.last)).map((r) => ({
      appId: Number(r['app_id']), status: r['status'] as 'success' | 'failed',
      stage: (r['stage'] as string | null) ?? null, failureReason: (r['failure_reason'] as string | null) ?? null,
      runId: (r['run_id'] as string | null) ?? null, workerId: r['worker_id'] == null ? null : Number(r['worker_id']),
      attempts: Number(r['attempts'] ?? 1), processedAt: isoUtc((r['processed_at'] as string | null) ?? null),
    }));
    return { byStatus: await fold(s.byStatus), byStage: await fold(s.byStage), lastFailures: last };
  }

  /** See {@link TargetSession.reportLog}. */
  async reportLog(opts: { readonly runId: string | null; readonly failureLimit: number }): Promise<import('../dialect.js').LogReport> {
    const r = reportSql(POSTGRES_STYLE, this.model, opts.runId, opts.failureLimit);
    const counts: Record<string, number> = {};
    for (const c of r.counts) counts[c.table] = Number((await this.q<{ n: string }>(c.st))[0]?.n ?? 0);
    return {
      byTime: (await this.q<{ t: string | null; s: string; n: string }>(r.byTime)).map((x) => ({ at: isoUtc(x.t), status: String(x.s), count: Number(x.n) })),
      failures: (await this.q<Record<string, unknown>>(r.failures)).map((x) => ({ appId: Number(x['app_id']), stage: (x['stage'] as string | null) ?? null, reason: (x['failure_reason'] as string | null) ?? null })),
      failedTotal: Number((await this.q<{ n: string }>(r.failedTotal))[0]?.n ?? 0),
      rowCounts: counts,
    };
  }

  /** See {@link TargetSession.ping}. */
  async ping(): Promise<void> {
    await this.q({ text: 'SELECT 1', params: [] });
  }

  /** See {@link TargetSession.close}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }

  /**
   * See {@link TargetSession.readSourceSizes}: `octet_length` of the text (an xml column casts to
   * text without a conversion), which PostgreSQL answers from the stored size without detoasting.
   */
  async readSourceSizes(appIds: readonly number[]): Promise<import('../dialect.js').SourceSize[]> {
    const out: import('../dialect.js').SourceSize[] = [];
    for (const ids of chunk([...new Set(appIds)], ID_CHUNK)) {
      const rows = await this.q<{ app_id: number; xml: number | string | null }>(sourceByIdsSql(POSTGRES_STYLE, this.model, ids, (col) => `octet_length(CAST(${col} AS text))`));
      for (const r of rows) out.push({ appId: Number(r.app_id), bytes: Number(r.xml ?? 0) });
    }
    return out;
  }

  /** See {@link TargetSession.readTargetRows}. */
  async readTargetRows(table: TableModel, sel: AppIdSelection, columns?: readonly string[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const st of targetRowsSql(POSTGRES_STYLE, table, sel, ID_CHUNK, columns)) out.push(...await this.q<Record<string, unknown>>(st));
    return out;
  }

  /**
   * See {@link TargetSession.claimDb}. Claims and takeovers rely on row locks (`FOR UPDATE SKIP
   * LOCKED`, the primary key refusing a range claimed twice); a transaction that must exclude every
   * other one (a run registering, which may start a new round) holds a transaction-level advisory
   * lock on the hash of the claims table's name.
   */
  claimDb(): ClaimDb {
    const run = async (c: { query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> }, st: ClaimStatement) => {
      const r = await c.query(st.text, st.params);
      return { rows: r.rows as Record<string, unknown>[], changed: r.rowCount ?? 0 };
    };
    return {
      style: POSTGRES_STYLE,
      exec: async (st) => {
        try {
          return await run(this.pool, st);
        } catch (err) {
          throw toDbError('postgres', err, { phase: 'query', secrets: this.secrets });
        }
      },
      transaction: (lockName, serialize, fn) => this.withClient(async (c) => {
        await c.query('BEGIN');
        try {
          if (serialize) await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockName]);
          const exec: ClaimExec = (st) => run(c, st);
          const out = await fn(exec);
          await c.query('COMMIT');
          return out;
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }, 'query'),
    };
  }
}
