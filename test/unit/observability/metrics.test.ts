/** Run metrics: folding batch results and the end summary people read. */
import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../../src/ipc/messages.js';
import { RunMetrics, groupThousands, renderSummary, type RunSummary } from '../../../src/observability/metrics.js';

function result(over: Partial<BatchResult>): BatchResult {
  return {
    batchId: 1, workerId: 1, apps: 0, ok: 0, failed: [], alreadyLogged: 0, rowsByTable: {},
    times: { read: 0, parseMap: 0, write: 0 }, retries: 0, splits: 0, warnings: 0, fatal: null, pending: [], ...over,
  };
}

describe('groupThousands', () => {
  it.each([[0, '0'], [7, '7'], [999, '999'], [1000, '1,000'], [20576, '20,576'], [1234567, '1,234,567'], [-45000, '-45,000']])('%d → %s', (n, s) => {
    expect(groupThousands(n)).toBe(s);
  });
});

describe('RunMetrics', () => {
  it('sums apps, rows, failures by stage and per-worker phase times', () => {
    const m = new RunMetrics();
    m.add(result({ workerId: 1, apps: 3, ok: 2, rowsByTable: { app_base: 2, scores: 5 }, times: { read: 10, parseMap: 20, write: 30 },
      failed: [{ appId: 9, stage: 'parsing', reason: 'malformed XML' }] }));
    m.add(result({ workerId: 2, apps: 2, ok: 1, alreadyLogged: 1, rowsByTable: { app_base: 1 }, times: { read: 1, parseMap: 2, write: 3 }, retries: 1 }));
    m.add(result({ workerId: 1, apps: 1, ok: 1, rowsByTable: { app_base: 1 }, times: { read: 1, parseMap: 1, write: 1 }, splits: 2 }));
    expect([m.ok, m.failed, m.alreadyLogged, m.done]).toEqual([4, 1, 1, 6]);
    expect(m.rowsByTable).toEqual({ app_base: 4, scores: 5 });
    expect(m.failuresByStage).toEqual({ parsing: 1 });
    expect(m.perWorker['1']).toEqual({ batches: 2, ok: 3, failed: 1, parseMapMs: 21, writeMs: 31, readMs: 11, cpuMs: 0 });
    m.setWorkerCpu({ 1: 880, 2: 640, 9: 1 });
    expect([m.perWorker['1']?.cpuMs, m.perWorker['2']?.cpuMs, m.perWorker['9']]).toEqual([880, 640, undefined]);
    expect(m.phases).toEqual({ sourceRead: 0, workerRead: 12, parseMap: 23, write: 34 });
    expect([m.retries, m.splits]).toEqual([1, 2]);
  });
});

describe('renderSummary', () => {
  const base: RunSummary = {
    runId: 'r1', command: 'run', target: 'postgres://u:***@h/db', dialect: 'postgres', workers: 4, batchSize: 100, pool: false,
    readMode: 'worker', dryRun: false, startedAt: '', finishedAt: '', wallSeconds: 2.187, apps: { total: 750, ok: 749, failed: 1, alreadyLogged: 0 },
    appsPerMinute: 20576.4, rowsByTable: { app_base: 749, app_contact_base: 791 }, failuresByStage: { mapping: 1 },
    failedApps: [{ appId: 42, stage: 'mapping', reason: 'x'.repeat(200) }], phasesMs: { sourceRead: 10, workerRead: 1150, parseMap: 4000, write: 1090 },
    perWorker: { 1: { batches: 2, ok: 200, failed: 0, parseMapMs: 1100, writeMs: 320, readMs: 300, cpuMs: 880 } },
    cpu: { parentSeconds: 0.351, workersSeconds: 3.52, cores: 2 },
    retries: 0, splits: 1, workerCrashes: 0, outages: 0, warnings: 0, stoppedBy: null, exitCode: 1, peakRssMb: 120,
  };

  it('names the outcome, the rate, rows per table, phases, workers and the failures', () => {
    const text = renderSummary(base);
    expect(text.split('\n')[0]).toBe('run r1 finished in 2.19 s — 749 ok, 1 failed, 0 already logged (20,576 apps/min)');
    expect(text).toContain('target postgres://u:***@h/db · 4 workers · batch 100 · dedicated connections · worker reads');
    expect(text).toMatch(/ {2}app_contact_base {2} {6}791/);
    expect(text).toContain('parse+map 4.00 s');
    expect(text).toContain('  worker 1: 2 batches, 200 ok, 0 failed, parse+map 1.10 s, write 0.32 s, cpu 0.88 s');
    expect(text).toContain('cpu: parent 0.35 s · workers 3.52 s (start-up included) · 2 CPU cores');
    expect(text).toMatch(/^note: 4 workers on 2 CPU cores — /m);
    expect(text).toContain('batch splits 1');
    expect(text).toContain('failures by stage: mapping 1');
    expect(text).toContain(`  app 42 [mapping] ${'x'.repeat(157)}…`);
  });

  it('no note when the workers fit the cores; no cpu figure for a worker without one', () => {
    const text = renderSummary({ ...base, workers: 2, perWorker: { 1: { ...base.perWorker['1']!, cpuMs: 0 } } });
    expect(text).not.toContain('note:');
    expect(text).toContain('write 0.32 s\n');
  });

  it('says DRY RUN and who stopped the run', () => {
    expect(renderSummary({ ...base, dryRun: true, stoppedBy: 'SIGINT' }).split('\n')[0]).toMatch(/^DRY RUN run r1 stopped by SIGINT in /);
  });
});
