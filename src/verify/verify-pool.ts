/**
 * The worker processes of `xmlmigrate verify`: N forked verify workers (node:child_process.fork, like
 * the run's ParallelCoordinator), a ready handshake, one job in flight per worker. Verifying writes
 * nothing, so a worker that dies is simply replaced and its job runs again; a job that kills workers
 * twice more ends the verify with its app ids named (exit 3).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { VerifyBatchResult, VerifyJob } from './verify-batch.js';
import type { FromVerifyWorker, ToVerifyWorker, VerifyWorkerInit } from './verify-messages.js';

/** Workers could not start (bad URL, wrong password …): the first worker's error. */
export class VerifyStartError extends Error {
  override readonly name = 'VerifyStartError';
}

/** Options of a {@link VerifyPool}. */
export interface VerifyPoolOptions {
  readonly workers: number;
  readonly init: Omit<VerifyWorkerInit, 'workerId'>;
  /** Worker entry script. Default: the bundle (dist/verify/verify-worker-bundle.js) when current, else verify-worker.js. */
  readonly workerScript?: string;
  /** How long a worker may take to start. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

interface Job {
  job: VerifyJob;
  crashes: number;
  resolve: (r: VerifyBatchResult) => void;
  reject: (e: Error) => void;
}

interface Handle {
  id: number;
  child: ChildProcess;
  ready: boolean;
  job: Job | null;
  exited: Promise<void>;
}

/** Crashes one job may cause before the verify gives up on it. */
const MAX_CRASHES = 3;

/** The worker entry, found from this module or from the CLI bundle (dist/cli and dist/verify are siblings). */
function defaultScript(): string {
  const plain = fileURLToPath(new URL('../verify/verify-worker.js', import.meta.url));
  const bundle = fileURLToPath(new URL('../verify/verify-worker-bundle.js', import.meta.url));
  const mtime = (f: string): number => { try { return statSync(f).mtimeMs; } catch { return -1; } };
  return mtime(bundle) >= mtime(plain) ? bundle : plain;
}

/** Fans verify jobs out to forked workers. */
export class VerifyPool {
  private readonly handles: Handle[] = [];
  private readonly queue: Job[] = [];
  private readonly cpu = new Map<ChildProcess, number>();
  private stopped = false;
  private readonly script: string;

  constructor(private readonly opts: VerifyPoolOptions) {
    this.script = opts.workerScript ?? defaultScript();
  }

  /** Forks every worker and waits until each is ready. */
  async start(): Promise<void> {
    const starts: Promise<void>[] = [];
    for (let i = 1; i <= this.opts.workers; i++) starts.push(this.spawn(i));
    const settled = await Promise.allSettled(starts);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await this.abort();
      throw failed.reason;
    }
  }

  /** CPU seconds the workers have used, as of their latest results. */
  cpuSeconds(): number {
    let ms = 0;
    for (const v of this.cpu.values()) ms += v;
    return ms / 1000;
  }

  /** Verifies one job on the next free worker. */
  run(job: VerifyJob): Promise<VerifyBatchResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, crashes: 0, resolve, reject });
      this.dispatch();
    });
  }

  private spawn(id: number): Promise<void> {
    const child = fork(this.script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let exitedResolve!: () => void;
    const h: Handle = { id, child, ready: false, job: null, exited: new Promise((r) => { exitedResolve = r; }) };
    const slot = this.handles.findIndex((x) => x.id === id);
    if (slot === -1) this.handles.push(h); else this.handles[slot] = h;
    return new Promise((resolve, reject) => {
      const ms = this.opts.readyTimeoutMs ?? 60_000;
      const timer = setTimeout(() => reject(new VerifyStartError(`verify worker ${id} did not become ready within ${ms} ms`)), ms);
      child.on('message', (msg: FromVerifyWorker) => {
        if (msg.t === 'ready') { clearTimeout(timer); h.ready = true; resolve(); this.dispatch(); return; }
        if (msg.t === 'init-error') { clearTimeout(timer); reject(new VerifyStartError(msg.error.message)); return; }
        this.cpu.set(child, msg.cpuMs);
        const job = h.job;
        h.job = null;
        job?.resolve(msg.result);
        this.dispatch();
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        exitedResolve();
        if (!h.ready) { reject(new VerifyStartError(`verify worker ${id} exited during start (code ${code}, signal ${signal})`)); return; }
        h.ready = false;
        if (this.stopped) return;
        const job = h.job;
        h.job = null;
        if (job) {
          job.crashes++;
          const ids = job.job.appIds;
          if (job.crashes >= MAX_CRASHES) {
            job.reject(new Error(`a verify worker died ${job.crashes} times on apps ${ids[0] ?? '-'}..${ids[ids.length - 1] ?? '-'} (last: ${signal ?? `exit code ${code}`})`));
          } else {
            this.queue.unshift(job);
          }
        }
        this.spawn(id).catch((err: Error) => {
          // no worker can start any more: what is queued cannot run
          if (!this.handles.some((x) => x.ready)) for (const j of this.queue.splice(0)) j.reject(err);
        });
      });
      child.send({ t: 'init', init: { ...this.opts.init, workerId: id } } satisfies ToVerifyWorker);
    });
  }

  private dispatch(): void {
    if (this.stopped) return;
    for (const h of this.handles) {
      if (this.queue.length === 0) return;
      if (!h.ready || h.job) continue;
      h.job = this.queue.shift()!;
      h.child.send({ t: 'job', job: h.job.job } satisfies ToVerifyWorker);
    }
  }

  /** Lets running jobs finish, then stops every worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('verify stopped'));
    await Promise.all(this.handles.map(async (h) => {
      if (h.child.exitCode !== null || h.child.signalCode !== null) return;
      if (h.child.connected) h.child.send({ t: 'stop' } satisfies ToVerifyWorker);
      const t = setTimeout(() => h.child.kill('SIGKILL'), 10_000);
      await h.exited;
      clearTimeout(t);
    }));
  }

  /** Kills every worker at once. */
  async abort(): Promise<void> {
    this.stopped = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('verify aborted'));
    for (const h of this.handles) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await Promise.all(this.handles.map((h) => h.exited));
  }
}
