/**
 * The failure budget end to end on SQLite and PostgreSQL: a contract whose app-id mapping points at an
 * attribute no document has fails every app. With `--max-failures` the run stops within its budget
 * (exit 4, why, the dominating reason), the failed apps logged are at most the budget plus the apps
 * of the batches already running, every other app is still pending (not logged), and a run with the
 * fixed contract resumes; `retry-failed` then brings the failed ones back. A percentage budget waits
 * for its minimum count. Documents: the product's generator (small ones), loaded into the source table.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MappingContract } from '../../src/mapping/contract-types.js';
import type { RunSummary } from '../../src/observability/metrics.js';
import {
  CORPUS_SEED, generatedDocs, loadSource, logRows, postgresDb, requireBuild, sqliteDb, writeContract, type PipelineDb,
} from '../integration/pipeline/pipeline-harness.js';
import { runCli } from './cli-run.js';

const APPS = 400;
const WORKERS = 2;
const BATCH = 20;
const CANARY = 'xmCanary7731';
const REASON = 'missing app id: /Provenir/Request@NoSuchID is absent or blank';

/** The example contract with the app id read from an attribute that does not exist. */
function breakAppId(c: MappingContract): MappingContract {
  let hit = 0;
  const mappings = c.mappings.map((m) => {
    if (m.target_table !== 'app_base' || m.target_column !== 'app_id') return m;
    hit++;
    return { ...m, xml_attribute: 'NoSuchID' };
  });
  if (hit !== 1) throw new Error(`expected one app_base.app_id mapping, found ${hit}`);
  return { ...c, mappings };
}

describe.each([
  ['SQLite', () => Promise.resolve(sqliteDb())],
  ['PostgreSQL', postgresDb],
] as const)('failure budget (%s)', (_name, makeDb) => {
  let db: PipelineDb;
  let tmp: string;
  let good: string;
  let broken: string;
  const docs = generatedDocs(Array.from({ length: APPS }, (_, i) => i + 1), CORPUS_SEED);
  // PostgreSQL (trust auth here) is given a password it ignores: it must appear in no output, metrics or page
  const url = () => (db.dialect === 'postgres' ? db.url().replace('://postgres@', `://postgres:${CANARY}@`) : db.url());
  const base = () => ['-t', url(), '-w', String(WORKERS), '-b', String(BATCH), '--no-progress', '--log-level', 'error'];
  const status = async () => {
    const rows = await logRows(db);
    return { failed: rows.filter((r) => r.status === 'failed'), success: rows.filter((r) => r.status === 'success') };
  };

  beforeAll(async () => {
    requireBuild();
    db = await makeDb();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-budget-'));
    good = writeContract(tmp, 'good.json', db.schema);
    broken = writeContract(tmp, 'broken.json', db.schema, breakAppId);
    await db.reset();
    await loadSource(db.url(), good, docs);
  });
  afterAll(async () => {
    try { await db?.dispose(); } finally { if (tmp) rmSync(tmp, { recursive: true, force: true }); }
  });

  it('a contract that fails every app stops within --max-failures: exit 4, why, the top reason; the rest stays pending', async () => {
    const budget = 30;
    const metrics = path.join(tmp, 'm.json');
    const r = runCli(['run', '-c', broken, ...base(), '--max-failures', String(budget), '--metrics-out', metrics]);
    expect(r.code, r.stderr + r.stdout).toBe(4);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toMatch(/^run \S+ stopped by failure budget in /m);
    expect(r.stdout).toMatch(new RegExp(`^failure budget exceeded: \\d+ apps failed, more than the budget of ${budget} failed apps — exit 4$`, 'm'));
    expect(r.stdout).toContain('stopped taking new work; in-flight batches committed, nothing is half-written');
    expect(r.stdout).toMatch(new RegExp(`^ +\\d+ × \\[validation\\] ${REASON.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(e\\.g\\. apps \\d+, \\d+, \\d+\\)$`, 'm'));
    expect(r.stdout).toContain('`xmlmigrate retry-failed` re-queues the');

    const { failed, success } = await status();
    expect(success).toEqual([]);
    // more than the budget (it was exceeded), at most the budget plus the batches that were running
    expect(failed.length).toBeGreaterThan(budget);
    expect(failed.length).toBeLessThanOrEqual(budget + WORKERS * BATCH);
    expect(new Set(failed.map((f) => f.reason))).toEqual(new Set([REASON]));
    const m = JSON.parse(readFileSync(metrics, 'utf8')) as RunSummary;
    expect(m).toMatchObject({ exitCode: 4, stoppedBy: 'failure budget', apps: { ok: 0, failed: failed.length }, failureBudget: { limit: `${budget} failed apps`, exceeded: true } });
    expect(m.failureGroups).toEqual([{ stage: 'validation', reason: REASON, count: failed.length, appIds: expect.any(Array) as unknown, example: REASON }]);
    const st = runCli(['status', '-c', good, '-t', db.url()]);
    expect(st.stdout.split('\n')[0]).toBe(`processing_log: ${failed.length} failed; ${APPS - failed.length} pending in app_xml`);

    // the report after the fact reads this run's rows from processing_log (every dialect's reportLog)
    const page = path.join(tmp, 'report.html');
    const rep = runCli(['report', '-c', good, '-t', url(), '--metrics', metrics, '--out', page]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout.trim()).toBe(`wrote ${page}: ${failed.length} logged apps of run ${m.runId}, ${failed.length} failed in 1 group; worker timeline from the metrics file`);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('Failure budget exceeded');
    expect(html).toMatch(new RegExp(`<td class="n">${failed.length}</td><td><span class="stage">validation</span></td><td><div class="reason">missing app id`));
    expect(html).toMatch(/<polyline class="throughput" points="[\d.]+,[\d.]+ [\d.]+,[\d.]+/);
    for (const text of [r.stdout, r.stderr, rep.stdout, rep.stderr, readFileSync(metrics, 'utf8'), html]) expect(text).not.toContain(CANARY);
  });

  it('the run with the fixed contract resumes the pending apps; retry-failed brings the failed ones back', async () => {
    const before = (await status()).failed.map((f) => f.appId);
    const r = runCli(['run', '-c', good, ...base(), '--max-failures', '30']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`— ${APPS - before.length} ok, 0 failed, 0 already logged`));
    let s = await status();
    expect(s.failed.map((f) => f.appId)).toEqual(before);
    expect(s.success).toHaveLength(APPS - before.length);
    expect(runCli(['retry-failed', '-c', good, '-t', db.url()]).code).toBe(0);
    const again = runCli(['run', '-c', good, ...base()]);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`— ${before.length} ok, 0 failed`));
    s = await status();
    expect(s.failed).toEqual([]);
    expect(s.success.map((x) => x.appId)).toEqual(docs.map((d) => d.appId));
  });

  it('a percentage budget applies from --max-failures-min processed apps', async () => {
    await db.reset();
    await loadSource(db.url(), good, docs);
    const min = 100;
    const r = runCli(['run', '-c', broken, ...base(), '--max-failures', '10%', '--max-failures-min', String(min)]);
    expect(r.code, r.stderr + r.stdout).toBe(4);
    expect(r.stdout).toMatch(/^failure budget exceeded: \d+ of \d+ processed apps failed \(100%\), above the budget of 10% of processed apps \(applied from 100 processed\) — exit 4$/m);
    const { failed, success } = await status();
    expect(success).toEqual([]);
    // not before the minimum, and then at most the batches that were running
    expect(failed.length).toBeGreaterThanOrEqual(min);
    expect(failed.length).toBeLessThanOrEqual(min + WORKERS * BATCH);
  });
});

describe('--help for the failure budget and the report', () => {
  it('run --help names --max-failures, --report, their variables and exit code 4', () => {
    const r = runCli(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--max-failures <n|n%>');
    expect(r.stdout).toContain('--max-failures-min <n>');
    expect(r.stdout).toContain('--report <file.html>');
    for (const v of ['XMLMIGRATE_MAX_FAILURES ', 'XMLMIGRATE_MAX_FAILURES_MIN ', 'XMLMIGRATE_REPORT ']) expect(r.stdout).toContain(v);
    expect(r.stdout).toMatch(/^ {2}4 {4}the failure budget \(--max-failures\) was exceeded/m);
  });

  it('report --help says what the page holds and its exit codes', () => {
    const r = runCli(['report', '--help']);
    expect(r.code).toBe(0);
    for (const f of ['--metrics <file>', '--out <file.html>', '--run-id <id>', '--all-runs']) expect(r.stdout).toContain(f);
    expect(r.stdout).toMatch(/Exit codes: 0 written, 2 usage error/);
  });

  it('report refuses a missing --out, an output directory that does not exist and a file that is not a run summary (exit 2, one line)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xm-report-usage-'));
    try {
      const noOut = runCli(['report', '-c', 'contracts/credit-card.json']);
      expect(noOut.code).toBe(2);
      expect(noOut.stderr.trim()).toBe('xmlmigrate: --out: required (the HTML file to write)');
      const missingDir = path.join(dir, 'nope', 'r.html');
      const badDir = runCli(['report', '-c', 'contracts/credit-card.json', '--out', missingDir]);
      expect(badDir.code).toBe(2);
      expect(badDir.stderr.trim()).toBe(`xmlmigrate: --out: cannot write ${missingDir}: directory ${path.join(dir, 'nope')} does not exist (create it first)`);
      const notMetrics = path.join(dir, 'm.json');
      writeFileSync(notMetrics, '{"hello": 1}');
      const bad = runCli(['report', '-c', 'contracts/credit-card.json', '--metrics', notMetrics, '--out', path.join(dir, 'r.html')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe(`xmlmigrate: --metrics: ${notMetrics} is not a run summary written by \`xmlmigrate run --metrics-out\` (no runId, apps or wallSeconds)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
