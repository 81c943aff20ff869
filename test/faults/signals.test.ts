/**
 * Scenario 3 — signals, on the built CLI. The first SIGINT/SIGTERM stops handing out work, lets the
 * in-flight batches commit, prints the summary and exits 130/143 with everything resumable; a second
 * signal aborts at once (workers are killed, open transactions roll back). In every case nothing is
 * half-written and running the same command again completes the job exactly.
 *
 * Ctrl-C reaches the whole foreground process group (the parent and its workers); `kill <pid>` reaches
 * the parent only; a service manager (systemd's default KillMode) signals every process of the group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanReference, expectExactlyReference, failureLine, expectNoHalfWrittenApp, groupMembers, logCount, recordResult, requireBuild, runArgs,
  runCliAsync, sleep, sqliteBench, startCli, syntheticDocs, waitFor, type Bench, type Reference,
} from './fault-harness.js';
import { FaultRng } from './prng.js';

const N = 400;
const STOPPED_LINE = (sig: string) => new RegExp(`^run \\S+ stopped by ${sig} in [\\d.]+ s — (\\d+) ok, 0 failed, 0 already logged`, 'm');
const FINISHED_LINE = /^run \S+ finished in [\d.]+ s — (\d+) ok, (\d+) failed, (\d+) already logged/m;

interface SignalCase {
  readonly name: string;
  readonly seed: number;
  /** Signals sent, in order, and to whom. */
  readonly send: readonly { readonly sig: NodeJS.Signals; readonly to: 'group' | 'parent'; readonly afterMs: number }[];
  readonly exitCode: number;
  /** The first signal drains and prints the summary; a second one aborts without it. */
  readonly summary: string | null;
}

const CASES: readonly SignalCase[] = [
  { name: 'SIGINT once to the process group (Ctrl-C)', seed: 4001, send: [{ sig: 'SIGINT', to: 'group', afterMs: 0 }], exitCode: 130, summary: 'SIGINT' },
  { name: 'SIGTERM to the parent (kill <pid>)', seed: 4002, send: [{ sig: 'SIGTERM', to: 'parent', afterMs: 0 }], exitCode: 143, summary: 'SIGTERM' },
  { name: 'SIGTERM to the whole group (service manager)', seed: 4003, send: [{ sig: 'SIGTERM', to: 'group', afterMs: 0 }], exitCode: 143, summary: 'SIGTERM' },
  {
    name: 'SIGINT twice (Ctrl-C, Ctrl-C): immediate exit', seed: 4004,
    send: [{ sig: 'SIGINT', to: 'group', afterMs: 0 }, { sig: 'SIGINT', to: 'group', afterMs: 30 }], exitCode: 130, summary: null,
  },
  {
    name: 'SIGTERM twice to the parent: immediate exit', seed: 4005,
    send: [{ sig: 'SIGTERM', to: 'parent', afterMs: 0 }, { sig: 'SIGTERM', to: 'parent', afterMs: 10 }], exitCode: 143, summary: null,
  },
];

describe('signals: drain on the first, abort on the second; always resumable', () => {
  let tmp: string;
  let bench: Bench;
  let ref: Reference;
  const done: { seed: number; lost: number; duplicated: number }[] = [];
  const errors: string[] = [];
  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-signals-'));
    bench = await sqliteBench(path.join(tmp, 'sqlite'), syntheticDocs(N, 6161));
    ref = await cleanReference(bench);
  });
  afterAll(() => {
    if (done.length + errors.length > 0) {
      recordResult({
        scenario: 'signals: SIGINT / SIGTERM once (drain), twice (abort), to parent or group; then rerun', dialect: 'sqlite',
        seeds: done.map((d) => d.seed), faults: CASES.reduce((s, c) => s + c.send.length, 0), apps: done.length * N,
        lost: done.reduce((s, d) => s + d.lost, 0), duplicated: done.reduce((s, d) => s + d.duplicated, 0),
        ...(errors.length > 0 ? { failed: errors.join('; ') } : {}),
      });
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it.each(CASES)('$name → exit $exitCode, nothing half-written, rerun completes exactly', async (c) => {
    try {
      await signalCase(c);
    } catch (err) {
      errors.push(`${c.name}: ${failureLine(err)}`);
      throw err;
    }
  });

  async function signalCase(c: SignalCase): Promise<void> {
    const rng = new FaultRng(c.seed);
    const db = await bench.fresh();
    const args = runArgs(bench.contract, db.url(), ['--workers', '2', '--batch-size', '10']);
    const proc = startCli(args, { detached: true });
    const atLogged = rng.int(40, 120);
    expect(await waitFor(async () => (await logCount(db)) >= atLogged, 60_000, 5), `${atLogged} apps logged`).toBe(true);
    await sleep(rng.int(0, 20));
    let lastSignalAt = 0;
    for (const s of c.send) {
      await sleep(s.afterMs);
      process.kill(s.to === 'group' ? -proc.pid : proc.pid, s.sig);
      lastSignalAt = Date.now();
    }
    const out = await proc.done;
    const afterLast = Date.now() - lastSignalAt;
    expect(out.code, `exit code; stderr: ${out.stderr}`).toBe(c.exitCode);
    expect(await waitFor(() => groupMembers(proc.pid).length === 0, 5000), 'no worker outlives the run').toBe(true);
    if (c.summary) {
      expect(out.stdout).toMatch(STOPPED_LINE(c.summary));
      expect(out.stderr).toMatch(new RegExp(`"signal":"${c.summary}".*"msg":"stopping: in-flight batches will commit"`));
    } else {
      expect(afterLast, 'the second signal ends the run at once').toBeLessThan(3000);
      expect(out.stderr).toMatch(/"msg":"second signal: aborting"/);
      expect(out.stdout, 'an aborted run prints no summary').not.toMatch(/stopped by|finished in/);
    }
    const logged = await expectNoHalfWrittenApp(db, bench.model, ref, `${c.name}: after the signal`);
    expect(logged, 'the run stopped early').toBeLessThan(N);
    if (c.summary) expect(Number(STOPPED_LINE(c.summary).exec(out.stdout)?.[1]), 'the summary counts what was committed').toBe(logged);

    const again = await runCliAsync(args);
    expect(again.code, again.stderr).toBe(0);
    expect(FINISHED_LINE.exec(again.stdout)?.slice(1, 4)).toEqual([String(N - logged), '0', '0']);
    done.push({ seed: c.seed, ...(await expectExactlyReference(db, bench.model, ref, `${c.name}: after the rerun`)) });
  }
});
