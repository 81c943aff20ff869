/**
 * A compact event timeline of one run, recorded from the coordinator's events: when each batch was
 * handed to which worker and when its result came back (ok / failed counts, retries, splits), worker
 * crashes, replacements and stops, and apps finished per time bucket (throughput). It goes into the
 * metrics summary (`--metrics-out`) so that `xmlmigrate report` can draw the run after the fact.
 *
 * Bounded on any run length: throughput buckets start at one second and double in width when there
 * would be more than {@link MAX_BUCKETS}; batch entries are exact until there are more than {@link
 * MAX_ENTRIES}, then consecutive batches of a worker are merged pairwise (`per` says how many batches
 * one entry holds; every entry of a timeline holds the same number, except each worker's last).
 */
import type { CoordinatorEvent } from '../coordinator/parallel-coordinator.js';

export const MAX_BUCKETS = 600;
export const MAX_ENTRIES = 4000;
const MAX_EVENTS = 1000;

/** One batch (or `n` consecutive batches of one worker) as the worker ran it; times in ms from the run's start. */
export interface BatchEntry {
  /** Worker id. */
  w: number;
  /** Handed to the worker / result received (ms since the run started). */
  s: number;
  e: number;
  apps: number;
  ok: number;
  failed: number;
  retries: number;
  splits: number;
  /** Batches in this entry. */
  n: number;
}

/** A worker's life event; `s` is the start of the batch a crash interrupted. */
export interface WorkerEvent {
  t: number;
  w: number;
  /** `ready`: a worker's first start; `replaced`: a replacement became ready after a crash or stop. */
  kind: 'ready' | 'replaced' | 'crash' | 'stopped' | 'split' | 'poisoned';
  detail: string;
  s?: number;
}

/** What goes into the metrics summary. */
export interface TimelineSummary {
  /** Width of one throughput bucket, ms. */
  bucketMs: number;
  /** Apps finished (ok + failed + already logged) per bucket since the run started. */
  done: number[];
  /** Of those, failed. */
  failed: number[];
  /** Batches per entry in `batches` (1 = every batch exactly). */
  per: number;
  batches: BatchEntry[];
  events: WorkerEvent[];
  /** Worker events beyond the cap that were counted, not kept. */
  eventsDropped: number;
}

type Ev = CoordinatorEvent;

/** Records one run. `now` is injectable for tests (default: ms since construction). */
export class RunTimeline {
  private bucketMs = 1000;
  private readonly done: number[] = [];
  private readonly failed: number[] = [];
  private per = 1;
  private batches: BatchEntry[] = [];
  /** Per worker: the batch in flight (handed out at), and the entry still collecting batches. */
  private readonly open = new Map<number, { s: number; apps: number; batchId: number }>();
  private readonly acc = new Map<number, BatchEntry>();
  private readonly events: WorkerEvent[] = [];
  private eventsDropped = 0;
  /** batchId → worker whose crash split it (splits and poisonings name no worker). */
  private readonly crashedOn = new Map<number, number>();
  private readonly now: () => number;
  /** Workers that became ready once: a second ready is a replacement. */
  private readonly started = new Set<number>();

  constructor(now?: () => number) {
    const t0 = performance.now();
    this.now = now ?? (() => performance.now() - t0);
  }

  /** Feeds one coordinator event. */
  record(e: Ev): void {
    const t = Math.round(this.now());
    switch (e.type) {
      case 'batch-start':
        this.open.set(e.workerId, { s: t, apps: e.apps, batchId: e.batchId });
        break;
      case 'batch-end': {
        const o = this.open.get(e.workerId);
        this.open.delete(e.workerId);
        this.addBatch({ w: e.workerId, s: o?.s ?? t, e: t, apps: e.apps, ok: e.ok, failed: e.failed, retries: e.retries, splits: e.splits, n: 1 });
        this.addDone(t, e.ok + e.failed + e.alreadyLogged, e.failed);
        break;
      }
      case 'worker-ready': {
        const again = this.started.has(e.workerId);
        this.started.add(e.workerId);
        this.event({ t, w: e.workerId, kind: again ? 'replaced' : 'ready', detail: `${again ? 'replacement ' : ''}pid ${e.pid} ready` });
        break;
      }
      case 'worker-crash': {
        const o = this.open.get(e.workerId);
        this.open.delete(e.workerId);
        if (e.batchId !== null) this.crashedOn.set(e.batchId, e.workerId);
        this.event({ t, w: e.workerId, kind: 'crash', detail: `${e.signal ?? `exit code ${e.code}`}${e.batchId !== null ? ` during batch ${e.batchId}` : ''}`, ...(o ? { s: o.s } : {}) });
        break;
      }
      case 'worker-stopped': this.event({ t, w: e.workerId, kind: 'stopped', detail: `${e.signal ?? `exit code ${e.code}`}${e.replaced ? ', replaced' : ''}` }); break;
      case 'batch-split': this.event({ t, w: this.crashedOn.get(e.batchId) ?? 0, kind: 'split', detail: `batch ${e.batchId} (${e.apps} apps) split in two after repeated crashes` }); break;
      case 'app-poisoned': this.event({ t, w: 0, kind: 'poisoned', detail: `app ${e.appId} logged failed: it kept killing workers` }); break;
    }
  }

  private event(ev: WorkerEvent): void {
    if (this.events.length < MAX_EVENTS) this.events.push(ev); else this.eventsDropped++;
  }

  private addDone(t: number, n: number, failed: number): void {
    let i = Math.floor(t / this.bucketMs);
    while (i >= MAX_BUCKETS) {
      // twice as wide: merge neighbours
      this.bucketMs *= 2;
      for (const arr of [this.done, this.failed]) {
        const merged: number[] = [];
        for (let k = 0; k < arr.length; k += 2) merged.push((arr[k] ?? 0) + (arr[k + 1] ?? 0));
        arr.length = 0;
        arr.push(...merged);
      }
      i = Math.floor(t / this.bucketMs);
    }
    while (this.done.length <= i) { this.done.push(0); this.failed.push(0); }
    this.done[i]! += n;
    this.failed[i]! += failed;
  }

  private addBatch(b: BatchEntry): void {
    const a = this.acc.get(b.w);
    const merged = a ? mergeEntries(a, b) : b;
    if (merged.n >= this.per) { this.acc.delete(b.w); this.batches.push(merged); } else this.acc.set(b.w, merged);
    if (this.batches.length > MAX_ENTRIES) this.coarsen();
  }

  /** Doubles `per`: each worker's consecutive entries merged pairwise. */
  private coarsen(): void {
    this.per *= 2;
    const byWorker = new Map<number, BatchEntry[]>();
    for (const b of this.batches) (byWorker.get(b.w) ?? byWorker.set(b.w, []).get(b.w)!).push(b);
    const out: BatchEntry[] = [];
    for (const [w, list] of byWorker) {
      for (let k = 0; k + 1 < list.length; k += 2) out.push(mergeEntries(list[k]!, list[k + 1]!));
      if (list.length % 2 === 1) {
        // an odd one out keeps collecting with the worker's open entry
        const last = list[list.length - 1]!;
        const a = this.acc.get(w);
        this.acc.set(w, a ? mergeEntries(last, a) : last);
      }
    }
    this.batches = out.sort((x, y) => x.s - y.s || x.w - y.w);
  }

  /** The timeline so far (entries still collecting are included). */
  snapshot(): TimelineSummary {
    const batches = [...this.batches, ...this.acc.values()].sort((x, y) => x.s - y.s || x.w - y.w);
    return { bucketMs: this.bucketMs, done: [...this.done], failed: [...this.failed], per: this.per, batches, events: [...this.events], eventsDropped: this.eventsDropped };
  }
}

function mergeEntries(a: BatchEntry, b: BatchEntry): BatchEntry {
  return {
    w: a.w, s: Math.min(a.s, b.s), e: Math.max(a.e, b.e), apps: a.apps + b.apps, ok: a.ok + b.ok, failed: a.failed + b.failed,
    retries: a.retries + b.retries, splits: a.splits + b.splits, n: a.n + b.n,
  };
}
