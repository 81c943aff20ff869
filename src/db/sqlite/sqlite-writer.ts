/**
 * Executes a {@link PreparedBatch} on one SQLite connection (I/O only; SQL comes from
 * `sqlite-plan.ts`). One `BEGIN IMMEDIATE … COMMIT` per batch: taking the write lock up front
 * means a busy database makes the batch wait (busy_timeout) instead of failing half-way.
 * Prepared INSERTs are cached per (table, set of non-NULL columns), so a column the row does not
 * carry is left to its DEFAULT (NULL when it has none) — the same rule as the other dialects.
 */
import type { PreparedBatch, PreparedTable } from '../batch-prep.js';
import { toDbError } from '../classify-error.js';
import type { ErrorPhase } from '../db-error.js';
import { sqliteQualify } from './sqlite-ddl.js';
import { sqliteInsertSql, sqliteValue, type SqliteValue } from './sqlite-plan.js';

/** The slice of a better-sqlite3 statement this layer calls. */
export interface SqliteStatement {
  run(...params: SqliteValue[]): { changes: number | bigint };
  all(...params: SqliteValue[]): unknown[];
}

/** The slice of a better-sqlite3 Database this layer calls. */
export interface SqliteDb {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  readonly inTransaction: boolean;
  /** The database file (better-sqlite3: `name`); absent or `:memory:` for an in-memory database. */
  readonly name?: string;
}

/** Prepared statements kept per connection before the cache is flushed. */
export const STATEMENT_CACHE_LIMIT = 2000;

/** Row counts of one written batch. */
export interface SqliteWriteCounts {
  readonly rowsByTable: Record<string, number>;
  readonly logRows: number;
}

/** Writes batches on one connection, caching prepared statements. */
export class SqliteWriter {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly db: SqliteDb) {}

  /** Returns a cached prepared statement for `sql`. */
  statement(sql: string): SqliteStatement {
    let st = this.statements.get(sql);
    if (!st) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** Runs `fn` inside BEGIN IMMEDIATE … COMMIT, rolling back and wrapping any error as a DbError. */
  inTransaction<T>(fn: (setTable: (t: string | undefined) => void) => T): T {
    let phase: ErrorPhase = 'begin';
    let table: string | undefined;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      phase = 'write';
      const out = fn((t) => { table = t; });
      phase = 'commit';
      table = undefined;
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.db.inTransaction) {
        try { this.db.exec('ROLLBACK'); } catch { /* the original error matters more */ }
      }
      throw toDbError('sqlite', err, { phase, ...(table === undefined ? {} : { table }) });
    }
  }

  private insertTable(pt: PreparedTable): number {
    const { table } = pt;
    const cols = table.columns;
    let n = 0;
    for (const row of pt.rows) {
      const names: string[] = [];
      const values: SqliteValue[] = [];
      row.forEach((cell, i) => {
        const col = cols[i];
        if (cell === null || !col) return;
        names.push(col.name);
        values.push(sqliteValue(cell, col));
      });
      const sql = names.length === 0
        ? `INSERT INTO ${sqliteQualify(table)} DEFAULT VALUES`
        : sqliteInsertSql(table, names);
      this.statement(sql).run(...values);
      n++;
    }
    return n;
  }

  /** Writes every table then the processing_log rows in one transaction. */
  write(batch: PreparedBatch): SqliteWriteCounts {
    return this.inTransaction((setTable) => {
      const rowsByTable: Record<string, number> = {};
      for (const pt of batch.tables) {
        setTable(pt.table.name);
        rowsByTable[pt.table.name] = (rowsByTable[pt.table.name] ?? 0) + this.insertTable(pt);
      }
      setTable(batch.log.table.name);
      const logRows = this.insertTable(batch.log);
      return { rowsByTable, logRows };
    });
  }
}

