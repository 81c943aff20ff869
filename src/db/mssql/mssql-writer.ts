/**
 * Executes SQL Server plans through an injected driver slice ({@link MssqlPool}) — only the
 * calls this layer makes, so tests pass a fake and production passes `mssql`.
 * Batch: transaction begin → each table's steps in order → processing_log → commit; rollback on
 * any error, error fields kept in the DbError. Consecutive statement steps (the OPENJSON inserts of
 * every table, see mssql-plan.ts) are sent as ONE request, one statement per line, prefixed with
 * `SET XACT_ABORT ON;` when it is the transaction's first request; a bulk load first gets that
 * preamble as a request of its own. A failing statement's table is found from the error's line number.
 */
import type { PreparedBatch } from '../batch-prep.js';
import { toDbError } from '../classify-error.js';
import type { ErrorPhase } from '../db-error.js';
import { MSSQL_MAX_PARAMS, MSSQL_TX_PREAMBLE, planMssqlTable, type BulkLoad, type BulkOptions, type MssqlLiveInfo, type MssqlParam, type MssqlStatement, type MssqlTablePlan } from './mssql-plan.js';
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

/** One request of a batch: a bulk load, or statements (one per line) with the table of each line. */
export type MssqlBatchRequest =
  | { readonly kind: 'bulk'; readonly table: string; readonly load: BulkLoad }
  | { readonly kind: 'sql'; readonly statement: MssqlStatement; readonly lineTables: readonly string[] };

/**
 * The requests that write `plans` in order inside one transaction: runs of statement steps joined
 * into one request (their parameters are already uniquely named by the plans), bulk loads alone.
 * The first request starts with SET XACT_ABORT ON (its own request when the first step is a bulk load).
 */
export function batchRequests(plans: readonly MssqlTablePlan[]): MssqlBatchRequest[] {
  const out: MssqlBatchRequest[] = [];
  let lines: string[] = [];
  let lineTables: string[] = [];
  let params: MssqlParam[] = [];
  const flush = (): void => {
    if (lines.length === 0) return;
    out.push({ kind: 'sql', statement: { text: lines.join('\n'), params }, lineTables });
    lines = []; lineTables = []; params = [];
  };
  lines.push(`${MSSQL_TX_PREAMBLE};`);
  lineTables.push('');
  for (const plan of plans) {
    for (const step of plan.steps) {
      if (step.kind === 'bulk') {
        flush();
        out.push({ kind: 'bulk', table: plan.table, load: step.load });
      } else {
        // parameter names must be unique within a request (the bulk path's CAST inserts reuse p0…),
        // and a request takes at most 2,100 parameters
        const names = new Set(params.map((p) => p.name));
        if (params.length + step.statement.params.length > MSSQL_MAX_PARAMS || step.statement.params.some((p) => names.has(p.name))) flush();
        // one line per statement: an error's line number names its table
        lines.push(step.statement.text.replace(/\r?\n/g, ' '));
        lineTables.push(plan.table);
        params = params.concat(step.statement.params);
      }
    }
  }
  flush();
  return out;
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
    const plans = batch.tables.map((pt, i) => planMssqlTable(pt, live, `j${i}`));
    const logPlan = planMssqlTable(batch.log, live, `j${batch.tables.length}`);
    const requests = batchRequests([...plans, logPlan]);
    phase = 'begin';
    tx = pool.transaction();
    await tx.begin();
    phase = 'write';
    for (const req of requests) {
      if (req.kind === 'bulk') {
        table = req.table;
        await runBulk(tx.request(), req.load, types);
      } else {
        table = undefined;
        try {
          await runStatement(tx.request(), req.statement, types);
        } catch (err) {
          const line = (err as { lineNumber?: unknown }).lineNumber;
          const named = typeof line === 'number' ? req.lineTables[line - 1] : undefined;
          if (named) table = named;
          throw err;
        }
      }
    }
    table = undefined;
    phase = 'commit';
    await tx.commit();
    const rowsByTable: Record<string, number> = {};
    for (const plan of plans) rowsByTable[plan.table] = (rowsByTable[plan.table] ?? 0) + plan.rowCount;
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
