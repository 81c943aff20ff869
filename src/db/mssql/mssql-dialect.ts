/**
 * The SQL Server {@link TargetSession} on `mssql` (tedious). `poolMax` connections per session
 * (`--pool`), or one dedicated connection (`--no-pool`, pool max 1). `useUTC: true` is forced
 * because the exact DateTime2 encoding relies on it (see mssql-types.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { prepareBatch } from '../batch-prep.js';
import { toDbError } from '../classify-error.js';
import type { ClaimDb, ClaimExec, ClaimStatement } from '../claims-sql.js';
import type {
  DialectInfo, InsertSourceResult, PreflightOptions, ReplaceSourceResult, PreflightProblem, SessionOptions, SourceFilter,
  SourceIdStats, SourcePageQuery, SourceRecord, StatusSummary, TargetSession, WriteBatch, WriteResult,
} from '../dialect.js';
import { quoteBracket } from '../identifiers.js';
import { comparePreflight, type LiveColumn, type LiveTable, type Privilege } from '../preflight.js';
import { targetRowsSql, type AppIdSelection } from '../target-rows.js';
import { catalogTables, type SchemaModel, type TableModel } from '../schema-types.js';
import { chunk, countPendingSql, sourceIdStatsOf, sourceIdStatsSql, deleteFailedForAppSql, deleteFailedSql, loggedStatusSql, replaceSourceSql, sourceByIdsSql, sourcePageSql, reportSql, statusSql, type SqlStatement } from '../sql-text.js';
import type { TargetConfig } from '../target-url.js';
import { mssqlDdl, mssqlQualify } from './mssql-ddl.js';
import {
  MSSQL_MAX_PARAMS, MSSQL_OPENJSON_PROBE, MSSQL_STYLE, mssqlColumnsSql, mssqlInsertSourceStatements, mssqlUniqueSql, typedStatement,
  type MssqlLiveInfo, type MssqlStatement,
} from './mssql-plan.js';
import { mssqlLiveType, mssqlSpecFromLive, type MssqlColumnRow, type MssqlTypeSpec } from './mssql-types.js';
import { runStatement, writeMssqlBatch, type MssqlDriverTypes, type MssqlPool, type MssqlResult } from './mssql-writer.js';

/** Static facts about SQL Server. */
export const MSSQL_INFO: DialectInfo = {
  name: 'mssql', maxParams: MSSQL_MAX_PARAMS, bulkLoad: true, supportsSchemas: true,
  quote: quoteBracket, qualify: mssqlQualify,
};

/** Default request timeout (ms) — bulk loads of large batches need more than mssql's 15 s. */
export const MSSQL_REQUEST_TIMEOUT_MS = 300_000;
const ID_CHUNK = 1000;

type MssqlModule = typeof import('mssql');

/**
 * The driver as the build bundles it (scripts/bundle.mjs: dist/db/mssql/mssql-driver.cjs, one file
 * instead of ~430 modules), looked up next to this module or, from the CLI and worker bundles
 * (dist/cli, dist/worker), in dist/db/mssql; null when absent (tests, a plain `tsc` build).
 */
function loadBundledDriver(): MssqlModule | null {
  for (const rel of ['./mssql-driver.cjs', '../db/mssql/mssql-driver.cjs']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return createRequire(import.meta.url)(file) as MssqlModule;
  }
  return null;
}

/** Builds the driver-types adapter from the `mssql` module. */
export function mssqlDriverTypes(sql: MssqlModule): MssqlDriverTypes {
  return {
    type(spec: MssqlTypeSpec): unknown {
      switch (spec.name) {
        case 'NVarChar': return sql.NVarChar(spec.length === 'max' ? sql.MAX : spec.length);
        case 'VarChar': return sql.VarChar(spec.length === 'max' ? sql.MAX : spec.length);
        case 'NChar': return sql.NChar(spec.length === 'max' ? sql.MAX : spec.length);
        case 'Char': return sql.Char(spec.length === 'max' ? sql.MAX : spec.length);
        case 'Decimal': return sql.Decimal(spec.precision, spec.scale);
        case 'Numeric': return sql.Numeric(spec.precision, spec.scale);
        case 'DateTime2': return sql.DateTime2(spec.scale);
        case 'DateTimeOffset': return sql.DateTimeOffset(spec.scale);
        default: return sql[spec.name];
      }
    },
    newTable(path: string) {
      const t = new sql.Table(path);
      t.create = false;
      return t as unknown as ReturnType<MssqlDriverTypes['newTable']>;
    },
  };
}

/** Opens a connection pool for `cfg` and returns a session bound to `model`. */
export async function openMssqlSession(cfg: TargetConfig, model: SchemaModel, opts: SessionOptions = {}): Promise<TargetSession> {
  const mod = loadBundledDriver() ?? await import('mssql');
  const sql = ((mod as unknown as { default?: MssqlModule }).default ?? mod) as MssqlModule;
  const secrets = cfg.password ? [cfg.password] : [];
  const p = cfg.params;
  const bool = (v: string | undefined, dflt: boolean): boolean => (v === undefined ? dflt : v === 'true' || v === '1' || v === 'yes');
  const int = (v: string | undefined, dflt: number): number => (v === undefined ? dflt : Number(v));
  const pool = new sql.ConnectionPool({
    server: cfg.host,
    database: cfg.database,
    ...(cfg.port === null ? {} : { port: cfg.port }),
    ...(cfg.user === null ? {} : { user: cfg.user }),
    ...(cfg.password === null ? {} : { password: cfg.password }),
    connectionTimeout: int(p['connectTimeout'], 30_000),
    requestTimeout: int(p['requestTimeout'], MSSQL_REQUEST_TIMEOUT_MS),
    pool: { max: Math.max(1, opts.poolMax ?? 1), min: 0 },
    // a connection taken from the pool is checked by its socket state, not by a `SELECT 1` round
    // trip before every request (mssql's default, one request in two); mssql 12 reads this key
    // but its type declarations do not list it
    ...({ validateConnection: 'socket' } as object),
    options: {
      encrypt: bool(p['encrypt'], true),
      trustServerCertificate: bool(p['trustServerCertificate'], false),
      useUTC: true,
      appName: p['appName'] ?? opts.applicationName ?? 'xmlmigrate',
      ...(p['instanceName'] === undefined ? {} : { instanceName: p['instanceName'] }),
    },
  });
  // A dropped idle connection emits 'error' on the pool; without a listener Node would crash.
  pool.on('error', () => undefined);
  try {
    await pool.connect();
  } catch (err) {
    await pool.close().catch(() => undefined);
    throw toDbError('mssql', err, { phase: 'connect', secrets });
  }
  return new MssqlSession(pool as unknown as MssqlPool, mssqlDriverTypes(sql), model, secrets);
}

function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

/** A SQL Server session over any {@link MssqlPool} + {@link MssqlDriverTypes} (tests inject fakes). */
export class MssqlSession implements TargetSession {
  readonly info = MSSQL_INFO;
  private live: MssqlLiveInfo | undefined;
  private closed = false;

  constructor(
    private readonly pool: MssqlPool, private readonly types: MssqlDriverTypes,
    readonly model: SchemaModel, private readonly secrets: readonly string[] = [],
  ) {}

  /** Runs a shared statement (numbers → BigInt, text → NVarChar parameters). */
  private q(st: SqlStatement): Promise<Record<string, unknown>[]> {
    return this.qt(typedStatement(st));
  }

  /** Runs a statement whose parameters are already typed. */
  private async qt(st: MssqlStatement): Promise<Record<string, unknown>[]> {
    try {
      const res: MssqlResult = await runStatement(this.pool.request(), st, this.types);
      return [...(res.recordset ?? [])];
    } catch (err) {
      throw toDbError('mssql', err, { phase: 'query', secrets: this.secrets });
    }
  }

  private async catalog(): Promise<{ columns: MssqlColumnRow[]; unique: { table_name: string; column_name: string }[] }> {
    const columns = await this.qt(mssqlColumnsSql(this.model)) as unknown as MssqlColumnRow[];
    const unique = await this.qt(mssqlUniqueSql(this.model)) as unknown as { table_name: string; column_name: string }[];
    return { columns, unique };
  }

  /**
   * Live column types, identity columns and defaults, read once per session (before the first write),
   * unless the parent handed this session its catalog ({@link useWriteCatalog}). Only the columns
   * query: the unique-key query is preflight's alone (on the TDS test server each catalog query costs
   * a new session ~0.5–1.5 s of server CPU, BENCHMARKS.md).
   */
  private async liveInfo(): Promise<MssqlLiveInfo> {
    if (this.live) return this.live;
    this.live = liveInfoOf(await this.writeCatalog(), this.model);
    return this.live;
  }

  /** The columns catalog and the OPENJSON probe's answer (read from the server, or as handed over). */
  private async writeCatalog(): Promise<MssqlWriteCatalog> {
    if (this.handedCatalog) return this.handedCatalog;
    const columns = await this.qt(mssqlColumnsSql(this.model)) as unknown as MssqlColumnRow[];
    // OPENJSON needs SQL Server 2016+ at compatibility level 130+: without it, bulk loads only
    let openJson = true;
    try {
      await runStatement(this.pool.request(), { text: MSSQL_OPENJSON_PROBE, params: [] }, this.types);
    } catch {
      openJson = false;
    }
    return { kind: WRITE_CATALOG_KIND, schema: this.model.schema, columns, openJson };
  }

  /** A catalog handed over by another session (the run's parent); cleared when this session changes the schema. */
  private handedCatalog: MssqlWriteCatalog | undefined;

  /** See {@link TargetSession.exportWriteCatalog}. */
  async exportWriteCatalog(): Promise<unknown> {
    return this.writeCatalog();
  }

  /** See {@link TargetSession.useWriteCatalog}. */
  useWriteCatalog(catalog: unknown): void {
    if (!isWriteCatalog(catalog, this.model.schema)) return;
    this.handedCatalog = catalog;
    this.live = undefined;
  }

  /** See {@link TargetSession.preflight}. */
  async preflight(opts: PreflightOptions = {}): Promise<PreflightProblem[]> {
    const { columns, unique } = await this.catalog();
    const live = new Map<string, LiveTable>();
    const byTable = new Map<string, Map<string, LiveColumn>>();
    for (const r of columns) {
      if (!byTable.has(r.table_name)) byTable.set(r.table_name, new Map());
      const { type, declared } = mssqlLiveType(r);
      const isIdentity = r.is_identity === 1;
      byTable.get(r.table_name)?.set(r.column_name, {
        name: r.column_name, type, declared, isIdentity, nullable: r.is_nullable === 'YES',
        hasDefault: r.column_default !== null || isIdentity || r.is_computed === 1,
      });
    }
    const perms = await this.q(this.permissionsSql());
    for (const [name, cols] of byTable) {
      const p = perms.find((r) => r['table_name'] === name);
      const granted = new Set<Privilege>(p ? [
        ...(p['ins'] === 1 ? ['INSERT' as const] : []), ...(p['sel'] === 1 ? ['SELECT' as const] : []),
        ...(p['upd'] === 1 ? ['UPDATE' as const] : []), ...(p['del'] === 1 ? ['DELETE' as const] : []),
      ] : []);
      live.set(name, {
        name, columns: cols, uniqueColumns: new Set(unique.filter((u) => u.table_name === name).map((u) => u.column_name)),
        ...(p ? { privileges: granted } : {}),
      });
    }
    this.live = undefined;
    return comparePreflight(this.model, live, opts);
  }

  /** The login's INSERT/SELECT/UPDATE/DELETE on every model table (HAS_PERMS_BY_NAME; 1 = granted). */
  private permissionsSql(): SqlStatement {
    const names = catalogTables(this.model).map((t) => t.name);
    const obj = "QUOTENAME(s.name) + N'.' + QUOTENAME(t.name)";
    return {
      text: `SELECT t.name AS table_name, HAS_PERMS_BY_NAME(${obj}, N'OBJECT', N'INSERT') AS ins, HAS_PERMS_BY_NAME(${obj}, N'OBJECT', N'SELECT') AS sel,
                    HAS_PERMS_BY_NAME(${obj}, N'OBJECT', N'UPDATE') AS upd, HAS_PERMS_BY_NAME(${obj}, N'OBJECT', N'DELETE') AS del
               FROM sys.objects t JOIN sys.schemas s ON s.schema_id = t.schema_id
              WHERE t.type IN ('U', 'V') AND s.name = @p0 AND t.name IN (${names.map((_, i) => `@p${i + 1}`).join(', ')})`,
      params: [this.model.schema, ...names],
    };
  }

  /** See {@link TargetSession.sourceIdStats}. */
  async sourceIdStats(): Promise<SourceIdStats> {
    const st = sourceIdStatsSql(MSSQL_STYLE, this.model);
    return sourceIdStatsOf((await this.q(st.range))[0], await this.q(st.examples));
  }

  /** See {@link TargetSession.applySchema}; one transaction. */
  async applySchema(opts: { readonly includeSource?: boolean } = {}): Promise<void> {
    const tx = this.pool.transaction();
    try {
      await tx.begin();
      for (const s of mssqlDdl(this.model, opts)) await tx.request().query(s);
      await tx.commit();
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw toDbError('mssql', err, { phase: 'query', secrets: this.secrets });
    }
    this.live = undefined;
    this.handedCatalog = undefined;
  }

  /** See {@link TargetSession.readSourcePage}. */
  async readSourcePage(q: SourcePageQuery): Promise<SourceRecord[]> {
    return (await this.q(sourcePageSql(MSSQL_STYLE, this.model, q))).map((r) => ({ appId: Number(r['app_id']), xml: (r['xml'] as string | null) ?? null }));
  }

  /** See {@link TargetSession.readSourceIds}. */
  async readSourceIds(q: SourcePageQuery): Promise<number[]> {
    return (await this.q(sourcePageSql(MSSQL_STYLE, this.model, q, true))).map((r) => Number(r['app_id']));
  }

  /** See {@link TargetSession.readSourceByIds}. */
  async readSourceByIds(appIds: readonly number[]): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    for (const ids of chunk([...new Set(appIds)], ID_CHUNK)) {
      for (const r of await this.q(sourceByIdsSql(MSSQL_STYLE, this.model, ids))) out.push({ appId: Number(r['app_id']), xml: (r['xml'] as string | null) ?? null });
    }
    return out.sort((a, b) => a.appId - b.appId);
  }

  /** See {@link TargetSession.countPending}. */
  async countPending(q: SourceFilter): Promise<number> {
    return Number((await this.q(countPendingSql(MSSQL_STYLE, this.model, q)))[0]?.['n'] ?? 0);
  }

  /** See {@link TargetSession.writeBatch}. */
  async writeBatch(batch: WriteBatch): Promise<WriteResult> {
    let prepared;
    try {
      prepared = prepareBatch(batch, this.model.processingLog);
    } catch (err) {
      throw toDbError('mssql', err, { phase: 'write' });
    }
    const live = await this.liveInfo();
    const counts = await writeMssqlBatch(this.pool, this.types, prepared, live, this.secrets);
    return { ...counts, duplicatesDropped: prepared.duplicatesDropped };
  }

  /** See {@link TargetSession.loggedStatus}. */
  async loggedStatus(appIds: readonly number[]): Promise<Map<number, 'success' | 'failed'>> {
    const out = new Map<number, 'success' | 'failed'>();
    for (const ids of chunk([...new Set(appIds)], ID_CHUNK)) {
      for (const r of await this.q(loggedStatusSql(MSSQL_STYLE, this.model, ids))) out.set(Number(r['app_id']), r['status'] as 'success' | 'failed');
    }
    return out;
  }

  /** See {@link TargetSession.insertSource}. */
  async insertSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<InsertSourceResult> {
    const seen = new Set<number>();
    const unique = records.filter((r) => (seen.has(r.appId) ? false : (seen.add(r.appId), true)));
    const tx = this.pool.transaction();
    let inserted = 0;
    try {
      await tx.begin();
      for (const st of mssqlInsertSourceStatements(this.model, unique)) {
        inserted += (await runStatement(tx.request(), st, this.types)).rowsAffected.reduce((a, b) => a + b, 0);
      }
      await tx.commit();
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw toDbError('mssql', err, { phase: 'write', table: this.model.source.name, secrets: this.secrets });
    }
    return { inserted, skipped: records.length - inserted };
  }

  /** See {@link TargetSession.replaceSource}. */
  async replaceSource(records: readonly { readonly appId: number; readonly xml: string }[]): Promise<ReplaceSourceResult> {
    const replaced: number[] = [];
    const failedCleared: number[] = [];
    const tx = this.pool.transaction();
    const affected = (res: { readonly rowsAffected: readonly number[] }): number => res.rowsAffected.reduce((a, b) => a + b, 0);
    try {
      await tx.begin();
      for (const r of records) {
        const up = typedStatement(replaceSourceSql(MSSQL_STYLE, this.model, r.appId, r.xml));
        // the document is parameter 0: nvarchar(max), not typedStatement's nvarchar(4000)
        const text = { ...up, params: up.params.map((p, i) => (i === 0 ? { ...p, type: { name: 'NVarChar' as const, length: 'max' as const } } : p)) };
        if (affected(await runStatement(tx.request(), text, this.types)) === 0) continue;
        replaced.push(r.appId);
        if (affected(await runStatement(tx.request(), typedStatement(deleteFailedForAppSql(MSSQL_STYLE, this.model, r.appId)), this.types)) > 0) failedCleared.push(r.appId);
      }
      await tx.commit();
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw toDbError('mssql', err, { phase: 'write', table: this.model.source.name, secrets: this.secrets });
    }
    return { replaced, failedCleared };
  }

  /** See {@link TargetSession.deleteFailedLog}. */
  async deleteFailedLog(): Promise<number> {
    try {
      const res = await runStatement(this.pool.request(), typedStatement(deleteFailedSql(MSSQL_STYLE, this.model)), this.types);
      return res.rowsAffected.reduce((a, b) => a + b, 0);
    } catch (err) {
      throw toDbError('mssql', err, { phase: 'query', secrets: this.secrets });
    }
  }

  /** See {@link TargetSession.statusSummary}. */
  async statusSummary(limit = 20): Promise<StatusSummary> {
    const s = statusSql(MSSQL_STYLE, this.model, limit);
    const fold = async (st: SqlStatement): Promise<Record<string, number>> =>
      Object.fromEntries((await this.q(st)).map((r) => [(r['k'] as string | null) ?? '(none)', Number(r['n'])]));
    const last = (await this.q(s.last)).map((r) => ({
      appId: Number(r['app_id']), status: r['status'] as 'success' | 'failed',
      stage: (r['stage'] as string | null) ?? null, failureReason: (r['failure_reason'] as string | null) ?? null,
      runId: (r['run_id'] as string | null) ?? null, workerId: r['worker_id'] == null ? null : Number(r['worker_id']),
      attempts: Number(r['attempts'] ?? 1), processedAt: iso(r['processed_at']),
    }));
    return { byStatus: await fold(s.byStatus), byStage: await fold(s.byStage), lastFailures: last };
  }

  /** See {@link TargetSession.reportLog}. */
  async reportLog(opts: { readonly runId: string | null; readonly failureLimit: number }): Promise<import('../dialect.js').LogReport> {
    const r = reportSql(MSSQL_STYLE, this.model, opts.runId, opts.failureLimit);
    const counts: Record<string, number> = {};
    for (const c of r.counts) counts[c.table] = Number((await this.q(c.st))[0]?.['n'] ?? 0);
    return {
      byTime: (await this.q(r.byTime)).map((x) => ({ at: iso(x['t']), status: String(x['s']), count: Number(x['n']) })),
      failures: (await this.q(r.failures)).map((x) => ({ appId: Number(x['app_id']), stage: (x['stage'] as string | null) ?? null, reason: (x['failure_reason'] as string | null) ?? null })),
      failedTotal: Number((await this.q(r.failedTotal))[0]?.['n'] ?? 0),
      rowCounts: counts,
    };
  }

  /** See {@link TargetSession.ping}. */
  async ping(): Promise<void> {
    await this.q({ text: 'SELECT 1 AS one', params: [] });
  }

  /** See {@link TargetSession.close}. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close().catch(() => undefined);
  }

  /** See {@link TargetSession.readSourceSizes}: `DATALENGTH`, the stored size (UTF-16 for nvarchar). */
  async readSourceSizes(appIds: readonly number[]): Promise<import('../dialect.js').SourceSize[]> {
    const out: import('../dialect.js').SourceSize[] = [];
    for (const ids of chunk([...new Set(appIds)], ID_CHUNK)) {
      for (const r of await this.q(sourceByIdsSql(MSSQL_STYLE, this.model, ids, (col) => `DATALENGTH(${col})`))) out.push({ appId: Number(r['app_id']), bytes: Number(r['xml'] ?? 0) });
    }
    return out;
  }

  /** See {@link TargetSession.readTargetRows}. */
  async readTargetRows(table: TableModel, sel: AppIdSelection, columns?: readonly string[]): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const st of targetRowsSql(MSSQL_STYLE, table, sel, ID_CHUNK, columns)) out.push(...await this.q(st));
    return out;
  }

  /**
   * See {@link TargetSession.claimDb}. Every claim transaction first takes an exclusive application
   * lock (`sp_getapplock`, owned by the transaction, released by COMMIT/ROLLBACK): claims never
   * interleave, and nothing depends on table hints such as READPAST, which some TDS servers ignore.
   */
  claimDb(): ClaimDb {
    const run = async (req: () => Parameters<typeof runStatement>[0], st: ClaimStatement) => {
      const res = await runStatement(req(), typedStatement(st), this.types);
      return { rows: [...(res.recordset ?? [])] as Record<string, unknown>[], changed: res.rowsAffected.reduce((a, b) => a + b, 0) };
    };
    return {
      style: MSSQL_STYLE,
      exec: async (st) => {
        try {
          return await run(() => this.pool.request(), st);
        } catch (err) {
          throw toDbError('mssql', err, { phase: 'query', secrets: this.secrets });
        }
      },
      transaction: async (lockName, _serialize, fn) => {
        const tx = this.pool.transaction();
        try {
          await tx.begin();
          const lock = await run(() => tx.request(), {
            text: "DECLARE @r int; EXEC @r = sp_getapplock @Resource = @p0, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 60000; SELECT @r AS r",
            params: [lockName.slice(0, 255)], reads: true,
          });
          if (Number(lock.rows[0]?.['r'] ?? -999) < 0) throw new Error(`sp_getapplock refused the claims lock (result ${String(lock.rows[0]?.['r'])})`);
          const exec: ClaimExec = (st) => run(() => tx.request(), st);
          const out = await fn(exec);
          await tx.commit();
          return out;
        } catch (err) {
          await tx.rollback().catch(() => undefined);
          throw toDbError('mssql', err, { phase: 'query', secrets: this.secrets });
        }
      },
    };
  }
}

const WRITE_CATALOG_KIND = 'xmlmigrate/mssql-write-catalog/1';

/** What {@link MssqlSession.exportWriteCatalog} hands a worker: plain data (it crosses the IPC channel). */
interface MssqlWriteCatalog {
  readonly kind: typeof WRITE_CATALOG_KIND;
  /** The model's schema it was read for (a catalog of another schema is ignored). */
  readonly schema: string;
  readonly columns: readonly MssqlColumnRow[];
  readonly openJson: boolean;
}

function isWriteCatalog(v: unknown, schema: string): v is MssqlWriteCatalog {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<MssqlWriteCatalog>;
  return c.kind === WRITE_CATALOG_KIND && c.schema === schema && typeof c.openJson === 'boolean' && Array.isArray(c.columns)
    && c.columns.every((r) => typeof r === 'object' && r !== null && typeof r.table_name === 'string' && typeof r.column_name === 'string' && typeof r.data_type === 'string');
}

/** Catalog rows → the writer's view of the live tables. */
function liveInfoOf(cat: MssqlWriteCatalog, model: SchemaModel): MssqlLiveInfo {
  const types = new Map<string, Map<string, MssqlTypeSpec>>();
  const identity = new Map<string, Set<string>>();
  const defaults = new Map<string, Set<string>>();
  const add = <T>(m: Map<string, T>, k: string, make: () => T): T => { let v = m.get(k); if (v === undefined) { v = make(); m.set(k, v); } return v; };
  for (const r of cat.columns) {
    const spec = mssqlSpecFromLive(r);
    if (spec) add(types, r.table_name, () => new Map<string, MssqlTypeSpec>()).set(r.column_name, spec);
    if (r.is_identity === 1) add(identity, r.table_name, () => new Set<string>()).add(r.column_name);
    if (r.column_default !== null) add(defaults, r.table_name, () => new Set<string>()).add(r.column_name);
  }
  // the tables whose IDENTITY column the model writes (only those ever get IDENTITY_INSERT ON)
  const identityInsert = model.tables
    .filter((t) => t.columns.some((c) => identity.get(t.name)?.has(c.name)))
    .map((t) => mssqlQualify(t));
  return { types, identity, defaults, identityInsert, openJson: cat.openJson };
}
