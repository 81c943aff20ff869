/**
 * Executes a {@link PreparedBatch} on one PostgreSQL connection (I/O only; SQL comes from
 * `postgres-plan.ts`): BEGIN → one COPY FROM STDIN (or VALUES INSERTs) per table in order →
 * processing_log → COMMIT, ROLLBACK on any error before COMMIT.
 */
import type { PreparedBatch } from '../batch-prep.js';
import { toDbError } from '../classify-error.js';
import type { ErrorPhase } from '../db-error.js';
import { TextCopyInQuery } from './pg-copy-in.js';
import { postgresTableStatements, type PgCopyStatement, type PgLiveInfo, type PgStatement } from './postgres-plan.js';

/** The slice of a `pg` client this layer calls. */
export interface PgClient {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
  query(submittable: TextCopyInQuery): unknown;
}

/** Runs one statement; returns the rows it wrote. */
async function execute(client: PgClient, st: PgStatement | PgCopyStatement): Promise<number> {
  if ('copy' in st) {
    const q = new TextCopyInQuery(st.copy, st.data);
    client.query(q);
    return q.done;
  }
  return (await client.query(st.text, st.params)).rowCount ?? 0;
}

/** Row counts of one written batch. */
export interface PgWriteCounts {
  readonly rowsByTable: Record<string, number>;
  readonly logRows: number;
}

/**
 * Writes `batch` in one transaction on `client` (`live`: catalog facts, see {@link PgLiveInfo}).
 * Throws a DbError; its `kind` tells the caller whether to discard the connection.
 */
export async function writePostgresBatch(client: PgClient, batch: PreparedBatch, live?: PgLiveInfo, secrets: readonly string[] = []): Promise<PgWriteCounts> {
  let phase: ErrorPhase = 'begin';
  let table: string | undefined;
  try {
    await client.query('BEGIN');
    phase = 'write';
    const rowsByTable: Record<string, number> = {};
    for (const pt of batch.tables) {
      table = pt.table.name;
      let n = 0;
      for (const st of postgresTableStatements(pt, live)) n += await execute(client, st);
      rowsByTable[table] = (rowsByTable[table] ?? 0) + n;
    }
    table = batch.log.table.name;
    let logRows = 0;
    for (const st of postgresTableStatements(batch.log, live)) logRows += await execute(client, st);
    table = undefined;
    phase = 'commit';
    await client.query('COMMIT');
    return { rowsByTable, logRows };
  } catch (err) {
    const dbErr = toDbError('postgres', err, { phase, secrets, ...(table === undefined ? {} : { table }) });
    // After a failed COMMIT the server has already ended the transaction (or the link is gone).
    if (phase !== 'commit' && dbErr.kind === 'permanent') {
      try { await client.query('ROLLBACK'); } catch { /* connection is discarded by the caller */ }
    }
    throw dbErr;
  }
}
