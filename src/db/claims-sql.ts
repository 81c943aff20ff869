/**
 * SQL of the claim protocol (pure; see src/processor/claims.ts for the protocol itself). Every time
 * is the database's clock — never a host's — so hosts whose clocks disagree still agree on whether a
 * lease has expired: heartbeats store the server's `now`, and ages are computed by the server.
 * Identifiers come from the validated model and are quoted; every value is a parameter.
 */
import type { DialectName } from './db-error.js';
import type { SchemaModel } from './schema-types.js';
import type { SqlStatement, SqlStyle } from './sql-text.js';

/** A statement of the protocol; `reads` = it returns rows (SQLite runs the others with run()). */
export interface ClaimStatement extends SqlStatement {
  readonly reads: boolean;
}

/** What a {@link ClaimDb} statement returned: rows (reads) or the number of rows changed (writes). */
export interface ClaimExecResult {
  readonly rows: readonly Record<string, unknown>[];
  readonly changed: number;
}

/** Runs one statement of the protocol. */
export type ClaimExec = (st: ClaimStatement) => Promise<ClaimExecResult>;

/**
 * A connection of the target the claim protocol runs on. Each dialect implements it with its own
 * locking: PostgreSQL row locks (`FOR UPDATE … SKIP LOCKED`, conflicting inserts rejected by the
 * primary key) and an advisory transaction lock where the whole table must be serialized; SQL Server
 * `sp_getapplock` for every claim transaction (a lock some TDS servers honour where they ignore
 * table hints such as READPAST); SQLite a single writer (`BEGIN IMMEDIATE`).
 */
export interface ClaimDb {
  /** The dialect's SQL spelling (quoting, placeholders, TOP/LIMIT). */
  readonly style: SqlStyle;
  /** One statement in its own (auto-committed) transaction. */
  exec: ClaimExec;
  /**
   * `fn` inside one transaction, committed when it resolves and rolled back when it throws.
   * `serialize`: hold a lock named `lockName` for the whole transaction, so that no other claim
   * transaction runs meanwhile (SQL Server and SQLite always serialize).
   */
  transaction<T>(lockName: string, serialize: boolean, fn: (exec: ClaimExec) => Promise<T>): Promise<T>;
}

/** Whether the dialect takes row locks (`FOR UPDATE SKIP LOCKED`) rather than one lock for everything. */
export function rowLocking(dialect: DialectName): boolean {
  return dialect === 'postgres';
}

/** The server's current UTC time, in the column type of `instant` columns. */
function nowSql(dialect: DialectName): string {
  switch (dialect) {
    case 'postgres': return 'clock_timestamp()';
    case 'mssql': return 'SYSUTCDATETIME()';
    case 'sqlite': return "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  }
}

/** Seconds since an `instant` column's value, by the server's clock. */
function ageSql(dialect: DialectName, col: string): string {
  switch (dialect) {
    case 'postgres': return `EXTRACT(EPOCH FROM (clock_timestamp() - ${col}))`;
    case 'mssql': return `(DATEDIFF_BIG(millisecond, ${col}, SYSUTCDATETIME()) / 1000.0)`;
    case 'sqlite': return `((julianday('now') - julianday(${col})) * 86400.0)`;
  }
}

/** Builds every statement of the protocol for one model and dialect. */
export class ClaimSql {
  private readonly runs: string;
  private readonly claims: string;
  private readonly now: string;
  private readonly q: (id: string) => string;

  constructor(private readonly style: SqlStyle, model: SchemaModel) {
    const [runs, claims] = model.claimTables;
    this.runs = style.qualify(runs);
    this.claims = style.qualify(claims);
    this.now = nowSql(style.dialect);
    this.q = (id) => style.quote(id);
  }

  private p(i: number): string {
    return this.style.param(i);
  }

  /** `r` is live: not finished and its heartbeat younger than its own lease. */
  private live(alias: string): string {
    const q = this.q;
    return `${alias}.${q('finished_at')} IS NULL AND ${this.age(`${alias}.${q('heartbeat_at')}`)} <= ${alias}.${q('lease_seconds')}`;
  }

  private age(col: string): string {
    return ageSql(this.style.dialect, col);
  }

  /** Live runs of a scope. $0 = scope. */
  liveRuns(scope: string): ClaimStatement {
    return { text: `SELECT COUNT(*) AS n FROM ${this.runs} r WHERE r.${this.q('scope')} = ${this.p(0)} AND ${this.live('r')}`, params: [scope], reads: true };
  }

  /** A new round: the claims of a scope nobody works on any more. $0 = scope. */
  clearClaims(scope: string): ClaimStatement {
    return { text: `DELETE FROM ${this.claims} WHERE ${this.q('scope')} = ${this.p(0)}`, params: [scope], reads: false };
  }

  /** Runs of a scope that never finished (their lease expired) are closed as `expired`, except `keep`. */
  closeExpired(scope: string, keep: string): ClaimStatement {
    const q = this.q;
    return {
      text: `UPDATE ${this.runs} SET ${q('state')} = 'expired', ${q('finished_at')} = ${this.now} WHERE ${q('scope')} = ${this.p(0)} AND ${q('run_id')} <> ${this.p(1)} AND ${q('finished_at')} IS NULL AND ${this.age(q('heartbeat_at'))} > ${q('lease_seconds')}`,
      params: [scope, keep], reads: false,
    };
  }

  /** Registers a run. */
  register(r: { runId: string; scope: string; host: string; pid: number; processNs: string | null; workers: number; leaseSeconds: number }): ClaimStatement {
    const q = this.q;
    const cols = ['run_id', 'scope', 'host', 'pid', 'process_ns', 'workers', 'lease_seconds', 'state', 'apps_done', 'started_at', 'heartbeat_at'].map(q).join(', ');
    return {
      text: `INSERT INTO ${this.runs} (${cols}) VALUES (${[0, 1, 2, 3, 4, 5, 6].map((i) => this.p(i)).join(', ')}, 'running', 0, ${this.now}, ${this.now})`,
      params: [r.runId, r.scope, r.host.slice(0, 255), r.pid, r.processNs === null ? null : r.processNs.slice(0, 200), r.workers, r.leaseSeconds], reads: false,
    };
  }

  /** Unfinished runs in the same pid namespace (same machine, same container), with their pids. */
  sameNamespace(processNs: string): ClaimStatement {
    const q = this.q;
    return { text: `SELECT ${q('run_id')} AS run_id, ${q('pid')} AS pid FROM ${this.runs} WHERE ${q('process_ns')} = ${this.p(0)} AND ${q('finished_at')} IS NULL`, params: [processNs], reads: true };
  }

  /** Records a run found dead (its process is gone) as expired. */
  markDead(runId: string): ClaimStatement {
    const q = this.q;
    return { text: `UPDATE ${this.runs} SET ${q('state')} = 'expired', ${q('finished_at')} = ${this.now} WHERE ${q('run_id')} = ${this.p(0)} AND ${q('finished_at')} IS NULL`, params: [runId], reads: false };
  }

  /**
   * The lowest unfinished claim of a scope whose owner is gone: released, or held by a run that is
   * not live. PostgreSQL locks it and skips claims other transactions are taking over right now.
   */
  orphan(scope: string): ClaimStatement {
    const q = this.q;
    const pg = this.style.dialect === 'postgres';
    const top = this.style.limit === 'top' ? 'TOP (1) ' : '';
    const tail = `${this.style.limit === 'limit' ? ' LIMIT 1' : ''}${pg ? ' FOR UPDATE OF c SKIP LOCKED' : ''}`;
    return {
      text: `SELECT ${top}c.${q('range_start')} AS range_start, c.${q('range_end')} AS range_end, c.${q('first_app_id')} AS first_app_id, c.${q('run_id')} AS run_id`
        + ` FROM ${this.claims} c WHERE c.${q('scope')} = ${this.p(0)} AND c.${q('status')} <> 'done'`
        + ` AND (c.${q('status')} = 'released' OR c.${q('run_id')} IS NULL OR NOT EXISTS (SELECT 1 FROM ${this.runs} r WHERE r.${q('run_id')} = c.${q('run_id')} AND ${this.live('r')}))`
        + ` ORDER BY c.${q('range_start')}${tail}`,
      params: [scope], reads: true,
    };
  }

  /** Takes a claim over. $0 run, $1 scope, $2 range_start. */
  takeOver(runId: string, scope: string, rangeStart: number): ClaimStatement {
    const q = this.q;
    return {
      text: `UPDATE ${this.claims} SET ${q('run_id')} = ${this.p(0)}, ${q('status')} = 'claimed', ${q('claimed_at')} = ${this.now}, ${q('takeovers')} = ${q('takeovers')} + 1 WHERE ${q('scope')} = ${this.p(1)} AND ${q('range_start')} = ${this.p(2)} AND ${q('status')} <> 'done'`,
      params: [runId, scope, rangeStart], reads: false,
    };
  }

  /** The end of the highest claim of a scope (the frontier). */
  frontier(scope: string): ClaimStatement {
    return { text: `SELECT MAX(${this.q('range_end')}) AS e FROM ${this.claims} WHERE ${this.q('scope')} = ${this.p(0)}`, params: [scope], reads: true };
  }

  /**
   * A new claim past the frontier. PostgreSQL: a concurrent run that read the same frontier inserted
   * the same range_start first, so this one inserts nothing (and retries with the new frontier).
   */
  insert(c: { scope: string; rangeStart: number; rangeEnd: number; first: number; apps: number; runId: string }): ClaimStatement {
    const q = this.q;
    const cols = ['scope', 'range_start', 'range_end', 'first_app_id', 'apps', 'run_id', 'status', 'takeovers', 'claimed_at'].map(q).join(', ');
    const conflict = this.style.dialect === 'mssql' ? '' : ` ON CONFLICT (${q('scope')}, ${q('range_start')}) DO NOTHING`;
    return {
      text: `INSERT INTO ${this.claims} (${cols}) VALUES (${[0, 1, 2, 3, 4, 5].map((i) => this.p(i)).join(', ')}, 'claimed', 0, ${this.now})${conflict}`,
      params: [c.scope, c.rangeStart, c.rangeEnd, c.first, c.apps, c.runId], reads: false,
    };
  }

  /** Renews a run's lease (and revives it, should a pause have let it expire). $0 apps done, $1 run. */
  heartbeat(runId: string, appsDone: number): ClaimStatement {
    const q = this.q;
    return {
      text: `UPDATE ${this.runs} SET ${q('heartbeat_at')} = ${this.now}, ${q('apps_done')} = ${this.p(0)}, ${q('state')} = 'running', ${q('finished_at')} = NULL WHERE ${q('run_id')} = ${this.p(1)}`,
      params: [appsDone, runId], reads: false,
    };
  }

  /** The ranges a run still holds. */
  held(runId: string): ClaimStatement {
    const q = this.q;
    return { text: `SELECT ${q('range_start')} AS range_start FROM ${this.claims} WHERE ${q('run_id')} = ${this.p(0)} AND ${q('status')} = 'claimed'`, params: [runId], reads: true };
  }

  /** Marks a claim done, if the run still holds it. */
  complete(runId: string, scope: string, rangeStart: number): ClaimStatement {
    const q = this.q;
    return {
      text: `UPDATE ${this.claims} SET ${q('status')} = 'done', ${q('done_at')} = ${this.now} WHERE ${q('scope')} = ${this.p(0)} AND ${q('range_start')} = ${this.p(1)} AND ${q('run_id')} = ${this.p(2)} AND ${q('status')} = 'claimed'`,
      params: [scope, rangeStart, runId], reads: false,
    };
  }

  /** Hands every unfinished claim of a run back at once (a stopped run; others take them without waiting). */
  release(runId: string): ClaimStatement {
    const q = this.q;
    return { text: `UPDATE ${this.claims} SET ${q('status')} = 'released' WHERE ${q('run_id')} = ${this.p(0)} AND ${q('status')} = 'claimed'`, params: [runId], reads: false };
  }

  /** Unfinished claims of a scope held by other runs (this run waits for them: their owner may die). */
  othersOpen(runId: string, scope: string): ClaimStatement {
    const q = this.q;
    return {
      text: `SELECT COUNT(*) AS n FROM ${this.claims} WHERE ${q('scope')} = ${this.p(0)} AND ${q('status')} <> 'done' AND (${q('run_id')} IS NULL OR ${q('run_id')} <> ${this.p(1)})`,
      params: [scope, runId], reads: true,
    };
  }

  /** Ends a run's registration. */
  finish(runId: string, state: 'finished' | 'stopped' | 'failed', appsDone: number): ClaimStatement {
    const q = this.q;
    return {
      text: `UPDATE ${this.runs} SET ${q('state')} = ${this.p(0)}, ${q('apps_done')} = ${this.p(1)}, ${q('heartbeat_at')} = ${this.now}, ${q('finished_at')} = ${this.now} WHERE ${q('run_id')} = ${this.p(2)}`,
      params: [state, appsDone, runId], reads: false,
    };
  }

  /** Every registered run, newest first, with its heartbeat age and whether it is live (for `status`). */
  statusRuns(): ClaimStatement {
    const q = this.q;
    const cols = ['run_id', 'scope', 'host', 'pid', 'workers', 'lease_seconds', 'state', 'apps_done', 'started_at', 'heartbeat_at', 'finished_at'].map((c) => `r.${q(c)} AS ${c}`).join(', ');
    return {
      text: `SELECT ${cols}, ${ageSql(this.style.dialect, `r.${q('heartbeat_at')}`)} AS heartbeat_age FROM ${this.runs} r ORDER BY r.${q('started_at')} DESC`,
      params: [], reads: true,
    };
  }

  /** Every claim not done yet, plus per scope the done ones' totals (for `status`). */
  statusClaims(): ClaimStatement {
    const q = this.q;
    return {
      text: `SELECT ${q('scope')} AS scope, ${q('run_id')} AS run_id, ${q('status')} AS status, ${q('first_app_id')} AS first_app_id, ${q('range_start')} AS range_start, ${q('range_end')} AS range_end, ${q('apps')} AS apps, ${q('takeovers')} AS takeovers FROM ${this.claims} WHERE ${q('status')} <> 'done' ORDER BY ${q('scope')}, ${q('range_start')}`,
      params: [], reads: true,
    };
  }

  /** Per scope: claims done, their apps, and takeovers. */
  statusDone(): ClaimStatement {
    const q = this.q;
    return {
      text: `SELECT ${q('scope')} AS scope, COUNT(*) AS n, SUM(${q('apps')}) AS apps, SUM(${q('takeovers')}) AS takeovers FROM ${this.claims} WHERE ${q('status')} = 'done' GROUP BY ${q('scope')}`,
      params: [], reads: true,
    };
  }
}
