/**
 * ParallelCoordinator: N forked workers (node:child_process.fork), a ready handshake, one batch in
 * flight per worker, results folded back to the caller. A worker that dies (SIGKILL, out of memory, a
 * crash) is replaced and its batch runs again; a batch that keeps killing workers is split until the
 * poisonous document is isolated and logged `failed` (stage `worker-crash`). After {@link
 * ParallelCoordinator.drain} (a signal reached the run) a worker that exits has stopped, not crashed.
 * Never imports src/worker: it only knows the worker script's path and the IPC protocol.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BatchItem, BatchResult, FromWorker, SerializedError, ToWorker, WorkerInit } from '../ipc/messages.js';

/**
 * Sends one message to a worker. A worker can die between our check of its channel and the write
 * (a signal to the process group, a crash): then the write fails with EPIPE or a closed channel. Without
 * a callback Node emits that as an 'error' event (fatal without a listener); with one, it is only
 * reported here, and the worker's exit is handled where it belongs ('exit': a crash or a stop).
 */
function post(child: ChildProcess, msg: ToWorker): void {
  if (!child.connected) return;
  try {
    child.send(msg, () => undefined);
  } catch { /* the channel closed in between: the 'exit' handler takes care of the worker */ }
}

/** A unit of work: documents the parent read, or app_ids the worker reads itself. */
export type JobInput = { items: BatchItem[] } | { appIds: number[] };

/** Options of the coordinator. */
export interface CoordinatorOptions {
  /** Number of workers (1..64). */
  workers: number;
  /** Worker settings; workerId is filled per worker. */
  init: Omit<WorkerInit, 'workerId'>;
  /** Worker entry script. Default: the bundled worker (dist/worker/worker-bundle.js), else dist/worker/worker-main.js. */
  workerScript?: string;
  /** How long a worker may take to start. Default 60 s. */
  readyTimeoutMs?: number;
  /** Grace period after `stop` before SIGTERM, and after SIGTERM before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
  /** Crashes one batch may cause before it is split (and a single app poisoned). Default 2. */
  maxCrashesPerBatch?: number;
  /** Extra environment for workers. */
  env?: NodeJS.ProcessEnv;
  /** Extra Node.js flags for workers. */
  execArgv?: string[];
  /** Called for lifecycle events worth logging. */
  onEvent?: (event: CoordinatorEvent) => void;
}

/** Lifecycle events. */
export type CoordinatorEvent =
  | { type: 'worker-ready'; workerId: number; pid: number }
  | { type: 'worker-crash'; workerId: number; pid: number | undefined; code: number | null; signal: string | null; batchId: number | null }
  /** A worker exited because it was told to stop (a signal reached it, or the run is draining): not a crash. */
  | { type: 'worker-stopped'; workerId: number; pid: number | undefined; code: number | null; signal: string | null; replaced: boolean }
  | { type: 'batch-split'; batchId: number; apps: number }
  | { type: 'app-poisoned'; appId: number }
  /** A batch (or a split half, or a poisoned app) was handed to a worker (the run's timeline). */
  | { type: 'batch-start'; workerId: number; batchId: number; apps: number }
  /** A worker's result arrived (before the caller's promise settles). */
  | { type: 'batch-end'; workerId: number; batchId: number; apps: number; ok: number; failed: number; alreadyLogged: number; retries: number; splits: number };

interface Job {
  id: number;
  input: JobInput;
  crashes: number;
  /** Set for a document that kept killing workers: only log it as failed. */
  poison?: { appId: number; reason: string };
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

interface Handle {
  id: number;
  child: ChildProcess;
  ready: boolean;
  job: Job | null;
  stopping: boolean;
  /** The worker said it is stopping of its own accord (it received a signal). */
  leaving: boolean;
  exited: Promise<void>;
}

/** Rejects a batch that was never handed out, or whose worker stopped, because the run is draining: it did not run (or rolled back) and is resumable. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
  constructor() {
    super('not run: the run is stopping');
  }
}

/** Raised when workers cannot start (bad target URL, wrong password, …). */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
  constructor(readonly error: SerializedError) {
    super(error.message);
  }
}

/**
 * The worker entry: the single-file bundle the build writes (faster to start: one file to read and
 * compile instead of ~100 modules) when it is at least as new as the module it was built from, else
 * the plain compiled module.
 */
function defaultWorkerScript(): string {
  const plain = fileURLToPath(new URL('../worker/worker-main.js', import.meta.url));
  const bundle = fileURLToPath(new URL('../worker/worker-bundle.js', import.meta.url));
  const mtime = (f: string): number => { try { return statSync(f).mtimeMs; } catch { return -1; } };
  return mtime(bundle) >= mtime(plain) ? bundle : plain;
}

/**
 * glibc settings for workers (ignored elsewhere; the user's own environment wins): documents of a
 * few hundred kilobytes pass through large transient buffers, which glibc would otherwise map and
 * unmap one by one; served from the heap and reused, they cost no fresh pages. Measured ~15 % fewer
 * page faults and less system time per run (BENCHMARKS.md).
 */
const WORKER_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024),
};

function ids(input: JobInput): number[] {
  return 'items' in input ? input.items.map((i) => i.appId) : input.appIds;
}

function halves(input: JobInput): [JobInput, JobInput] {
  if ('items' in input) {
    const mid = Math.ceil(input.items.length / 2);
    return [{ items: input.items.slice(0, mid) }, { items: input.items.slice(mid) }];
  }
  const mid = Math.ceil(input.appIds.length / 2);
  return [{ appIds: input.appIds.slice(0, mid) }, { appIds: input.appIds.slice(mid) }];
}

/** Adds `b` into `a`. */
export function mergeResults(a: BatchResult, b: BatchResult): BatchResult {
  const rows = { ...a.rowsByTable };
  for (const [t, n] of Object.entries(b.rowsByTable)) rows[t] = (rows[t] ?? 0) + n;
  return {
    batchId: a.batchId, workerId: a.workerId, apps: a.apps + b.apps, ok: a.ok + b.ok, failed: [...a.failed, ...b.failed],
    alreadyLogged: a.alreadyLogged + b.alreadyLogged, rowsByTable: rows,
    times: { read: a.times.read + b.times.read, parseMap: a.times.parseMap + b.times.parseMap, write: a.times.write + b.times.write },
    retries: a.retries + b.retries, splits: a.splits + b.splits + 1, warnings: a.warnings + b.warnings, fatal: a.fatal ?? b.fatal,
    pending: [...a.pending, ...b.pending],
  };
}

/** Fans batches out to forked workers. */
export class ParallelCoordinator {
  private readonly handles: Handle[] = [];
  /** Latest CPU figure of every worker process (a replaced worker keeps its id). */
  private readonly cpuByProcess = new Map<ChildProcess, { id: number; ms: number }>();
  private readonly queue: Job[] = [];
  private nextJobId = 1_000_000;
  private stopped = false;
  /** A stop was requested: no new batch is handed out; exits are stops. */
  private draining = false;
  private startError: WorkerStartError | null = null;
  private readonly script: string;

  constructor(private readonly opts: CoordinatorOptions) {
    this.script = opts.workerScript ?? defaultWorkerScript();
  }

  /** Forks every worker and waits for each ready handshake. */
  async start(): Promise<void> {
    const starts: Promise<void>[] = [];
    for (let i = 0; i < this.opts.workers; i++) starts.push(this.spawn(i + 1));
    try {
      await Promise.all(starts);
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Worker process ids (for tests and fault injection). */
  pids(): number[] {
    return this.handles.filter((h) => !h.stopping).map((h) => h.child.pid ?? -1);
  }

  /** CPU milliseconds used by each worker id's processes, as of their latest results. */
  workerCpuMs(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { id, ms } of this.cpuByProcess.values()) out[String(id)] = (out[String(id)] ?? 0) + ms;
    return out;
  }

  /** Number of jobs waiting or running. */
  get pending(): number {
    return this.queue.length + this.handles.filter((h) => h.job).length;
  }

  /** Runs one batch on the next free worker. */
  run(input: JobInput, batchId?: number): Promise<BatchResult> {
    // after drain() nothing is handed out any more: a batch submitted now would wait forever
    if (this.draining) return Promise.reject(new StoppedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: batchId ?? this.nextJobId++, input, crashes: 0, resolve, reject });
      this.dispatch();
    });
  }

  private spawn(id: number): Promise<void> {
    const child = fork(this.script, [], {
      serialization: 'advanced',
      execArgv: [...process.execArgv, ...(this.opts.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...WORKER_MALLOC_ENV, ...process.env, ...this.opts.env },
    });
    // a failed send is reported to post()'s callback; this catches whatever else the handle emits, so
    // that no 'error' without a listener can take the parent down (the exit handler deals with the worker)
    child.on('error', () => undefined);
    let exitedResolve!: () => void;
    const h: Handle = { id, child, ready: false, job: null, stopping: false, leaving: false, exited: new Promise((r) => { exitedResolve = r; }) };
    const slot = this.handles.findIndex((x) => x.id === id);
    if (slot === -1) this.handles.push(h); else this.handles[slot] = h;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new WorkerStartError({ name: 'Timeout', message: `worker ${id} did not become ready within ${this.opts.readyTimeoutMs ?? 60000} ms` }));
      }, this.opts.readyTimeoutMs ?? 60_000);
      child.on('message', (msg: FromWorker) => {
        switch (msg.t) {
          case 'ready':
            clearTimeout(timer);
            h.ready = true;
            this.opts.onEvent?.({ type: 'worker-ready', workerId: id, pid: msg.pid });
            resolve();
            this.dispatch();
            break;
          case 'init-error':
            clearTimeout(timer);
            this.startError = new WorkerStartError(msg.error);
            reject(this.startError);
            break;
          case 'result': {
            if (msg.cpuMs !== undefined) this.cpuByProcess.set(child, { id, ms: msg.cpuMs });
            const job = h.job;
            h.job = null;
            const r = msg.result;
            this.opts.onEvent?.({ type: 'batch-end', workerId: id, batchId: job?.id ?? r.batchId, apps: r.apps, ok: r.ok, failed: r.failed.length, alreadyLogged: r.alreadyLogged, retries: r.retries, splits: r.splits });
            if (job) job.resolve({ ...msg.result, batchId: job.id });
            this.dispatch();
            break;
          }
          case 'stopped': h.leaving = true; break;
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        exitedResolve();
        // a worker that never became ready settles its start, also when it was stopped while
        // starting (a run aborted before its workers were up must not wait for them)
        if (!h.ready) { reject(this.startError ?? new WorkerStartError({ name: 'WorkerExit', message: `worker ${id} exited during start (code ${code}, signal ${signal})` })); return; }
        if (h.stopping || this.stopped) return;
        // a stopping worker's last result may still be on the IPC channel at 'exit': settle at 'close'
        if (this.draining || h.leaving) { child.once('close', () => this.onStopped(h, code, signal)); return; }
        this.onCrash(h, code, signal);
      });
      post(child, { t: 'init', init: { ...this.opts.init, workerId: id } });
      // a replacement worker gets the catalog the others have (messages keep their order: before any batch)
      if (this.catalog !== undefined) post(child, { t: 'catalog', catalog: this.catalog });
    });
  }

  private onCrash(h: Handle, code: number | null, signal: string | null): void {
    const job = h.job;
    h.job = null;
    h.ready = false;
    this.opts.onEvent?.({ type: 'worker-crash', workerId: h.id, pid: h.child.pid, code, signal, batchId: job?.id ?? null });
    if (job) this.requeueAfterCrash(job, signal ?? `exit code ${code}`);
    void this.respawn(h.id);
  }

  /**
   * A worker that exited because it was told to stop. While draining its batch (if any) is settled as
   * not run and it is not replaced; a worker signalled on its own (the run goes on) is replaced and
   * its batch, never started, runs elsewhere, without counting as a crash.
   */
  private onStopped(h: Handle, code: number | null, signal: string | null): void {
    const job = h.job;
    h.job = null;
    h.ready = false;
    h.stopping = true;
    const replace = !this.draining;
    this.opts.onEvent?.({ type: 'worker-stopped', workerId: h.id, pid: h.child.pid, code, signal, replaced: replace });
    if (!replace) { job?.reject(new StoppedError()); return; }
    if (job) this.queue.unshift(job);
    void this.respawn(h.id);
  }

  /**
   * Replaces a dead worker. A replacement that dies while starting is tried again (bounded); one that
   * reports a start-up error (bad URL, wrong password) will not do better, so queued work fails.
   */
  private async respawn(id: number): Promise<void> {
    const attempts = 3;
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      try {
        await this.spawn(id);
        return;
      } catch (err) {
        const e = err as WorkerStartError;
        const retryable = e instanceof WorkerStartError && (e.error.name === 'WorkerExit' || e.error.name === 'Timeout');
        if (!retryable || attempt === attempts) {
          if (this.handles.some((x) => x.ready && !x.stopping)) return; // the other workers carry on
          for (const j of this.queue.splice(0)) j.reject(e);
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  private requeueAfterCrash(job: Job, how: string): void {
    job.crashes++;
    const max = this.opts.maxCrashesPerBatch ?? 2;
    if (job.crashes < max) { this.queue.unshift(job); return; }
    const appIds = ids(job.input);
    if (appIds.length > 1) {
      this.opts.onEvent?.({ type: 'batch-split', batchId: job.id, apps: appIds.length });
      const [a, b] = halves(job.input);
      const pa = new Promise<BatchResult>((resolve, reject) => this.queue.unshift({ id: job.id, input: a, crashes: 0, resolve, reject }));
      const pb = new Promise<BatchResult>((resolve, reject) => this.queue.unshift({ id: job.id, input: b, crashes: 0, resolve, reject }));
      Promise.all([pa, pb]).then(([ra, rb]) => job.resolve(mergeResults(ra, rb)), job.reject);
      return;
    }
    const appId = appIds[0]!;
    this.opts.onEvent?.({ type: 'app-poisoned', appId });
    this.queue.unshift({ ...job, poison: { appId, reason: `the worker processing this document died ${job.crashes} times (last: ${how})` } });
  }

  /** The target's write catalog for every worker, once set (see {@link shareCatalog}). */
  private catalog: unknown;

  /**
   * Hands every worker, current and future, the target's write catalog (the parent read it after its
   * preflight), so their sessions skip the catalog queries. Call before the first batch: a worker
   * gets it after its init and before any batch.
   */
  shareCatalog(catalog: unknown): void {
    this.catalog = catalog;
    for (const h of this.handles) {
      if (!h.stopping) post(h.child, { t: 'catalog', catalog });
    }
  }

  private dispatch(): void {
    if (this.stopped || this.draining) return;
    for (const h of this.handles) {
      if (this.queue.length === 0) return;
      if (!h.ready || h.job || h.stopping) continue;
      const job = this.queue.shift()!;
      h.job = job;
      const poison = job.poison;
      let msg: ToWorker;
      if (poison) msg = { t: 'poison', batchId: job.id, appIds: [poison.appId], reason: poison.reason };
      else if ('items' in job.input) msg = { t: 'batch', batchId: job.id, items: job.input.items };
      else msg = { t: 'batch-ids', batchId: job.id, appIds: job.input.appIds };
      post(h.child, msg);
      this.opts.onEvent?.({ type: 'batch-start', workerId: h.id, batchId: job.id, apps: poison ? 1 : ids(job.input).length });
    }
  }

  /**
   * A stop was requested (the run got SIGINT/SIGTERM): batches not yet handed out are rejected with
   * {@link StoppedError}, running ones finish, and from now on a worker that exits has stopped (its
   * workers got the signal too when it went to the process group), not crashed; none is replaced.
   */
  drain(): void {
    this.draining = true;
    for (const j of this.queue.splice(0)) j.reject(new StoppedError());
  }

  /** Lets running batches finish, then stops every worker (stop → SIGTERM → SIGKILL). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('coordinator stopped'));
    const grace = this.opts.stopTimeoutMs ?? 10_000;
    await Promise.all(this.handles.map(async (h) => {
      h.stopping = true;
      if (h.child.exitCode !== null || h.child.signalCode !== null) return;
      post(h.child, { t: 'stop' });
      if (await timeout(h.exited, grace)) return;
      h.child.kill('SIGTERM');
      if (await timeout(h.exited, grace)) return;
      h.child.kill('SIGKILL');
      await h.exited;
    }));
  }

  /** Kills every worker at once (open transactions roll back in the database). */
  async abort(): Promise<void> {
    this.stopped = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('coordinator aborted'));
    for (const h of this.handles) {
      h.stopping = true;
      if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    }
    await Promise.all(this.handles.map((h) => h.exited));
    for (const h of this.handles) if (h.job) { h.job.reject(new Error('coordinator aborted')); h.job = null; }
  }
}

function timeout(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(() => { clearTimeout(t); resolve(true); }, () => { clearTimeout(t); resolve(true); });
  });
}
