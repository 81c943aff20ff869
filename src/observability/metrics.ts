/** Run metrics folded from BatchResults (coordinator side), and the end summary. */
import type { BatchResult } from '../ipc/messages.js';
import { FailureGroups, type FailureGroup } from './failure-groups.js';
import { terminalSafe } from './terminal-text.js';
import type { TimelineSummary } from './timeline.js';

/** Per-worker figures. */
export interface WorkerFigures {
  batches: number;
  ok: number;
  failed: number;
  parseMapMs: number;
  writeMs: number;
  readMs: number;
  /** CPU time of the worker process(es), start-up included (0 when unknown). */
  cpuMs: number;
}

/** Everything the summary and `--metrics-out` report. */
export interface RunSummary {
  runId: string;
  command: string;
  target: string;
  dialect: string;
  workers: number;
  batchSize: number;
  pool: boolean;
  readMode: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  /**
   * `loggedBefore`: selected apps that already had a processing_log row when the run began — counted
   * only when there was nothing to do (null otherwise, and when the source is another database).
   */
  apps: { total: number; ok: number; failed: number; alreadyLogged: number; loggedBefore?: number };
  appsPerMinute: number;
  rowsByTable: Record<string, number>;
  failuresByStage: Record<string, number>;
  /** First 100 failures. */
  failedApps: { appId: number; stage: string; reason: string }[];
  /** Every failure of the run grouped by stage and normalized reason, largest first (capped app ids; see failure-groups.ts). */
  failureGroups?: FailureGroup[];
  /** The failure budget when one was set (`--max-failures`), and whether it stopped the run. */
  failureBudget?: { limit: string; exceeded: boolean; reason: string | null } | null;
  /** Batches per worker over time, worker crashes, throughput buckets (see timeline.ts); drawn by --report. */
  timeline?: TimelineSummary | null;
  phasesMs: { sourceRead: number; workerRead: number; parseMap: number; write: number };
  /** CPU seconds used by the parent since the run began and by all workers, and the CPU cores this machine offers. */
  cpu: { parentSeconds: number; workersSeconds: number; cores: number };
  perWorker: Record<string, WorkerFigures>;
  retries: number;
  splits: number;
  workerCrashes: number;
  outages: number;
  warnings: number;
  stoppedBy: string | null;
  exitCode: number;
  peakRssMb: number;
  /**
   * With claims (runs sharing a selection): the selection's scope, the lease, apps per claim, claims
   * made (new or taken over from a run that stopped or died), marked done, and lost to another run.
   */
  claims?: { scope: string; leaseSeconds: number; claimSize: number; claimed: number; takenOver: number; completed: number; lost: number } | null;
}

/** Accumulates results. */
export class RunMetrics {
  ok = 0;
  failed = 0;
  alreadyLogged = 0;
  readonly rowsByTable: Record<string, number> = {};
  readonly failuresByStage: Record<string, number> = {};
  readonly failedApps: { appId: number; stage: string; reason: string }[] = [];
  readonly failureGroups = new FailureGroups();
  readonly perWorker: Record<string, WorkerFigures> = {};
  phases = { sourceRead: 0, workerRead: 0, parseMap: 0, write: 0 };
  retries = 0;
  splits = 0;
  workerCrashes = 0;
  outages = 0;
  warnings = 0;
  peakRss = 0;

  /** Adds one batch. */
  add(r: BatchResult): void {
    this.ok += r.ok;
    this.failed += r.failed.length;
    this.alreadyLogged += r.alreadyLogged;
    for (const [t, n] of Object.entries(r.rowsByTable)) this.rowsByTable[t] = (this.rowsByTable[t] ?? 0) + n;
    for (const f of r.failed) {
      this.failuresByStage[f.stage] = (this.failuresByStage[f.stage] ?? 0) + 1;
      if (this.failedApps.length < 100) this.failedApps.push(f);
      this.failureGroups.add(f);
    }
    const w = (this.perWorker[String(r.workerId)] ??= { batches: 0, ok: 0, failed: 0, parseMapMs: 0, writeMs: 0, readMs: 0, cpuMs: 0 });
    w.batches++;
    w.ok += r.ok;
    w.failed += r.failed.length;
    w.parseMapMs += r.times.parseMap;
    w.writeMs += r.times.write;
    w.readMs += r.times.read;
    this.phases.workerRead += r.times.read;
    this.phases.parseMap += r.times.parseMap;
    this.phases.write += r.times.write;
    this.retries += r.retries;
    this.splits += r.splits;
    this.warnings += r.warnings;
    this.sampleRss();
  }

  /** Sets each worker's CPU figure (see ParallelCoordinator.workerCpuMs). */
  setWorkerCpu(cpuMs: Readonly<Record<string, number>>): void {
    for (const [id, ms] of Object.entries(cpuMs)) {
      const w = this.perWorker[id];
      if (w) w.cpuMs = ms;
    }
  }

  /** Records the parent's resident set size. */
  sampleRss(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  /** Apps handled so far. */
  get done(): number {
    return this.ok + this.failed + this.alreadyLogged;
  }
}

/** 20576 → "20,576" (what toLocaleString('en-US') prints, without loading ICU: ~20 ms at exit). */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Renders the end summary for people. */
export function renderSummary(s: RunSummary): string {
  const lines: string[] = [];
  const secs = s.wallSeconds.toFixed(2);
  const head = `${s.dryRun ? 'DRY RUN ' : ''}run ${s.runId} ${s.stoppedBy ? `stopped by ${s.stoppedBy}` : 'finished'} in ${secs} s`;
  const logged = s.apps.alreadyLogged + (s.apps.loggedBefore ?? 0);
  if (s.apps.ok === 0 && s.apps.failed === 0 && s.stoppedBy === null && s.exitCode === 0) {
    lines.push(`${head} — nothing to do: ${s.claims ? 'the other runs of this selection had claimed all the work' : logged > 0 ? `all ${groupThousands(logged)} selected app${logged === 1 ? ' is' : 's are'} already logged (xmlmigrate status)` : 'no apps in the source table match the selection'}`);
  } else {
    lines.push(`${head} — ${s.apps.ok} ok, ${s.apps.failed} failed, ${s.apps.alreadyLogged} already logged (${groupThousands(Math.round(s.appsPerMinute))} apps/min)`);
  }
  lines.push(`target ${s.target} · ${s.workers} worker${s.workers === 1 ? '' : 's'} · batch ${s.batchSize} · ${s.pool ? 'pooled' : 'dedicated'} connections · ${s.readMode} reads`);
  const rows = Object.entries(s.rowsByTable);
  if (rows.length) {
    const w = Math.max(...rows.map(([t]) => t.length));
    lines.push('rows written:');
    for (const [t, n] of rows) lines.push(`  ${t.padEnd(w)}  ${String(n).padStart(9)}`);
  }
  const p = s.phasesMs;
  lines.push(`time: source read ${(p.sourceRead / 1000).toFixed(2)} s (parent) · worker read ${(p.workerRead / 1000).toFixed(2)} s · parse+map ${(p.parseMap / 1000).toFixed(2)} s · write ${(p.write / 1000).toFixed(2)} s (summed over workers)`);
  for (const [id, f] of Object.entries(s.perWorker)) {
    lines.push(`  worker ${id}: ${f.batches} batch${f.batches === 1 ? '' : 'es'}, ${f.ok} ok, ${f.failed} failed, parse+map ${(f.parseMapMs / 1000).toFixed(2)} s, write ${(f.writeMs / 1000).toFixed(2)} s${f.cpuMs > 0 ? `, cpu ${(f.cpuMs / 1000).toFixed(2)} s` : ''}`);
  }
  const c = s.cpu;
  lines.push(`cpu: parent ${c.parentSeconds.toFixed(2)} s · workers ${c.workersSeconds.toFixed(2)} s (start-up included) · ${c.cores} CPU cores · parent peak RSS ${s.peakRssMb} MB`);
  if (s.workers > c.cores && s.apps.ok + s.apps.failed > 0) {
    lines.push(`note: ${s.workers} workers on ${c.cores} CPU cores — each worker beyond the core count adds its own start-up and JIT warm-up to the same cores and rarely adds throughput (see docs/operations.md, "How many workers")`);
  }
  if (s.claims) {
    const k = s.claims;
    lines.push(`claims (${k.scope}, ${k.claimSize} apps each, lease ${k.leaseSeconds} s): ${k.claimed} claimed${k.takenOver ? ` (${k.takenOver} taken over from runs that stopped or died)` : ''} · ${k.completed} done${k.lost ? ` · ${k.lost} lost to another run` : ''}`);
  }
  if (s.retries || s.splits || s.workerCrashes || s.outages) lines.push(`retries ${s.retries} · batch splits ${s.splits} · worker crashes ${s.workerCrashes} · database outages survived ${s.outages}`);
  if (s.apps.failed) {
    lines.push(`failures by stage: ${Object.entries(s.failuresByStage).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const f of s.failedApps.slice(0, 10)) lines.push(`  app ${f.appId} [${f.stage}] ${f.reason.length > 160 ? `${f.reason.slice(0, 157)}…` : f.reason}`);
    if (s.apps.failed > 10) lines.push(`  … ${s.apps.failed - 10} more (xmlmigrate status)`);
  }
  return terminalSafe(lines.join('\n'), true); // failure reasons quote documents
}
