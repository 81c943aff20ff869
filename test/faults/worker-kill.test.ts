/**
 * Scenario 1 — worker death. A worker killed at a random moment (kill -9) is detected, its open
 * transaction is rolled back by the database, a replacement takes its place and the batch runs again:
 * afterwards the target holds exactly the rows of a clean run and processing_log one `success` row
 * per app. A document that keeps killing workers is isolated by splitting and logged `failed`
 * (stage `worker-crash`) while every other app lands.
 *
 * The processor runs in this process (ProcessorDeps.onStarted gives the coordinator; the capturing
 * logger tells which worker pids finished their ready handshake). A seed fixes the plan: workers,
 * batch size, read mode, how many kills, after how many finished apps, the extra delay, which worker.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunAbort } from '../../src/processor/production-processor.js';
import { logRows, onlyApps, dbSnapshot, diffSnapshots } from '../integration/pipeline/pipeline-harness.js';
import { writeCrashWorker } from './crash-worker.js';
import {
  cleanReference, damage, expectExactlyReference, failureLine, postgresBench, recordResult, requireBuild, runProcessor, sigkill, sleep,
  sqliteBench, syntheticDocs, waitFor, type Bench, type Reference, type RunControl,
} from './fault-harness.js';
import { FaultRng } from './prng.js';

/** ≥ 20 fixed seeds on SQLite, a few on PostgreSQL. */
const SQLITE_SEEDS = Array.from({ length: 24 }, (_, i) => 1001 + i);
const POSTGRES_SEEDS = [2001, 2002, 2003, 2004];

interface KillOutcome { seed: number; kills: number; crashes: number; alreadyLogged: number; lost: number; duplicated: number; exitCode: number; error?: string }

/** One seeded run with 1–3 SIGKILLs of ready workers at seeded moments; asserts the exact result. */
async function killScenario(bench: Bench, ref: Reference, seed: number, outcomes: KillOutcome[]): Promise<KillOutcome> {
  const rng = new FaultRng(seed);
  const n = bench.docs.length;
  const workers = rng.pick([2, 3]);
  const batchSize = rng.int(4, 16);
  const readMode = rng.pick(['worker', 'parent'] as const);
  const plan = Array.from({ length: rng.int(1, 3) }, () => ({ atDone: rng.int(0, Math.floor(n * 0.7)), delayMs: rng.int(0, 30), which: rng.next() }))
    .sort((a, b) => a.atDone - b.atDone);
  const db = await bench.fresh();
  let running = true;
  let landed = 0;
  const killed = new Set<number>();
  const firing: Promise<void>[] = [];
  const fire = (ctl: RunControl, p: (typeof plan)[number]) => {
    firing.push((async () => {
      await sleep(p.delayMs);
      // a replacement that is still starting is not a candidate (see the start-up tests below)
      const candidates = () => ctl.readyWorkerPids().filter((pid) => !killed.has(pid)).sort((a, b) => a - b);
      await waitFor(() => !running || candidates().length > 0, 5000, 5);
      const pids = candidates();
      if (!running || pids.length === 0) return;
      const pid = pids[Math.floor(p.which * pids.length)]!;
      killed.add(pid);
      if (sigkill(pid)) landed++;
    })());
  };
  const arm = (done: number, ctl: RunControl) => { while (plan.length > 0 && plan[0]!.atDone <= done) fire(ctl, plan.shift()!); };
  const { summary } = await runProcessor(
    { contract: bench.contract, target: db.url(), workers: String(workers), batchSize: String(batchSize), readMode },
    { onStarted: (ctl) => arm(0, ctl), onProgress: (done, _failed, ctl) => arm(done, ctl) },
  ).finally(() => { running = false; });
  await Promise.all(firing);
  const label = `seed ${seed} (${workers} workers, batch ${batchSize}, ${readMode} reads, ${landed} kill(s))`;
  const outcome: KillOutcome = { seed, kills: landed, crashes: summary.workerCrashes, alreadyLogged: summary.apps.alreadyLogged, exitCode: summary.exitCode, ...(await damage(db, bench.model, ref)) };
  try {
    expect(landed, `${label}: at least one kill landed`).toBeGreaterThanOrEqual(1);
    expect(summary.exitCode, `${label}: exit code; stopped by ${summary.stoppedBy}`).toBe(0);
    expect(summary.apps.failed, label).toBe(0);
    expect(summary.apps.ok + summary.apps.alreadyLogged, label).toBe(n);
    expect(summary.workerCrashes, `${label}: crashes seen by the coordinator`).toBeGreaterThanOrEqual(1);
    expect(summary.workerCrashes, label).toBeLessThanOrEqual(landed);
    await expectExactlyReference(db, bench.model, ref, label);
  } catch (err) {
    outcome.error = failureLine(err);
    throw err;
  } finally {
    outcomes.push(outcome);
  }
  return outcome;
}

function summarize(scenario: string, dialect: string, outcomes: readonly KillOutcome[], apps: number): void {
  if (outcomes.length === 0) return;
  recordResult({
    scenario, dialect, seeds: outcomes.map((o) => o.seed), faults: outcomes.reduce((s, o) => s + o.kills, 0), apps: apps * outcomes.length,
    lost: outcomes.reduce((s, o) => s + o.lost, 0), duplicated: outcomes.reduce((s, o) => s + o.duplicated, 0),
    note: `SIGKILLs sent ${outcomes.reduce((s, o) => s + o.kills, 0)}, worker deaths seen by the coordinator ${outcomes.reduce((s, o) => s + o.crashes, 0)}; apps found already committed when their batch re-ran ${outcomes.reduce((s, o) => s + o.alreadyLogged, 0)}; exit codes ${[...new Set(outcomes.map((o) => o.exitCode))].join('/')}`,
    ...(outcomes.some((o) => o.error) ? { failed: outcomes.filter((o) => o.error).map((o) => `seed ${o.seed}: ${o.error}`).join('; ') } : {}),
  });
}

describe('kill -9 a random worker at a random moment', () => {
  let tmp: string;
  beforeAll(() => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-worker-'));
  });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  describe('SQLite', () => {
    let bench: Bench;
    let ref: Reference;
    const outcomes: KillOutcome[] = [];
    beforeAll(async () => {
      bench = await sqliteBench(path.join(tmp, 'sqlite'), syntheticDocs(160, 4242));
      ref = await cleanReference(bench);
    });
    afterAll(() => summarize('kill -9 one worker, 1–3 times per run', 'sqlite', outcomes, bench?.docs.length ?? 0));

    it.each(SQLITE_SEEDS)('seed %i: the target equals a clean run', async (seed) => {
      await killScenario(bench, ref, seed, outcomes);
    });

    describe('a document that keeps killing its worker', () => {
      const EXIT_ID = 7;
      const KILL_ID = 58;
      const THROW_ID = 141;

      it('is isolated by splitting and logged failed (stage worker-crash); every other app lands', async () => {
        const script = writeCrashWorker(tmp, 'poison-worker', { exitOn: [EXIT_ID], killOn: [KILL_ID], throwOn: [THROW_ID] });
        const db = await bench.fresh();
        const { summary, log } = await runProcessor({ contract: bench.contract, target: db.url(), workers: '2', batchSize: '8' }, { workerScript: script });
        const poison = [EXIT_ID, KILL_ID, THROW_ID];
        expect(summary.exitCode).toBe(1);
        expect(summary.apps).toEqual({ total: 160, ok: 157, failed: 3, alreadyLogged: 0 });
        expect(summary.failuresByStage).toEqual({ 'worker-crash': 3 });
        // each poison app: two crashes per batch size on the way down 8 → 4 → 2 → 1
        expect(summary.workerCrashes).toBe(3 * 2 * 4);
        expect(log.ofType('app-poisoned').map((e) => e.obj['appId']).sort((a, b) => Number(a) - Number(b))).toEqual(poison);
        expect(log.ofType('batch-split').length).toBe(3 * 3);

        const rows = await logRows(db);
        expect(rows.map((r) => r.appId)).toEqual([...ref.appIds]);
        const failed = rows.filter((r) => r.status === 'failed');
        expect(failed.map((r) => [r.appId, r.stage])).toEqual(poison.map((id) => [id, 'worker-crash']));
        const reasons = new Map(failed.map((r) => [r.appId, r.reason]));
        expect(reasons.get(EXIT_ID)).toBe('the worker processing this document died 2 times (last: exit code 137)');
        expect(reasons.get(KILL_ID)).toBe('the worker processing this document died 2 times (last: SIGKILL)');
        expect(reasons.get(THROW_ID)).toBe('the worker processing this document died 2 times (last: exit code 1)');
        const good = new Set(ref.appIds.filter((id) => !poison.includes(id)));
        expect(diffSnapshots(onlyApps(ref.snapshot, bench.model, good), (await dbSnapshot(db, bench.model)).tables)).toEqual({});
        recordResult({
          scenario: 'poison document (exit 137 / self SIGKILL / uncaught throw) → split → worker-crash', dialect: 'sqlite', seeds: [],
          faults: summary.workerCrashes, apps: 160, lost: 0, duplicated: 0, note: '3 apps failed worker-crash as designed; 157 landed',
        });
      });
    });

    describe('a worker killed during its start-up', () => {
      it('a replacement worker killed before its ready handshake is replaced again; the run completes', async () => {
        const flag = path.join(tmp, 'die-during-init-replacement');
        const script = writeCrashWorker(tmp, 'init-killer', { dieDuringInitFlag: flag });
        const db = await bench.fresh();
        let armed = false;
        const { summary } = await runProcessor({ contract: bench.contract, target: db.url(), workers: '2', batchSize: '10' }, {
          workerScript: script,
          onProgress: (done, _f, ctl) => {
            if (armed || done < 30) return;
            armed = true;
            writeFileSync(flag, '1'); // the next worker to start dies during init
            const pid = ctl.readyWorkerPids()[0];
            if (pid !== undefined) sigkill(pid);
          },
        });
        const dmg = await damage(db, bench.model, ref);
        let failed: string | undefined;
        try {
          expect(armed).toBe(true);
          expect(existsSync(flag), 'the replacement consumed the flag (it was killed during start-up)').toBe(false);
          expect(summary.stoppedBy, 'the run must not stop because a replacement died while starting').toBeNull();
          expect(summary.exitCode).toBe(0);
          await expectExactlyReference(db, bench.model, ref, 'replacement killed during start-up');
        } catch (err) {
          failed = failureLine(err);
          throw err;
        } finally {
          recordResult({
            scenario: 'a replacement worker killed during its start-up', dialect: 'sqlite', seeds: [], faults: 2, apps: 160, ...dmg,
            note: `exit ${summary.exitCode}${summary.stoppedBy ? `, stopped by ${summary.stoppedBy}` : ''}; apps not migrated are unlogged (a rerun takes them)`,
            ...(failed ? { failed } : {}),
          });
        }
      });

      it('an initial worker killed before its ready handshake: the run completes, or stops before writing anything and a rerun completes', async () => {
        const flag = path.join(tmp, 'die-during-init-initial');
        const script = writeCrashWorker(tmp, 'init-killer-initial', { dieDuringInitFlag: flag });
        writeFileSync(flag, '1');
        const db = await bench.fresh();
        const flags = { contract: bench.contract, target: db.url(), workers: '2', batchSize: '10' };
        let outcome: string;
        try {
          const { summary } = await runProcessor(flags, { workerScript: script });
          expect(summary.exitCode).toBe(0);
          outcome = 'completed';
        } catch (err) {
          expect(err).toBeInstanceOf(RunAbort);
          expect((err as RunAbort).exitCode).toBe(3);
          expect((err as Error).message).toMatch(/^workers could not start: worker \d exited during start \(code null, signal SIGKILL\)$/);
          expect(await logRows(db)).toEqual([]);
          const again = await runProcessor(flags, { workerScript: script });
          expect(again.summary.exitCode).toBe(0);
          outcome = 'stopped with exit 3, rerun completed';
        }
        expect(existsSync(flag)).toBe(false);
        const dmg = await expectExactlyReference(db, bench.model, ref, `initial worker killed during start-up (${outcome})`);
        recordResult({ scenario: 'an initial worker killed during its start-up', dialect: 'sqlite', seeds: [], faults: 1, apps: 160, ...dmg, note: outcome });
      });
    });
  });

  describe('PostgreSQL', () => {
    let bench: Bench;
    let ref: Reference;
    const outcomes: KillOutcome[] = [];
    beforeAll(async () => {
      bench = await postgresBench(path.join(tmp, 'pg'), syntheticDocs(120, 4343), 'wkill');
      ref = await cleanReference(bench);
    });
    afterAll(async () => {
      summarize('kill -9 one worker, 1–3 times per run', 'postgres', outcomes, bench?.docs.length ?? 0);
      await bench?.dispose();
    });

    it.each(POSTGRES_SEEDS)('seed %i: the target equals a clean run', async (seed) => {
      await killScenario(bench, ref, seed, outcomes);
    });
  });
});
