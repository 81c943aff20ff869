import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ParallelCoordinator } from '../../../src/coordinator/parallel-coordinator.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'catalog-worker.mjs');
const init = {
  runId: 'spec', contractFile: 'unused.json', target: 'sqlite::memory:', source: null, poolMax: 1, logLevel: 'silent', logFile: null,
  retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, dryRun: false, readBudgetBytes: 1 << 20,
};
const catalogSeen = (r: { rowsByTable: Record<string, number> }) => Object.keys(r.rowsByTable)[0];

describe('ParallelCoordinator.shareCatalog', () => {
  let dir: string | null = null;
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = null; });

  it('reaches the worker before its first batch, and the replacement of a worker that died', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'xm-catalog-'));
    const events: string[] = [];
    const c = new ParallelCoordinator({
      workers: 1, workerScript: WORKER, init, env: { CRASH_MARKER: path.join(dir, 'crashed') },
      onEvent: (e) => events.push(e.type),
    });
    await c.start();
    const catalog = { kind: 'test', columns: [{ table_name: 'a', column_name: 'b' }] };
    c.shareCatalog(catalog);
    try {
      const results = await Promise.all([c.run({ appIds: [1, 2] }, 1), c.run({ appIds: [3] }, 2), c.run({ appIds: [666] }, 3), c.run({ appIds: [4] }, 4)]);
      expect(events).toContain('worker-crash');
      for (const r of results) expect(catalogSeen(r)).toBe(`catalog:${JSON.stringify(catalog)}`);
    } finally {
      await c.stop();
    }
  });

  it('without it, workers have no catalog (they read their own)', async () => {
    const c = new ParallelCoordinator({ workers: 1, workerScript: WORKER, init });
    await c.start();
    try {
      expect(catalogSeen(await c.run({ appIds: [1] }, 1))).toBe('catalog:null');
    } finally {
      await c.stop();
    }
  });
});
