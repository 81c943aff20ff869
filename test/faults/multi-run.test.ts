/**
 * Many runs, one migration: three `xmlmigrate run` processes started together on one source, without
 * shard arguments, divide the work through claims. One of them (its whole process group: parent and
 * workers, like a host that dies) gets SIGKILL while it holds a claim and has committed batches. The
 * other two must take its range over once its lease expires and finish the migration with every app
 * exactly once — the rows of a clean run, one processing_log row per app — and no batch written
 * twice: a batch that collides with one already written is rejected, split and counted as "already
 * logged", so the survivors' summaries must show zero already-logged apps and zero splits, and each
 * run's processing_log rows must be exactly the apps its summary reports.
 *
 * PostgreSQL (a database of its own, dropped afterwards), SQLite (temporary files) and SQL Server when
 * MSSQL_URL is set (a database of its own; skipped loudly otherwise).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/observability/metrics.js';
import type { PipelineDb } from '../integration/pipeline/pipeline-harness.js';
import {
  MSSQL_URL, createLiveDatabase, loadMssqlSource, mssqlPipelineDb, skipWithoutMssql, type LiveDatabase,
} from '../integration/db/mssql-live-harness.js';
import {
  cleanReference, expectExactlyReference, groupMembers, modelOfContract, postgresBench, productContract, requireBuild, runArgs,
  runCliAsync, sqliteBench, startCli, syntheticDocs, waitFor, type Bench, type CliProcess, type Reference,
} from './fault-harness.js';

/** Short enough that the test does not wait long, long enough that a busy machine's live runs keep theirs. */
const LEASE_SECONDS = 6;
const DOCS = 900;

interface Outcome {
  readonly victimLogged: number;
  readonly survivors: RunSummary[];
}

async function threeRunsOneKilled(bench: Bench, ref: Reference, env: Record<string, string> = {}): Promise<Outcome> {
  const db = await bench.fresh();
  const dir = mkdtempSync(path.join(tmpdir(), 'xm-multi-run-'));
  const procs: CliProcess[] = [];
  try {
    const args = (i: number) => runArgs(bench.contract, db.url(), [
      '--workers', '2', '--batch-size', '10', '--claim-size', '40', '--lease-seconds', String(LEASE_SECONDS),
      '--metrics-out', path.join(dir, `metrics-${i}.json`),
    ]);
    // each in its own process group (its workers join it), so one SIGKILL takes a whole run down
    for (let i = 0; i < 3; i++) procs.push(startCli(args(i), { detached: true, env }));
    const victim = procs[0]!;
    const runs = db.qualify('xmlmigrate_runs');
    const claims = db.qualify('xmlmigrate_claims');
    const log = db.qualify('processing_log');
    // the event: the victim registered, committed at least one batch, and holds an unfinished claim
    let victimRun = '';
    let heldAtKill = 0;
    const ready = await waitFor(async () => {
      if (groupMembers(victim.pid).length === 0) return true; // ended already: reported below
      const rows = await db.query(`SELECT r.run_id AS run_id,
          (SELECT COUNT(*) FROM ${log} pl WHERE pl.run_id = r.run_id) AS logged,
          (SELECT COUNT(*) FROM ${claims} c WHERE c.run_id = r.run_id AND c.status = 'claimed') AS held
        FROM ${runs} r WHERE r.pid = ${Number(victim.pid)} AND r.finished_at IS NULL`).catch(() => []);
      const r = rows[0];
      if (!r || Number(r['logged']) < 10 || Number(r['held']) < 1) return false;
      victimRun = String(r['run_id']);
      heldAtKill = Number(r['held']);
      return true;
    }, 300_000, 25);
    expect(ready, 'the victim committed a batch while holding a claim').toBe(true);
    expect(victimRun, `the victim was still running when it was to be killed:\n${victim.output().stdout}${victim.output().stderr}`).not.toBe('');
    process.kill(-victim.pid, 'SIGKILL');
    const killed = await victim.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(await waitFor(() => groupMembers(victim.pid).length === 0, 60_000, 50), 'the victim\'s workers are gone').toBe(true);
    expect(heldAtKill).toBeGreaterThanOrEqual(1);

    const ends = await Promise.all(procs.slice(1).map((p) => p.done));
    for (const e of ends) expect(e.code, `a surviving run failed:\n${e.stdout}\n${e.stderr}`).toBe(0);
    const survivors = [1, 2].map((i) => JSON.parse(readFileSync(path.join(dir, `metrics-${i}.json`), 'utf8')) as RunSummary);

    // no batch written twice: nothing collided (a collision is rejected, split, and counted already logged)
    expect(survivors.map((s) => s.apps.alreadyLogged), 'apps the survivors found already written').toEqual([0, 0]);
    expect(survivors.map((s) => s.splits), 'batch splits').toEqual([0, 0]);
    // the dead run's range was taken over (after its lease expired) and finished
    expect(survivors.reduce((n, s) => n + (s.claims?.takenOver ?? 0), 0), 'claims taken over from the killed run').toBeGreaterThanOrEqual(heldAtKill);
    const open = await db.query(`SELECT COUNT(*) AS n FROM ${claims} WHERE status <> 'done'`);
    expect(Number(open[0]?.['n']), 'every claim done').toBe(0);
    const victimClaims = await db.query(`SELECT COUNT(*) AS n FROM ${claims} WHERE run_id = '${victimRun}'`);
    expect(Number(victimClaims[0]?.['n']), 'the killed run holds nothing any more').toBe(0);

    // each run's processing_log rows are exactly the apps it reported: every app once, by one run
    const byRun = new Map((await db.query(`SELECT run_id, COUNT(*) AS n FROM ${log} GROUP BY run_id`)).map((r) => [String(r['run_id']), Number(r['n'])]));
    for (const s of survivors) expect(byRun.get(s.runId) ?? 0, `processing_log rows of ${s.runId}`).toBe(s.apps.ok + s.apps.failed);
    const victimLogged = byRun.get(victimRun) ?? 0;
    expect(victimLogged).toBeGreaterThan(0);
    expect(victimLogged + survivors.reduce((n, s) => n + s.apps.ok + s.apps.failed, 0)).toBe(bench.docs.length);
    await expectExactlyReference(db, bench.model, ref, `${bench.dialect}: three runs, one killed`);

    // status shows the killed run with its lease expired, and the finished ones
    const status = await runCliAsync(['status', '--contract', bench.contract, '--target', db.url(), '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const shown = (JSON.parse(status.stdout) as { claims: { runs: { runId: string; live: boolean; finishedAt: string | null; state: string }[] } }).claims.runs;
    const shownVictim = shown.find((r) => r.runId === victimRun);
    expect(shownVictim, 'the killed run in status').toMatchObject({ live: false });
    // its lease expired (never finished), or — when a survivor registered only after the kill, on a
    // loaded machine — that survivor found its process gone on this machine and recorded it expired
    expect(shownVictim!.finishedAt === null || shownVictim!.state === 'expired', `the killed run in status: ${JSON.stringify(shownVictim)}`).toBe(true);
    for (const s of survivors) expect(shown.find((r) => r.runId === s.runId)?.state).toBe('finished');
    return { victimLogged, survivors };
  } finally {
    for (const p of procs) { try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ } }
    await Promise.all(procs.map((p) => p.done.catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('three runs on one source, one SIGKILLed: claims', () => {
  let tmp: string;
  beforeAll(() => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-multi-'));
  });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  describe('SQLite', () => {
    let bench: Bench;
    let ref: Reference;
    beforeAll(async () => {
      bench = await sqliteBench(path.join(tmp, 'sqlite'), syntheticDocs(DOCS, 7101));
      ref = await cleanReference(bench);
    }, 600_000);
    afterAll(async () => { await bench?.dispose(); });

    it('the two survivors finish the killed run\'s range after its lease: every app once, no batch written twice', async () => {
      const o = await threeRunsOneKilled(bench, ref);
      expect(o.survivors.every((s) => s.exitCode === 0)).toBe(true);
    }, 900_000);
  });

  describe('PostgreSQL', () => {
    let bench: Bench & { readonly database: { drop(): Promise<void> } };
    let ref: Reference;
    beforeAll(async () => {
      bench = await postgresBench(path.join(tmp, 'pg'), syntheticDocs(DOCS, 7102), 'claims');
      ref = await cleanReference(bench);
    }, 600_000);
    afterAll(async () => { await bench?.dispose(); });

    it('the two survivors finish the killed run\'s range after its lease: every app once, no batch written twice', async () => {
      const o = await threeRunsOneKilled(bench, ref);
      expect(o.survivors.every((s) => s.exitCode === 0)).toBe(true);
    }, 900_000);
  });

  const noMssql = skipWithoutMssql('three runs with claims, one killed (test/faults/multi-run.test.ts)');
  describe.skipIf(noMssql)('SQL Server (MSSQL_URL)', () => {
    let live: LiveDatabase;
    let bench: Bench;
    let ref: Reference;
    beforeAll(async () => {
      live = await createLiveDatabase('claims');
      const contract = productContract(tmp, 'contract-mssql.json', 'xmclaims');
      const model = await modelOfContract(contract);
      const docs = syntheticDocs(DOCS, 7103);
      await loadMssqlSource(live.url, model, docs);
      const target: PipelineDb = mssqlPipelineDb(live, 'xmclaims', model);
      bench = {
        dialect: 'mssql', contract, model, docs, appIds: docs.map((d) => d.appId),
        async fresh() { await target.reset(); return target; },
        dispose: () => Promise.resolve(),
      };
      ref = await cleanReference(bench);
    }, 900_000);
    afterAll(async () => { await live?.drop(); });

    it('the two survivors finish the killed run\'s range after its lease: every app once, no batch written twice', async () => {
      expect(MSSQL_URL).toBeDefined();
      const o = await threeRunsOneKilled(bench, ref);
      expect(o.survivors.every((s) => s.exitCode === 0)).toBe(true);
    }, 900_000);
  });
});
