/**
 * The one message protocol between the coordinator (parent) and its forked workers. Nothing thrown
 * crosses the channel: workers answer with values; errors travel as {@link SerializedError}.
 */

/** An error flattened for IPC: name, message, code and driver fields (SQL Server number/state/class). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string | number | null;
  kind?: string | null;
  /** `data` / `database` / `unknown` for database errors (see ErrorScope in src/db/db-error.ts). */
  scope?: string | null;
  number?: number | null;
  state?: number | null;
  class?: number | null;
}

/** How a worker retries transient database errors. */
export interface RetryPolicy {
  /** Attempts per transaction, including the first. Default 5. */
  maxAttempts: number;
  /** First backoff in ms (doubles each time, with full jitter). Default 100. */
  baseDelayMs: number;
  /** Backoff cap in ms. Default 5000. */
  maxDelayMs: number;
}

/** Everything a worker needs to start. Secrets travel only over the IPC channel, never argv. */
export interface WorkerInit {
  runId: string;
  workerId: number;
  contractFile: string;
  /** Target database URL (may contain a password; never logged). */
  target: string;
  /** Source database URL when it differs from the target; null = same database. */
  source: string | null;
  /** Connections per worker: 1 = one dedicated connection (`--no-pool`). */
  poolMax: number;
  logLevel: string;
  logFile: string | null;
  retry: RetryPolicy;
  /** Read, parse and map, but write nothing. */
  dryRun: boolean;
  /** `--read-budget-mb` in bytes: the document bytes a worker reads at once (and again ahead). */
  readBudgetBytes: number;
}

/**
 * One document of a batch. `xml` null = the source column was NULL. Over IPC (parent-reads mode) it
 * is a string; a worker reading its own documents may hold the UTF-8 bytes instead.
 */
export interface BatchItem {
  appId: number;
  xml: string | Uint8Array | null;
  /**
   * Set when this row could not be read (the database refused to return this one document, e.g. an
   * invalid byte sequence): the server's reason. The app is logged `failed` at stage `read`.
   */
  readError?: string;
}

/** Parent → worker. */
export type ToWorker =
  | { t: 'init'; init: WorkerInit }
  /**
   * The target's write catalog, read once by the parent after its preflight (SQL Server): the worker's
   * session uses it instead of running the catalog queries itself. Sent before any batch.
   */
  | { t: 'catalog'; catalog: unknown }
  /** Process these documents (parent read them). */
  | { t: 'batch'; batchId: number; items: BatchItem[] }
  /** Read these app_ids from the source yourself, then process them (worker-reads mode). */
  | { t: 'batch-ids'; batchId: number; appIds: number[] }
  /** Log these apps as failed without processing them (a document that keeps killing workers). */
  | { t: 'poison'; batchId: number; appIds: number[]; reason: string }
  | { t: 'stop' };

/** One app that did not land. */
export interface AppFailureInfo {
  appId: number;
  stage: string;
  reason: string;
}

/** Time spent per phase, in milliseconds. */
export interface PhaseTimes {
  read: number;
  parseMap: number;
  write: number;
}

/** What a worker did with one batch. */
export interface BatchResult {
  batchId: number;
  workerId: number;
  apps: number;
  ok: number;
  failed: AppFailureInfo[];
  /** Apps another run (or an earlier attempt whose commit outcome was unknown) had already logged. */
  alreadyLogged: number;
  rowsByTable: Record<string, number>;
  times: PhaseTimes;
  retries: number;
  splits: number;
  warnings: number;
  /** Set when the batch could not be completed at all (database unreachable, …). */
  fatal: SerializedError | null;
  /** With `fatal`: the app_ids neither written nor logged (they can run again once the database is back). */
  pending: number[];
}

/** Worker → parent. */
export type FromWorker =
  | { t: 'ready'; workerId: number; pid: number }
  | { t: 'init-error'; workerId: number; error: SerializedError }
  | { t: 'result'; result: BatchResult; /** CPU time (user + system) the worker process has used so far. */ cpuMs?: number }
  | { t: 'stopped'; workerId: number };

/** Flattens any thrown value for IPC. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const e = err as Error & Record<string, unknown>;
    const num = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : null);
    const code = typeof e['code'] === 'string' || typeof e['code'] === 'number' ? (e['code'] as string | number) : null;
    const str = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : null);
    return { name: e.name, message: e.message, code, kind: str('kind'), scope: str('scope'), number: num('number'), state: num('state'), class: num('class') };
  }
  return { name: 'Error', message: String(err) };
}
