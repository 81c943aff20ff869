/**
 * A worker that died before the parent noticed (a signal to the process group, a crash): the parent's
 * next message to it fails with EPIPE. Node emits that as an 'error' event on the worker's handle,
 * fatal without a listener — a run stopped by Ctrl-C on a loaded machine once died that way in
 * ParallelCoordinator.stop(). Runs in a plain node process against the built coordinator (the test
 * runner's own process handles such errors differently).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireBuild } from './fault-harness.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

describe('messages to a worker that is already dead', () => {
  it('fail quietly (a late catalog, stop): the parent lives on', () => {
    requireBuild();
    const r = spawnSync(process.execPath, [
      path.join(HERE, 'dead-worker-send.mjs'),
      path.join(ROOT, 'dist', 'coordinator', 'parallel-coordinator.js'),
      path.join(ROOT, 'test', 'unit', 'coordinator', 'catalog-worker.mjs'),
    ], { encoding: 'utf8' });
    // Z: dead and not yet reaped, so the parent's handle still looked connected when it wrote
    expect(r.stdout, r.stderr).toContain('worker state Z');
    expect(r.stderr).not.toMatch(/EPIPE|ERR_IPC/);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('survived');
  });
});
