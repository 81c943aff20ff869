/**
 * The built CLI end to end on SQLite: schema --apply, import, run (output, exit code, --metrics-out,
 * the rows it wrote), status, retry-failed, schema DDL per dialect, demo, and one-line usage errors
 * that never show a stack trace or a password. Fixtures: the example contract, generated documents and
 * the hand-written test/fixtures/documents (all in the repository).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaModel } from '../../src/db/schema-types.js';
import type { DataMapper } from '../../src/mapping/data-mapper.js';
import type { RunSummary } from '../../src/observability/metrics.js';
import {
  CONTRACT, CORPUS_SEED, DOCUMENTS, PG_URL, countRows, dbSnapshot, diffSnapshots, expectedFor, generatedDocs, handDoc, logRows, modelOf,
  requireBuild, snapshotCounts, sqliteFileDb, withRequestId, writeContract, writeDocs, type SourceDoc,
} from '../integration/pipeline/pipeline-harness.js';
import { ROOT, runCli, type CliResult } from './cli-run.js';

const FAILING_APP_ID = 999999;
const TABLES = ['app_base', 'app_contact_base', 'app_operational_cc', 'app_pricing_cc', 'app_transactional_cc',
  'app_contact_address', 'app_contact_employment', 'app_report_results_lookup', 'app_historical_lookup', 'scores', 'indicators'];
const SUMMARY_LINE = /^run \S+ finished in \d+\.\d\d s — (\d+) ok, (\d+) failed, (\d+) already logged \([\d,]+ apps\/min\)$/m;

/** A one-line usage/connection error: exit code, a single `xmlmigrate: …` line, no stack, nothing on stdout. */
function expectOneLineError(r: CliResult, codes: readonly number[], pattern: RegExp): void {
  expect(codes, `exit code ${r.code}; stderr: ${r.stderr}`).toContain(r.code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^xmlmigrate: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('xmlmigrate CLI end to end (SQLite)', () => {
  let tmp: string;
  let db: string;
  let target: string;
  const contract = CONTRACT;
  let model: SchemaModel;
  let mapper: DataMapper;
  let good: SourceDoc[];
  let failing: SourceDoc;
  let goodFiles: string[];
  const cli = (args: string[], opts: { timeoutMs?: number } = {}): CliResult => runCli(args, { cwd: tmp, ...opts });
  const readMetrics = (file: string): RunSummary => JSON.parse(readFileSync(file, 'utf8')) as RunSummary;

  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-e2e-run-'));
    db = path.join(tmp, 'target.db');
    target = `sqlite:${db}`;
    ({ model, mapper } = await modelOf(contract));
    // Five generated documents that map (files in a temp directory), plus one that maps but cannot be
    // stored: the hand-written small-app.xml with a tinyint fee of 300.
    good = generatedDocs([501, 502, 517, 530, 544], CORPUS_SEED);
    expect(expectedFor(mapper, model, good).ok).toHaveLength(5);
    goodFiles = writeDocs(path.join(tmp, 'docs'), good);
    const base = handDoc('small-app');
    expect(base.xml).toContain('late_payment_fee="$39"');
    failing = { appId: FAILING_APP_ID, file: 'fee-out-of-range.xml', xml: withRequestId(base.xml, FAILING_APP_ID).replace('late_payment_fee="$39"', 'late_payment_fee="300"') };
    writeFileSync(path.join(tmp, failing.file), failing.xml);
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('schema --apply creates every table, processing_log and the source table', () => {
    const r = cli(['schema', '--contract', contract, '--target', target, '--apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`schema applied to ${target}: created 15 tables (11 from the contract + processing_log + 2 claim tables + app_xml)`);
    expect(existsSync(db)).toBe(true);
  });

  it('import loads the documents, reports and skips the bad files (exit 1)', async () => {
    const r = cli(['import', '--contract', contract, '--target', target, ...goodFiles, path.join(tmp, failing.file),
      path.join(DOCUMENTS, 'fragment.xml')]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe('imported 6 documents into app_xml, 1 file(s) skipped');
    expect(r.stderr.trim()).toMatch(/fragment\.xml: skipped: validation: [^\n]+$/);
    const t = sqliteFileDb(db);
    const ids = (await t.query('SELECT app_id FROM "app_xml" ORDER BY app_id')).map((x) => Number(x['app_id']));
    expect(ids).toEqual([...good.map((x) => x.appId)].sort((a, b) => a - b).concat(FAILING_APP_ID));
    // importing again adds nothing
    const again = cli(['import', '--contract', contract, '--target', target, ...goodFiles]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('imported 0 documents into app_xml, 5 already present (use --replace to replace the documents of apps that have not migrated successfully)');
  });

  it('run with every app ok: exit 0, summary, --metrics-out, and exactly the mapper rows', async () => {
    const metrics = path.join(tmp, 'metrics-ok.json');
    const r = cli(['run', '--contract', contract, '--target', target, '--workers', '2', '--app-id-end', String(FAILING_APP_ID - 1),
      '--no-progress', '--metrics-out', metrics]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(SUMMARY_LINE);
    expect(SUMMARY_LINE.exec(r.stdout)?.slice(1, 4)).toEqual(['5', '0', '0']);
    expect(r.stdout).toContain(`target ${target} · 2 workers · batch 100 · dedicated connections`);
    expect(r.stdout).toMatch(/^rows written:$/m);
    expect(r.stdout).not.toMatch(/failures by stage/);

    const m = readMetrics(metrics);
    const expected = expectedFor(mapper, model, good);
    expect(m).toMatchObject({
      dialect: 'sqlite', target, workers: 2, batchSize: 100, pool: false, dryRun: false, exitCode: 0, stoppedBy: null,
      apps: { total: 5, ok: 5, failed: 0, alreadyLogged: 0 }, failuresByStage: {}, failedApps: [],
    });
    expect(m.rowsByTable).toEqual(snapshotCounts(expected.tables));
    expect(m.wallSeconds).toBeGreaterThan(0);
    expect(m.appsPerMinute).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(m.startedAt))).toBe(false);
    expect(Object.keys(m.phasesMs).sort()).toEqual(['parseMap', 'sourceRead', 'workerRead', 'write']);
    expect(Object.keys(m.perWorker).every((k) => ['1', '2'].includes(k))).toBe(true);
    expect(Object.values(m.perWorker).reduce((n, w) => n + w.ok, 0)).toBe(5);
    expect(m.peakRssMb).toBeGreaterThan(0);
    for (const [t, n] of Object.entries(m.rowsByTable)) expect(r.stdout).toMatch(new RegExp(`^  ${t}\\s+${n}$`, 'm'));

    const snap = await dbSnapshot(sqliteFileDb(db), model);
    expect(snap.emptyStrings).toEqual([]);
    expect(diffSnapshots(expected.tables, snap.tables)).toEqual({});
  });

  it('run with a failing app: exit 1, the failure in the summary and metrics, nothing of it written', async () => {
    const metrics = path.join(tmp, 'metrics-failed.json');
    const before = await dbSnapshot(sqliteFileDb(db), model);
    const r = cli(['run', '--contract', contract, '--target', target, '--workers', '2', '--no-progress', '--metrics-out', metrics]);
    expect(r.code, r.stderr).toBe(1);
    expect(SUMMARY_LINE.exec(r.stdout)?.slice(1, 4)).toEqual(['0', '1', '0']);
    expect(r.stdout).toMatch(/^failures by stage: insert 1$/m);
    expect(r.stdout).toMatch(new RegExp(`^  app ${FAILING_APP_ID} \\[insert\\] .*card_late_fee`, 'm'));
    const m = readMetrics(metrics);
    expect(m).toMatchObject({ exitCode: 1, apps: { total: 1, ok: 0, failed: 1, alreadyLogged: 0 }, failuresByStage: { insert: 1 }, rowsByTable: {} });
    expect(m.failedApps).toEqual([{ appId: FAILING_APP_ID, stage: 'insert', reason: expect.stringContaining('card_late_fee') as unknown }]);
    expect((await dbSnapshot(sqliteFileDb(db), model)).tables).toEqual(before.tables);
    const log = await logRows(sqliteFileDb(db));
    expect(log.map((x) => [x.appId, x.status, x.stage])).toEqual(
      [...good.map((x) => x.appId)].sort((a, b) => a - b).map((id) => [id, 'success', null]).concat([[FAILING_APP_ID, 'failed', 'insert']]));
  });

  it('status summarizes processing_log', () => {
    const r = cli(['status', '--contract', contract, '--target', target]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^processing_log: (5 success, 1 failed|1 failed, 5 success); 0 pending in app_xml$/);
    expect(lines[1]).toBe('failed by stage: insert 1');
    expect(lines[2]).toMatch(new RegExp(`^  app ${FAILING_APP_ID} \\[insert\\] \\d{4}-\\d\\d-\\d\\dT\\S+Z .*card_late_fee`));
  });

  it('retry-failed clears the failed app; the next run processes it again', () => {
    const r = cli(['retry-failed', '--contract', contract, '--target', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('cleared 1 failed app; the next run will process it again');
    const st = cli(['status', '--contract', contract, '--target', target]);
    expect(st.stdout.split('\n')[0]).toBe('processing_log: 5 success; 1 pending in app_xml');
    const again = cli(['run', '--contract', contract, '--target', target, '--workers', '1', '--no-progress']);
    expect(again.code).toBe(1);
    expect(SUMMARY_LINE.exec(again.stdout)?.slice(1, 4)).toEqual(['0', '1', '0']);
    const none = cli(['run', '--contract', contract, '--target', target, '--workers', '1', '--no-progress']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/^run \S+ finished in \d+\.\d\d s — nothing to do: all 6 selected apps are already logged \(xmlmigrate status\)$/m);
  });

  describe('schema --dialect prints the DDL', () => {
    const ddl = (dialect: string) => cli(['schema', '--contract', contract, '--dialect', dialect]);
    const created = (out: string, re: RegExp) => [...out.matchAll(re)].map((x) => x[1]).sort();
    const allTables = [...TABLES, 'processing_log', 'xmlmigrate_runs', 'xmlmigrate_claims', 'app_xml'].sort();

    it('postgres', () => {
      const r = ddl('postgres');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^CREATE SCHEMA IF NOT EXISTS "dbo";$/m);
      expect(created(r.stdout, /CREATE TABLE IF NOT EXISTS "dbo"\."(\w+)"/g)).toEqual(allTables);
      expect(r.stdout).toMatch(/numeric\(18,\d+\)/);
      expect(r.stdout).toMatch(/timestamp\(6\) without time zone/);
      expect(r.stdout).toMatch(/REFERENCES "dbo"\."app_base" \("app_id"\) ON DELETE CASCADE/);
    });

    it('mssql', () => {
      const r = ddl('mssql');
      expect(r.code, r.stderr).toBe(0);
      expect(created(r.stdout, /CREATE TABLE \[dbo\]\.\[(\w+)\]/g)).toEqual(allTables);
      expect(r.stdout).toMatch(/^GO$/m);
      expect(r.stdout).toMatch(/nvarchar\(max\)/);
      expect(r.stdout).toMatch(/decimal\(18,\d+\)/);
    });

    it('sqlite', () => {
      const r = ddl('sqlite');
      expect(r.code, r.stderr).toBe(0);
      expect(created(r.stdout, /CREATE TABLE IF NOT EXISTS "(\w+)"/g)).toEqual(allTables);
      expect(r.stdout).toMatch(/DECIMAL_TEXT\(18,\d+\)/);
      expect(r.stdout).not.toContain('dbo');
    });

    it('an unknown dialect is a one-line usage error', () => {
      expectOneLineError(ddl('oracle'), [2], /--dialect: expected one of mssql, postgres, sqlite \(got "oracle"\)/);
    });
  });

  it('demo seeds 30 documents into a new SQLite file and migrates them (exit 0)', async () => {
    const file = path.join(tmp, 'demo.db');
    const r = cli(['demo', '--db', file, '--count', '30', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^demo database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: schema applied, 30 synthetic documents seeded`, 'm'));
    expect(SUMMARY_LINE.exec(r.stdout)?.slice(1, 4)).toEqual(['30', '0', '0']);
    const log = await logRows(sqliteFileDb(file));
    expect(log).toHaveLength(30);
    expect(log.every((x) => x.status === 'success')).toBe(true);
    expect(await countRows(sqliteFileDb(file), 'app_base')).toBe(30);
  });

  describe('usage errors: one line, exit 2, no stack trace', () => {
    it('--workers 0', () => {
      expectOneLineError(cli(['run', '--contract', contract, '--target', target, '--workers', '0']), [2], /--workers: must be an integer 1\.\.64 \(got "0"\)/);
    });

    it('--shard 5/2', () => {
      expectOneLineError(cli(['run', '--contract', contract, '--target', target, '--shard', '5/2']), [2], /--shard: .*\(got "5\/2"\)/);
    });

    it('--target mysql://x', () => {
      expectOneLineError(cli(['run', '--contract', contract, '--target', 'mysql://x']), [2], /--target.*unsupported scheme "mysql:"/);
      expect(existsSync(path.join(tmp, 'xmlmigrate.db'))).toBe(false);
      expect(existsSync(path.join(ROOT, 'xmlmigrate.db'))).toBe(false);
    });

    it('a password in --target is never printed, not even in debug logs', () => {
      for (const args of [
        ['run', '--contract', contract, '--target', 'postgres://u:secret@127.0.0.1:1/db', '--log-level', 'debug', '--no-progress'],
        ['status', '--contract', contract, '--target', 'postgres://u:secret@127.0.0.1:1/db'],
      ]) {
        const r = cli(args);
        expect([2, 3], `${args[0]}: exit ${r.code}: ${r.stderr}`).toContain(r.code);
        expect(r.stdout + r.stderr).not.toContain('secret');
        expect(r.stderr).toContain('postgres://u:***@127.0.0.1:1/db');
        const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('xmlmigrate: '));
        expect(errorLines, r.stderr).toHaveLength(1);
        expect(r.stderr).not.toMatch(/^\s+at /m);
      }
    });

    it('a run that cannot go on reports at once, without waiting for workers still connecting', async () => {
      // a "database" that accepts connections and never answers: workers connecting to it hang
      const silent = net.createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as net.AddressInfo;
      try {
        // the workers can compile this contract (so they go on to connect); the parent's checks reject it
        // (a duplicate column)
        const c = JSON.parse(readFileSync(contract, 'utf8')) as { mappings: { target_table?: string; target_column?: string }[] };
        c.mappings.push({ ...c.mappings.find((m) => m.target_table === 'app_base' && m.target_column)! });
        const bad = path.join(tmp, 'duplicate-column.json');
        writeFileSync(bad, JSON.stringify(c));
        const r = cli(['run', '--contract', bad, '--target', `postgres://u@127.0.0.1:${port}/db`, '--workers', '2', '--no-progress'], { timeoutMs: 30_000 });
        expect(r.code, `killed after 30 s? stderr: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/^xmlmigrate: invalid mapping contract \S*duplicate-column\.json: 1 error/);
        expect(r.stderr).toMatch(/is already mapped by mappings\[0\]/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
      } finally {
        silent.close();
      }
    });
  });
});

describe('a password in a working PostgreSQL target URL', () => {
  const password = 'xm-e2e-S3cret-pw';
  const schema = `xm_e2e_pw_${process.pid}_${Date.now().toString(36)}`;
  let tmp: string;
  let url: string;
  let contract: string;

  beforeAll(() => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-e2e-pw-'));
    contract = writeContract(tmp, 'contract.json', schema);
    const u = new URL(PG_URL);
    u.password = password; // the local server trusts 127.0.0.1: any password is accepted
    url = u.toString();
  });
  afterAll(async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('never reaches stdout, stderr, the log file or the --metrics-out file', () => {
    const files = writeDocs(path.join(tmp, 'docs'), [...generatedDocs([701], CORPUS_SEED), handDoc('small-app')]);
    const metrics = path.join(tmp, 'metrics.json');
    const logFile = path.join(tmp, 'run.log');
    const outputs: string[] = [];
    for (const args of [
      ['schema', '--contract', contract, '--target', url, '--apply'],
      ['import', '--contract', contract, '--target', url, ...files],
      ['run', '--contract', contract, '--target', url, '--workers', '1', '--no-progress', '--log-level', 'debug', '--log-file', logFile, '--metrics-out', metrics],
      ['status', '--contract', contract, '--target', url],
    ]) {
      const r = runCli(args, { cwd: tmp });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    expect(outputs.join('\n')).toContain(':***@');
    expect(outputs.join('\n')).not.toContain(password);
    expect(readFileSync(logFile, 'utf8')).not.toContain(password);
    // the worker's own lines (its logger is loaded only for --log-file) carry runId, workerId, batchId
    const workerLines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'batch done');
    expect(workerLines.length).toBeGreaterThan(0);
    expect(workerLines[0]).toMatchObject({ workerId: 1, batchId: expect.any(Number), runId: expect.any(String) });
    const m = readFileSync(metrics, 'utf8');
    expect((JSON.parse(m) as RunSummary).apps).toMatchObject({ total: 2, ok: 2, failed: 0 });
    expect(m.includes(password), `the metrics file shows the password: ${m.split('\n').find((l) => l.includes(password)) ?? ''}`).toBe(false);
  });
});
