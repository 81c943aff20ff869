/**
 * ProductionProcessor: the run lifecycle of `xmlmigrate run`. Loads and compiles the contract, runs
 * the preflight, pages through the source by keyset (app_id > last ORDER BY app_id, skipping logged
 * apps), feeds the ParallelCoordinator with bounded read-ahead, folds results into metrics, and ends
 * with a summary and an exit status. Signals: the first SIGINT/SIGTERM stops handing out work and lets
 * in-flight batches commit; a second one aborts at once (open transactions roll back).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { ClaimStore, processNamespace } from '../db/claim-store.js';
import { connectHint } from '../db/connect-hint.js';
import { openTarget } from '../db/create-dialect.js';
import { readDocuments } from '../db/read-documents.js';
import { MB, planReads } from '../db/read-plan.js';
import { PARENT_RELEASE_BYTES, releasedLarge } from '../observability/memory.js';
import { causeOf } from '../db/classify-error.js';
import { DbError } from '../db/db-error.js';
import { describeDbError } from '../worker/batch-runner.js';
import type { SourceFilter, TargetSession } from '../db/dialect.js';
import { buildSchemaModel } from '../db/schema-model.js';
import { dialectOfUrl, parseTargetUrl, redactArgv, redactUrl } from '../db/target-url.js';
import { ParallelCoordinator, StoppedError, WorkerStartError, type JobInput } from '../coordinator/parallel-coordinator.js';
import type { BatchResult } from '../ipc/messages.js';
import { ContractError, loadContractFile } from '../mapping/contract-loader.js';
import type { Logger } from '../observability/logger.js';
import { RunMetrics, type RunSummary } from '../observability/metrics.js';
import { RunTimeline } from '../observability/timeline.js';
import { describeBudget, FailureBudget } from './failure-budget.js';
import type { Progress } from '../observability/progress.js';
import { ClaimPager, type ClaimTicket } from './claim-pager.js';
import type { RunConfig } from './run-config.js';

/** A problem that ends a run before any data is touched (exit 2) or a fatal database error (exit 3). */
export class RunAbort extends Error {
  override readonly name = 'RunAbort';
  constructor(message: string, readonly exitCode: 2 | 3) {
    super(message);
  }
}

/** The database stayed unreachable longer than the circuit breaker waits. */
export class OutageError extends Error {
  override readonly name = 'OutageError';
}

function isOutage(kind: string | null | undefined): boolean {
  return kind === 'transient' || kind === 'commit-unknown';
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
  /** The run's workers from the moment they are forked (signals drain or abort them). */
  private workers: ParallelCoordinator | null = null;
  private startedAt: Date | null = null;
  private readonly metrics = new RunMetrics();
  private readonly timeline = new RunTimeline();
  /** `--max-failures`; `budgetStop` is set (with its reason) once the budget is exceeded. */
  private readonly budget: FailureBudget | null;
  private budgetStop: string | null = null;
  /** Apps ok / failed so far by this run's workers, counted from the coordinator's batch-end events. */
  private readonly budgetCounts = { ok: 0, failed: 0 };
  readonly runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;

  private readonly deps: ProcessorDeps;

  constructor(private readonly cfg: RunConfig, deps: ProcessorDeps) {
    // every parent log line carries the run id, like the workers' lines do
    this.deps = { ...deps, log: deps.log.child({ runId: this.runId }) };
    this.budget = cfg.maxFailures ? new FailureBudget(cfg.maxFailures, cfg.maxFailuresMin) : null;
  }

  /**
   * After every batch: a run over its failure budget stops the way a first SIGINT does (no new
   * work; batches already handed to workers commit) and ends with exit 4. Called from the
   * coordinator's batch-end event, i.e. before the worker that reported is handed its next batch:
   * at most the batches already running when the budget ran out add failures.
   */
  private checkBudget(ok: number, failed: number): void {
    if (!this.budget || this.budgetStop !== null) return;
    const c = this.budgetCounts;
    c.ok += ok;
    c.failed += failed;
    if (this.stopSignal) return; // already stopping: the signal is the reason (exit 130/143)
    const verdict = this.budget.check(c.ok + c.failed, c.failed);
    if (!verdict.exceeded) return;
    this.budgetStop = verdict.reason;
    this.workers?.drain();
    this.deps.progress.notice?.(`failure budget exceeded (${verdict.reason}): stopping; in-flight batches will commit`);
    this.deps.log.warn({ failed: c.failed, processed: c.ok + c.failed }, `failure budget exceeded: ${verdict.reason}`);
  }

  /**
   * First signal: stop handing out work (queued batches are dropped, running ones commit; workers
   * that got the signal too finish their batch and exit — a stop, not a crash). Second: abort at
   * once (workers killed, open transactions roll back), print what was committed and how to resume,
   * and exit 130/143.
   */
  onSignal(sig: NodeJS.Signals): void {
    const code = sig === 'SIGINT' ? 130 : 143;
    if (this.stopSignal) {
      this.deps.progress.notice?.(`${sig} again: aborting; in-flight transactions roll back`);
      this.deps.log.warn({ signal: sig }, 'second signal: aborting');
      const m = this.metrics;
      const secs = this.startedAt ? ((Date.now() - this.startedAt.getTime()) / 1000).toFixed(2) : '0.00';
      const line = `run ${this.runId} aborted by ${sig} after ${secs} s — ${m.ok} ok, ${m.failed} failed, ${m.alreadyLogged} already logged, reported before the abort\n`
        + 'aborted: in-flight transactions rolled back; run the same command again to resume\n';
      this.aborting = true;
      // synchronous writes (stdout to a file, pipe or terminal on POSIX), then exit: nothing after it runs
      const exit = () => { process.stdout.write(line); process.exit(code); };
      void (this.workers?.abort() ?? Promise.resolve()).then(exit, exit);
      return;
    }
    this.stopSignal = sig;
    this.workers?.drain();
    this.deps.progress.notice?.(`stopping (${sig}): in-flight batches will commit; ${sig === 'SIGINT' ? 'press Ctrl-C' : `send ${sig}`} again to abort`);
    this.deps.log.warn({ signal: sig }, 'stopping: in-flight batches will commit');
  }

  /**
   * Runs to completion and returns the summary (exitCode inside). Throws RunAbort for exit 2/3 before
   * work starts. After a second signal it never settles: the abort prints its own line and exits.
   */
  async run(): Promise<RunSummary> {
    const never = () => new Promise<never>(() => undefined);
    let summary: RunSummary;
    try {
      summary = await this.runToEnd();
    } catch (err) {
      if (this.aborting) return never();
      throw err;
    }
    return this.aborting ? never() : summary;
  }

  /** Set by a second signal. */
  private aborting = false;

  private async runToEnd(): Promise<RunSummary> {
    const cfg = this.cfg;
    const startedAt = new Date();
    this.startedAt = startedAt;
    this.cpuAtStart = process.cpuUsage();
    // workers take a while to start (modules, contract, connection): fork them first, while the
    // parent checks the contract, connects and runs the preflight on its own core; they are
    // stopped again if the run cannot go on
    const coordinator = this.createCoordinator();
    this.workers = coordinator;
    if (this.stopSignal) coordinator.drain();
    const started = coordinator.start().then(() => null, (err: unknown) => err);
    const abortStart = async (err: unknown): Promise<never> => {
      await coordinator.abort(); // at once: workers still connecting are not waited for
      await started;
      throw err;
    };
    let contract;
    try {
      // identifier rules of the target's dialect only (a bad URL is reported below, after the contract)
      const dialect = dialectOfUrl(cfg.target);
      contract = (await loadContractFile(cfg.contract, dialect === null ? {} : { dialects: [dialect] })).contract;
    } catch (err) {
      return abortStart(err instanceof ContractError ? new RunAbort(err.message, 2) : err);
    }
    const model = buildSchemaModel(contract);
    let targetCfg;
    let sourceCfg = null;
    try {
      targetCfg = parseTargetUrl(cfg.target, process.env['XMLMIGRATE_TARGET_PASSWORD'] ?? null);
      if (cfg.source) sourceCfg = parseTargetUrl(cfg.source, process.env['XMLMIGRATE_SOURCE_PASSWORD'] ?? null);
    } catch (err) {
      return abortStart(new RunAbort(`--target/--source: ${(err as Error).message}`, 2));
    }
    let target: TargetSession;
    let source: TargetSession;
    try {
      target = await this.open(targetCfg, model, 'target');
      source = sourceCfg ? await this.open(sourceCfg, model, 'source') : target;
    } catch (err) {
      return abortStart(err);
    }
    try {
      // the source's app ids decide whether every app_id column is wide enough (and name ids <= 0)
      const sourceIds = await source.sourceIdStats().catch(() => undefined);
      const ids = sourceIds ? { sourceIds } : {};
      // claims: runs of one selection divide the work (not for a dry run, which writes nothing)
      const useClaims = cfg.claims && !cfg.dryRun;
      const problems = [
        ...(await target.preflight({ target: true, source: source === target, claims: useClaims, ...ids })),
        ...(source !== target ? await source.preflight({ target: false, source: true, ...ids }) : []),
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
      // nothing to do: say whether the selection is empty or already migrated (one count, only then)
      if (total === 0 && source === target) this.loggedBefore = await source.countPending({ ...filter, excludeLogged: false });
      // SQL Server: the workers' sessions take the writer's catalog from here instead of each reading
      // it (a catalog query on a new session costs the server about a second)
      if (total > 0 && !cfg.dryRun && target.exportWriteCatalog) coordinator.shareCatalog(await target.exportWriteCatalog());
      let exitCode: number;
      const claims = useClaims && total > 0 ? await this.joinClaims(targetCfg, model, source, filter).catch((err: unknown) => { throw claimAbort(err, 'registering this run for claims'); }) : null;
      try {
        exitCode = total === 0 ? 0 : await this.migrate(coordinator, started, source, target, filter, total, claims?.pager ?? null);
      } catch (err) {
        if (!(err instanceof OutageError)) throw err;
        this.deps.log.error({ error: err.message }, 'run stopped: database unreachable');
        exitCode = 3;
      } finally {
        if (claims) {
          await claims.pager.finish(this.stopSignal || this.budgetStop !== null ? 'stopped' : this.fatalMessage !== null ? 'failed' : 'finished');
          await claims.session.close().catch(() => undefined);
        }
      }
      if (claims) this.claimSummary = { scope: claims.scope, leaseSeconds: cfg.leaseSeconds, claimSize: claims.claimSize, ...claims.pager.figures };
      // with the source in another database, logged apps are only discovered while paging; with
      // claims, the pending apps are shared with the other runs
      const finalTotal = (source !== target || claims) && exitCode <= 1 ? this.metrics.done : total;
      return this.summary(startedAt, finalTotal, exitCode, coordinator);
    } finally {
      if (this.coordinator === null) { await started; await coordinator.stop(); }
      await target.close().catch(() => undefined);
      if (source !== target) await source.close().catch(() => undefined);
    }
  }

  /** What the run's claims did (null without claims). */
  private claimSummary: NonNullable<RunSummary['claims']> | null = null;

  /**
   * Registers the run for claims on a connection of its own (a claim transaction holds it while the
   * source is read; heartbeats must not queue behind batches or page reads).
   */
  private async joinClaims(targetCfg: ReturnType<typeof parseTargetUrl>, model: ReturnType<typeof buildSchemaModel>, source: TargetSession, filter: SourceFilter): Promise<{ pager: ClaimPager; session: TargetSession; scope: string; claimSize: number }> {
    const cfg = this.cfg;
    const session = await this.open(targetCfg, model, 'target');
    try {
      const scope = claimScope(filter);
      const store = new ClaimStore(session.claimDb(), model, this.runId, scope, filter.appIdStart ?? Number.MIN_SAFE_INTEGER);
      const { newRound, reaped } = await this.guard(session, () => store.register({ host: hostname(), pid: process.pid, processNs: processNamespace(), workers: cfg.workers, leaseSeconds: cfg.leaseSeconds }));
      if (reaped.length > 0) this.deps.log.warn({ runs: reaped }, 'runs of this machine whose process is gone: their claims are free again');
      const claimSize = cfg.claimSize ?? cfg.batchSize * 10;
      this.deps.log.info({ scope, newRound, leaseSeconds: cfg.leaseSeconds, claimSize }, newRound ? 'registered: first live run of this selection (a new round of claims)' : 'registered: joining the live runs of this selection');
      const pager = new ClaimPager({
        store, source, filter, claimSize, leaseSeconds: cfg.leaseSeconds, log: this.deps.log,
        stopped: () => this.stopSignal !== null || this.fatalMessage !== null,
        appsDone: () => this.metrics.done,
        guard: (fn) => this.guard(session, fn),
      });
      pager.start();
      return { pager, session, scope, claimSize };
    } catch (err) {
      await session.close().catch(() => undefined);
      throw err;
    }
  }

  private async open(cfg: ReturnType<typeof parseTargetUrl>, model: ReturnType<typeof buildSchemaModel>, what: string): Promise<TargetSession> {
    try {
      return await openTarget(cfg, model, { poolMax: 1, mustExist: true });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new RunAbort(`cannot connect to the ${what} database ${cfg.redacted}: ${msg}${connectHint(err, cfg, `XMLMIGRATE_${what.toUpperCase()}_PASSWORD`)}`, err instanceof DbError && err.kind === 'transient' ? 3 : 2);
    }
  }

  private createCoordinator(): ParallelCoordinator {
    const cfg = this.cfg;
    return new ParallelCoordinator({
      workers: cfg.workers,
      ...(this.deps.workerScript ? { workerScript: this.deps.workerScript } : {}),
      init: {
        runId: this.runId, contractFile: cfg.contract, target: cfg.target, source: cfg.source,
        poolMax: cfg.pool ? cfg.poolSize : 1, logLevel: cfg.logLevel, logFile: cfg.logFile, dryRun: cfg.dryRun,
        retry: { maxAttempts: cfg.retryAttempts, baseDelayMs: 100, maxDelayMs: 5000 },
        readBudgetBytes: cfg.readBudgetMb * MB,
      },
      onEvent: (e) => {
        this.timeline.record(e);
        if (e.type === 'batch-end') this.checkBudget(e.ok, e.failed);
        if (e.type === 'batch-start' || e.type === 'batch-end') return; // the batch's result is logged in migrate()
        if (e.type === 'worker-crash') { this.metrics.workerCrashes++; this.deps.log.warn(e, 'worker died; replacing it and re-running its batch'); }
        else if (e.type === 'worker-stopped') this.deps.log.info(e, e.replaced ? 'worker stopped by a signal; replacing it' : 'worker stopped');
        else this.deps.log.info(e, e.type);
      },
    });
  }

  private async migrate(coordinator: ParallelCoordinator, started: Promise<unknown>, source: TargetSession, target: TargetSession, filter: SourceFilter, total: number, pager: ClaimPager | null): Promise<number> {
    const cfg = this.cfg;
    this.coordinator = coordinator;
    const startError = await started;
    if (startError) {
      await coordinator.abort();
      // a signal to the process group stops workers that are still starting: that is the stop asked for
      if (this.stopSignal) return this.stopSignal === 'SIGINT' ? 130 : 143;
      if (startError instanceof WorkerStartError) throw new RunAbort(`workers could not start: ${startError.message}`, 3);
      throw startError;
    }
    this.deps.onStarted?.(coordinator);
    this.deps.progress.start(total);
    const inflight = new Set<Promise<void>>();
    let fatal: string | null = null;
    let remaining = total;
    // no lower cursor for the first page: app_ids of zero or below are read (and logged) like any other
    let last: number | null = cfg.appIdStart !== null ? cfg.appIdStart - 1 : null;
    let batchId = 0;
    const maxInflight = cfg.workers + 2;
    // app_ids of batches that met a database outage: they run again once the circuit closes
    const retryIds: number[] = [];
    let outage: string | null = null;
    const onResult = (r: BatchResult) => {
      this.metrics.add(r);
      // a batch that completed is progress: an outage that follows gets the whole --outage-wait again
      if (!r.fatal) this.outageSince = null;
      for (const f of r.failed) this.deps.log.info({ batchId: r.batchId, workerId: r.workerId, appId: f.appId, stage: f.stage }, f.reason);
      this.deps.log.debug({ batchId: r.batchId, workerId: r.workerId, ok: r.ok, failed: r.failed.length, retries: r.retries, splits: r.splits }, 'batch done');
      if (r.fatal) {
        if (isOutage(r.fatal.kind)) { retryIds.push(...r.pending); outage ??= r.fatal.message; }
        else fatal ??= r.fatal.message;
      }
      this.deps.progress.update(this.metrics.done, this.metrics.failed);
    };
    // parent reads: bytes of the documents of batches read and not yet finished (see submitIds)
    let inflightBytes = 0;
    // the claim the ids being submitted belong to (claims only): each batch settles it when done
    let ticketNow: ClaimTicket | null = null;
    const submit = (input: JobInput, bytes = 0) => {
      inflightBytes += bytes;
      const ticket = ticketNow;
      if (ticket) pager?.submitted(ticket);
      const p: Promise<void> = coordinator.run(input, ++batchId)
        .then((r) => { onResult(r); if (ticket) pager?.settled(ticket, !r.fatal); }, (err: Error) => { if (!(err instanceof StoppedError)) fatal ??= err.message; if (ticket) pager?.settled(ticket, false); })
        .finally(() => { inflight.delete(p); inflightBytes -= bytes; releasedLarge(bytes, PARENT_RELEASE_BYTES); });
      inflight.add(p);
    };
    // the parent pages app_ids only; with parent reads it reads each batch's documents by id (raw
    // bytes where the source offers them, PostgreSQL and SQLite: never decoded into a string)
    const toInput = async (ids: number[]): Promise<JobInput> => {
      if (cfg.readMode === 'worker') return { appIds: ids };
      // bytes copied out of the session's reused read memory: the batch may wait in the queue a while
      return { items: await readDocuments(source, ids, true) };
    };
    // parent reads are planned by bytes. Shipping documents costs the parent several transient copies
    // of each batch (the read, IPC serialization), so a shipped batch holds at most a quarter of the
    // read budget of documents and the batches in flight at most the budget; a document larger than
    // a quarter of the budget is a batch of its own that its worker reads by app_id
    const budget = cfg.readBudgetMb * MB;
    const shipMax = budget / 4;
    const submitIds = async (ids: number[]) => {
      if (cfg.readMode === 'worker') { submit(await toInput(ids)); return; }
      for (const part of await this.guard(source, () => planReads(source, ids, shipMax))) {
        if (part.bytes > shipMax) { submit({ appIds: part.ids }); continue; }
        while (inflight.size > 0 && inflightBytes + part.bytes > budget) await Promise.race(inflight);
        submit(await this.guard(source, () => toInput(part.ids)), part.bytes);
        releasedLarge(part.bytes, PARENT_RELEASE_BYTES); // the read's own copies of the documents
      }
    };
    try {
      while (!this.stopSignal && !fatal && this.budgetStop === null) {
        if (outage !== null) {
          // circuit open: no new work until in-flight batches settle and the database answers again
          await Promise.all(inflight);
          await this.waitForDatabase(target, outage);
          outage = null;
          this.metrics.outages++;
          while (retryIds.length > 0) await submitIds(retryIds.splice(0, cfg.batchSize));
          continue;
        }
        if (remaining <= 0) {
          if (inflight.size === 0) break;
          await Promise.race(inflight);
          continue;
        }
        const t0 = performance.now();
        let page: { appId: number }[];
        let ticket: ClaimTicket | null = null;
        if (pager) {
          // claims: pages inside this run's claimed ranges (it may wait while other runs hold claims)
          const waited = pager.waitedMs;
          const got = await pager.next(Math.min(cfg.batchSize, remaining)).catch((err: unknown) => { throw claimAbort(err, 'claiming work'); });
          this.metrics.phases.sourceRead += performance.now() - t0 - (pager.waitedMs - waited);
          if (got === null) { remaining = 0; continue; }
          // a claim may wait for the database's write lock: a signal that came meanwhile hands out nothing more
          if (this.stopSignal || this.budgetStop !== null) continue;
          page = got.ids.map((appId) => ({ appId }));
          ticket = got.ticket;
        } else {
          const q = { ...filter, ...(last === null ? {} : { afterAppId: last }), limit: Math.min(cfg.batchSize, remaining) };
          page = await this.guard(source, async () => (await source.readSourceIds(q)).map((appId) => ({ appId })));
          this.metrics.phases.sourceRead += performance.now() - t0;
          if (page.length === 0) { remaining = 0; continue; }
          last = page[page.length - 1]!.appId;
        }
        let records = page;
        if (!filter.excludeLogged) {
          const logged = await this.guard(target, () => target.loggedStatus(page.map((p) => p.appId)));
          records = page.filter((p) => !logged.has(p.appId));
        }
        if (records.length === 0) continue;
        remaining -= records.length;
        const ids = records.map((r) => r.appId);
        ticketNow = ticket;
        try { await submitIds(ids); } finally { ticketNow = null; }
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
    if (this.budgetStop !== null) return 4;
    if (this.stopSignal) return this.stopSignal === 'SIGINT' ? 130 : 143;
    return this.metrics.failed > 0 ? 1 : 0;
  }

  /** Runs a parent-side query; a transient database error opens the circuit (probe, then retry once it closes). */
  private async guard<T>(session: TargetSession, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof DbError) || !isOutage(err.kind)) throw err;
        await this.waitForDatabase(session, err.message);
      }
    }
  }

  /**
   * Circuit breaker: probes the database every `probeIntervalMs` until it answers or `outageWaitSeconds`
   * pass; then the run ends with exit 3 and a resumable state (every batch is all-or-nothing).
   */
  private async waitForDatabase(session: TargetSession, lastError: string): Promise<void> {
    const waitMs = this.cfg.outageWaitSeconds * 1000;
    // the clock runs from the first failure until a batch completes again: when the parent's own
    // session answers but the workers keep failing (their connections refused, say), each round of
    // "reachable again" → batch fails again counts against the same --outage-wait
    this.outageSince ??= Date.now();
    const deadline = this.outageSince + waitMs;
    this.deps.log.warn({ error: lastError, waitSeconds: this.cfg.outageWaitSeconds, leftSeconds: Math.max(0, Math.round((deadline - Date.now()) / 1000)) }, 'database unreachable: no new work; probing');
    const interval = Math.min(2000, Math.max(100, waitMs / 10));
    while (Date.now() < deadline && !this.stopSignal) {
      await new Promise((r) => setTimeout(r, interval));
      try {
        await session.ping();
        this.deps.log.warn({}, 'database reachable again: resuming');
        return;
      } catch { /* still down */ }
    }
    this.fatalMessage = `database unreachable for ${this.cfg.outageWaitSeconds} s (last error: ${lastError}); nothing was half-written — run the same command again to resume`;
    throw new OutageError(this.fatalMessage);
  }

  /** When the current outage began (first failure since the last completed batch), or null. */
  private outageSince: number | null = null;

  /** The parent's CPU usage when run() began (the summary reports the run's own share). */
  private cpuAtStart: NodeJS.CpuUsage | undefined;

  /** Selected apps already logged when the run began; counted only when there is nothing to do. */
  private loggedBefore: number | null = null;

  /** Set when a fatal database error stopped the run. */
  fatalMessage: string | null = null;

  private summary(started: Date, total: number, exitCode: number, coordinator: ParallelCoordinator): RunSummary {
    const finished = new Date();
    const wall = (finished.getTime() - started.getTime()) / 1000;
    const m = this.metrics;
    m.sampleRss();
    m.setWorkerCpu(coordinator.workerCpuMs());
    const parentCpu = process.cpuUsage(this.cpuAtStart);
    const cfg = this.cfg;
    return {
      runId: this.runId, command: redactArgv(process.argv.slice(2)).join(' '), target: redactUrl(cfg.target), dialect: parseTargetUrl(cfg.target).dialect,
      workers: cfg.workers, batchSize: cfg.batchSize, pool: cfg.pool, readMode: cfg.readMode, dryRun: cfg.dryRun,
      startedAt: started.toISOString(), finishedAt: finished.toISOString(), wallSeconds: wall,
      apps: { total, ok: m.ok, failed: m.failed, alreadyLogged: m.alreadyLogged, ...(this.loggedBefore === null ? {} : { loggedBefore: this.loggedBefore }) },
      appsPerMinute: wall > 0 ? (m.done / wall) * 60 : 0,
      rowsByTable: m.rowsByTable, failuresByStage: m.failuresByStage, failedApps: m.failedApps,
      failureGroups: m.failureGroups.top(),
      failureBudget: cfg.maxFailures ? { limit: describeBudget(cfg.maxFailures, cfg.maxFailuresMin), exceeded: this.budgetStop !== null, reason: this.budgetStop } : null,
      timeline: this.timeline.snapshot(),
      phasesMs: m.phases,
      cpu: {
        parentSeconds: (parentCpu.user + parentCpu.system) / 1e6,
        workersSeconds: Object.values(m.perWorker).reduce((n, w) => n + w.cpuMs, 0) / 1000,
        cores: availableParallelism(),
      },
      perWorker: m.perWorker, retries: m.retries, splits: m.splits, workerCrashes: m.workerCrashes, outages: m.outages,
      warnings: m.warnings, stoppedBy: this.budgetStop !== null ? 'failure budget' : this.stopSignal ?? (this.fatalMessage ? `fatal error: ${this.fatalMessage}` : null),
      exitCode, peakRssMb: Math.round(m.peakRss / 1048576), claims: this.claimSummary,
    };
  }
}

/** Writes the summary as JSON (for `--metrics-out`). */
export async function writeMetrics(file: string, summary: RunSummary): Promise<void> {
  await writeFile(file, `${JSON.stringify(summary, null, 2)}\n`);
}

/**
 * The selection a run's claims are shared within: runs with the same app-id range and shard divide
 * the work; runs with different selections keep their own claims (where their selections overlap,
 * processing_log still keeps every app to one run).
 */
export function claimScope(filter: SourceFilter): string {
  const parts: string[] = [];
  if (filter.appIdStart !== undefined || filter.appIdEnd !== undefined) parts.push(`ids ${filter.appIdStart ?? ''}..${filter.appIdEnd ?? ''}`);
  if (filter.shard) parts.push(`shard ${filter.shard.index}/${filter.shard.count}`);
  return parts.length === 0 ? 'all' : parts.join(' ');
}

/**
 * A permanent database error met by the claim protocol (a read-only database, a missing privilege on
 * the claim tables …) as a RunAbort (exit 3) that names its cause, like a worker's: nothing about
 * the documents, so no app is blamed for it.
 */
function claimAbort(err: unknown, doing: string): unknown {
  if (!(err instanceof DbError) || err.kind !== 'permanent') return err;
  const cause = causeOf(err.code);
  return new RunAbort(`${cause ? `${cause}: ` : ''}${describeDbError(err)} (${doing}) — an error about the database, not the documents: no app was logged failed for it; fix it (or pass --no-claims) and run the same command again`, 3);
}
