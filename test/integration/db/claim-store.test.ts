/**
 * The claim protocol (src/db/claim-store.ts) on real databases, SQLite (a temporary file, several
 * connections) and PostgreSQL (a schema of its own): claims are disjoint, ordered and sized by
 * pending apps over a sparse id space; racing claimers never share a range; a dead run's claims are
 * taken over once its lease has expired (expiry is made by moving its heartbeat back in the
 * database, not by waiting); a stopped run's claims are taken at once; a new round forgets old
 * claims; an old database without the claim tables gets a preflight error naming `schema --apply`,
 * which creates them without touching the others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimStore, readClaimStatus, type ChunkFinder, type Claim } from '../../../src/db/claim-store.js';
import { openTarget } from '../../../src/db/create-dialect.js';
import type { TargetSession } from '../../../src/db/dialect.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import type { SchemaModel } from '../../../src/db/schema-types.js';
import { smallContract } from './target-suite.js';

const PG_URL = process.env['PG_TEST_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REG = { host: 'test-host', pid: 1, processNs: null, workers: 2, leaseSeconds: 30 };

interface Harness {
  readonly url: string;
  readonly model: SchemaModel;
  /** Runs SQL directly (test set-up: moving heartbeats back, dropping tables). */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  qualify(table: string): string;
  cleanup(): Promise<void>;
}

/** Sparse app ids: gaps of every size, up to 2^53 − 1. */
const SPARSE = [3, 4, 9, 10, 11, 500, 501, 70_000, 70_001, 1_000_000, 1_000_003, 2 ** 40, 2 ** 40 + 7, 2 ** 52, Number.MAX_SAFE_INTEGER];

function defineClaimSuite(name: string, make: () => Promise<Harness>): void {
  describe(name, () => {
    let h: Harness;
    const sessions: TargetSession[] = [];
    const open = async (): Promise<TargetSession> => { const s = await openTarget(h.url, h.model); sessions.push(s); return s; };
    /** The next `size` source ids after `after` (what a run's pager asks for). */
    const finder = (src: TargetSession, size: number): ChunkFinder => async (after) => {
      const ids = await src.readSourceIds({ ...(after === null ? {} : { afterAppId: after }), limit: size, excludeLogged: true });
      return ids.length === 0 ? null : { first: ids[0]!, last: ids[ids.length - 1]!, count: ids.length };
    };
    const store = async (runId: string, scope = 'all'): Promise<ClaimStore> => new ClaimStore((await open()).claimDb(), h.model, runId, scope, Number.MIN_SAFE_INTEGER);
    const expire = (runId: string) => h.raw(`UPDATE ${h.qualify('xmlmigrate_runs')} SET heartbeat_at = ${name === 'SQLite' ? "'2000-01-01T00:00:00.000Z'" : "'2000-01-01T00:00:00Z'"} WHERE run_id = '${runId}'`);
    const clear = async () => {
      await h.raw(`DELETE FROM ${h.qualify('xmlmigrate_claims')}`);
      await h.raw(`DELETE FROM ${h.qualify('xmlmigrate_runs')}`);
    };

    beforeAll(async () => {
      h = await make();
      const s = await open();
      await s.applySchema({ includeSource: true });
      const r = await s.insertSource(SPARSE.map((appId) => ({ appId, xml: '<Provenir/>' })));
      expect(r.inserted).toBe(SPARSE.length);
    }, 120_000);
    afterAll(async () => {
      for (const s of sessions) await s.close();
      await h?.cleanup();
    });

    it('claims follow app_id order, hold n pending apps each however sparse the ids, and end when the source does', async () => {
      await clear();
      const src = await open();
      const a = await store('run-a');
      expect((await a.register(REG)).newRound).toBe(true);
      const got: Claim[] = [];
      for (let c = await a.claim(finder(src, 4)); c !== null; c = await a.claim(finder(src, 4))) got.push(c);
      expect(got.map((c) => [c.first, c.rangeEnd])).toEqual([[3, 10], [11, 70_000], [70_001, 2 ** 40], [2 ** 40 + 7, Number.MAX_SAFE_INTEGER]]);
      // ranges are contiguous and disjoint: each starts just past the one before
      expect(got[0]!.rangeStart).toBe(Number.MIN_SAFE_INTEGER);
      for (let i = 1; i < got.length; i++) expect(got[i]!.rangeStart).toBe(got[i - 1]!.rangeEnd + 1);
      expect(got.every((c) => c.takenFrom === null)).toBe(true);
      for (const c of got) expect(await a.complete(c.rangeStart)).toBe(true);
      expect(await a.othersOpen()).toBe(0);
      await a.finish('finished', SPARSE.length);
    });

    it('racing runs never claim the same range, and together claim every app', async () => {
      await clear();
      const stores = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id) => store(id)));
      for (const s of stores) await s.register(REG);
      const sources = await Promise.all(stores.map(() => open()));
      const claimed: Claim[] = [];
      const claimAll = async (s: ClaimStore, i: number) => {
        for (let c = await s.claim(finder(sources[i]!, 2)); c !== null; c = await s.claim(finder(sources[i]!, 2))) claimed.push(c);
      };
      if (name === 'PostgreSQL') {
        await Promise.all(stores.map(claimAll));
      } else {
        // SQLite's one writer blocks its thread while it waits (busy_timeout): connections of one
        // process cannot race; they take turns here (separate processes race in test/faults/multi-run.test.ts)
        const ended = new Set<number>();
        while (ended.size < stores.length) {
          for (const [i, s] of stores.entries()) {
            if (ended.has(i)) continue;
            const c = await s.claim(finder(sources[i]!, 2));
            if (c === null) ended.add(i); else claimed.push(c);
          }
        }
      }
      const sorted = [...claimed].sort((x, y) => x.rangeStart - y.rangeStart);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.rangeStart, 'no overlap').toBeGreaterThan(sorted[i - 1]!.rangeEnd);
      const covered = SPARSE.filter((id) => sorted.some((c) => c.rangeStart <= id && id <= c.rangeEnd));
      expect(covered).toEqual(SPARSE);
      expect(sorted).toHaveLength(Math.ceil(SPARSE.length / 2));
    }, 60_000);

    it('a run whose lease expired loses its claims to a live run; its late heartbeat and completion see that', async () => {
      await clear();
      const src = await open();
      const dead = await store('dead');
      const live = await store('live');
      await dead.register(REG);
      await live.register(REG);
      const c1 = await dead.claim(finder(src, 5));
      expect(c1).not.toBeNull();
      // the dead run's claim is not free while its lease runs: the live run claims past it
      const c2 = await live.claim(finder(src, 5));
      expect(c2!.rangeStart).toBe(c1!.rangeEnd + 1);
      expect(await live.othersOpen()).toBe(1);
      await expire('dead');
      const taken = await live.claim(finder(src, 5));
      expect(taken).toMatchObject({ rangeStart: c1!.rangeStart, rangeEnd: c1!.rangeEnd, first: c1!.first, takenFrom: 'dead' });
      // should the "dead" run come back, it finds the range gone and cannot mark it done
      expect((await dead.heartbeat(3)).has(c1!.rangeStart)).toBe(false);
      expect(await dead.complete(c1!.rangeStart)).toBe(false);
      expect(await live.complete(c1!.rangeStart)).toBe(true);
      const st = await readClaimStatus((await open()).claimDb(), h.model);
      expect(st.runs.find((r) => r.runId === 'dead')).toMatchObject({ live: true, appsDone: 3 }); // revived by its heartbeat
      expect(st.scopes.find((x) => x.scope === 'all')).toMatchObject({ done: 1, takeovers: 1 });
    });

    it('a stopped run hands its claims back at once; another run takes them without waiting for the lease', async () => {
      await clear();
      const src = await open();
      const a = await store('stopper');
      const b = await store('taker');
      await a.register(REG);
      await b.register(REG);
      const c = await a.claim(finder(src, 3));
      await a.finish('stopped', 0);
      const st = await readClaimStatus((await open()).claimDb(), h.model);
      expect(st.runs.find((r) => r.runId === 'stopper')).toMatchObject({ state: 'stopped', live: false });
      expect(st.scopes[0]).toMatchObject({ orphaned: 1 });
      expect(await b.claim(finder(src, 3))).toMatchObject({ rangeStart: c!.rangeStart, takenFrom: 'stopper' });
    });

    it('a run registering finds the runs of its own machine whose process is gone and frees their claims at once', async () => {
      await clear();
      const src = await open();
      const gone = await store('gone');
      const elsewhere = await store('elsewhere');
      await gone.register({ ...REG, pid: 4242, processNs: 'boot-1/pid:[1]' });
      await elsewhere.register({ ...REG, pid: 4243, processNs: 'boot-2/pid:[1]' });
      const c1 = await gone.claim(finder(src, 3));
      const c2 = await elsewhere.claim(finder(src, 3));
      const next = await store('next');
      // pid 4242 is dead in namespace boot-1; boot-2's pids mean nothing here: that run keeps its lease
      const reg = await next.register({ ...REG, pid: 99, processNs: 'boot-1/pid:[1]' }, (pid) => pid !== 4242);
      expect(reg).toEqual({ newRound: false, reaped: ['gone'] });
      expect(await next.claim(finder(src, 3))).toMatchObject({ rangeStart: c1!.rangeStart, takenFrom: 'gone' });
      const st = await readClaimStatus((await open()).claimDb(), h.model);
      expect(st.runs.find((r) => r.runId === 'gone')).toMatchObject({ state: 'expired', live: false });
      expect(st.runs.find((r) => r.runId === 'elsewhere')).toMatchObject({ state: 'running', live: true });
      expect(st.runs.find((r) => r.runId === 'elsewhere')!.claims).toEqual([{ first: c2!.first, last: c2!.rangeEnd, apps: 3 }]);
    });

    it('runs of different selections keep separate claims; a new round (no live run) forgets the old ones', async () => {
      await clear();
      const src = await open();
      const a = await store('round1', 'all');
      await a.register(REG);
      const first = await a.claim(finder(src, 100));
      expect(first!.rangeEnd).toBe(Number.MAX_SAFE_INTEGER);
      const other = await store('other-scope', 'shard 0/2');
      await other.register(REG);
      expect(await other.claim(finder(src, 100)), 'another scope starts from the beginning').toMatchObject({ rangeStart: Number.MIN_SAFE_INTEGER });
      await a.complete(first!.rangeStart);
      await a.finish('finished', SPARSE.length);
      // nothing left while the round lasts …
      const late = await store('late', 'all');
      await late.register(REG);
      await late.finish('finished', 0);
      // … but with no live run the next run starts over (apps retried since would be found again)
      await expire('late');
      const next = await store('round2', 'all');
      expect((await next.register(REG)).newRound).toBe(true);
      expect(await next.claim(finder(src, 100))).toMatchObject({ rangeStart: Number.MIN_SAFE_INTEGER, takenFrom: null });
    });

    it('a database without the claim tables: preflight names them and `schema --apply`; applying creates only them', async () => {
      const s = await open();
      await h.raw(`DROP TABLE ${h.qualify('xmlmigrate_claims')}`);
      await h.raw(`DROP TABLE ${h.qualify('xmlmigrate_runs')}`);
      const before = await h.raw(`SELECT COUNT(*) AS n FROM ${h.qualify('app_xml')}`);
      const problems = (await s.preflight({ claims: true })).filter((p) => p.severity === 'error');
      expect(problems.map((p) => [p.table, p.code])).toEqual([['xmlmigrate_runs', 'missing-table'], ['xmlmigrate_claims', 'missing-table']]);
      expect(problems[0]!.message).toMatch(/xmlmigrate schema --apply/);
      expect(problems[0]!.message).toMatch(/--no-claims/);
      expect((await s.preflight({ claims: false })).filter((p) => p.severity === 'error')).toEqual([]);
      await s.applySchema({ includeSource: true });
      expect((await s.preflight({ claims: true })).filter((p) => p.severity === 'error')).toEqual([]);
      expect(await h.raw(`SELECT COUNT(*) AS n FROM ${h.qualify('app_xml')}`)).toEqual(before);
    });
  });
}

defineClaimSuite('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xm-claims-'));
  const file = path.join(dir, 'claims.db');
  const model = buildSchemaModel(smallContract('main'));
  return {
    url: `sqlite:${file}`, model,
    raw(sql) {
      const d = new Database(file);
      try {
        const st = d.prepare(sql);
        return Promise.resolve(st.reader ? st.all() as Record<string, unknown>[] : (st.run(), []));
      } finally { d.close(); }
    },
    qualify: (t) => `"${t}"`,
    cleanup() { rmSync(dir, { recursive: true, force: true }); return Promise.resolve(); },
  };
});

defineClaimSuite('PostgreSQL', async () => {
  const schema = `xm_claims_${process.pid}_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  return {
    url: PG_URL, model: buildSchemaModel(smallContract(schema)),
    async raw(sql) { return (await client.query(sql)).rows as Record<string, unknown>[]; },
    qualify: (t) => `"${schema}"."${t}"`,
    async cleanup() {
      try { await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await client.end(); }
    },
  };
});
