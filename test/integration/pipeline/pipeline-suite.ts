/**
 * The migration pipeline end to end through ProductionProcessor (forked workers from dist/), the same
 * cases for every database: each `*.test.ts` in this folder supplies a {@link PipelineDb} factory and
 * calls {@link definePipelineSuite}. The truth for "the rows an app must produce" is the DataMapper run
 * in this process; the database must hold exactly that multiset of rows, nothing more.
 *
 * Fixtures live in the repository: the example contract (contracts/credit-card.json), documents from the
 * product's generator and the hand-written ones in test/fixtures/documents (see `corpusDocs()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import type { SchemaModel } from '../../../src/db/schema-types.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';
import type { DataMapper } from '../../../src/mapping/data-mapper.js';
import {
  FRAGMENT_APP_ID, SMALL_APP_ID, WRONG_PRODUCT_LINE_APP_ID, allCounts, applySchema, checksum, corpusDocs, dbSnapshot, diffSnapshots,
  expectedFor, handDoc, loadSource, logRows, modelOf, onlyApps, requestId, requireBuild, runPipeline, snapshotCounts, withRequestId,
  writeContract,
  type Expected, type PipelineDb, type SourceDoc,
} from './pipeline-harness.js';

/** Documents in the corpus, and how many of them map (all but the fragment and the wrong product line). */
const TOTAL = 163;
const OK = TOTAL - 2;

/** Registers the pipeline cases for the database `makeDb()` returns. */
export function definePipelineSuite(makeDb: () => Promise<PipelineDb>): void {
  describe('pipeline', () => {
    let db: PipelineDb;
    let tmp: string;
    let contract: string;
    let model: SchemaModel;
    let mapper: DataMapper;
    let docs: SourceDoc[];
    let expected: Expected;
    let noPoolChecksum: string | null = null;
    const run = (flags: Record<string, unknown>) => runPipeline({ contract, target: db.url(), ...flags });

    beforeAll(async () => {
      requireBuild();
      db = await makeDb();
      tmp = mkdtempSync(path.join(tmpdir(), 'xm-pipe-contract-'));
      contract = writeContract(tmp, 'contract.json', db.schema);
      ({ model, mapper } = await modelOf(contract));
      docs = corpusDocs();
      expected = expectedFor(mapper, model, docs);
    });
    afterAll(async () => {
      await db?.dispose();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('corpus: 163 documents, 161 map, the fragment and the wrong product line fail validation; every table gets rows', () => {
      expect(docs).toHaveLength(TOTAL);
      expect(expected.ok).toHaveLength(OK);
      expect([...expected.failed].sort()).toEqual([[WRONG_PRODUCT_LINE_APP_ID, 'validation'], [FRAGMENT_APP_ID, 'validation']]);
      // The mapper reads the same app id as the source row carries (no mismatch hides in the corpus).
      for (const doc of docs) if (expected.ok.includes(doc.appId)) expect(requestId(doc.xml)).toBe(doc.appId);
      // Every data table of the contract is exercised, contacts and row creators with several rows per app.
      expect(Object.keys(expected.tables).sort()).toEqual(model.tables.map((t) => t.name).sort());
      for (const t of ['app_contact_base', 'app_contact_address', 'app_contact_employment', 'scores', 'app_historical_lookup']) {
        expect(expected.tables[t]?.length ?? 0, t).toBeGreaterThan(OK);
      }
      // Large documents are part of it (the generator's natural size model), not only small ones.
      expect(Math.max(...docs.map((x) => x.xml.length))).toBeGreaterThan(200_000);
    });

    describe('every corpus document', () => {
      beforeAll(async () => {
        await db.reset();
        await loadSource(db.url(), contract, docs);
      });

      it('--dry-run reads, parses and maps but writes nothing', async () => {
        const first40 = docs.slice(0, 40).map((x) => x.appId);
        const okIds = new Set(first40.filter((id) => expected.ok.includes(id)));
        const s = await run({ dryRun: true, limit: '40' });
        expect(s.dryRun).toBe(true);
        expect(s.apps).toEqual({ total: 40, ok: okIds.size, failed: 40 - okIds.size, alreadyLogged: 0 });
        expect(s.rowsByTable).toEqual(snapshotCounts(onlyApps(expected.tables, model, okIds)));
        const counts = await allCounts(db, model);
        expect(Object.values(counts).every((n) => n === 0), JSON.stringify(counts)).toBe(true);
      });

      it('a full run lands every app with exactly the rows the mapper produces; one processing_log row per app', async () => {
        const s = await run({ workers: '2', batchSize: '25' });
        expect(s.apps).toEqual({ total: TOTAL, ok: OK, failed: 2, alreadyLogged: 0 });
        expect(s.exitCode).toBe(1);
        expect(s.failuresByStage).toEqual({ validation: 2 });
        expect(s.failedApps.map((f) => f.appId).sort()).toEqual([WRONG_PRODUCT_LINE_APP_ID, FRAGMENT_APP_ID]);
        expect(s.rowsByTable).toEqual(snapshotCounts(expected.tables));
        // CPU figures: each worker that ran a batch reports its own (start-up included), the parent its own
        for (const w of Object.values(s.perWorker)) expect(w.cpuMs).toBeGreaterThan(0);
        expect(s.cpu.workersSeconds * 1000).toBeCloseTo(Object.values(s.perWorker).reduce((n, w) => n + w.cpuMs, 0), 3);
        expect(s.cpu.parentSeconds).toBeGreaterThan(0);
        expect(s.cpu.cores).toBeGreaterThanOrEqual(1);

        const snap = await dbSnapshot(db, model);
        expect(snap.emptyStrings).toEqual([]);
        expect(diffSnapshots(expected.tables, snap.tables)).toEqual({});

        const log = await logRows(db);
        expect(log.map((r) => r.appId)).toEqual(docs.map((x) => x.appId)); // exactly one row per app, ordered
        for (const r of log) {
          if (expected.ok.includes(r.appId)) expect(r, `app ${r.appId}`).toMatchObject({ status: 'success', stage: null, reason: null });
          else expect(r, `app ${r.appId}`).toMatchObject({ status: 'failed', stage: 'validation', reason: expect.stringMatching(/\S/) as unknown });
        }
        noPoolChecksum = await checksum(db, model);
      });

      it('a second run inserts nothing', async () => {
        const before = await allCounts(db, model);
        const sumBefore = await checksum(db, model);
        const s = await run({});
        expect(s.apps).toEqual({ total: 0, ok: 0, failed: 0, alreadyLogged: 0, loggedBefore: docs.length }); // every app already has its processing_log row
        expect(s.exitCode).toBe(0);
        expect(s.rowsByTable).toEqual({});
        expect(await allCounts(db, model)).toEqual(before);
        expect(await checksum(db, model)).toBe(sumBefore);
      });

      it('retry-failed clears the failed rows and a rerun processes exactly those apps again', async () => {
        const dataBefore = await dbSnapshot(db, model);
        const s0 = await openTarget(db.url(), model);
        try {
          expect(await s0.deleteFailedLog()).toBe(2);
          expect(await s0.countPending({})).toBe(2);
        } finally {
          await s0.close();
        }
        const logAfterClear = await logRows(db);
        expect(logAfterClear).toHaveLength(OK);
        expect(logAfterClear.every((r) => r.status === 'success')).toBe(true);

        const s = await run({ workers: '1' });
        expect(s.apps).toEqual({ total: 2, ok: 0, failed: 2, alreadyLogged: 0 });
        expect(s.failedApps.map((f) => f.appId).sort()).toEqual([WRONG_PRODUCT_LINE_APP_ID, FRAGMENT_APP_ID]);
        const log = await logRows(db);
        expect(log.map((r) => r.appId)).toEqual(docs.map((x) => x.appId));
        expect(log.filter((r) => r.status === 'failed').map((r) => [r.appId, r.stage])).toEqual([[WRONG_PRODUCT_LINE_APP_ID, 'validation'], [FRAGMENT_APP_ID, 'validation']]);
        expect((await dbSnapshot(db, model)).tables).toEqual(dataBefore.tables);
      });
    });

    describe('connection pooling', () => {
      beforeAll(async () => {
        await db.reset();
        await loadSource(db.url(), contract, docs);
      });

      it('pooling on gives the same data as pooling off (checksum of every table)', async () => {
        const s = await run({ pool: true, poolSize: '3', workers: '2', batchSize: '15' });
        expect(s.pool).toBe(true);
        expect(s.apps).toEqual({ total: TOTAL, ok: OK, failed: 2, alreadyLogged: 0 });
        expect(diffSnapshots(expected.tables, (await dbSnapshot(db, model)).tables)).toEqual({});
        expect(noPoolChecksum, 'the pool-off full run must have run first').not.toBeNull();
        expect(await checksum(db, model)).toBe(noPoolChecksum);
      });
    });

    describe('selecting apps: --limit, --app-id-start/--app-id-end, --shard', () => {
      let ids: number[];
      const logged = async () => new Set((await logRows(db)).map((r) => r.appId));
      /** Runs with `flags` and returns the app_ids it added to processing_log, sorted. */
      const added = async (flags: Record<string, unknown>) => {
        const before = await logged();
        const s = await run(flags);
        const now = [...(await logged())].filter((id) => !before.has(id)).sort((a, b) => a - b);
        return { s, now, before };
      };

      beforeAll(async () => {
        await db.reset();
        // The 40 smallest documents that map: selection does not depend on document size.
        const small = docs.filter((x) => expected.ok.includes(x.appId)).sort((a, b) => a.xml.length - b.xml.length).slice(0, 40)
          .sort((a, b) => a.appId - b.appId);
        ids = small.map((x) => x.appId);
        await loadSource(db.url(), contract, small);
      });

      it('--limit 7 takes the 7 lowest app_ids', async () => {
        const { s, now } = await added({ limit: '7', batchSize: '3' });
        expect(now).toEqual(ids.slice(0, 7));
        expect(s.apps).toMatchObject({ total: 7, ok: 7, failed: 0 });
      });

      it('--app-id-start/--app-id-end select the pending apps of the inclusive range', async () => {
        const lo = ids[5]!;
        const hi = ids[19]!;
        const { s, now, before } = await added({ appIdStart: String(lo), appIdEnd: String(hi), batchSize: '4' });
        const want = ids.filter((id) => id >= lo && id <= hi && !before.has(id));
        expect(want.length).toBe(13); // ids[7..19]: ids[5], ids[6] were taken by --limit
        expect(now).toEqual(want);
        expect(s.apps.total).toBe(want.length);
      });

      it('--shard 1/3 selects exactly app_id % 3 = 1 among the pending apps', async () => {
        const { s, now, before } = await added({ shard: '1/3' });
        const want = ids.filter((id) => id % 3 === 1 && !before.has(id));
        expect(want.length).toBeGreaterThan(0);
        expect(now).toEqual(want);
        expect(s.apps.total).toBe(want.length);
      });

      it('--shard, a range and --limit combine', async () => {
        const before0 = await logged();
        const pendingEven = ids.filter((id) => id % 2 === 0 && !(before0.has(id)));
        // A range that holds 3 pending even ids (a 4th lies beyond it), and a limit of 2.
        expect(pendingEven.length).toBeGreaterThanOrEqual(4);
        const hi = pendingEven[2]!;
        const { now, before } = await added({ shard: '0/2', appIdEnd: String(hi), limit: '2', batchSize: '1' });
        const want = ids.filter((id) => id % 2 === 0 && id <= hi && !before.has(id)).slice(0, 2);
        expect(want).toEqual(pendingEven.slice(0, 2));
        expect(now).toEqual(want);
      });

      it('the shards of a split cover the rest exactly once', async () => {
        const before = await logged();
        for (const k of [0, 1, 2]) {
          const { now, before: b } = await added({ shard: `${k}/3`, workers: '1' });
          expect(now).toEqual(ids.filter((id) => id % 3 === k && !b.has(id)));
        }
        const log = await logRows(db);
        expect(log.map((r) => r.appId)).toEqual(ids);
        expect(log.every((r) => r.status === 'success')).toBe(true);
        expect(before.size).toBeLessThan(ids.length);
        const snap = await dbSnapshot(db, model);
        expect(diffSnapshots(onlyApps(expected.tables, model, new Set(ids)), snap.tables)).toEqual({});
      });
    });

    describe('reading modes, a separate source database, concurrent runs', () => {
      let small: SourceDoc[];
      let smallExpected: Expected;
      let n = 0;

      beforeAll(() => {
        small = docs.filter((x) => expected.ok.includes(x.appId)).sort((a, b) => a.xml.length - b.xml.length).slice(0, 40)
          .sort((a, b) => a.appId - b.appId);
        smallExpected = expectedFor(mapper, model, small);
      });

      /** Runs the small set with `--read-mode mode` and checks the rows; returns the summary. */
      const runSmallWith = async (mode: 'worker' | 'parent') => {
        await db.reset();
        await loadSource(db.url(), contract, small);
        const s = await run({ readMode: mode, batchSize: '8' });
        expect(s.readMode).toBe(mode);
        expect(s.apps).toEqual({ total: 40, ok: 40, failed: 0, alreadyLogged: 0 });
        expect(diffSnapshots(smallExpected.tables, (await dbSnapshot(db, model)).tables)).toEqual({});
        return s;
      };

      it('--read-mode worker lands the same rows, and the workers read the documents themselves', async () => {
        const s = await runSmallWith('worker');
        // In worker mode each worker fetches its batch by app_id: that time is the workers' read phase.
        expect(s.phasesMs.workerRead, 'no worker ever read a document: --read-mode worker behaves like parent').toBeGreaterThan(0);
      });

      it('--read-mode parent lands the same rows, with the documents read by the parent and shipped to the workers', async () => {
        const s = await runSmallWith('parent');
        // the parent's reading dominates; a worker only waits on documents already in hand
        expect(s.phasesMs.sourceRead, JSON.stringify(s.phasesMs)).toBeGreaterThan(s.phasesMs.workerRead);
      });

      it('source in another database: every app lands once; a second run finds nothing pending', async () => {
        await db.reset();
        const source = `sqlite:${path.join(tmp, `source-${++n}.db`)}`;
        await loadSource(source, contract, small);
        await applySchema(db.url(), contract);
        const s = await run({ source, batchSize: '8' });
        expect(s.apps).toEqual({ total: 40, ok: 40, failed: 0, alreadyLogged: 0 });
        expect(diffSnapshots(smallExpected.tables, (await dbSnapshot(db, model)).tables)).toEqual({});
        expect((await logRows(db)).map((r) => r.appId)).toEqual(small.map((x) => x.appId));

        const before = await checksum(db, model);
        const again = await run({ source, batchSize: '8' });
        expect(again.apps.ok).toBe(0);
        expect(again.apps.failed).toBe(0);
        expect(again.exitCode).toBe(0);
        expect(await checksum(db, model)).toBe(before);
        expect(again.apps.total, 'apps.total counts already-logged apps as pending when the source is separate').toBe(0);
      });

      it('two runs at once on the same apps write every app exactly once', async () => {
        await db.reset();
        await loadSource(db.url(), contract, small);
        const [a, b] = await Promise.all([run({ workers: '1', batchSize: '5' }), run({ workers: '1', batchSize: '5' })]);
        expect(a.apps.failed + b.apps.failed).toBe(0);
        expect(a.apps.ok + b.apps.ok).toBe(40);
        const log = await logRows(db);
        expect(log.map((r) => r.appId)).toEqual(small.map((x) => x.appId));
        expect(log.every((r) => r.status === 'success')).toBe(true);
        expect(diffSnapshots(smallExpected.tables, (await dbSnapshot(db, model)).tables)).toEqual({});
      });
    });

    describe('broken documents mixed into batches', () => {
      let brokenContract: string;
      let good: SourceDoc[];
      let broken: SourceDoc[];
      let goodExpected: Expected;

      beforeAll(async () => {
        await db.reset();
        // Test-only contract edits (temp copies): campaign_num loses its default so a document without
        // one fails at the mapping stage (decision B8); the database's first_name column is narrowed to
        // varchar(20) (a preflight warning, not an error) so a longer name is rejected by the database.
        // The broken documents are variants of the hand-written test/fixtures/documents/small-app.xml.
        const noDefault = (c: MappingContract): MappingContract => ({
          ...c,
          mappings: c.mappings.map((m) => {
            if (m.target_table !== 'app_pricing_cc' || m.target_column !== 'campaign_num') return m;
            const { default_value: _dropped, ...rest } = m;
            return rest;
          }),
        });
        brokenContract = writeContract(tmp, 'broken-run.json', db.schema, noDefault);
        const schemaContract = writeContract(tmp, 'broken-schema.json', db.schema, (c) => {
          const n = noDefault(c);
          return { ...n, mappings: n.mappings.map((m) => (m.target_table === 'app_contact_base' && m.target_column === 'first_name' ? { ...m, data_length: 20 } : m)) };
        });
        const { model: bModel, mapper: bMapper } = await modelOf(brokenContract);
        const firstNameAt = bModel.tables.find((t) => t.name === 'app_contact_base')!.columns.findIndex((c) => c.name === 'first_name');

        // 20 small documents that map under the edited contract with first names that fit varchar(20).
        const candidates = docs.filter((x) => expected.ok.includes(x.appId)).sort((a, b) => a.xml.length - b.xml.length).slice(0, 60);
        const ex = expectedFor(bMapper, bModel, candidates);
        const tooLong = new Set((ex.tables['app_contact_base'] ?? []).map((r) => JSON.parse(r) as (string | null)[])
          .filter((r) => (r[firstNameAt] ?? '').length > 20).map((r) => Number(r[0])));
        good = candidates.filter((x) => ex.ok.includes(x.appId) && !tooLong.has(x.appId)).slice(0, 20).sort((a, b) => a.appId - b.appId);
        expect(good).toHaveLength(20);

        const base = handDoc('small-app');
        expect(base.appId).toBe(SMALL_APP_ID);
        for (const needle of ['late_payment_fee="$39"', 'first_name="ANA"', ' campaign_num="SPR24A"']) expect(base.xml).toContain(needle);
        const taken = new Set(good.map((x) => x.appId));
        const idAfter = (k: number): number => { let id = good[(2 * k + 1) % good.length]!.appId + 1; while (taken.has(id)) id++; taken.add(id); return id; };
        const mk = (k: number, file: string, expectStage: NonNullable<SourceDoc['expectStage']>, xml: (id: number) => string): SourceDoc => {
          const appId = idAfter(k);
          return { appId, xml: xml(appId), file, expectStage };
        };
        const cutAtTag = (x: string) => x.slice(0, x.indexOf('>', Math.floor(x.length / 2)) + 1);
        broken = [
          mk(0, 'truncated mid-text', 'validation', (id) => withRequestId(base.xml, id).slice(0, Math.floor(base.xml.length * 0.6))),
          mk(1, 'truncated after a tag', 'parsing', (id) => cutAtTag(withRequestId(base.xml, id))),
          mk(2, 'wrong root element', 'validation', () => '<Journals><Journal id="1"/></Journals>'),
          mk(3, 'unclosed attribute quote', 'parsing', (id) => withRequestId(base.xml, id).replace('campaign_num="SPR24A"', 'campaign_num="SPR24A')),
          mk(4, 'blank document', 'validation', () => '   \n  '),
          mk(5, 'document app id differs from the source app_id', 'validation', () => base.xml),
          mk(6, 'NOT NULL campaign_num without value or default', 'mapping', (id) => withRequestId(base.xml, id).replace(' campaign_num="SPR24A"', '')),
          mk(7, 'first_name longer than the database column', 'insert', (id) => withRequestId(base.xml, id).replace('first_name="ANA"', `first_name="${'L'.repeat(30)}"`)),
          mk(8, 'tinyint fee out of range (300)', 'insert', (id) => withRequestId(base.xml, id).replace('late_payment_fee="$39"', 'late_payment_fee="300"')),
        ];
        goodExpected = expectedFor(bMapper, bModel, good);
        expect(goodExpected.ok).toHaveLength(20);
        const all = [...good, ...broken].sort((a, b) => a.appId - b.appId);
        await loadSource(db.url(), schemaContract, all);
      });

      it('each broken app fails alone with its stage; its batch-mates land with exactly their rows', async () => {
        const s = await runPipeline({ contract: brokenContract, target: db.url(), workers: '2', batchSize: '10' });
        const failures = Object.fromEntries(broken.map((b) => [b.file, s.failedApps.find((f) => f.appId === b.appId)?.stage ?? 'NOT FAILED']));
        expect(failures).toEqual(Object.fromEntries(broken.map((b) => [b.file, b.expectStage])));
        expect(s.apps).toEqual({ total: 29, ok: 20, failed: 9, alreadyLogged: 0 });
        expect(s.failuresByStage).toEqual({ validation: 4, parsing: 2, mapping: 1, insert: 2 });
        expect(s.splits).toBeGreaterThan(0); // the insert failures were isolated by splitting their batch
        expect(s.exitCode).toBe(1);

        const log = await logRows(db);
        const byId = new Map(log.map((r) => [r.appId, r]));
        expect(log).toHaveLength(29);
        for (const g of good) expect(byId.get(g.appId), `good app ${g.appId}`).toMatchObject({ status: 'success', stage: null });
        for (const b of broken) expect(byId.get(b.appId), b.file).toMatchObject({ status: 'failed', stage: b.expectStage, reason: expect.stringMatching(/\S/) as unknown });
        expect(byId.get(broken[6]!.appId)?.reason).toContain('campaign_num');
        expect(byId.get(broken[7]!.appId)?.reason).toContain('app_contact_base');
        expect(byId.get(broken[8]!.appId)?.reason).toContain('card_late_fee');

        // Only the good apps' rows, exactly: nothing of a failed app is half-written.
        const { model: bModel } = await modelOf(brokenContract);
        const snap = await dbSnapshot(db, bModel);
        expect(snap.emptyStrings).toEqual([]);
        expect(diffSnapshots(goodExpected.tables, snap.tables)).toEqual({});
      });
    });
  });
}
