/**
 * Executes SQL Server plans through an injected driver slice ({@link MssqlPool}) — only the
 * calls this layer makes, so tests pass a fake and production passes `mssql`.
 * Batch: transaction begin → SET XACT_ABORT ON → each table's steps in order (bulk loads and
 * statements) → processing_log → commit; rollback on any error, error fields kept in the DbError.
 */
import type { PreparedBatch } from '../batch-prep.js';
import { toDbError } from '../classify-error.js';
import type { ErrorPhase } from '../db-error.js';
import { MSSQL_TX_PREAMBLE, planMssqlTable, type BulkLoad, type BulkOptions, type MssqlLiveInfo, type MssqlStatement } from './mssql-plan.js';
import type { MssqlTypeSpec } from './mssql-types.js';

/** An `mssql.Table` as far as this layer uses it. */
export interface MssqlBulkTable {
  readonly columns: { add(name: string, type: unknown, options: { nullable: boolean }): unknown };
  readonly rows: { add(...values: unknown[]): unknown };
}

/** Query result slice. */
export interface MssqlResult {
  readonly recordset?: readonly Record<string, unknown>[];
  readonly rowsAffected: readonly number[];
}

/** An `mssql.Request` slice. */
export interface MssqlRequest {
  input(name: string, type: unknown, value: unknown): MssqlRequest;
  query(text: string): Promise<MssqlResult>;
  bulk(table: MssqlBulkTable, options: BulkOptions): Promise<{ readonly rowsAffected: number }>;
}

/** An `mssql.Transaction` slice; `request()` is `new sql.Request(transaction)`. */
export interface MssqlTransaction {
  begin(): Promise<unknown>;
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
  request(): MssqlRequest;
}

/** An `mssql.ConnectionPool` slice (already connected). */
export interface MssqlPool {
  request(): MssqlRequest;
  transaction(): MssqlTransaction;
  close(): Promise<unknown>;
}

/** Everything driver-specific the writer needs besides a pool: type objects and Table construction. */
export interface MssqlDriverTypes {
  /** The driver type object for a spec (e.g. `sql.NVarChar(sql.MAX)`). */
  type(spec: MssqlTypeSpec): unknown;
  /** `new sql.Table(path)` with `create = false`. */
  newTable(path: string): MssqlBulkTable;
}

/** Runs one typed statement on `req`. */
export async function runStatement(req: MssqlRequest, st: MssqlStatement, types: MssqlDriverTypes): Promise<MssqlResult> {
  for (const p of st.params) req.input(p.name, types.type(p.type), p.value);
  return req.query(st.text);
}

/** Runs one bulk load on `req`. */
export async function runBulk(req: MssqlRequest, load: BulkLoad, types: MssqlDriverTypes): Promise<number> {
  const table = types.newTable(load.path);
  for (const c of load.columns) table.columns.add(c.name, types.type(c.type), { nullable: c.nullable });
  for (const row of load.rows) table.rows.add(...row);
  return (await req.bulk(table, load.options)).rowsAffected;
}

/** Row counts of one written batch. */
export interface MssqlWriteCounts {
  readonly rowsByTable: Record<string, number>;
  readonly logRows: number;
}

/** Writes `batch` in one transaction on `pool`; throws a DbError (rolled back). */
export async function writeMssqlBatch(
  pool: MssqlPool, types: MssqlDriverTypes, batch: PreparedBatch, live?: MssqlLiveInfo, secrets: readonly string[] = [],
): Promise<MssqlWriteCounts> {
  // Planning counts as the write phase: a value that does not fit its live column is an app's
  // problem (the batch is split until the app is isolated), never a connection-level failure.
  let phase: ErrorPhase = 'write';
  let table: string | undefined;
  let tx: MssqlTransaction | undefined;
  try {
    // Plan first: a value error must not open a transaction at all.
    const plans = batch.tables.map((pt) => planMssqlTable(pt, live));
    const logPlan = planMssqlTable(batch.log, live);
    phase = 'begin';
    tx = pool.transaction();
    await tx.begin();
    phase = 'write';
    await tx.request().query(MSSQL_TX_PREAMBLE);
    const rowsByTable: Record<string, number> = {};
    for (const plan of [...plans, logPlan]) {
      table = plan.table;
      for (const step of plan.steps) {
        if (step.kind === 'bulk') await runBulk(tx.request(), step.load, types);
        else await runStatement(tx.request(), step.statement, types);
      }
      if (plan !== logPlan) rowsByTable[plan.table] = (rowsByTable[plan.table] ?? 0) + plan.rowCount;
    }
    table = undefined;
    phase = 'commit';
    await tx.commit();
    return { rowsByTable, logRows: logPlan.rowCount };
  } catch (err) {
    const e = toDbError('mssql', err, { phase, secrets, ...(table === undefined ? {} : { table }) });
    if (tx && phase !== 'begin' && phase !== 'commit') {
      // With XACT_ABORT the server may already have rolled back ("Transaction has been aborted").
      try { await tx.rollback(); } catch { /* the original error matters more */ }
    }
    throw e;
  }
}
