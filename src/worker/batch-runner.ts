/**
 * Runs one batch inside a worker: validate → parse → map every document, then one transaction with
 * every table (contract order) plus the processing_log rows. A failing transaction is retried when the
 * error is transient, and split in halves when it is about the rows (permanent, scope `data` or
 * `unknown`), until each bad app is isolated and logged `failed` — so every good app lands and no app
 * is half-written. An error about the database itself (scope `database`: privileges, read-only, disk
 * full, missing table…) is never recorded against an app: the batch stops with it as `fatal`, and so
 * does a batch whose isolation shows every app failing with the same error that is not about data.
 */
import { causeOf } from '../db/classify-error.js';
import { DbError, ValueError } from '../db/db-error.js';
import type { LogRow, TableRows, TargetSession } from '../db/dialect.js';
import type { TableModel } from '../db/schema-types.js';
import type { AppFailureInfo, BatchItem, BatchResult, RetryPolicy } from '../ipc/messages.js';
import { AppFailure } from '../mapping/app-failure.js';
import type { DataMapper } from '../mapping/data-mapper.js';
import type { MappedApp } from '../mapping/values.js';

/** One app of a batch after the in-memory stages. */
type Work = { appId: number; mapped: MappedApp | null; failure: AppFailureInfo | null };

/** An app whose write failed on its own (isolated by splitting), before its failure row is written. */
type Isolated = { work: Work; err: unknown };

/** Sleep used for backoff (injectable for tests). */
export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Dependencies of a BatchRunner. */
export interface BatchRunnerDeps {
  readonly mapper: DataMapper;
  readonly target: TargetSession;
  readonly runId: string;
  readonly workerId: number;
  readonly retry: RetryPolicy;
  readonly sleep?: Sleep;
  /** Map everything, write nothing (`--dry-run`). Default false. */
  readonly dryRun?: boolean;
  readonly onWarning?: (appId: number, message: string) => void;
}

/** Maps and writes batches; one instance per worker. */
export class BatchRunner {
  private readonly tableByName: Map<string, TableModel>;
  private readonly sleep: Sleep;
  constructor(private readonly deps: BatchRunnerDeps) {
    this.tableByName = new Map(deps.target.model.tables.map((t) => [t.name, t]));
    this.sleep = deps.sleep ?? realSleep;
  }

  /** Processes `items` and returns what happened; never throws (fatal problems go in `fatal`). */
  async run(batchId: number, items: readonly BatchItem[], readMs = 0): Promise<BatchResult> {
    return this.runChunks(batchId, items.map((i) => i.appId), (async function* () { yield items; })(), readMs);
  }

  /**
   * Like {@link run}, with the documents arriving in chunks (a worker reading its own documents):
   * each chunk is mapped and its XML released before the next is read, so memory stays bounded by
   * the chunk, not the batch. Time spent waiting for chunks counts as read time.
   */
  async runChunks(batchId: number, appIds: readonly number[], chunks: AsyncIterable<readonly BatchItem[]>, readMs = 0): Promise<BatchResult> {
    const result = this.emptyResult(batchId, appIds.length, readMs);
    const work: Work[] = [];
    const it = chunks[Symbol.asyncIterator]();
    for (;;) {
      const r0 = performance.now();
      let next: IteratorResult<readonly BatchItem[]>;
      try {
        next = await it.next();
      } catch (err) {
        result.fatal = fatalOf(err, `reading source documents failed: ${(err as Error).message}`);
        // nothing of this batch was written: every app can run again once the database is back
        result.pending = [...appIds];
        return result;
      }
      const r1 = performance.now();
      result.times.read += r1 - r0;
      if (next.done) break;
      for (const item of next.value) work.push(this.mapOne(item, result));
      result.times.parseMap += performance.now() - r1;
    }
    const t1 = performance.now();
    await this.writeAll(work, result);
    result.times.write = performance.now() - t1;
    return result;
  }

  /** Logs `appIds` as failed without processing them (poison documents). */
  async poison(batchId: number, appIds: readonly number[], reason: string): Promise<BatchResult> {
    const result = this.emptyResult(batchId, appIds.length, 0);
    await this.writeAll(appIds.map((appId) => ({ appId, mapped: null, failure: { appId, stage: 'worker-crash', reason } })), result);
    return result;
  }

  private emptyResult(batchId: number, apps: number, readMs: number): BatchResult {
    return {
      batchId, workerId: this.deps.workerId, apps, ok: 0, failed: [], alreadyLogged: 0,
      rowsByTable: {}, times: { read: readMs, parseMap: 0, write: 0 }, retries: 0, splits: 0, warnings: 0, fatal: null, pending: [],
    };
  }

  /**
   * Writes `work`; a failure that cannot be absorbed becomes `fatal`, with the apps left unwritten as
   * `pending`. Apps isolated by splitting get their failure rows only after the whole batch was
   * tried: when two or more of them failed and every one of them failed with the same error that is
   * not about data, while none of the batch's documents landed, the error is systemic (a trigger or
   * setting that rejects every write, say) and stops the batch instead of blaming each app.
   */
  private async writeAll(work: readonly Work[], result: BatchResult): Promise<void> {
    const done = new Set<number>();
    try {
      const isolated: Isolated[] = [];
      const okBefore = result.ok;
      await this.write(work, result, done, isolated);
      if (isolated.length > 0) {
        const systemic = systemicError(isolated, result.ok - okBefore);
        if (systemic) throw systemic;
        const failures: Work[] = isolated.map(({ work: w, err }) => ({
          appId: w.appId, mapped: null,
          failure: { appId: w.appId, stage: 'insert', reason: err instanceof DbError ? describeDbError(err) : (err as Error).message },
        }));
        const again: Isolated[] = [];
        await this.write(failures, result, done, again);
        if (again.length > 0) throw again[0]!.err;
      }
    } catch (err) {
      result.fatal = fatalOf(err);
      result.pending = work.map((w) => w.appId).filter((id) => !done.has(id));
    }
  }

  private mapOne(item: BatchItem, result: BatchResult): Work {
    const work = mapItem(this.deps.mapper, item);
    if (work.mapped) {
      result.warnings += work.mapped.warnings.length;
      for (const w of work.mapped.warnings) this.deps.onWarning?.(item.appId, w);
    }
    return work;
  }

  private buildWrite(work: readonly Work[]): { tables: TableRows[]; log: LogRow[] } {
    const rowsByTable = new Map<string, Record<string, unknown>[]>();
    const log: LogRow[] = [];
    const { runId, workerId } = this.deps;
    for (const w of work) {
      if (w.failure) {
        log.push({ appId: w.appId, status: 'failed', stage: w.failure.stage, failureReason: w.failure.reason, runId, workerId });
        continue;
      }
      for (const [table, rows] of w.mapped!.tables) {
        let list = rowsByTable.get(table);
        if (!list) { list = []; rowsByTable.set(table, list); }
        for (const r of rows) list.push(r['app_id'] === undefined ? { ...r, app_id: w.appId } : r);
      }
      log.push({ appId: w.appId, status: 'success', runId, workerId });
    }
    const tables: TableRows[] = [];
    for (const t of this.deps.target.model.tables) {
      const rows = rowsByTable.get(t.name);
      if (rows && rows.length > 0) tables.push({ table: t, rows: rows as TableRows['rows'] });
    }
    for (const name of rowsByTable.keys()) {
      if (!this.tableByName.has(name)) throw new Error(`mapped table ${name} is not in the schema model`);
    }
    return { tables, log };
  }

  /**
   * Writes `work` in one transaction; transient errors retry, errors about the rows split. `done`
   * collects handled app_ids; a single app that still fails goes to `isolated` (see {@link writeAll}).
   */
  private async write(work: readonly Work[], result: BatchResult, done: Set<number>, isolated: Isolated[]): Promise<void> {
    if (work.length === 0) return;
    if (this.deps.dryRun) {
      const { tables } = this.buildWrite(work);
      for (const t of tables) result.rowsByTable[t.table.name] = (result.rowsByTable[t.table.name] ?? 0) + t.rows.length;
      for (const w of work) { if (w.failure) result.failed.push(w.failure); else result.ok++; done.add(w.appId); }
      return;
    }
    try {
      const res = await this.withRetry(work, result);
      for (const w of work) done.add(w.appId);
      if (res === 'logged') return;
      for (const [t, n] of Object.entries(res)) result.rowsByTable[t] = (result.rowsByTable[t] ?? 0) + n;
      for (const w of work) {
        if (w.failure) result.failed.push(w.failure);
        else result.ok++;
      }
    } catch (err) {
      if (!aboutTheRows(err)) throw err;
      if (work.length > 1) {
        result.splits++;
        const mid = Math.ceil(work.length / 2);
        await this.write(work.slice(0, mid), result, done, isolated);
        await this.write(work.slice(mid), result, done, isolated);
        return;
      }
      const one = work[0]!;
      // already in processing_log (another run, a duplicate source row, or an unknown commit outcome)?
      const logged = await this.loggedWithRetry([one.appId], result);
      if (logged.has(one.appId)) { result.alreadyLogged++; done.add(one.appId); return; }
      if (one.failure) throw err; // even its failure row cannot be written: nothing sensible is left
      isolated.push({ work: one, err });
    }
  }

  /** One transaction with bounded retries. Returns rows per table, or 'logged' when a lost commit turned out to have landed. */
  private async withRetry(work: readonly Work[], result: BatchResult): Promise<Record<string, number> | 'logged'> {
    const { retry } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        const w = await this.deps.target.writeBatch(this.buildWrite(work));
        return { ...w.rowsByTable };
      } catch (err) {
        if (!(err instanceof DbError) || err.kind === 'permanent') throw err;
        if (err.kind === 'commit-unknown') {
          const ids = work.map((w) => w.appId);
          const logged = await this.loggedWithRetry(ids, result);
          if (logged.size === ids.length) {
            for (const w of work) { if (w.failure) result.failed.push(w.failure); else result.ok++; }
            return 'logged';
          }
        }
        if (attempt >= retry.maxAttempts) throw err;
        result.retries++;
        const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.random() * cap);
      }
    }
  }

  private async loggedWithRetry(ids: readonly number[], result: BatchResult): Promise<Map<number, string>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.target.loggedStatus(ids);
      } catch (err) {
        if (!(err instanceof DbError) || err.kind === 'permanent' || attempt >= this.deps.retry.maxAttempts) throw err;
        result.retries++;
        await this.sleep(Math.random() * Math.min(this.deps.retry.maxDelayMs, this.deps.retry.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }
}

/**
 * Runs an idempotent database call (a read) with the batch runner's retry policy: transient errors
 * (a session the server ended, a cancelled statement, a lost connection) are retried with the same
 * capped, jittered backoff as writes; anything else, or the last attempt's error, is thrown.
 */
export async function retryTransient<T>(fn: () => Promise<T>, retry: RetryPolicy, sleep: Sleep = realSleep): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof DbError) || err.kind === 'permanent' || attempt >= retry.maxAttempts) throw err;
      await sleep(Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/**
 * The in-memory stages of one app — validate, parse, map — exactly as a run does them: a read error,
 * an empty document, a document whose app id differs from its source row, or a mapping failure
 * becomes the failure (stage and reason) the app is logged with. `xmlmigrate verify` maps through this
 * too, so what it expects is what a run writes.
 */
export function mapItem(mapper: DataMapper, item: BatchItem): { appId: number; mapped: MappedApp | null; failure: AppFailureInfo | null } {
  const { appId } = item;
  if (item.readError !== undefined) {
    return { appId, mapped: null, failure: { appId, stage: 'read', reason: `the database could not return this document: ${item.readError}` } };
  }
  if (item.xml === null || isBlank(item.xml)) {
    return { appId, mapped: null, failure: { appId, stage: 'validation', reason: 'empty document: the source XML is NULL or blank' } };
  }
  try {
    const mapped = mapper.map(item.xml);
    if (mapped.appId !== appId) {
      return { appId, mapped: null, failure: { appId, stage: 'validation', reason: `document app id ${mapped.appId} does not match the source row's app_id ${appId}` } };
    }
    return { appId, mapped, failure: null };
  } catch (err) {
    if (err instanceof AppFailure) return { appId, mapped: null, failure: { appId, stage: err.stage, reason: err.message } };
    return { appId, mapped: null, failure: { appId, stage: 'mapping', reason: `internal mapping error: ${(err as Error).message}` } };
  }
}

/** True for a document of whitespace only (a string, or UTF-8 bytes). */
function isBlank(xml: string | Uint8Array): boolean {
  if (typeof xml === 'string') return xml.trim() === '';
  for (const c of xml) if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  return true;
}

/**
 * An error as a BatchResult's `fatal` (name, message, code, kind, scope). A permanent error about the
 * database gets a message naming its cause and saying that no app was blamed.
 */
function fatalOf(err: unknown, message?: string): BatchResult['fatal'] {
  const e = err as Partial<DbError> & Error;
  let text = message ?? e.message;
  if (err instanceof DbError && err.kind === 'permanent' && err.scope !== 'data') {
    const cause = causeOf(err.code);
    text = `${cause ? `${cause}: ` : ''}${message ?? describeDbError(err)} — an error about the database, not the documents: no app was logged failed for it; fix it and run the same command again`;
  }
  return { name: e.name, message: text, code: e.code ?? null, kind: e.kind ?? null, scope: e.scope ?? null };
}

/**
 * True when splitting the work can isolate the cause: a value error, or a permanent database error
 * that is about the rows or unclassified. Errors about the database (privileges, read-only, disk
 * full, missing table, a session that cannot open) say nothing about any app.
 */
function aboutTheRows(err: unknown): boolean {
  if (err instanceof ValueError) return true;
  return err instanceof DbError && err.kind === 'permanent' && err.scope !== 'database' && err.phase !== 'connect' && err.phase !== 'begin';
}

/**
 * The safety net of {@link BatchRunner.writeAll}: when two or more apps were isolated, each failed
 * with the same error code that is not about data, and none of the batch's documents landed, that
 * error is about the database after all — returned as a permanent `database` DbError; else null.
 */
function systemicError(isolated: readonly Isolated[], landed: number): DbError | null {
  if (isolated.length < 2 || landed > 0) return null;
  const first = isolated[0]!.err;
  if (!(first instanceof DbError) || first.scope === 'data' || first.code === null) return null;
  if (!isolated.every(({ err }) => err instanceof DbError && err.scope !== 'data' && err.code === first.code)) return null;
  return new DbError(`every app of the batch failed with the same error (${isolated.length} apps isolated one by one): ${describeDbError(first)}`, {
    code: first.code, dialect: first.dialect, kind: 'permanent', scope: 'database', ...(first.table === undefined ? {} : { table: first.table }), cause: first,
  });
}

/** One line describing a database error, with its driver fields. */
export function describeDbError(err: DbError): string {
  const parts = [err.message];
  const f: string[] = [];
  if (err.code !== null) f.push(`code ${err.code}`);
  if (err.number !== undefined) f.push(`number ${err.number}`);
  if (err.table) f.push(`table ${err.table}`);
  if (f.length) parts.push(`(${f.join(', ')})`);
  return parts.join(' ');
}
