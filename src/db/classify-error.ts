/**
 * Transient / permanent / commit-unknown classification of driver errors, per dialect.
 * Pure data plus one function; no driver is imported (errors are inspected structurally).
 */
import { DbError, ValueError, scrubSecrets, type DialectName, type ErrorKind, type ErrorPhase } from './db-error.js';

/** SQL Server error numbers worth retrying: deadlock, lock timeout, Azure throttling/failover, db unavailable, transport. */
export const MSSQL_TRANSIENT_NUMBERS: ReadonlySet<number> = new Set([
  1205, 1222, 40501, 40613, 49918, 49919, 49920, 4060, 4221, 40197, 10928, 10929, 233, 64, 10053, 10054, 10060, -2,
]);
/** mssql / tedious codes meaning the connection or request was lost or timed out. */
export const MSSQL_TRANSIENT_CODES: ReadonlySet<string> = new Set(['ESOCKET', 'ETIMEOUT', 'ECONNCLOSED', 'ECONNRESET', 'ENOTOPEN']);

/** PostgreSQL SQLSTATEs worth retrying (class 08 is matched by prefix). */
export const PG_TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '55P03']);
/** SQLSTATE classes (2-char prefixes) that are always transient: connection exceptions. */
export const PG_TRANSIENT_CLASSES: ReadonlySet<string> = new Set(['08']);

/** Node socket error codes: the peer went away or never answered. */
export const NODE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED',
]);

/** SQLite result codes (primary, before `_`) that mean another connection holds a lock. */
export const SQLITE_TRANSIENT_PRIMARY: ReadonlySet<string> = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/** SQLSTATEs of a server shutting down or starting: the session is gone. */
const PG_SHUTDOWN: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03']);

/** pg errors without a code whose message says the connection died. */
const PG_LOST_CONNECTION = /connection terminated|connection ended|not queryable|terminating connection|server closed the connection/i;

/** Result of {@link classifyError}. */
export interface Classification {
  readonly kind: ErrorKind;
  readonly code: string | number | null;
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
  if (err instanceof DbError) return { kind: err.kind, code: err.code };
  if (err instanceof ValueError) return { kind: 'permanent', code: err.code };
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
    return { kind: 'commit-unknown', code };
  }
  return { kind: transient ? 'transient' : 'permanent', code };
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
  const { kind, code } = classifyError(dialect, err, ctx.phase);
  const rawMessage = err instanceof Error ? err.message : String(err);
  const where = ctx.table ? ` [table ${ctx.table}]` : '';
  const message = scrubSecrets(`${rawMessage}${where}`, ctx.secrets ?? []);
  const num = (name: string): number | undefined => {
    const v = field(err, name) ?? field(field(field(err, 'originalError'), 'info'), name);
    return typeof v === 'number' ? v : undefined;
  };
  const table = err instanceof ValueError ? err.table : ctx.table;
  return new DbError(message, {
    code, dialect, kind, cause: err,
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
