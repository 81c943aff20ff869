/**
 * Scenario 4 — transient database faults on PostgreSQL:
 * - every product session (application_name `xmlmigrate…`: the parent's `xmlmigrate`, worker k's
 *   `xmlmigrate-wk`, set in src/worker/worker-main.ts) terminated with pg_terminate_backend,
 *   repeatedly, mid-run;
 * - a worker's read of its documents cut (terminated while it waits on a lock of the source table);
 * - a connection cut inside COMMIT;
 * - the server restarted mid-run;
 * - the server down longer than the outage wait (3 s): exit 3 with a message naming the outage.
 * The run recovers (transient retries, circuit breaker) or stops resumably; a rerun completes exactly.
 * A run that ends with exit 0 must have handled every app it counted.
 *
 * Everything here runs on a throwaway server of this file's own (startThrowawayPg: initdb into a
 * temporary directory, its own port on 127.0.0.1 and socket directory, removed afterwards), so that
 * stopping, restarting and terminating sessions touch no other test and none of the machine's servers.
 * Without PostgreSQL's server binaries (initdb) the file is skipped, with a warning saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/observability/metrics.js';
import type { PipelineDb } from '../integration/pipeline/pipeline-harness.js';
import {
  THROWAWAY_PG_SKIP, cleanReference, damage, expectExactlyReference, expectNoHalfWrittenApp, failureLine, logCount,
  pgTerminateProductSessions, postgresBench, recordResult, requireBuild, runArgs, runCliAsync, runProcessor, sleep, startCli,
  startThrowawayPg, syntheticDocs, waitFor, type CliOutcome, type Damage, type Reference, type ScenarioResult, type ThrowawayPg,
} from './fault-harness.js';
import { FaultRng } from './prng.js';

if (THROWAWAY_PG_SKIP) console.warn(`test/faults/postgres-faults.test.ts SKIPPED: ${THROWAWAY_PG_SKIP}`);

const N = 300;
const FINISHED_LINE = /^run \S+ finished in [\d.]+ s — (\d+) ok, (\d+) failed, (\d+) already logged/m;
const OUTAGE_REASON = /database unreachable for 3 s \(last error: [^)]+\); nothing was half-written — run the same command again to resume/;

type Row = Omit<ScenarioResult, 'lost' | 'duplicated' | 'failed' | 'apps'>;

const TITLE = 'PostgreSQL (throwaway server): cut sessions, restart, outage';

describe.skipIf(THROWAWAY_PG_SKIP !== null)(THROWAWAY_PG_SKIP ? `${TITLE} — skipped: ${THROWAWAY_PG_SKIP}` : TITLE, () => {
  let tmp: string;
  let server: ThrowawayPg;
  let bench: Awaited<ReturnType<typeof postgresBench>>;
  let ref: Reference;
  /** Starts the throwaway server again if a test left it down. */
  const ensureUp = async () => { if (server && !(await server.up())) await server.start(); };
  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-pg-'));
    server = await startThrowawayPg();
    bench = await postgresBench(tmp, syntheticDocs(N, 7171), 'pgf', server.url);
    ref = await cleanReference(bench);
  });
  afterEach(ensureUp);
  afterAll(async () => {
    try {
      await ensureUp();
      await bench?.dispose();
    } finally {
      await server?.dispose();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });

  /**
   * Runs `body` and records its row whatever happens. `lost`/`duplicated` are measured right after the
   * faulty run when it claimed success (exit 0 means complete), otherwise after the rerun.
   */
  async function recorded(row: Row, body: (db: PipelineDb, mark: (exitCode: number) => Promise<void>) => Promise<Damage>): Promise<void> {
    let first: Damage | null = null;
    let final: Damage | null = null;
    let failed: string | undefined;
    const db = await bench.fresh();
    try {
      final = await body(db, async (exitCode) => { if (exitCode === 0) first = await damage(db, bench.model, ref); });
    } catch (err) {
      failed = failureLine(err);
      throw err;
    } finally {
      const shown: Damage = first ?? final ?? await damage(db, bench.model, ref);
      recordResult({ ...row, apps: N, ...shown, ...(failed ? { failed } : {}) });
    }
  }

  /** After a run that may have stopped with exit 3: nothing half-written, then a rerun (if needed) completes exactly. */
  async function settle(db: PipelineDb, summary: RunSummary, flags: Record<string, unknown>, label: string): Promise<Damage> {
    const exitCode = summary.exitCode;
    expect([0, 3], `${label}: recovered (0) or stopped resumably (3); stopped by ${summary.stoppedBy}`).toContain(exitCode);
    if (exitCode === 0) {
      // a run that ends with exit 0 has handled every app it counted
      const a = summary.apps;
      expect(a.ok + a.failed + a.alreadyLogged, `${label}: exit 0 but the summary shows unhandled apps ${JSON.stringify(a)}`).toBe(a.total);
    } else {
      await expectNoHalfWrittenApp(db, bench.model, ref, `${label}: after the stop`);
      const again = await runProcessor(flags);
      expect(again.summary.exitCode, `${label}: rerun`).toBe(0);
    }
    return expectExactlyReference(db, bench.model, ref, label);
  }

  it.each([
    { seed: 5001, pool: false },
    { seed: 5002, pool: true },
  ])('pg_terminate_backend on every xmlmigrate session, repeatedly (seed $seed, pool $pool) → recovers or stops resumably; exact after', async ({ seed, pool }) => {
    const rng = new FaultRng(seed);
    const rounds = rng.int(6, 10);
    const killedNames: string[] = [];
    const note: string[] = [];
    await recorded({ scenario: `pg_terminate_backend(all xmlmigrate sessions) × ${rounds} mid-run${pool ? ' (--pool)' : ''}`, dialect: 'postgres', seeds: [seed], get faults() { return killedNames.length; }, get note() { return note.join('; '); } }, async (db, mark) => {
      const flags = {
        contract: bench.contract, target: db.url(), workers: '2', batchSize: String(rng.int(8, 15)), outageWaitSeconds: '30',
        ...(pool ? { pool: true, poolSize: '2' } : {}),
      };
      const startAt = rng.int(20, 80);
      let terminator: Promise<void> | null = null;
      const { summary } = await runProcessor(flags, {
        onProgress: (done) => {
          if (terminator || done < startAt) return;
          terminator = (async () => {
            for (let i = 0; i < rounds; i++) {
              killedNames.push(...(await pgTerminateProductSessions(server.url, bench.database.name)));
              await sleep(rng.int(60, 250));
            }
          })();
        },
      });
      await terminator;
      note.push(`first run exit ${summary.exitCode}, ${summary.apps.ok} ok of ${summary.apps.total}; retries ${summary.retries}`);
      await mark(summary.exitCode);
      const label = `terminate seed ${seed}`;
      expect(terminator, `${label}: the terminator ran`).not.toBeNull();
      expect(killedNames.some((n) => /^xmlmigrate-w\d+$/.test(n)), `${label}: worker sessions were cut (${killedNames.join(', ')})`).toBe(true);
      return settle(db, summary, flags, label);
    });
  });

  it('a worker whose source read is cut (terminated while it waits for a lock on the source table) → its batch runs again', async () => {
    let cut: string[] = [];
    const note: string[] = [];
    await recorded({ scenario: "a worker's source read cut by pg_terminate_backend", dialect: 'postgres', seeds: [], get faults() { return cut.length; }, get note() { return note.join('; '); } }, async (db, mark) => {
      const flags = { contract: bench.contract, target: db.url(), workers: '2', batchSize: '10', readMode: 'worker', outageWaitSeconds: '30' };
      const source = db.qualify(bench.model.source.name);
      const admin = new pg.Client({ connectionString: db.url(), application_name: 'xm-faults-locker' });
      admin.on('error', () => undefined);
      await admin.connect();
      const blockedReaders = `SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'xmlmigrate-w%'
        AND wait_event_type = 'Lock' AND query ILIKE '%${bench.model.source.name}%'`;
      let fault: Promise<void> | null = null;
      try {
        const { summary } = await runProcessor(flags, {
          onProgress: (done) => {
            if (fault || done < 40) return;
            fault = (async () => {
              await admin.query('BEGIN');
              await admin.query(`LOCK TABLE ${source} IN ACCESS EXCLUSIVE MODE`);
              try {
                await waitFor(async () => {
                  // inside this transaction pg_stat_activity is a cached snapshot: refresh it on every poll
                  await admin.query('SELECT pg_stat_clear_snapshot()');
                  return ((await admin.query(blockedReaders, [bench.database.name])).rowCount ?? 0) > 0;
                }, 10_000, 20);
                await admin.query('SELECT pg_stat_clear_snapshot()');
                const r = await admin.query<{ application_name: string }>(
                  `SELECT pg_terminate_backend(pid), application_name FROM (${blockedReaders}) b`, [bench.database.name]);
                cut = r.rows.map((x) => x.application_name);
              } finally {
                await admin.query('ROLLBACK');
              }
            })();
          },
        });
        await fault;
        note.push(`first run exit ${summary.exitCode}, ${summary.apps.ok} ok of ${summary.apps.total}`);
        await mark(summary.exitCode);
        expect(cut.length, 'a worker was cut while reading its documents').toBeGreaterThan(0);
        return await settle(db, summary, flags, 'worker read cut');
      } finally {
        await admin.end().catch(() => undefined);
      }
    });
  });

  it('a connection cut during COMMIT (outcome unknown) → processing_log is checked, the batch retried; exact after', async () => {
    let cut: string[] = [];
    const note: string[] = [];
    await recorded({ scenario: 'connection cut during COMMIT (commit-unknown)', dialect: 'postgres', seeds: [], get faults() { return cut.length; }, get note() { return note.join('; '); } }, async (db, mark) => {
      // a deferred constraint trigger makes one app's COMMIT sleep, so the cut lands inside COMMIT
      const marked = ref.appIds[57]!;
      const fn = `"${db.schema}".xm_faults_slow_commit`;
      await db.exec(`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$`);
      await db.exec(`CREATE CONSTRAINT TRIGGER xm_faults_slow_commit AFTER INSERT ON ${db.qualify('processing_log')} DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.app_id = ${marked}) EXECUTE FUNCTION ${fn}()`);
      try {
        const flags = { contract: bench.contract, target: db.url(), workers: '2', batchSize: '10', outageWaitSeconds: '30' };
        let running = true;
        let watcher: Promise<void> | null = null;
        const { summary } = await runProcessor(flags, {
          onStarted: () => {
            watcher = (async () => {
              const c = new pg.Client({ connectionString: db.url(), application_name: 'xm-faults-commit-cutter' });
              c.on('error', () => undefined);
              await c.connect();
              try {
                while (running && cut.length === 0) {
                  const r = await c.query<{ application_name: string }>(
                    `SELECT pg_terminate_backend(pid), application_name FROM pg_stat_activity
                      WHERE datname = $1 AND application_name LIKE 'xmlmigrate-w%' AND query = 'COMMIT' AND wait_event = 'PgSleep'`, [bench.database.name]);
                  cut = r.rows.map((x) => x.application_name);
                  await sleep(20);
                }
              } finally {
                await c.end().catch(() => undefined);
              }
            })();
          },
        }).finally(() => { running = false; });
        await watcher;
        note.push(`first run exit ${summary.exitCode}, ${summary.apps.ok} ok of ${summary.apps.total}; retries ${summary.retries}`);
        await mark(summary.exitCode);
        expect(cut.length, 'a worker was cut while its COMMIT was running').toBe(1);
        expect(summary.retries, 'the batch was retried after checking processing_log').toBeGreaterThanOrEqual(1);
        return await settle(db, summary, flags, 'commit cut');
      } finally {
        await db.exec(`DROP TRIGGER IF EXISTS xm_faults_slow_commit ON ${db.qualify('processing_log')}`);
        await db.exec(`DROP FUNCTION IF EXISTS ${fn}()`);
      }
    });
  });

  it('the server restarted mid-run → recovers or stops resumably; exact after', async () => {
    const note: string[] = [];
    await recorded({ scenario: 'PostgreSQL server restarted mid-run', dialect: 'postgres', seeds: [5101], faults: 1, get note() { return note.join('; '); } }, async (db, mark) => {
      const rng = new FaultRng(5101);
      const flags = { contract: bench.contract, target: db.url(), workers: '2', batchSize: '10', outageWaitSeconds: '60' };
      const startAt = rng.int(30, 120);
      let restart: Promise<void> | null = null;
      const { summary, log } = await runProcessor(flags, {
        onProgress: (done) => { if (!restart && done >= startAt) restart = server.restart(); },
      });
      await restart;
      note.push(`first run exit ${summary.exitCode}, ${summary.apps.ok} ok of ${summary.apps.total}; retries ${summary.retries}; circuit opened ${log.events.filter((e) => e.msg.startsWith('database unreachable')).length}×`);
      await mark(summary.exitCode);
      expect(restart, 'the restart happened mid-run').not.toBeNull();
      expect(await server.up()).toBe(true);
      return settle(db, summary, flags, 'restart');
    });
  });

  it('the server down longer than outageWaitSeconds 3 (programmatic) → exit 3 naming the outage; rerun completes exactly', async () => {
    const note: string[] = [];
    await recorded({ scenario: 'PostgreSQL down longer than outageWaitSeconds 3 (programmatic) → exit 3, rerun', dialect: 'postgres', seeds: [5301], faults: 1, get note() { return note.join('; '); } }, async (db) => {
      const rng = new FaultRng(5301);
      const flags = { contract: bench.contract, target: db.url(), workers: '2', batchSize: '10', outageWaitSeconds: '3' };
      const startAt = rng.int(30, 120);
      let stop: Promise<void> | null = null;
      let stoppedAt = 0;
      let run: Awaited<ReturnType<typeof runProcessor>>;
      try {
        run = await runProcessor(flags, {
          onProgress: (done) => { if (!stop && done >= startAt) { stoppedAt = Date.now(); stop = server.stop(); } },
        });
      } finally {
        await stop;
        await ensureUp();
      }
      const downFor = Date.now() - stoppedAt;
      const { summary, log } = run;
      expect(summary.exitCode, `stopped by ${summary.stoppedBy}`).toBe(3);
      expect(summary.stoppedBy).toMatch(new RegExp(`^fatal error: ${OUTAGE_REASON.source}$`));
      expect(log.events.some((e) => e.level === 'error' && e.msg === 'run stopped: database unreachable')).toBe(true);
      expect(downFor, 'gave up after about outageWaitSeconds, not after the much longer default').toBeLessThan(45_000);
      const logged = await expectNoHalfWrittenApp(db, bench.model, ref, 'programmatic outage: after exit 3');
      expect(logged).toBeLessThan(N);
      const again = await runProcessor(flags);
      expect(again.summary.exitCode).toBe(0);
      expect(again.summary.apps).toEqual({ total: N - logged, ok: N - logged, failed: 0, alreadyLogged: 0 });
      note.push(`exit 3 after ${(downFor / 1000).toFixed(1)} s down; ${logged} apps committed before, ${N - logged} by the rerun`);
      return expectExactlyReference(db, bench.model, ref, 'programmatic outage: after the rerun');
    });
  });

  it('the server down longer than --outage-wait 3 (CLI) → exit 3 naming the outage, nothing half-written; rerun completes exactly', async () => {
    const note: string[] = [];
    await recorded({ scenario: 'PostgreSQL down longer than --outage-wait 3 (CLI) → exit 3, rerun', dialect: 'postgres', seeds: [5201], faults: 1, get note() { return note.join('; '); } }, async (db) => {
      const rng = new FaultRng(5201);
      const args = runArgs(bench.contract, db.url(), ['--workers', '2', '--batch-size', '10', '--outage-wait', '3']);
      const proc = startCli(args, { detached: true });
      const atLogged = rng.int(30, 120);
      let out: CliOutcome | null = null;
      let downFor = 0;
      try {
        expect(await waitFor(async () => (await logCount(db)) >= atLogged, 240_000, 10)).toBe(true);
        const t0 = Date.now();
        await server.stop();
        // bounded: --outage-wait 3 plus bounded retries end the run before the default wait (60 s)
        // would; 45 s leaves room for a busy machine
        out = await Promise.race([proc.done, sleep(45_000).then(() => null)]);
        downFor = Date.now() - t0;
      } finally {
        try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* already gone */ }
        await ensureUp();
      }
      note.push(out ? `exit ${out.code} after ${(downFor / 1000).toFixed(1)} s down` : 'still running 45 s after the server went down (killed)');
      expect(out, 'the run was still waiting for the database 45 s after it went down (--outage-wait 3 not honoured?)').not.toBeNull();
      if (!out) throw new Error('unreachable');
      expect(out.code, `exit code; stdout: ${out.stdout}\nstderr: ${out.stderr}`).toBe(3);
      expect(downFor).toBeGreaterThanOrEqual(3000);
      expect(out.stdout).toMatch(new RegExp(`^run \\S+ stopped by fatal error: ${OUTAGE_REASON.source}`, 'm'));
      expect(out.stderr).toMatch(/"msg":"run stopped: database unreachable"/);
      expect(out.stderr).toMatch(OUTAGE_REASON);
      const logged = await expectNoHalfWrittenApp(db, bench.model, ref, 'outage: after exit 3');
      expect(logged).toBeLessThan(N);

      const again = await runCliAsync(args);
      expect(again.code, again.stderr).toBe(0);
      expect(FINISHED_LINE.exec(again.stdout)?.slice(1, 4)).toEqual([String(N - logged), '0', '0']);
      note.push(`${logged} apps committed before, ${N - logged} by the rerun`);
      return expectExactlyReference(db, bench.model, ref, 'outage: after the rerun');
    });
  });
});
