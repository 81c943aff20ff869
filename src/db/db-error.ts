/**
 * The one error type the database layer throws. It keeps the driver's diagnostic fields
 * (SQL Server `number`/`state`/`class`/`lineNumber`, PostgreSQL SQLSTATE, SQLite extended code),
 * says whether retrying can help (`kind`), and never carries a password in its message.
 */

/** The three databases the product targets. */
export type DialectName = 'mssql' | 'postgres' | 'sqlite';

/**
 * `transient`: retrying the same work may succeed (deadlock, lock timeout, connection loss before
 * COMMIT, server restarting); `permanent`: it will fail again (constraint violation, bad value,
 * missing table, wrong password); `commit-unknown`: the connection failed during COMMIT, so the
 * transaction may or may not have committed — check processing_log before retrying.
 */
export type ErrorKind = 'transient' | 'permanent' | 'commit-unknown';

/**
 * What an error is about. `data`: the rows being written or read (a value out of range, a constraint,
 * an undecodable byte): splitting the work isolates the app it belongs to, which is logged `failed`.
 * `database`: the database or the run's role, not any document (privileges, read-only, disk full,
 * missing table, cancelled statement, too many connections): never recorded against an app — a
 * transient one is retried, a permanent one stops the run. `unknown`: not classified; treated like
 * `data`, with the "every app fails the same way" safety net of the batch runner.
 */
export type ErrorScope = 'data' | 'database' | 'unknown';

/** Where in a unit of work an error happened; `commit` matters for `commit-unknown`. */
export type ErrorPhase = 'connect' | 'begin' | 'write' | 'commit' | 'rollback' | 'query';

/** Fields of a {@link DbError} besides its message. */
export interface DbErrorFields {
  /** SQLSTATE (PG), SQLite extended code, mssql/node code (`EREQUEST`, `ESOCKET`), or `XM_*`. */
  readonly code: string | number | null;
  readonly dialect: DialectName;
  readonly kind: ErrorKind;
  /** What the error is about (default: `database` for transient errors, `unknown` otherwise). */
  readonly scope?: ErrorScope;
  /** SQL Server error number (e.g. 2627, 1205). */
  readonly number?: number;
  /** SQL Server state. */
  readonly state?: number;
  /** SQL Server severity class. */
  readonly class?: number;
  /** SQL Server line number of the failing statement. */
  readonly lineNumber?: number;
  /** Table being written when it failed. */
  readonly table?: string;
  /** Column of a value that could not be encoded. */
  readonly column?: string;
  /** App whose row failed, when the layer knows it (value errors). */
  readonly appId?: number;
  readonly phase?: ErrorPhase;
  readonly cause?: unknown;
}

/** A database-layer failure. Serialise with {@link DbError.toJSON} to cross the IPC channel. */
export class DbError extends Error {
  override readonly name = 'DbError';
  readonly code: string | number | null;
  readonly dialect: DialectName;
  readonly kind: ErrorKind;
  readonly scope: ErrorScope;
  readonly number: number | undefined;
  readonly state: number | undefined;
  readonly class: number | undefined;
  readonly lineNumber: number | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly appId: number | undefined;
  readonly phase: ErrorPhase | undefined;

  constructor(message: string, fields: DbErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code;
    this.dialect = fields.dialect;
    this.kind = fields.kind;
    this.scope = fields.scope ?? (fields.kind === 'permanent' ? 'unknown' : 'database');
    this.number = fields.number;
    this.state = fields.state;
    this.class = fields.class;
    this.lineNumber = fields.lineNumber;
    this.table = fields.table;
    this.column = fields.column;
    this.appId = fields.appId;
    this.phase = fields.phase;
  }

  /** Plain-object form (no `cause`, no stack): name, message, code, kind and driver fields. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message, code: this.code, dialect: this.dialect, kind: this.kind, scope: this.scope };
    for (const k of ['number', 'state', 'class', 'lineNumber', 'table', 'column', 'appId', 'phase'] as const) {
      if (this[k] !== undefined) out[k] = this[k];
    }
    return out;
  }
}

/** A value that cannot be stored in its column (wrong type, too long, out of range). Always permanent. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
  /** Stable error code. */
  readonly code = 'XM_VALUE';
  constructor(readonly table: string, readonly column: string, readonly appId: number | null, detail: string) {
    super(`${table}.${column}${appId === null ? '' : ` (app_id ${appId})`}: ${detail}`);
  }
}

/** Replaces every occurrence of each non-empty secret in `text` with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
