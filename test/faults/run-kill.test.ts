/**
 * Scenario 2 — whole-run death. The built CLI runs in its own process group (like a shell job; its
 * forked workers join the group) and the whole group gets SIGKILL at a seeded moment: either after a
 * seeded number of apps reached processing_log (plus a seeded delay), or a seeded time after start
 * (which also hits start-up, preflight and the first batches). Right after the kill nothing is
 * half-written; running the same command again finishes the job with every app present exactly once.
 * When the run is over before the kill lands, the attempt is repeated with an earlier kill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineDb } from '../integration/pipeline/pipeline-harness.js';
import {
  cleanReference, damage, expectExactlyReference, failureLine, expectNoHalfWrittenApp, groupMembers, logCount, postgresBench, recordResult, requireBuild,
  runArgs, runCliAsync, sleep, sqliteBench, startCli, syntheticDocs, waitFor, type Bench, type CliProcess, type Reference,
} from './fault-harness.js';
import { FaultRng } from './prng.js';

const SQLITE_SEEDS = Array.from({ length: 12 }, (_, i) => 3001 + i);
const POSTGRES_SEEDS = [3101, 3102, 3103];
/** Attempts per seed; each kills earlier than the one before (see killAndRerun). */
const MAX_ATTEMPTS = 4;
const SUMMARY_LINE = /^run \S+ finished in [\d.]+ s — (\d+) ok, (\d+) failed, (\d+) already logged/m;

interface RunKillOutcome { seed: number; killedAfter: number; lost: number; duplicated: number; error?: string }

async function runKillScenario(bench: Bench, ref: Reference, seed: number, cleanMs: number, outcomes: RunKillOutcome[]): Promise<void> {
  const rng = new FaultRng(seed);
  const n = bench.docs.length;
  const workers = rng.pick([2, 3, 4]);
  const batch = rng.int(5, 25);
  const readMode = rng.pick(['worker', 'parent']);
  const byProgress = rng.chance(0.7);
  const atLogged = rng.int(1, n - 80); // leave enough work that the run is still going when the kill lands
  const delay = byProgress ? rng.int(0, 40) : rng.int(0, Math.floor(cleanMs * 0.5));
  let db: PipelineDb = await bench.fresh();
  const outcome: RunKillOutcome = { seed, killedAfter: -1, lost: 0, duplicated: 0 };
  try {
    await killAndRerun();
  } catch (err) {
    outcome.error = failureLine(err);
    throw err;
  } finally {
    Object.assign(outcome, await damage(db, bench.model, ref));
    outcomes.push(outcome);
  }

  async function killAndRerun(): Promise<void> {
    const argsFor = (d: PipelineDb) => runArgs(bench.contract, d.url(), ['--workers', String(workers), '--batch-size', String(batch), '--read-mode', readMode]);
    let args = argsFor(db);
    let proc: CliProcess;
    let label = '';
    // A run that ends before the kill lands (this machine was quicker than the seeded moment assumed)
    // injected no fault: it must have succeeded, and the scenario runs again with the kill twice as
    // early (the last attempt kills right at start), so no attempt depends on winning a race.
    for (let attempt = 0; ; attempt++) {
      const scale = attempt >= MAX_ATTEMPTS - 1 ? 0 : 1 / 2 ** attempt;
      const at = Math.max(1, Math.floor(atLogged * scale));
      const wait = Math.floor(delay * scale);
      if (attempt > 0) { db = await bench.fresh(); args = argsFor(db); }
      proc = startCli(args, { detached: true });
      if (byProgress) {
        const reached = await waitFor(async () => (await logCount(db)) >= at, 240_000, 5);
        expect(reached, `seed ${seed}: ${at} apps logged before the kill`).toBe(true);
      }
      await sleep(wait);
      label = `seed ${seed} (${workers} workers, batch ${batch}, ${readMode} reads, kill ${byProgress ? `${wait} ms after ${at} apps` : `${wait} ms after start`}${attempt > 0 ? `, attempt ${attempt + 1}` : ''})`;
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* ESRCH: the whole group has already exited (the run ended first) */ }
      const killed = await proc.done;
      // killed mid-run; a kill that landed after the last commit (while the summary was printed) is retried too
      if (killed.signal === 'SIGKILL' && (await logCount(db)) < n) break;
      if (killed.signal !== 'SIGKILL') expect(killed.code, `${label}: the run ended before the kill, and not successfully; ${killed.stderr}`).toBe(0);
      expect(attempt, `${label}: the run ended before the kill on every attempt`).toBeLessThan(MAX_ATTEMPTS - 1);
    }
    expect(await waitFor(() => groupMembers(proc.pid).length === 0, 30_000), `${label}: every process of the group is gone`).toBe(true);
    const before = await expectNoHalfWrittenApp(db, bench.model, ref, `${label}, right after the kill`);
    outcome.killedAfter = before;
    expect(before, label).toBeLessThan(n);

    const again = await runCliAsync(args);
    expect(again.code, `${label}: rerun exit code; ${again.stderr}`).toBe(0);
    const m = SUMMARY_LINE.exec(again.stdout);
    expect(m?.slice(1, 4), `${label}: the rerun processed exactly the apps the killed run had not logged`).toEqual([String(n - before), '0', '0']);
    await expectExactlyReference(db, bench.model, ref, label);
  }
}

describe('kill -9 the whole run, then run the same command again', () => {
  let tmp: string;
  beforeAll(() => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-runkill-'));
  });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  const suite = (dialect: 'sqlite' | 'postgres', seeds: readonly number[], makeBench: () => Promise<Bench>) => {
    describe(dialect, () => {
      let bench: Bench;
      let ref: Reference;
      let cleanMs = 0;
      const outcomes: RunKillOutcome[] = [];
      beforeAll(async () => {
        bench = await makeBench();
        ref = await cleanReference(bench);
      });
      afterAll(async () => {
        if (outcomes.length > 0) {
          recordResult({
            scenario: 'kill -9 the whole process group, then rerun', dialect, seeds: outcomes.map((o) => o.seed), faults: outcomes.length,
            apps: outcomes.length * (bench?.docs.length ?? 0), lost: outcomes.reduce((s, o) => s + o.lost, 0),
            duplicated: outcomes.reduce((s, o) => s + o.duplicated, 0),
            note: `apps logged when killed: ${outcomes.map((o) => o.killedAfter).join(', ')}`,
            ...(outcomes.some((o) => o.error) ? { failed: outcomes.filter((o) => o.error).map((o) => `seed ${o.seed}: ${o.error}`).join('; ') } : {}),
          });
        }
        await bench?.dispose();
      });

      it('the CLI on a clean target writes exactly the reference rows (and sets the kill window)', async () => {
        const db = await bench.fresh();
        const r = await runCliAsync(runArgs(bench.contract, db.url(), ['--workers', '2', '--batch-size', '10']));
        expect(r.code, r.stderr).toBe(0);
        cleanMs = r.ms;
        await expectExactlyReference(db, bench.model, ref, 'clean CLI run');
      });

      it.each(seeds)('seed %i: right after the kill nothing is half-written; the rerun completes exactly', async (seed) => {
        expect(cleanMs, 'the clean CLI run must have run first').toBeGreaterThan(0);
        await runKillScenario(bench, ref, seed, cleanMs, outcomes);
      });
    });
  };

  suite('sqlite', SQLITE_SEEDS, () => sqliteBench(path.join(tmp, 'sqlite'), syntheticDocs(200, 5151)));
  suite('postgres', POSTGRES_SEEDS, () => postgresBench(path.join(tmp, 'pg'), syntheticDocs(160, 5252), 'rkill'));
});
