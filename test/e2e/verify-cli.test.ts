/**
 * `xmlmigrate verify` through the built CLI on SQLite (a temp file) and PostgreSQL (a schema of its own
 * in the test database, dropped afterwards): the shared suite (verify-suite.ts), plus the usage and
 * database errors with their exit codes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelOfContract, productContract, requireBuild, runCliAsync } from '../faults/fault-harness.js';
import { PG_URL, postgresDb, sqliteFileDb, type PipelineDb } from '../integration/pipeline/pipeline-harness.js';
import { verifySuite, type VerifyTarget } from './verify-suite.js';

describe('xmlmigrate verify (SQLite)', () => {
  let tmp: string;
  let target: VerifyTarget;
  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-verify-'));
    const contract = productContract(tmp, 'contract.json', 'dbo');
    const file = path.join(tmp, 'target.db');
    const db = sqliteFileDb(file);
    target = {
      url: `sqlite:${file}`, contract, model: await modelOfContract(contract),
      exec: (sql) => db.exec(sql), query: (sql) => db.query(sql), t: (name) => `"${name}"`, c: (name) => `"${name}"`,
    };
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  verifySuite(() => target);

  it('--source: documents in another database, as for run; without it there is nothing to verify against', async () => {
    const src = `sqlite:${path.join(tmp, 'source.db')}`;
    const tgt = `sqlite:${path.join(tmp, 'split-target.db')}`;
    const c = ['--contract', target.contract];
    expect((await runCliAsync(['seed', '--count', '40', '--seed', '5', ...c, '--target', src, '--apply-schema', '--no-progress'])).code).toBe(0);
    // one document that fails to parse: the run logs it failed, and a failed app without rows verifies
    await sqliteFileDb(path.join(tmp, 'source.db')).exec(`INSERT INTO "${target.model.source.name}" (app_id, "${target.model.sourceColumn}") VALUES (41, '<Provenir><Request')`);
    expect((await runCliAsync(['schema', ...c, '--target', tgt, '--apply'])).code).toBe(0);
    const run = await runCliAsync(['run', ...c, '--target', tgt, '--source', src, '--no-progress', '--workers', '1']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/— 40 ok, 1 failed/);
    const ok = await runCliAsync(['verify', ...c, '--target', tgt, '--source', src, '--no-progress', '--workers', '1']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^verify: all 41 apps match what the contract maps \(target sqlite:.*split-target\.db, source sqlite:.*source\.db\)$/m);
    // without --source, the target's own source table is empty: nothing to verify against (exit 2)
    const missing = await runCliAsync(['verify', ...c, '--target', tgt, '--no-progress', '--workers', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim()).toMatch(/^xmlmigrate: the source table app_xml of sqlite:.*split-target\.db has no documents: nothing to verify against \(if the documents live in another database, pass --source, as for run\)$/);
    // with --source, a part of the id space with no documents is refused too, and says so
    const beyond = await runCliAsync(['verify', ...c, '--target', tgt, '--source', src, '--no-progress', '--app-id-start', '5000']);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr.trim()).toMatch(/^xmlmigrate: the source table app_xml of sqlite:.*source\.db has no documents in the selected app_id range: nothing to verify against$/);
  });

  it('usage, contract, missing-table and database errors: one line, exit 2 or 3', async () => {
    const base = ['verify', '--contract', target.contract, '--no-progress'];
    const one = (r: { code: number | null; stdout: string; stderr: string }, code: number, pattern: RegExp): void => {
      expect(r.code, r.stderr).toBe(code);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines[0]).toMatch(pattern);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    };
    const help = await runCliAsync(['verify', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--sample <percent>', '--seed <n>', '--max-report <n>', '--json', 'logged success', 'Exit codes:', '  1    differences found']) expect(help.stdout).toContain(text);
    one(await runCliAsync([...base, '--target', target.url, '--sample', '0%']), 2, /^xmlmigrate: --sample: expected a percentage above 0 and at most 100/);
    one(await runCliAsync([...base, '--target', target.url, '--seed', '3']), 2, /^xmlmigrate: --seed: only with --sample$/);
    one(await runCliAsync([...base, '--target', target.url, '--workers', '0']), 2, /^xmlmigrate: --workers: must be an integer 1\.\.64/);
    one(await runCliAsync(['verify', '--contract', path.join(tmp, 'nope.json'), '--target', target.url, '--no-progress']), 2, /^xmlmigrate: .*nope\.json/);
    one(await runCliAsync([...base, '--target', `sqlite:${path.join(tmp, 'absent.db')}`]), 2, /^xmlmigrate: cannot connect to the target database .*absent\.db.*does not exist/);
    // nothing listens on port 1: the server cannot be reached
    one(await runCliAsync([...base, '--target', 'postgres://postgres@127.0.0.1:1/test?connect_timeout=5']), 3, /^xmlmigrate: cannot connect to the target database postgres:\/\/postgres@127\.0\.0\.1:1\/test/);
  });
});

describe('xmlmigrate verify (PostgreSQL)', () => {
  let tmp: string;
  let pg: PipelineDb;
  let target: VerifyTarget;
  beforeAll(async () => {
    requireBuild();
    tmp = mkdtempSync(path.join(tmpdir(), 'xm-verify-pg-'));
    // a schema of its own (the contract's target_schema), dropped by dispose()
    pg = await postgresDb();
    const contract = productContract(tmp, 'contract.json', pg.schema);
    target = {
      url: PG_URL, contract, model: await modelOfContract(contract),
      exec: (sql) => pg.exec(sql), query: (sql) => pg.query(sql), t: (name) => pg.qualify(name), c: (name) => `"${name}"`,
    };
  });
  afterAll(async () => {
    try {
      await pg?.dispose();
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  });
  verifySuite(() => target);
});
