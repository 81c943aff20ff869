/**
 * Verifies one batch of apps (runs in a verify worker): reads the source documents, maps each one
 * exactly as a run does (mapItem: validate, parse, map; then the writer's own encoding and duplicate
 * policy, prepareTable + dropDuplicates), reads the same apps' processing_log rows and target rows,
 * and compares (compare.ts) through the canonical texts of normalize.ts.
 *
 * What an app must look like, by its processing_log row:
 * - `success`: exactly the rows its document maps to (a document that no longer maps is reported);
 * - `failed`: no rows at all;
 * - none: the app was never migrated (reported, with any rows found for it).
 * A batch given as an app_id range also reports apps that have a processing_log row or target rows
 * but no source document.
 */
import { dropDuplicates, prepareTable } from '../db/batch-prep.js';
import { ValueError } from '../db/db-error.js';
import type { TargetSession } from '../db/dialect.js';
import { readDocuments } from '../db/read-documents.js';
import type { AppIdSelection } from '../db/target-rows.js';
import type { RetryPolicy, SerializedError } from '../ipc/messages.js';
import { serializeError } from '../ipc/messages.js';
import type { DataMapper } from '../mapping/data-mapper.js';
import type { Row } from '../mapping/values.js';
import { mapItem, retryTransient } from '../worker/batch-runner.js';
import { compareTable, type CanonicalRow, type CompareCounts, type RowDiff } from './compare.js';
import { expectedText, foundText } from './normalize.js';

/** What is wrong with one app. */
export type FindingKind = 'differs' | 'rows-missing' | 'not-logged' | 'maps-to-failure' | 'failed-has-rows' | 'not-in-source';

/** Every finding kind, in report order. */
export const FINDING_KINDS: readonly FindingKind[] = ['differs', 'rows-missing', 'not-logged', 'maps-to-failure', 'failed-has-rows', 'not-in-source'];

/** One app that does not verify. */
export interface AppFinding {
  readonly appId: number;
  readonly kind: FindingKind;
  /** Its processing_log status, or null when it has none. */
  readonly log: 'success' | 'failed' | null;
  /** One line of context (a mapping failure's reason, rows found for an unlogged app …), or null. */
  readonly detail: string | null;
  /** The row differences (at most the job's cap). */
  readonly diffs: readonly RowDiff[];
  /** Differences beyond the cap. */
  readonly moreDiffs: number;
}

/** One unit of verify work. */
export interface VerifyJob {
  readonly batchId: number;
  /** Source app_ids to verify. */
  readonly appIds: readonly number[];
  /**
   * The app_id range this batch covers (`above < app_id <= atMost`, null = open): target rows and
   * processing_log rows in it are read by range, so those of apps missing from the source are found.
   * Null: read exactly `appIds` (a sample).
   */
  readonly range: { readonly above: number | null; readonly atMost: number | null } | null;
}

/** Per-table difference counts. */
export interface TableDiffCounts { missing: number; extra: number; values: number }

/** What a worker found in one batch. */
export interface VerifyBatchResult {
  batchId: number;
  /** Source apps verified. */
  apps: number;
  /** Of those, the ones that match. */
  ok: number;
  /** Apps not in the source that have log or target rows (range batches only). */
  notInSource: number;
  findings: AppFinding[];
  byKind: Record<FindingKind, number>;
  diffsByTable: Record<string, TableDiffCounts>;
  rows: CompareCounts;
  /** Milliseconds: source read, parse+map+encode, target read, compare. */
  times: { read: number; map: number; target: number; compare: number };
  fatal: SerializedError | null;
}

/** Settings of a {@link BatchVerifier}. */
export interface BatchVerifierOptions {
  readonly mapper: DataMapper;
  readonly target: TargetSession;
  /** The session holding the source table (the target unless `--source`). */
  readonly source: TargetSession;
  readonly retry: RetryPolicy;
  /** Differences kept per app (the rest are counted). Default 50. */
  readonly maxDiffsPerApp?: number;
}

/** Documents read (and mapped) at a time. */
const READ_CHUNK = 25;

type Expected = { failure: string } | { tables: Map<string, CanonicalRow[]>; rows: number };

/** An empty result for `batchId`. */
export function emptyVerifyResult(batchId: number): VerifyBatchResult {
  return {
    batchId, apps: 0, ok: 0, notInSource: 0, findings: [],
    byKind: Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>,
    diffsByTable: {}, rows: { expectedRows: 0, foundRows: 0, matchedRows: 0 },
    times: { read: 0, map: 0, target: 0, compare: 0 }, fatal: null,
  };
}

/** Verifies batches; one per worker. */
export class BatchVerifier {
  private readonly maxDiffs: number;
  constructor(private readonly opts: BatchVerifierOptions) {
    this.maxDiffs = opts.maxDiffsPerApp ?? 50;
  }

  /** Verifies `job`; never throws (a database error that outlived its retries is `fatal`). */
  async verify(job: VerifyJob): Promise<VerifyBatchResult> {
    const result = emptyVerifyResult(job.batchId);
    try {
      await this.run(job, result);
    } catch (err) {
      result.fatal = serializeError(err);
    }
    return result;
  }

  private async run(job: VerifyJob, result: VerifyBatchResult): Promise<void> {
    const { target, source, retry } = this.opts;
    const model = target.model;
    // 1. the source documents, mapped as a run maps them
    const expected = new Map<number, Expected>();
    for (let i = 0; i < job.appIds.length; i += READ_CHUNK) {
      const ids = job.appIds.slice(i, i + READ_CHUNK);
      const t0 = performance.now();
      let attempt = 0;
      // a retry reads strings: a second byte read could reuse memory this chunk still lives in
      const items = await retryTransient(() => readDocuments(source, ids, false, ++attempt === 1), retry);
      const t1 = performance.now();
      result.times.read += t1 - t0;
      // an app_id listed but gone from the source meanwhile reads as a NULL document: it fails validation like in a run
      for (const item of items) expected.set(item.appId, this.expect(item.appId, mapItem(this.opts.mapper, item)));
      result.times.map += performance.now() - t1;
    }
    // 2. what the target holds for the same apps
    const t2 = performance.now();
    const sel: AppIdSelection = job.range ?? { appIds: job.appIds };
    const logRows = await retryTransient(() => target.readTargetRows(model.processingLog, sel, ['app_id', 'status']), retry);
    const appIdCol = model.processingLog.columns[0]!;
    const log = new Map<number, 'success' | 'failed'>();
    for (const r of logRows) log.set(Number(foundText(r['app_id'], appIdCol, target.info.name)), r['status'] === 'failed' ? 'failed' : 'success');
    const found = new Map<number, Map<string, CanonicalRow[]>>();
    for (const t of model.tables) {
      const rows = await retryTransient(() => target.readTargetRows(t, sel), retry);
      for (const r of rows) {
        const canon = t.columns.map((c) => foundText(r[c.name], c, target.info.name));
        const appId = Number(canon[t.columns.findIndex((c) => c.name === 'app_id')]);
        let byTable = found.get(appId);
        if (!byTable) found.set(appId, byTable = new Map());
        let list = byTable.get(t.name);
        if (!list) byTable.set(t.name, list = []);
        list.push(canon);
      }
    }
    const t3 = performance.now();
    result.times.target += t3 - t2;
    // 3. compare, app by app
    for (const appId of job.appIds) {
      result.apps++;
      this.compareApp(appId, expected.get(appId) ?? { failure: 'validation: the source row disappeared during verify' }, log.get(appId) ?? null, found.get(appId), result);
    }
    if (job.range) {
      const inSource = new Set(job.appIds);
      const orphans = new Set<number>([...log.keys(), ...found.keys()].filter((id) => !inSource.has(id)));
      for (const appId of [...orphans].sort((a, b) => a - b)) {
        const rows = countRows(found.get(appId));
        const status = log.get(appId) ?? null;
        result.notInSource++;
        this.add(result, {
          appId, kind: 'not-in-source', log: status,
          detail: `no source document; ${status === null ? 'no processing_log row' : `logged ${status}`}, ${rows === 0 ? 'no rows' : `${rows} row${rows === 1 ? '' : 's'}`} in the target`,
          diffs: [], moreDiffs: 0,
        });
      }
    }
    result.times.compare += performance.now() - t3;
  }

  /** The canonical rows a run writes for one mapped app, or the failure it logs. */
  private expect(appId: number, work: ReturnType<typeof mapItem>): Expected {
    if (work.failure) return { failure: `${work.failure.stage}: ${work.failure.reason}` };
    const model = this.opts.target.model;
    const tables = new Map<string, CanonicalRow[]>();
    let rows = 0;
    try {
      for (const [name, list] of work.mapped!.tables) {
        const table = model.tables.find((t) => t.name === name);
        if (!table) return { failure: `mapping: mapped table ${name} is not in the schema model` };
        // as BatchRunner.buildWrite: a row without app_id gets the app's
        const withId: Row[] = list.map((r) => (r['app_id'] === undefined ? { ...r, app_id: appId } : r));
        const prepared = prepareTable(table, withId);
        dropDuplicates(prepared);
        const canon = prepared.rows.map((cells) => cells.map((cell, i) => expectedText(cell, table.columns[i]!)));
        tables.set(name, canon);
        rows += canon.length;
      }
    } catch (err) {
      if (err instanceof ValueError) return { failure: `insert: ${err.message}` };
      throw err;
    }
    return { tables, rows };
  }

  private compareApp(appId: number, exp: Expected, status: 'success' | 'failed' | null, found: Map<string, CanonicalRow[]> | undefined, result: VerifyBatchResult): void {
    const foundRows = countRows(found);
    if (status === null) {
      this.add(result, { appId, kind: 'not-logged', log: null, detail: foundRows === 0 ? 'not migrated: no processing_log row and no rows in the target' : `no processing_log row, yet ${foundRows} row${foundRows === 1 ? '' : 's'} in the target`, diffs: [], moreDiffs: 0 });
      return;
    }
    if (status === 'failed') {
      if (foundRows === 0) { result.ok++; return; }
      const tables = [...(found ?? new Map<string, CanonicalRow[]>())].filter(([, r]) => r.length > 0).map(([t, r]) => `${t} ${r.length}`);
      this.add(result, { appId, kind: 'failed-has-rows', log: 'failed', detail: `logged failed, yet it has rows: ${tables.join(', ')}`, diffs: [], moreDiffs: 0 });
      return;
    }
    if ('failure' in exp) {
      this.add(result, { appId, kind: 'maps-to-failure', log: 'success', detail: `logged success, but its document now fails: ${exp.failure}`, diffs: [], moreDiffs: 0 });
      return;
    }
    const counts: CompareCounts = { expectedRows: 0, foundRows: 0, matchedRows: 0 };
    const diffs: RowDiff[] = [];
    for (const t of this.opts.target.model.tables) {
      compareTable(t, exp.tables.get(t.name) ?? [], found?.get(t.name) ?? [], diffs, counts);
    }
    result.rows.expectedRows += counts.expectedRows;
    result.rows.foundRows += counts.foundRows;
    result.rows.matchedRows += counts.matchedRows;
    if (diffs.length === 0) { result.ok++; return; }
    for (const d of diffs) {
      const c = result.diffsByTable[d.table] ??= { missing: 0, extra: 0, values: 0 };
      if (d.kind === 'missing-row') c.missing++; else if (d.kind === 'extra-row') c.extra++; else c.values++;
    }
    const allMissing = foundRows === 0 && exp.rows > 0;
    this.add(result, {
      appId, kind: allMissing ? 'rows-missing' : 'differs', log: 'success',
      detail: allMissing ? `logged success, but none of its ${exp.rows} row${exp.rows === 1 ? ' is' : 's are'} in the target` : null,
      diffs: allMissing ? [] : diffs.slice(0, this.maxDiffs), moreDiffs: allMissing ? 0 : Math.max(0, diffs.length - this.maxDiffs),
    });
  }

  private add(result: VerifyBatchResult, f: AppFinding): void {
    result.byKind[f.kind]++;
    result.findings.push(f);
  }
}

function countRows(found: Map<string, CanonicalRow[]> | undefined): number {
  let n = 0;
  for (const rows of found?.values() ?? []) n += rows.length;
  return n;
}

/** Adds `b` into `a` (the parent folds worker results with this). */
export function addCounts(a: VerifyBatchResult, b: VerifyBatchResult): void {
  a.apps += b.apps;
  a.ok += b.ok;
  a.notInSource += b.notInSource;
  for (const k of FINDING_KINDS) a.byKind[k] += b.byKind[k];
  for (const [t, c] of Object.entries(b.diffsByTable)) {
    const x = a.diffsByTable[t] ??= { missing: 0, extra: 0, values: 0 };
    x.missing += c.missing; x.extra += c.extra; x.values += c.values;
  }
  a.rows.expectedRows += b.rows.expectedRows;
  a.rows.foundRows += b.rows.foundRows;
  a.rows.matchedRows += b.rows.matchedRows;
  a.times.read += b.times.read; a.times.map += b.times.map; a.times.target += b.times.target; a.times.compare += b.times.compare;
}
