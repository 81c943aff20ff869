/**
 * Scenario 5 — hostile documents (test/faults/hostile-corpus.ts, generated here) mixed into a normal
 * source: hostile app ids are every third id, so with batches of 10 each batch holds about three
 * hostile and seven good apps. Every good app lands with exactly the rows the DataMapper produces,
 * every hostile one has exactly one processing_log row with its expected outcome and precise reason,
 * the run goes on to the end (exit 1: some apps failed), no DTD or external entity is ever fetched or
 * read, and a 50 MB document does not blow up memory.
 *
 * SQLite runs through the built CLI so that the parent's peakRssMb (--metrics-out) and the workers'
 * peak RSS (/proc/<pid>/status VmHWM) are real; PostgreSQL runs the same corpus (without the 50 MB
 * document) in-process, plus a value too long for a live column narrower than the contract's.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaModel } from '../../src/db/schema-types.js';
import { loadContractFile } from '../../src/mapping/contract-loader.js';
import { DataMapper } from '../../src/mapping/data-mapper.js';
import { compilePlan } from '../../src/mapping/plan.js';
import type { RunSummary } from '../../src/observability/metrics.js';
import { generateDocument } from '../../src/seed/generator.js';
import {
  dbSnapshot, diffSnapshots, expectedFor, logRows, sqliteFileDb, type PipelineDb, type SourceDoc,
} from '../integration/pipeline/pipeline-harness.js';
import {
  failedTestNames, scratchDatabase, loadSourceDocs, modelOfContract, pgSchemaDb, productContract, recordResult, requireBuild, runArgs,
  runProcessor, startCli, watchPeakRss, type CliOutcome, type ScratchDatabase,
} from './fault-harness.js';
import { completeDoc, hostileCorpus, type HostileCase } from './hostile-corpus.js';

const SEED = 8181;
const BIG_DOC_BYTES = 50_000_000;
/** Sane bounds for a run whose largest document is 50 MB: the parent never holds documents (worker reads). */
const PARENT_RSS_LIMIT_MB = 200;
const WORKER_RSS_LIMIT_MB = 400;

interface Corpus {
  readonly good: SourceDoc[];
  readonly cases: HostileCase[];
  readonly all: SourceDoc[];
}

/**
 * Good documents on ids ≡ 0, 1 (mod 3), hostile ones on ids ≡ 2 (mod 3). `rawBytes`: the target can
 * hold source bytes that are not UTF-8 (SQLite); otherwise those cases are left out (a PostgreSQL
 * UTF8 database refuses them at insert).
 */
function buildCorpus(secretFile: string, port: number, bigDocBytes: number, rawBytes: boolean, extra: (nextId: () => number) => HostileCase[] = () => []): Corpus {
  let k = 0;
  const nextId = () => 3 * k++ + 2;
  const first = { appId: 1, xml: generateDocument(1, SEED, { targetBytes: 6000 }) };
  const cases = [...hostileCorpus(nextId, SEED, { secretFile, port }, first, bigDocBytes), ...extra(nextId)]
    .filter((c) => rawBytes || c.sourceBytes === undefined);
  const maxId = Math.max(...cases.map((c) => c.appId)) + 1;
  const hostile = new Set(cases.map((c) => c.appId));
  const good: SourceDoc[] = [{ ...first, file: 'good-1' }];
  for (let id = 2; id <= maxId; id++) {
    if (!hostile.has(id)) good.push({ appId: id, xml: generateDocument(id, SEED, { targetBytes: 6000 }), file: `good-${id}` });
  }
  const all = [...good, ...cases.map((c) => ({ appId: c.appId, xml: c.xml, file: c.name }))].sort((a, b) => a.appId - b.appId);
  return { good, cases, all };
}

/** Case-by-case differences between processing_log and the expectations (empty = all as expected). */
async function outcomeMismatches(db: PipelineDb, corpus: Corpus): Promise<string[]> {
  const log = new Map((await logRows(db)).map((r) => [r.appId, r]));
  const bad: string[] = [];
  for (const c of corpus.cases) {
    const r = log.get(c.appId);
    if (!r) { bad.push(`${c.name} (app ${c.appId}): no processing_log row`); continue; }
    const e = c.expect;
    if (e.status === 'success') {
      if (r.status !== 'success') bad.push(`${c.name} (app ${c.appId}): expected success, got ${r.status} [${r.stage}] ${r.reason}`);
    } else if (r.status !== 'failed' || r.stage !== e.stage || !e.reason.test(r.reason ?? '')) {
      bad.push(`${c.name} (app ${c.appId}): expected failed [${e.stage}] ${e.reason}, got ${r.status} [${r.stage}] ${r.reason}`);
    }
  }
  return bad;
}

/** Values the database must hold for hostile apps that land (NULL / truncated / kept literally). */
async function storedMismatches(db: PipelineDb, corpus: Corpus): Promise<string[]> {
  const bad: string[] = [];
  for (const c of corpus.cases) {
    if (c.expect.status !== 'success') continue;
    for (const s of c.expect.stored ?? []) {
      const rows = await db.query(`SELECT "${s.column}" AS v FROM ${db.qualify(s.table)} WHERE app_id = ${c.appId}`);
      const values = rows.map((r) => (r['v'] === null ? null : String(r['v'])));
      const ok = values.length > 0 && (s.anyRow ? values.includes(s.value) : values.every((v) => v === s.value));
      if (!ok) bad.push(`${c.name}: ${s.table}.${s.column} = ${JSON.stringify(values)}, expected ${JSON.stringify(s.value)}`);
    }
  }
  return bad;
}

/**
 * Apps lost (a good or documented-success app without its exact rows and a success row) and rows
 * duplicated (beyond what the mapper produces, or a second log row) for the results table.
 */
async function corpusDamage(db: PipelineDb, model: SchemaModel, mapper: DataMapper, corpus: Corpus): Promise<{ lost: number; duplicated: number }> {
  const successDocs = [...corpus.good, ...corpus.cases.filter((c) => c.expect.status === 'success').map((c) => ({ appId: c.appId, xml: c.xml, file: c.name }))];
  const expected = expectedFor(mapper, model, successDocs);
  const diff = diffSnapshots(expected.tables, (await dbSnapshot(db, model)).tables);
  const log = await logRows(db);
  const ok = new Set(log.filter((r) => r.status === 'success').map((r) => r.appId));
  const damaged = new Set<number>();
  for (const [name, d] of Object.entries(diff)) {
    const i = model.tables.find((t) => t.name === name)?.columns.findIndex((c) => c.name === 'app_id') ?? -1;
    for (const r of d.missing) damaged.add(Number((JSON.parse(r) as (string | null)[])[i]));
  }
  const lost = successDocs.filter((d) => !ok.has(d.appId) || damaged.has(d.appId)).length;
  const duplicated = Object.values(diff).reduce((n, d) => n + Math.max(0, d.actual - d.expected), 0) + Math.max(0, log.length - corpus.all.length);
  return { lost, duplicated };
}

/** Writes the exact source bytes of the cases that have them into a SQLite source table. */
function writeSourceBytes(file: string, model: SchemaModel, cases: readonly HostileCase[]): number {
  const sqlite = new Database(file);
  try {
    const update = sqlite.prepare(`UPDATE "${model.source.name}" SET "${model.sourceColumn}" = CAST(? AS TEXT) WHERE app_id = ?`);
    let n = 0;
    for (const c of cases) if (c.sourceBytes) n += update.run(c.sourceBytes, c.appId).changes;
    return n;
  } finally {
    sqlite.close();
  }
}

/** Raw terminal controls (ESC, BEL, C1 CSI) that must never reach a terminal. */
const RAW_CONTROLS = /[\u0007\u001b\u009b]/;

/** Every row of every table (data, processing_log) as text. */
async function everything(db: PipelineDb, model: SchemaModel): Promise<string> {
  const parts: string[] = [];
  for (const t of [...model.tables, model.processingLog]) parts.push(JSON.stringify(await db.query(`SELECT * FROM ${db.qualify(t.name)}`), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return parts.join('\n');
}

describe('hostile documents mixed into a normal source', () => {
  let tmp: string;
  let secretFile: string;
  let marker: string;
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-faults-hostile-'));
    marker = `XM-SECRET-${randomUUID()}`;
    secretFile = path.join(tmp, 'secret.txt');
    writeFileSync(secretFile, `${marker}\n`);
    server = createServer((socket) => { connections++; socket.destroy(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    port = addr.port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => { if (server) server.close(() => resolve()); else resolve(); });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('SQLite, through the CLI, with a 50 MB document', () => {
    let corpus: Corpus;
    let db: PipelineDb;
    let file: string;
    let model: SchemaModel;
    let mapper: DataMapper;
    let out: CliOutcome;
    let metrics: RunSummary;
    let peakKb = new Map<number, number>();
    let parentPid = 0;

    beforeAll(async () => {
      const contract = productContract(tmp, 'contract.json', 'dbo');
      model = await modelOfContract(contract);
      mapper = new DataMapper(compilePlan((await loadContractFile(contract)).contract));
      corpus = buildCorpus(secretFile, port, BIG_DOC_BYTES, true);
      file = path.join(tmp, 'hostile.db');
      await loadSourceDocs(`sqlite:${file}`, model, corpus.all);
      expect(writeSourceBytes(file, model, corpus.cases), 'invalid UTF-8 rows written').toBe(corpus.cases.filter((c) => c.sourceBytes).length);
      expect(corpus.cases.filter((c) => c.sourceBytes).length).toBeGreaterThan(0);
      db = sqliteFileDb(file);
      const metricsFile = path.join(tmp, 'metrics.json');
      const proc = startCli(runArgs(contract, `sqlite:${file}`, ['--workers', '2', '--batch-size', '10', '--metrics-out', metricsFile]), { detached: true });
      parentPid = proc.pid;
      const watched = await watchPeakRss(proc.pid, proc.done);
      out = watched.result;
      peakKb = watched.peakKb;
      metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as RunSummary;
    });

    it('the run goes on to the end: exit 1, every app counted', () => {
      expect(out.code, out.stderr).toBe(1);
      const failing = corpus.cases.filter((c) => c.expect.status === 'failed').length;
      expect(metrics.apps).toEqual({ total: corpus.all.length, ok: corpus.all.length - failing, failed: failing, alreadyLogged: 0 });
      expect(corpus.cases.some((c) => c.xml.length >= BIG_DOC_BYTES)).toBe(true);
    });

    it('every good app lands with exactly the rows the mapper produces; no row for any failed app', async () => {
      const successDocs = [...corpus.good, ...corpus.cases.filter((c) => c.expect.status === 'success').map((c) => ({ appId: c.appId, xml: c.xml, file: c.name }))];
      const expected = expectedFor(mapper, model, successDocs);
      expect([...expected.failed]).toEqual([]);
      expect(diffSnapshots(expected.tables, (await dbSnapshot(db, model)).tables)).toEqual({});
    });

    it('exactly one processing_log row per app: success for the good ones, the expected stage and reason for each hostile one', async () => {
      const log = await logRows(db);
      expect(log.map((r) => r.appId)).toEqual(corpus.all.map((d) => d.appId));
      const byId = new Map(log.map((r) => [r.appId, r]));
      expect(corpus.good.filter((g) => byId.get(g.appId)?.status !== 'success').map((g) => g.appId)).toEqual([]);
      expect(await outcomeMismatches(db, corpus)).toEqual([]);
    });

    it('hostile documents that land store what the product documents (NULL, truncated, literal text)', async () => {
      expect(await storedMismatches(db, corpus)).toEqual([]);
    });

    it('document text reaches the terminal with its controls escaped: run output and `status`', async () => {
      const esc = corpus.cases.find((c) => c.name.includes('ESC'));
      expect(esc, 'the ESC/BEL case is in the corpus').toBeDefined();
      expect(out.stdout + out.stderr).not.toMatch(RAW_CONTROLS);
      const contract = path.join(tmp, 'contract.json');
      const st = await startCli(['status', '--contract', contract, '--target', `sqlite:${file}`, '--last', '1000']).done;
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout + st.stderr).not.toMatch(RAW_CONTROLS);
      expect(st.stdout).toContain(`app ${esc!.appId} [parsing]`);
      expect(st.stdout).toContain('mismatched end tag </CustData\\u001b[31m\\u0007>, expected </CustData>');
      // the summary lists the first failures: where it shows this app, it shows it escaped
      if (out.stdout.includes(`app ${esc!.appId} [parsing]`)) expect(out.stdout).toContain('</CustData\\u001b[31m\\u0007>');
    });

    it('`map` on files: controls shown escaped, a file that is not UTF-8 fails at parsing as a source row would', async () => {
      const contract = path.join(tmp, 'contract.json');
      const esc = corpus.cases.find((c) => c.name.includes('ESC'))!;
      const bad = corpus.cases.find((c) => c.name.startsWith('invalid UTF-8 (0xFF)'))!;
      const escFile = path.join(tmp, 'esc.xml');
      const badFile = path.join(tmp, 'latin.xml');
      writeFileSync(escFile, esc.xml);
      writeFileSync(badFile, bad.sourceBytes!);
      const m = await startCli(['map', '--contract', contract, escFile, badFile]).done;
      expect(m.code, m.stderr).toBe(1);
      expect(m.stdout + m.stderr).not.toMatch(RAW_CONTROLS);
      expect(m.stdout).toContain('FAILED parsing: mismatched end tag </CustData\\u001b[31m\\u0007>');
      expect(m.stdout).toMatch(/FAILED parsing: invalid UTF-8: byte 0xFF in attribute first_name of <contact> \(line \d+, column \d+\)/);
    });

    it('no DTD or external entity is fetched or read: no connection, the marker appears nowhere', async () => {
      expect(connections, 'connections to the local HTTP listener').toBe(0);
      expect(await everything(db, model)).not.toContain(marker);
      expect(out.stdout + out.stderr).not.toContain(marker);
      for (const f of readdirSync(tmp).filter((x) => x.startsWith('hostile.db'))) {
        expect(readFileSync(path.join(tmp, f)).includes(Buffer.from(marker)), f).toBe(false);
      }
    });

    it(`memory stays bounded: parent < ${PARENT_RSS_LIMIT_MB} MB, each worker < ${WORKER_RSS_LIMIT_MB} MB`, () => {
      const workers = [...peakKb].filter(([pid]) => pid !== parentPid);
      const workerPeakMb = Math.max(...workers.map(([, kb]) => kb / 1024));
      expect(workers.length, 'worker processes were observed').toBeGreaterThanOrEqual(1);
      expect(metrics.peakRssMb, 'the parent (summary peakRssMb)').toBeLessThan(PARENT_RSS_LIMIT_MB);
      expect(workerPeakMb, 'the largest worker (VmHWM)').toBeLessThan(WORKER_RSS_LIMIT_MB);
    });

    afterAll(async ({}, suite) => {
      if (!corpus || !metrics) return;
      const failed = failedTestNames(suite);
      const workerPeakMb = Math.max(0, ...[...peakKb].filter(([pid]) => pid !== parentPid).map(([, kb]) => kb / 1024));
      recordResult({
        scenario: 'hostile documents (CLI, 50 MB document included)', dialect: 'sqlite', seeds: [SEED], faults: corpus.cases.length,
        apps: corpus.all.length, ...(await corpusDamage(db, model, mapper, corpus)),
        note: `${corpus.cases.filter((c) => c.expect.status === 'failed').length} hostile apps failed as expected, ${corpus.cases.filter((c) => c.expect.status === 'success').length} landed as documented; parent peak ${metrics.peakRssMb} MB, largest worker peak ${Math.round(workerPeakMb)} MB`,
        ...(failed.length > 0 ? { failed: failed.join('; ') } : {}),
      });
    });
  });

  describe('PostgreSQL, in-process, plus a value too long for a narrowed live column', () => {
    let corpus: Corpus;
    let db: PipelineDb;
    let model: SchemaModel;
    let mapper: DataMapper;
    let summary: RunSummary;
    let database: ScratchDatabase | undefined;

    beforeAll(async () => {
      database = await scratchDatabase('hostile');
      const url = database.url;
      const schema = 'xmf_hostile';
      const contract = productContract(tmp, 'contract-pg.json', schema);
      model = await modelOfContract(contract);
      mapper = new DataMapper(compilePlan((await loadContractFile(contract)).contract));
      corpus = buildCorpus(secretFile, port, 0, false, (nextId) => {
        const appId = nextId();
        return [{
          name: 'value too long for the live column (varchar(20), contract 50)', appId,
          xml: completeDoc(appId, SEED).replace(/(\smother_maiden_name=")[^"]*"/, `$1${'M'.repeat(35)}"`),
          expect: { status: 'failed', stage: 'insert', reason: /value too long for type character varying\(20\).*\(code 22001, table app_contact_base\)$/ },
          why: 'the database rejects it: the batch is split until the app is isolated',
        }];
      });
      db = pgSchemaDb(url, schema);
      await db.reset();
      await loadSourceDocs(url, model, corpus.all);
      // narrower than the contract's string(50): preflight warns (narrower-type), longer values fail their app
      await db.exec(`ALTER TABLE ${db.qualify('app_contact_base')} ALTER COLUMN mother_maiden_name TYPE varchar(20)`);
      const longest = Math.max(...corpus.good.map((g) => mapper.map(g.xml).tables.get('app_contact_base') ?? []).flat().map((r) => String(r['mother_maiden_name'] ?? '').length));
      expect(longest, 'no good document has a longer mother_maiden_name').toBeLessThanOrEqual(20);
      ({ summary } = await runProcessor({ contract, target: url, workers: '2', batchSize: '10' }));
    });
    afterAll(async () => { try { await db?.dispose(); } finally { await database?.drop(); } });

    it('the run goes on to the end (exit 1); every good app lands with exactly the mapper rows', async () => {
      expect(summary.exitCode).toBe(1);
      const successDocs = [...corpus.good, ...corpus.cases.filter((c) => c.expect.status === 'success').map((c) => ({ appId: c.appId, xml: c.xml, file: c.name }))];
      const expected = expectedFor(mapper, model, successDocs);
      expect(diffSnapshots(expected.tables, (await dbSnapshot(db, model)).tables)).toEqual({});
    });

    it('one processing_log row per app with the expected outcome; stored values as documented', async () => {
      const log = await logRows(db);
      expect(log.map((r) => r.appId)).toEqual(corpus.all.map((d) => d.appId));
      expect(await outcomeMismatches(db, corpus)).toEqual([]);
      expect(await storedMismatches(db, corpus)).toEqual([]);
    });

    it('nothing fetched or read', async () => {
      expect(connections).toBe(0);
      expect(await everything(db, model)).not.toContain(marker);
    });

    afterAll(async ({}, suite) => {
      if (!corpus || !summary) return;
      const failed = failedTestNames(suite);
      recordResult({
        scenario: 'hostile documents (in-process, + value too long for a narrowed column)', dialect: 'postgres', seeds: [SEED], faults: corpus.cases.length,
        apps: corpus.all.length, ...(await corpusDamage(db, model, mapper, corpus)),
        note: `${corpus.cases.filter((c) => c.expect.status === 'failed').length} hostile apps failed as expected, ${corpus.cases.filter((c) => c.expect.status === 'success').length} landed as documented`,
        ...(failed.length > 0 ? { failed: failed.join('; ') } : {}),
      });
    });
  });
});
