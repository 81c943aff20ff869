/** The run timeline recorded from coordinator events (for --metrics-out and the HTML report). */
import { describe, expect, it } from 'vitest';
import { MAX_BUCKETS, MAX_ENTRIES, RunTimeline } from '../../../src/observability/timeline.js';

function clock() {
  let t = 0;
  return { now: () => t, set: (v: number) => { t = v; } };
}

const end = (workerId: number, batchId: number, ok: number, failed: number, extra: { retries?: number; splits?: number; alreadyLogged?: number } = {}) =>
  ({ type: 'batch-end' as const, workerId, batchId, apps: ok + failed + (extra.alreadyLogged ?? 0), ok, failed, alreadyLogged: extra.alreadyLogged ?? 0, retries: extra.retries ?? 0, splits: extra.splits ?? 0 });

describe('RunTimeline', () => {
  it('records each batch from hand-out to result, crashes with the batch they interrupted, and throughput buckets', () => {
    const c = clock();
    const tl = new RunTimeline(c.now);
    tl.record({ type: 'worker-ready', workerId: 1, pid: 4 });
    tl.record({ type: 'worker-ready', workerId: 2, pid: 5 });
    c.set(100); tl.record({ type: 'batch-start', workerId: 1, batchId: 1, apps: 10 });
    c.set(150); tl.record({ type: 'batch-start', workerId: 2, batchId: 2, apps: 10 });
    c.set(900); tl.record(end(1, 1, 9, 1, { retries: 2 }));
    c.set(1200); tl.record({ type: 'worker-crash', workerId: 2, pid: 5, code: null, signal: 'SIGKILL', batchId: 2 });
    c.set(1300); tl.record({ type: 'batch-split', batchId: 2, apps: 10 });
    c.set(1350); tl.record({ type: 'worker-ready', workerId: 2, pid: 6 });
    c.set(1400); tl.record({ type: 'batch-start', workerId: 1, batchId: 2, apps: 5 });
    c.set(2500); tl.record(end(1, 2, 5, 0, { splits: 1, alreadyLogged: 0 }));
    const s = tl.snapshot();
    expect(s.batches).toEqual([
      { w: 1, s: 100, e: 900, apps: 10, ok: 9, failed: 1, retries: 2, splits: 0, n: 1 },
      { w: 1, s: 1400, e: 2500, apps: 5, ok: 5, failed: 0, retries: 0, splits: 1, n: 1 },
    ]);
    expect(s.events).toEqual([
      { t: 0, w: 1, kind: 'ready', detail: 'pid 4 ready' },
      { t: 0, w: 2, kind: 'ready', detail: 'pid 5 ready' },
      { t: 1200, w: 2, kind: 'crash', detail: 'SIGKILL during batch 2', s: 150 },
      { t: 1300, w: 2, kind: 'split', detail: 'batch 2 (10 apps) split in two after repeated crashes' },
      { t: 1350, w: 2, kind: 'replaced', detail: 'replacement pid 6 ready' },
    ]);
    expect(s.bucketMs).toBe(1000);
    expect(s.done).toEqual([10, 0, 5]);
    expect(s.failed).toEqual([1, 0, 0]);
    expect(s.per).toBe(1);
  });

  it('widens buckets instead of growing past the cap, keeping every app', () => {
    const c = clock();
    const tl = new RunTimeline(c.now);
    let total = 0;
    for (let i = 0; i < 3 * MAX_BUCKETS; i++) {
      c.set(i * 1000 + 10);
      tl.record({ type: 'batch-start', workerId: 1, batchId: i, apps: 3 });
      tl.record(end(1, i, 3, 0));
      total += 3;
    }
    const s = tl.snapshot();
    expect(s.done.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(s.bucketMs).toBe(4000);
    expect(s.done.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('merges consecutive batches of a worker pairwise beyond the entry cap, keeping every batch counted', () => {
    const c = clock();
    const tl = new RunTimeline(c.now);
    const batches = 3 * MAX_ENTRIES + 7;
    for (let i = 0; i < batches; i++) {
      const w = (i % 2) + 1;
      c.set(i * 10); tl.record({ type: 'batch-start', workerId: w, batchId: i, apps: 2 });
      c.set(i * 10 + 15); tl.record(end(w, i, 1, 1));
    }
    const s = tl.snapshot();
    expect(s.batches.length).toBeLessThanOrEqual(MAX_ENTRIES + 2);
    expect(s.per).toBe(4);
    expect(s.batches.reduce((n, b) => n + b.n, 0)).toBe(batches);
    expect(s.batches.reduce((n, b) => n + b.failed, 0)).toBe(batches);
    // an entry spans its batches: worker 1's first entry starts at 0 and ends with its 4th batch
    expect(s.batches.find((b) => b.w === 1)).toMatchObject({ s: 0, e: 6 * 10 + 15, n: 4 });
  });
});
