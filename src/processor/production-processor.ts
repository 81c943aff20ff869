/**
 * ProductionProcessor: the run lifecycle of `xmlmigrate run`. Loads and compiles the contract, runs
 * the preflight, pages through the source by keyset (app_id > last ORDER BY app_id, skipping logged
 * apps), feeds the ParallelCoordinator with bounded read-ahead, folds results into metrics, and ends
 * with a summary and an exit status. Signals: the first SIGINT/SIGTERM stops handing out work and lets
 * in-flight batches commit; a second one aborts at once (open transactions roll back).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { openTarget } from '../db/create-dialect.js';
import { DbError } from '../db/db-error.js';
import type { SourceFilter, TargetSession } from '../db/dialect.js';
import { buildSchemaModel } from '../db/schema-model.js';
import { parseTargetUrl, redactUrl } from '../db/target-url.js';
import { ParallelCoordinator, WorkerStartError, type JobInput } from '../coordinator/parallel-coordinator.js';
import type { BatchResult } from '../ipc/messages.js';
import { ContractError, loadContractFile } from '../mapping/contract-loader.js';
import type { Logger } from '../observability/logger.js';
import { RunMetrics, type RunSummary } from '../observability/metrics.js';
import type { Progress } from '../observability/progress.js';
import type { RunConfig } from './run-config.js';

/** A problem that ends a run before any data is touched (exit 2) or a fatal database error (exit 3). */
export class RunAbort extends Error {
  override readonly name = 'RunAbort';
  constructor(message: string, readonly exitCode: 2 | 3) {
    super(message);
  }
}

/** Collaborators the processor needs. */
export interface ProcessorDeps {
  readonly log: Logger;
  readonly progress: Progress;
  /** Worker script override (tests). */
  readonly workerScript?: string;
  /** Called once the workers are up (fault-injection tests read worker pids from here). */
  readonly onStarted?: (coordinator: ParallelCoordinator) => void;
}

/** Runs one migration. */
export class ProductionProcessor {
  private stopSignal: NodeJS.Signals | null = null;
  private coordinator: ParallelCoordinator | null = null;
  private readonly metrics = new RunMetrics();
  readonly runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;

  constructor(private readonly cfg: RunConfig, private readonly deps: ProcessorDeps) {}

  /** First signal: stop handing out work. Second: abort. */
  onSignal(sig: NodeJS.Signals): void {
    if (this.stopSignal) {
      this.deps.log.warn({ signal: sig }, 'second signal: aborting');
      void this.coordinator?.abort().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
      return;
    }
    this.stopSignal = sig;
    this.deps.log.warn({ signal: sig }, 'stopping: in-flight batches will commit');
  }

  /** Runs to completion and returns the summary (exitCode inside). Throws RunAbort for exit 2/3 before work starts. */
  async run(): Promise<RunSummary> {
    const cfg = this.cfg;
    const started = new Date();
    let contract;
    try {
      contract = (await loadContractFile(cfg.contract)).contract;
    } catch (err) {
      if (err instanceof ContractError) throw new RunAbort(err.message, 2);
      throw err;
    }
    const model = buildSchemaModel(contract);
    let targetCfg;
    let sourceCfg = null;
    try {
      targetCfg = parseTargetUrl(cfg.target, process.env['XMLMIGRATE_TARGET_PASSWORD'] ?? null);
      if (cfg.source) sourceCfg = parseTargetUrl(cfg.source, process.env['XMLMIGRATE_SOURCE_PASSWORD'] ?? null);
    } catch (err) {
      throw new RunAbort(`--target/--source: ${(err as Error).message}`, 2);
    }
    const target = await this.open(targetCfg, model, 'target');
    const source = sourceCfg ? await this.open(sourceCfg, model, 'source') : target;
    try {
      const problems = [
        ...(await target.preflight({ target: true, source: source === target })),
        ...(source !== target ? await source.preflight({ target: false, source: true }) : []),
      ];
      for (const p of problems.filter((x) => x.severity === 'warning')) this.deps.log.warn({ table: p.table, column: p.column }, p.message);
      const errors = problems.filter((p) => p.severity === 'error');
      if (errors.length > 0) {
        throw new RunAbort(`preflight failed: ${errors.length} problem${errors.length === 1 ? '' : 's'} (run \`xmlmigrate schema --apply\` to create missing tables)\n${errors.map((p) => `  - ${p.message}`).join('\n')}`, 2);
      }
      const filter: SourceFilter = {
        ...(cfg.appIdStart !== null ? { appIdStart: cfg.appIdStart } : {}),
        ...(cfg.appIdEnd !== null ? { appIdEnd: cfg.appIdEnd } : {}),
        ...(cfg.shard ? { shard: cfg.shard } : {}),
        excludeLogged: source === target,
      };
      const pending = await source.countPending(filter);
      const total = cfg.limit === null ? pending : Math.min(cfg.limit, pending);
      const exitCode = total === 0 ? 0 : await this.migrate(source, target, filter, total);
      return this.summary(started, total, exitCode);
    } finally {
      await target.close().catch(() => undefined);
      if (source !== target) await source.close().catch(() => undefined);
    }
  }

  private async open(cfg: ReturnType<typeof parseTargetUrl>, model: ReturnType<typeof buildSchemaModel>, what: string): Promise<TargetSession> {
    try {
      const s = await openTarget(cfg, model, { poolMax: 1 });
      await s.ping();
      return s;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new RunAbort(`cannot connect to the ${what} database ${cfg.redacted}: ${msg}`, err instanceof DbError && err.kind === 'transient' ? 3 : 2);
    }
  }

  private async migrate(source: TargetSession, target: TargetSession, filter: SourceFilter, total: number): Promise<number> {
    const cfg = this.cfg;
    const coordinator = new ParallelCoordinator({
      workers: cfg.workers,
      ...(this.deps.workerScript ? { workerScript: this.deps.workerScript } : {}),
      init: {
        runId: this.runId, contractFile: cfg.contract, target: cfg.target, source: cfg.source,
        poolMax: cfg.pool ? cfg.poolSize : 1, logLevel: cfg.logLevel, logFile: cfg.logFile, dryRun: cfg.dryRun,
        retry: { maxAttempts: cfg.retryAttempts, baseDelayMs: 100, maxDelayMs: 5000 },
      },
      onEvent: (e) => {
        if (e.type === 'worker-crash') { this.metrics.workerCrashes++; this.deps.log.warn(e, 'worker died; replacing it and re-running its batch'); }
        else this.deps.log.info(e, e.type);
      },
    });
    this.coordinator = coordinator;
    try {
      await coordinator.start();
    } catch (err) {
      if (err instanceof WorkerStartError) throw new RunAbort(`workers could not start: ${err.message}`, 3);
      throw err;
    }
    this.deps.onStarted?.(coordinator);
    this.deps.progress.start(total);
    const inflight = new Set<Promise<void>>();
    let fatal: string | null = null;
    let remaining = total;
    let last = cfg.appIdStart !== null ? cfg.appIdStart - 1 : 0;
    let batchId = 0;
    const maxInflight = cfg.workers + 2;
    const onResult = (r: BatchResult) => {
      this.metrics.add(r);
      if (r.fatal && !fatal) fatal = r.fatal.message;
      this.deps.progress.update(this.metrics.done, this.metrics.failed);
    };
    try {
      while (remaining > 0 && !this.stopSignal && !fatal) {
        const t0 = performance.now();
        const page = await source.readSourcePage({ ...filter, afterAppId: last, limit: Math.min(cfg.batchSize, remaining) });
        this.metrics.phases.sourceRead += performance.now() - t0;
        if (page.length === 0) break;
        last = page[page.length - 1]!.appId;
        let records = page;
        if (!filter.excludeLogged) {
          const logged = await target.loggedStatus(page.map((p) => p.appId));
          records = page.filter((p) => !logged.has(p.appId));
        }
        if (records.length === 0) continue;
        remaining -= records.length;
        const input: JobInput = cfg.readMode === 'worker' && !records.some((r) => r.xml === undefined)
          ? { items: records.map((r) => ({ appId: r.appId, xml: r.xml })) }
          : { items: records.map((r) => ({ appId: r.appId, xml: r.xml })) };
        const p: Promise<void> = coordinator.run(input, ++batchId).then(onResult, (err: Error) => { if (!fatal) fatal = err.message; }).finally(() => { inflight.delete(p); });
        inflight.add(p);
        while (inflight.size >= maxInflight) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    } finally {
      this.deps.progress.stop();
      await coordinator.stop();
      this.coordinator = null;
    }
    if (fatal) {
      this.deps.log.error({ error: fatal }, 'run stopped by a fatal error');
      this.fatalMessage = fatal;
      return 3;
    }
    if (this.stopSignal) return this.stopSignal === 'SIGINT' ? 130 : 143;
    return this.metrics.failed > 0 ? 1 : 0;
  }

  /** Set when a fatal database error stopped the run. */
  fatalMessage: string | null = null;

  private summary(started: Date, total: number, exitCode: number): RunSummary {
    const finished = new Date();
    const wall = (finished.getTime() - started.getTime()) / 1000;
    const m = this.metrics;
    m.sampleRss();
    const cfg = this.cfg;
    return {
      runId: this.runId, command: process.argv.slice(2).join(' '), target: redactUrl(cfg.target), dialect: parseTargetUrl(cfg.target).dialect,
      workers: cfg.workers, batchSize: cfg.batchSize, pool: cfg.pool, readMode: cfg.readMode, dryRun: cfg.dryRun,
      startedAt: started.toISOString(), finishedAt: finished.toISOString(), wallSeconds: wall,
      apps: { total, ok: m.ok, failed: m.failed, alreadyLogged: m.alreadyLogged },
      appsPerMinute: wall > 0 ? (m.done / wall) * 60 : 0,
      rowsByTable: m.rowsByTable, failuresByStage: m.failuresByStage, failedApps: m.failedApps,
      phasesMs: m.phases, perWorker: m.perWorker, retries: m.retries, splits: m.splits, workerCrashes: m.workerCrashes,
      warnings: m.warnings, stoppedBy: this.stopSignal ?? (this.fatalMessage ? `fatal error: ${this.fatalMessage}` : null),
      exitCode, peakRssMb: Math.round(m.peakRss / 1048576),
    };
  }
}

/** Writes the summary as JSON (for `--metrics-out`). */
export async function writeMetrics(file: string, summary: RunSummary): Promise<void> {
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
}
