/**
 * Transient / permanent / commit-unknown classification of driver errors, per dialect.
 * Pure data plus one function; no driver is imported (errors are inspected structurally).
 */
import { DbError, ValueError, scrubSecrets, type DialectName, type ErrorKind, type ErrorPhase, type ErrorScope } from './db-error.js';

/**
 * SQL Server error numbers worth retrying: deadlock, lock timeout, Azure throttling/failover, db
 * unavailable, transport, out of memory (701) and memory-grant timeout (8645).
 */
export const MSSQL_TRANSIENT_NUMBERS: ReadonlySet<number> = new Set([
  1205, 1222, 40501, 40613, 49918, 49919, 49920, 4060, 4221, 40197, 10928, 10929, 233, 64, 10053, 10054, 10060, -2, 701, 8645,
]);
/**
 * SQL Server error numbers about the rows (scope `data`): duplicate key, constraint, NULL into NOT
 * NULL, truncation, arithmetic overflow, conversion, bulk-load column errors.
 */
export const MSSQL_DATA_NUMBERS: ReadonlySet<number> = new Set([
  2627, 2601, 547, 515, 8152, 2628, 8115, 220, 232, 241, 242, 245, 248, 295, 8114, 8116, 4815, 4816, 4817, 4818, 4819, 9402, 9420, 9455,
]);
/**
 * SQL Server error numbers about the database or the login, never a document (scope `database`,
 * permanent: the run stops): permission denied (229, 230, 262, 300, 297, 916), read-only database
 * (3906), filegroup or log full (1105, 9002), invalid object / column (208, 207), login failed (18456).
 */
export const MSSQL_DATABASE_NUMBERS: ReadonlySet<number> = new Set([229, 230, 262, 297, 300, 916, 3906, 1105, 9002, 208, 207, 18456, 4064]);
/** mssql / tedious codes meaning the connection or request was lost or timed out. */
export const MSSQL_TRANSIENT_CODES: ReadonlySet<string> = new Set(['ESOCKET', 'ETIMEOUT', 'ECONNCLOSED', 'ECONNRESET', 'ENOTOPEN']);

/**
 * PostgreSQL SQLSTATEs worth retrying (class 08 is matched by prefix): serialization failure,
 * deadlock, admin shutdown / crash / cannot connect now, idle-session timeout (57P05), too many
 * connections, lock not available, query cancelled or statement timeout (57014), out of memory.
 */
export const PG_TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '57P05', '53300', '55P03', '57014', '53200']);
/**
 * SQLSTATE classes about the rows (scope `data`): 22 data exception (value out of range, invalid
 * byte sequence 22021, …), 23 integrity constraint, 54 program limit (e.g. an index row too large).
 */
export const PG_DATA_CLASSES: ReadonlySet<string> = new Set(['22', '23', '54']);
/**
 * SQLSTATE classes about the database or the role (scope `database`): 25 invalid transaction state
 * (25006 read-only transaction), 28 authorization, 3D/3F missing database/schema, 42 access rule or
 * undefined object (42501 insufficient privilege, 42P01 undefined table), 53 insufficient resources
 * (53100 disk full), 55 object state, 57 operator intervention, 58 system error (I/O), 0A, F0, XX.
 */
export const PG_DATABASE_CLASSES: ReadonlySet<string> = new Set(['25', '28', '3D', '3F', '42', '53', '55', '57', '58', '0A', 'F0', 'XX']);
/** SQLSTATE classes (2-char prefixes) that are always transient: connection exceptions. */
export const PG_TRANSIENT_CLASSES: ReadonlySet<string> = new Set(['08']);

/** Node socket error codes: the peer went away or never answered. */
export const NODE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED',
]);

/** SQLite result codes (primary, before `_`) that mean another connection holds a lock. */
export const SQLITE_TRANSIENT_PRIMARY: ReadonlySet<string> = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
/** SQLite primary codes about the rows. */
export const SQLITE_DATA_PRIMARY: ReadonlySet<string> = new Set(['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE']);
/** SQLite primary codes about the database file: read-only, disk full, I/O, permissions, corruption. */
export const SQLITE_DATABASE_PRIMARY: ReadonlySet<string> = new Set([
  'SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_AUTH', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_NOMEM',
]);

/** SQLSTATEs of a server shutting down or starting, or of a session it ended: the session is gone. */
const PG_SHUTDOWN: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '57P05']);

/**
 * What an error code means for the operator, for the message that stops a run (codes of scope
 * `database`). Keys: SQLSTATE, SQL Server number, or SQLite primary code.
 */
const CAUSES: ReadonlyMap<string | number, string> = new Map<string | number, string>([
  ['42501', "the run's role lacks a privilege"], [229, "the run's login lacks a permission"], [230, "the run's login lacks a column permission"],
  [262, "the run's login lacks a permission"], [300, "the run's login lacks a permission"], [297, "the run's login lacks a permission"], [916, 'the login cannot access the database'],
  ['25006', 'the database or transaction is read-only'], [3906, 'the database is read-only'], ['SQLITE_READONLY', 'the database file is read-only'],
  ['53100', 'the database server is out of disk space'], [1105, 'a filegroup of the database is full'], [9002, 'the transaction log of the database is full'],
  ['SQLITE_FULL', 'the disk holding the database file is full'], ['53400', 'a server configuration limit was reached'],
  ['42P01', 'a table is missing (run `xmlmigrate schema --apply`)'], [208, 'a table is missing (run `xmlmigrate schema --apply`)'],
  ['42703', 'a column is missing'], [207, 'a column is missing'],
  ['57014', 'statements are being cancelled (pg_cancel_backend or statement_timeout)'], ['57P05', 'the server ended an idle session (idle_session_timeout)'],
  ['57P01', 'an administrator terminated the session or shut the server down'], ['53300', 'too many connections (server or role connection limit)'],
  [701, 'the server is out of memory'], ['53200', 'the server is out of memory'],
]);

/** A short explanation of a database-scope error code for messages, or null. */
export function causeOf(code: string | number | null): string | null {
  if (code === null) return null;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return CAUSES.get(code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')) ?? null;
  return CAUSES.get(code) ?? null;
}

/** pg errors without a code whose message says the connection died. */
const PG_LOST_CONNECTION = /connection terminated|connection ended|not queryable|terminating connection|server closed the connection/i;

/** Result of {@link classifyError}. */
export interface Classification {
  readonly kind: ErrorKind;
  readonly code: string | number | null;
  /** What the error is about (rows, or the database); see {@link ErrorScope}. */
  readonly scope: ErrorScope;
}

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** True when the error means "the connection is gone / the server did not answer". */
function isConnectionLoss(dialect: DialectName, err: unknown): boolean {
  const code = field(err, 'code');
  if (typeof code === 'string') {
    if (NODE_NETWORK_CODES.has(code)) return true;
    if (dialect === 'mssql' && MSSQL_TRANSIENT_CODES.has(code)) return true;
    if (dialect === 'postgres' && (PG_TRANSIENT_CLASSES.has(code.slice(0, 2)) || PG_SHUTDOWN.has(code))) return true;
  }
  if (dialect === 'postgres' && code === undefined) return PG_LOST_CONNECTION.test(String(field(err, 'message') ?? ''));
  return false;
}

/**
 * Classifies a driver error. `phase: 'commit'` turns a connection loss into `commit-unknown`
 * (the server may have committed before the link dropped); a definite server answer to COMMIT
 * (e.g. a serialization failure) stays transient/permanent because the transaction is rolled back.
 */
export function classifyError(dialect: DialectName, err: unknown, phase?: ErrorPhase): Classification {
  if (err instanceof DbError) return { kind: err.kind, code: err.code, scope: err.scope };
  if (err instanceof ValueError) return { kind: 'permanent', code: err.code, scope: 'data' };
  const rawCode = field(err, 'code');
  let code: string | number | null = typeof rawCode === 'string' || typeof rawCode === 'number' ? rawCode : null;
  let transient = false;
  if (dialect === 'mssql') {
    const num = mssqlNumber(err);
    if (num !== undefined) {
      code = num;
      transient = MSSQL_TRANSIENT_NUMBERS.has(num);
    }
    transient ||= isConnectionLoss(dialect, err) || isConnectionLoss(dialect, field(err, 'originalError'));
  } else if (dialect === 'postgres') {
    transient = (typeof code === 'string' && PG_TRANSIENT_SQLSTATES.has(code)) || isConnectionLoss(dialect, err);
    if (code === null && transient) code = 'ECONNLOST';
  } else {
    transient = typeof code === 'string' && SQLITE_TRANSIENT_PRIMARY.has(code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1'));
  }
  if (phase === 'commit' && transient && (isConnectionLoss(dialect, err) || isConnectionLoss(dialect, field(err, 'originalError')))) {
    return { kind: 'commit-unknown', code, scope: 'database' };
  }
  if (transient) return { kind: 'transient', code, scope: 'database' };
  return { kind: 'permanent', code, scope: permanentScope(dialect, code, phase) };
}

/** The scope of a permanent error from its code (see {@link ErrorScope}). */
function permanentScope(dialect: DialectName, code: string | number | null, phase: ErrorPhase | undefined): ErrorScope {
  // a session that cannot be opened or a transaction that cannot begin says nothing about any row
  if (phase === 'connect' || phase === 'begin') return 'database';
  if (code === 'XM_VALUE') return 'data';
  if (dialect === 'postgres') {
    if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return 'unknown';
    const cls = code.slice(0, 2);
    return PG_DATA_CLASSES.has(cls) ? 'data' : PG_DATABASE_CLASSES.has(cls) ? 'database' : 'unknown';
  }
  if (dialect === 'mssql') {
    if (typeof code !== 'number') return code === 'ELOGIN' ? 'database' : 'unknown';
    return MSSQL_DATA_NUMBERS.has(code) ? 'data' : MSSQL_DATABASE_NUMBERS.has(code) ? 'database' : 'unknown';
  }
  if (typeof code !== 'string') return 'unknown';
  const primary = code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1');
  return SQLITE_DATA_PRIMARY.has(primary) ? 'data' : SQLITE_DATABASE_PRIMARY.has(primary) ? 'database' : 'unknown';
}

/** The SQL Server error number of an mssql RequestError (or its tedious original), if any. */
export function mssqlNumber(err: unknown): number | undefined {
  const direct = field(err, 'number');
  if (typeof direct === 'number') return direct;
  const info = field(field(err, 'originalError'), 'info') ?? field(err, 'info');
  const n = field(info, 'number');
  return typeof n === 'number' ? n : undefined;
}

/** Context for {@link toDbError}. */
export interface ErrorContext {
  readonly phase?: ErrorPhase;
  readonly table?: string;
  /** Strings (passwords) that must never appear in the message. */
  readonly secrets?: readonly string[];
}

/** Wraps any thrown value as a {@link DbError}, classifying it and keeping the driver's fields. */
export function toDbError(dialect: DialectName, err: unknown, ctx: ErrorContext = {}): DbError {
  if (err instanceof DbError) return err;
  const { kind, code, scope } = classifyError(dialect, err, ctx.phase);
  const rawMessage = err instanceof Error ? err.message : String(err);
  const where = ctx.table ? ` [table ${ctx.table}]` : '';
  const message = scrubSecrets(`${rawMessage}${where}`, ctx.secrets ?? []);
  const num = (name: string): number | undefined => {
    const v = field(err, name) ?? field(field(field(err, 'originalError'), 'info'), name);
    return typeof v === 'number' ? v : undefined;
  };
  const table = err instanceof ValueError ? err.table : ctx.table;
  return new DbError(message, {
    code, dialect, kind, scope, cause: err,
    ...(dialect === 'mssql' ? optional({ number: mssqlNumber(err), state: num('state'), class: num('class'), lineNumber: num('lineNumber') }) : {}),
    ...optional({ table, phase: ctx.phase }),
    ...(err instanceof ValueError ? { column: err.column, ...(err.appId === null ? {} : { appId: err.appId }) } : {}),
  });
}

/** Drops undefined properties (exactOptionalPropertyTypes forbids passing them explicitly). */
function optional<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
