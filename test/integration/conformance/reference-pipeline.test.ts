/**
 * Reference conformance of the whole pipeline: the reference system's (XmlConversion) CC contract and its
 * 166 real-world documents (median ≈ 130 KB, up to 2 MB) through ProductionProcessor on SQLite and
 * PostgreSQL. The database must hold exactly the rows the DataMapper produces (the mapper itself is
 * compared with the reference outputs by reference-map-cli.test.ts). Needs the reference fixtures
 * (XMLMIGRATE_FIXTURES, default ../shared/fixtures/xmlconversion; see test/fixtures-path.ts) and is
 * skipped, loudly, without them. The same cases on repository fixtures: test/integration/pipeline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../../src/db/create-dialect.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import type { SchemaModel } from '../../../src/db/schema-types.js';
import { loadContractFile } from '../../../src/mapping/contract-loader.js';
import type { DataMapper } from '../../../src/mapping/data-mapper.js';
import { HAVE_REFERENCE_FIXTURES, referencePath, referenceSuite } from '../../fixtures-path.js';
import {
  BLOAT_APP_ID, allCounts, checksum, dbSnapshot, diffSnapshots, expectedFor, loadSource, logRows, modelOf, postgresDb, referenceDocs,
  requireBuild, runPipeline, snapshotCounts, sqliteDb, writeContract, type Expected, type PipelineDb, type SourceDoc,
} from '../pipeline/pipeline-harness.js';

const WRONG_SCHEMA_APP_ID = 600000;

function defineReferencePipeline(name: string, makeDb: () => Promise<PipelineDb>): void {
  describe.skipIf(!HAVE_REFERENCE_FIXTURES)(referenceSuite(`reference conformance: the XmlConversion contract and documents through the pipeline on ${name}`), () => {
    let db: PipelineDb;
    let tmp: string;
    let contract: string;
    let model: SchemaModel;
    let mapper: DataMapper;
    let docs: SourceDoc[];
    let expected: Expected;

    beforeAll(async () => {
      requireBuild();
      db = await makeDb();
      tmp = mkdtempSync(path.join(tmpdir(), 'xm-ref-pipe-'));
      contract = writeContract(tmp, 'contract-cc.json', db.schema, (c) => c, referencePath('contract-cc.json'));
      ({ model, mapper } = await modelOf(contract));
      docs = referenceDocs();
      expected = expectedFor(mapper, model, docs);
    });
    afterAll(async () => {
      await db?.dispose();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('the CC contract schema applies and then preflights clean', async () => {
      await db.reset();
      const { contract: c } = await loadContractFile(contract);
      const s = await openTarget(db.url(), buildSchemaModel(c));
      try {
        const before = (await s.preflight()).filter((p) => p.code === 'missing-table').map((p) => p.table);
        expect(before).toEqual(expect.arrayContaining(model.tables.map((t) => t.name)));
        await s.applySchema({ includeSource: true });
        expect(await s.preflight()).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('166 documents, 164 map, bloat.xml and the wrong-schema one fail validation', () => {
      expect(docs).toHaveLength(166);
      expect(expected.ok).toHaveLength(164);
      expect([...expected.failed].sort()).toEqual([[WRONG_SCHEMA_APP_ID, 'validation'], [BLOAT_APP_ID, 'validation']]);
      expect(Object.keys(expected.tables)).toHaveLength(12);
    });

    it('a full run lands every app with exactly the rows the mapper produces, once; a second run inserts nothing', async () => {
      await db.reset();
      await loadSource(db.url(), contract, docs);
      const s = await runPipeline({ contract, target: db.url(), workers: '2', batchSize: '25' });
      expect(s.apps).toEqual({ total: 166, ok: 164, failed: 2, alreadyLogged: 0 });
      expect(s.failuresByStage).toEqual({ validation: 2 });
      expect(s.rowsByTable).toEqual(snapshotCounts(expected.tables));
      const snap = await dbSnapshot(db, model);
      expect(snap.emptyStrings).toEqual([]);
      expect(diffSnapshots(expected.tables, snap.tables)).toEqual({});
      const log = await logRows(db);
      expect(log.map((r) => r.appId)).toEqual(docs.map((x) => x.appId));
      expect(log.filter((r) => r.status === 'failed').map((r) => [r.appId, r.stage])).toEqual([[WRONG_SCHEMA_APP_ID, 'validation'], [BLOAT_APP_ID, 'validation']]);

      const counts = await allCounts(db, model);
      const sum = await checksum(db, model);
      const again = await runPipeline({ contract, target: db.url() });
      expect(again.apps).toEqual({ total: 0, ok: 0, failed: 0, alreadyLogged: 0, loggedBefore: docs.length });
      expect(await allCounts(db, model)).toEqual(counts);
      expect(await checksum(db, model)).toBe(sum);
    });
  });
}

describe('reference pipeline', () => {
  defineReferencePipeline('SQLite', () => Promise.resolve(sqliteDb()));
  defineReferencePipeline('PostgreSQL', postgresDb);
});
