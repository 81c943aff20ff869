/**
 * `xmlmigrate report`: the run report (the page `run --report` writes) after the fact, from
 * processing_log (every failure with its app id, apps per commit time for throughput, row counts of
 * the target tables) and, when given, the run's `--metrics-out` file (worker timeline, phases, rows
 * written, the run's own figures). With a metrics file the page covers that run (its run id selects
 * its processing_log rows) unless `--all-runs`; without one it covers every run in processing_log.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { LogReport } from '../../db/dialect.js';
import { parseTargetUrl } from '../../db/target-url.js';
import { FailureGroups } from '../../observability/failure-groups.js';
import type { RunSummary } from '../../observability/metrics.js';
import { renderReport, reportFromSummary, type ReportData } from '../../observability/report-html.js';
import { CliError } from '../cli-error.js';
import { checkOutputFile } from '../config.js';
import { contractFile, loadPlan } from '../load-plan.js';
import { openSession, requireTables, targetUrl, withDb } from '../session.js';

/** Failed rows read from processing_log (grouped on the page; the total is always exact). */
const FAILURE_ROWS = 100_000;

/** Throughput buckets for a span: the smallest round width giving at most 300 buckets. */
export function bucketFor(spanMs: number): number {
  const widths = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400].map((s) => s * 1000);
  return widths.find((w) => spanMs / w <= 300) ?? Math.ceil(spanMs / 300 / 86_400_000) * 86_400_000;
}

/** Apps per bucket from processing_log's commit times. */
export function throughputFromLog(byTime: LogReport['byTime']): { startMs: number; endMs: number; bucketMs: number; done: number[]; failed: number[] } | null {
  const points = byTime.map((x) => ({ t: x.at === null ? NaN : Date.parse(x.at), failed: x.status === 'failed', n: x.count })).filter((p) => Number.isFinite(p.t));
  if (points.length === 0) return null;
  let startMs = Infinity; let endMs = -Infinity;
  for (const p of points) { if (p.t < startMs) startMs = p.t; if (p.t > endMs) endMs = p.t; }
  // a run's first commit comes after its first batch: the span is at least one bucket
  const bucketMs = bucketFor(Math.max(endMs - startMs, 1000));
  const n = Math.floor((endMs - startMs) / bucketMs) + 1;
  const done = new Array<number>(n).fill(0);
  const failed = new Array<number>(n).fill(0);
  for (const p of points) {
    const i = Math.floor((p.t - startMs) / bucketMs);
    done[i]! += p.n;
    if (p.failed) failed[i]! += p.n;
  }
  return { startMs, endMs, bucketMs, done, failed };
}

function readMetrics(file: string): RunSummary {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--metrics: cannot read ${file}: ${(err as Error).message}`, 2);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--metrics: ${file} is not JSON: ${(err as Error).message}`, 2);
  }
  const o = v as Partial<RunSummary> | null;
  if (typeof o !== 'object' || o === null || typeof o.runId !== 'string' || typeof o.apps !== 'object' || o.apps === null || typeof o.wallSeconds !== 'number') {
    throw new CliError(`--metrics: ${file} is not a run summary written by \`xmlmigrate run --metrics-out\` (no runId, apps or wallSeconds)`, 2);
  }
  return o as RunSummary;
}

/** The page's data from processing_log, and from the metrics file when there is one. */
export function reportFromLog(log: LogReport, opts: { target: string; dialect: string; runId: string | null; metrics: RunSummary | null; metricsFile: string | null; generatedAt?: string }): ReportData {
  const groups = new FailureGroups(1000, 50);
  for (const f of log.failures) groups.add({ appId: f.appId, stage: f.stage ?? '(none)', reason: f.reason ?? '' });
  const note = log.failedTotal > log.failures.length ? `Grouped from the first ${log.failures.length} failed apps by app id of ${log.failedTotal}; \`xmlmigrate status\` counts them all.` : undefined;
  const failures = { total: log.failedTotal, groups: groups.top(), ...(note ? { note } : {}) };
  const fromLog = throughputFromLog(log.byTime);
  const logged = log.byTime.reduce((n, x) => n + x.count, 0);
  const ok = log.byTime.filter((x) => x.status === 'success').reduce((n, x) => n + x.count, 0);
  const scope = opts.runId === null ? 'processing_log (every run)' : `processing_log (run ${opts.runId})`;
  const countsNow = { title: 'rows in the target tables now (all runs)', counts: { ...log.rowCounts } };
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  if (opts.metrics) {
    const d = reportFromSummary(opts.metrics, generatedAt);
    return {
      ...d,
      sources: [`the metrics file ${opts.metricsFile ?? ''}`.trim(), scope],
      // the log holds every failure (the metrics file groups them too, but the log is the record)
      failures: logged > 0 || log.failedTotal > 0 ? failures : d.failures,
      throughput: d.throughput ?? (fromLog ? { bucketMs: fromLog.bucketMs, done: fromLog.done, failed: fromLog.failed, label: 'from processing_log commit times' } : null),
      rows: [...d.rows, countsNow],
    };
  }
  return {
    sources: [scope],
    generatedAt,
    run: {
      target: opts.target, dialect: opts.dialect,
      ...(opts.runId !== null ? { runId: opts.runId } : {}),
      ...(fromLog ? { startedAt: new Date(fromLog.startMs).toISOString(), finishedAt: new Date(fromLog.endMs).toISOString(), wallSeconds: Math.max(1, (fromLog.endMs - fromLog.startMs) / 1000) } : {}),
    },
    apps: { ok, failed: log.failedTotal },
    throughput: fromLog ? { bucketMs: fromLog.bucketMs, done: fromLog.done, failed: fromLog.failed, label: 'from processing_log commit times (first to last commit)' } : null,
    lanes: null,
    phasesMs: null,
    perWorker: null,
    rows: [countsNow],
    failures,
    budget: null,
  };
}

/** Registers the command. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the HTML run report from processing_log (and a run\'s --metrics-out file)')
    .option('-c, --contract <file>', 'mapping contract JSON [env XMLMIGRATE_CONTRACT]')
    .option('-t, --target <url>', 'database holding processing_log [env XMLMIGRATE_TARGET_URL]')
    .option('-m, --metrics <file>', 'the run\'s `run --metrics-out` file: worker timeline, phases, rows written; selects that run\'s rows')
    .option('--run-id <id>', 'only this run\'s processing_log rows (default: the metrics file\'s run, else every run)')
    .option('--all-runs', 'every run\'s processing_log rows, also with --metrics')
    .option('-o, --out <file.html>', 'the page to write (required; its directory must exist)')
    .addHelpText('after', `
The page is self-contained (inline CSS and SVG, no scripts, no network access): throughput over time,
each worker's timeline (batches, retries, crashes, splits; needs --metrics), time per phase, rows per
table, and failures grouped by stage and reason with their app ids. \`run --report <file.html>\`
writes the same page at the end of a run. Exit codes: 0 written, 2 usage error (bad flag, unreadable
metrics file, output directory missing, tables missing), 3 database error.`)
    .action(async (opts: { contract?: string; target?: string; metrics?: string; runId?: string; allRuns?: boolean; out?: string }) => {
      if (opts.out === undefined) throw new CliError('--out: required (the HTML file to write)', 2);
      checkOutputFile('--out', opts.out);
      if (opts.runId !== undefined && opts.allRuns) throw new CliError('--run-id and --all-runs: give one or the other', 2);
      const metrics = opts.metrics !== undefined ? readMetrics(opts.metrics) : null;
      const { plan } = await loadPlan(contractFile(opts.contract));
      const url = targetUrl(opts.target);
      const cfg = parseTargetUrl(url);
      const runId = opts.allRuns ? null : opts.runId ?? metrics?.runId ?? null;
      const s = await openSession(url, plan.contract);
      let log: LogReport;
      try {
        await requireTables(s, url, { log: true });
        log = await withDb(() => s.reportLog({ runId, failureLimit: FAILURE_ROWS }));
      } finally {
        await s.close();
      }
      const data = reportFromLog(log, { target: cfg.redacted, dialect: cfg.dialect, runId, metrics, metricsFile: opts.metrics ?? null });
      try {
        await writeFile(opts.out, renderReport(data));
      } catch (err) {
        throw new CliError(`--out: cannot write ${opts.out}: ${(err as Error).message}`, 2);
      }
      const logged = log.byTime.reduce((n, x) => n + x.count, 0);
      process.stdout.write(`wrote ${opts.out}: ${logged} logged app${logged === 1 ? '' : 's'}${runId === null ? '' : ` of run ${runId}`}, ${log.failedTotal} failed in ${data.failures.groups.length} group${data.failures.groups.length === 1 ? '' : 's'}${metrics ? '; worker timeline from the metrics file' : ''}\n`);
      if (logged === 0 && runId !== null) process.stdout.write(`note: processing_log has no rows of run ${runId} (another database, or --all-runs for every run)\n`);
    });
}
