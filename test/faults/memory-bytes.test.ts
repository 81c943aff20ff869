/**
 * Memory is bounded by bytes, not by a number of documents (docs/reliability.md, guarantee 6).
 *
 * 24 documents of about 60 MB each (a complete generated document with a 60 MB report section the
 * contract skips, built by string repetition) in a SQLite source, run through the built CLI:
 *
 * - worker reads, `--workers 1 --batch-size 24`: the worker stays under 400 MB (VmHWM). Before the
 *   read budget it read 16-document chunks one chunk ahead — 1.4 GB;
 * - parent reads, 8 of them (`--read-mode parent`): the parent stays under 200 MB (VmHWM and the
 *   summary's peakRssMb). Before, it held the whole batch, read and serialized for IPC — 1.4 GB.
 *
 * Every app lands in both runs, and the parent-read run's rows equal the worker-read run's.
 * Peaks are measured as hostile-documents.test.ts does: /proc/<pid>/status VmHWM of every process
 * of the run's process group, polled while it runs, and --metrics-out.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../src/db/create-dialect.js';
import type { SchemaModel } from '../../src/db/schema-types.js';
import type { RunSummary } from '../../src/observability/metrics.js';
import { dbSnapshot, logRows, sqliteFileDb, type PipelineDb } from '../integration/pipeline/pipeline-harness.js';
import { failedTestNames, modelOfContract, productContract, recordResult, requireBuild, runArgs, startCli, watchPeakRss, type CliOutcome } from './fault-harness.js';
import { bigFiller, completeDoc } from './hostile-corpus.js';

const SEED = 6060;
const DOCS = 24;
const DOC_BYTES = 60_000_000;
const PARENT_DOCS = 8;
const WORKER_RSS_LIMIT_MB = 400;
const PARENT_RSS_LIMIT_MB = 200;

/**
 * Fills the source table with `count` documents of about `bytes` each. The filler is stored once
 * and concatenated by SQLite, so no 60 MB string crosses into the database per document; 64 KB
 * pages and no journal keep the 1.4 GB write short (the file is scratch).
 */
async function fillBigSource(file: string, model: SchemaModel, count: number, bytes: number): Promise<void> {
  const pre = new Database(file);
  pre.pragma('page_size = 65536');
  pre.close();
  const s = await openTarget(`sqlite:${file}`, model);
  try { await s.applySchema({ includeSource: true }); } finally { await s.close(); }
  const db = new Database(file);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec('CREATE TEMP TABLE filler (f TEXT NOT NULL)');
    db.prepare('INSERT INTO temp.filler (f) VALUES (?)').run(bigFiller(bytes));
    const q = (id: string) => `"${id}"`;
    const insert = db.prepare(`INSERT INTO ${q(model.source.name)} (${q('app_id')}, ${q(model.sourceColumn)}) VALUES (?, ? || (SELECT f FROM temp.filler) || ?)`);
    db.transaction(() => {
      for (let appId = 1; appId <= count; appId++) {
        const xml = completeDoc(appId, SEED);
        const at = xml.indexOf('<queues>') + '<queues>'.length;
        if (at < '<queues>'.length) throw new Error('the generated document has no <queues> section');
        insert.run(appId, xml.slice(0, at), xml.slice(at));
      }
    })();
  } finally {
    db.close();
  }
}

/** Runs the CLI in its own process group; the peak VmHWM of the parent and of the largest worker, in MB. */
async function measuredRun(args: string[]): Promise<{ out: CliOutcome; parentMb: number; workerMb: number; workers: number }> {
  const proc = startCli(args, { detached: true });
  const { result: out, peakKb } = await watchPeakRss(proc.pid, proc.done);
  const workers = [...peakKb].filter(([pid]) => pid !== proc.pid).map(([, kb]) => kb / 1024);
  return { out, parentMb: (peakKb.get(proc.pid) ?? 0) / 1024, workerMb: Math.max(0, ...workers), workers: workers.length };
}

describe(`memory is bounded by bytes: ${DOCS} documents of ${DOC_BYTES / 1e6} MB (SQLite, built CLI)`, () => {
  let tmp: string;
  let file: string;
  let contract: string;
  let model: SchemaModel;
  let db: PipelineDb;
  let workerRun: Awaited<ReturnType<typeof measuredRun>>;
  let parentRun: Awaited<ReturnType<typeof measuredRun>>;
  let workerMetrics: RunSummary;
  let parentMetrics: RunSummary;
  let workerRows: Awaited<ReturnType<typeof dbSnapshot>>;

  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-memory-'));
    contract = productContract(tmp, 'contract.json', 'dbo');
    model = await modelOfContract(contract);
    file = path.join(tmp, 'big.db');
    await fillBigSource(file, model, DOCS, DOC_BYTES);
    db = sqliteFileDb(file);

    // 1. worker reads: one worker, one batch of all 24 documents
    const m1 = path.join(tmp, 'worker-metrics.json');
    workerRun = await measuredRun(runArgs(contract, `sqlite:${file}`, ['--workers', '1', '--batch-size', String(DOCS), '--metrics-out', m1]));
    workerMetrics = JSON.parse(readFileSync(m1, 'utf8')) as RunSummary;
    workerRows = await dbSnapshot(db, model);

    // 2. parent reads: the last 8 apps made pending again (their rows and log rows removed), then
    //    migrated with --read-mode parent
    const first = DOCS - PARENT_DOCS + 1;
    const raw = new Database(file);
    try {
      for (const t of [...model.tables, model.processingLog]) raw.prepare(`DELETE FROM "${t.name}" WHERE app_id >= ?`).run(first);
    } finally {
      raw.close();
    }
    const m2 = path.join(tmp, 'parent-metrics.json');
    parentRun = await measuredRun(runArgs(contract, `sqlite:${file}`, ['--workers', '2', '--read-mode', 'parent', '--app-id-start', String(first), '--metrics-out', m2]));
    parentMetrics = JSON.parse(readFileSync(m2, 'utf8')) as RunSummary;
  }, 900_000);

  afterAll(async ({}, suite) => {
    if (workerRun && parentRun) {
      const failed = failedTestNames(suite);
      recordResult({
        scenario: `memory bound by bytes (${DOCS} × ${DOC_BYTES / 1e6} MB, worker and parent reads)`, dialect: 'sqlite', seeds: [SEED], faults: DOCS,
        apps: DOCS, lost: DOCS - workerMetrics.apps.ok, duplicated: 0,
        note: `worker reads: largest worker ${Math.round(workerRun.workerMb)} MB; parent reads (${PARENT_DOCS} documents): parent ${Math.round(parentRun.parentMb)} MB`,
        ...(failed.length > 0 ? { failed: failed.join('; ') } : {}),
      });
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the documents are as large as intended', () => {
    const raw = new Database(file, { readonly: true });
    try {
      const sizes = raw.prepare(`SELECT octet_length("${model.sourceColumn}") AS n FROM "${model.source.name}"`).all() as { n: number }[];
      expect(sizes).toHaveLength(DOCS);
      for (const { n } of sizes) expect(n).toBeGreaterThan(DOC_BYTES);
    } finally {
      raw.close();
    }
  });

  it(`worker reads, --workers 1 --batch-size ${DOCS}: every app lands; the worker stays under ${WORKER_RSS_LIMIT_MB} MB`, () => {
    expect(workerRun.out.code, workerRun.out.stderr).toBe(0);
    expect(workerMetrics.apps).toEqual({ total: DOCS, ok: DOCS, failed: 0, alreadyLogged: 0 });
    expect(workerRun.workers, 'worker processes were observed').toBe(1);
    expect(workerRun.workerMb, 'the worker (VmHWM)').toBeLessThan(WORKER_RSS_LIMIT_MB);
    expect(workerMetrics.peakRssMb, 'the parent (summary peakRssMb)').toBeLessThan(PARENT_RSS_LIMIT_MB);
  });

  it(`parent reads, ${PARENT_DOCS} documents: every app lands with the same rows; the parent stays under ${PARENT_RSS_LIMIT_MB} MB`, async () => {
    expect(parentRun.out.code, parentRun.out.stderr).toBe(0);
    expect(parentMetrics.readMode).toBe('parent');
    expect(parentMetrics.apps).toEqual({ total: PARENT_DOCS, ok: PARENT_DOCS, failed: 0, alreadyLogged: 0 });
    expect((await logRows(db)).filter((r) => r.status === 'success')).toHaveLength(DOCS);
    expect((await dbSnapshot(db, model)).tables).toEqual(workerRows.tables);
    expect(parentRun.parentMb, 'the parent (VmHWM)').toBeLessThan(PARENT_RSS_LIMIT_MB);
    expect(parentMetrics.peakRssMb, 'the parent (summary peakRssMb)').toBeLessThan(PARENT_RSS_LIMIT_MB);
    expect(parentRun.workerMb, 'the largest worker (VmHWM)').toBeLessThan(WORKER_RSS_LIMIT_MB);
  });
});
