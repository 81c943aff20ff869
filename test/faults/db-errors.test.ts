/**
 * Issue 9, items 1, 2 and 5 — database errors, on PostgreSQL, through the built CLI:
 *
 * 1. one undecodable source row (0xFF in a SQL_ASCII database) fails its app alone at stage `read`,
 *    in both read modes and with --batch-size 1; app ids above 2^31 migrate; a live app_id column
 *    too narrow for the source is refused by the preflight; app_ids <= 0 are named, never pending;
 * 2. errors about the database are never recorded against an app: a missing privilege is refused
 *    by the preflight, a privilege revoked mid-run stops the run (exit 3, nothing logged failed),
 *    cancelled write statements and idle-session timeouts are retried, a read-only role stops;
 * 5. with the role's connection limit reached and the workers' sessions terminated, --outage-wait
 *    ends the run with exit 3 instead of cycling "unreachable"/"reachable again".
 *
 * Everything happens in a database and a role of this file's own (`xm_sqlascii_<pid>_<rand>`,
 * `xm_priv_<pid>_<rand>`), dropped in afterAll also when a test fails; the run connects as that
 * role, so role settings (connection limit, idle_session_timeout, read-only) touch nobody else.
 * Moments are made with locks, not timing: a session of the test holds processing_log in EXCLUSIVE
 * mode, so the workers' write transactions wait (seen in pg_stat_activity) until it lets go.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDocument } from '../../src/seed/generator.js';
import type { SchemaModel } from '../../src/db/schema-types.js';
import {
  PG_URL, type CliOutcome, loadSourceDocs, modelOfContract, productContract, recordResult, requireBuild, runArgs,
  runCliAsync, startCli, syntheticDocs, waitFor,
} from './fault-harness.js';

const TAG = `${process.pid}_${randomBytes(3).toString('hex')}`;
const DB = `xm_sqlascii_${TAG}`;
const ROLE = `xm_priv_${TAG}`;

/** URL of this file's database, as the superuser of PG_URL (set-up) or as ROLE (the runs). */
function dbUrl(user?: string): string {
  const u = new URL(PG_URL);
  u.pathname = `/${DB}`;
  if (user) { u.username = user; u.password = ''; }
  return u.toString();
}

let admin: pg.Pool | null = null;
let dir = '';
let created = false;

async function sql<T extends Record<string, unknown> = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await admin!.query(text, params)).rows as T[];
}

async function onServer(fn: (c: pg.Client) => Promise<void>): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  c.on('error', () => undefined);
  await c.connect();
  try { await fn(c); } finally { await c.end().catch(() => undefined); }
}

/** A target/source schema in DB with `docs` in its source table; ROLE may read and write it. */
interface Bench { schema: string; contract: string; model: SchemaModel; q: (t: string) => string }

async function bench(name: string, docs: readonly { appId: number; xml: string }[]): Promise<Bench> {
  const schema = `s_${name}`;
  const contract = productContract(dir, `contract-${name}.json`, schema);
  const model = await modelOfContract(contract);
  await loadSourceDocs(dbUrl(), model, docs.map((d) => ({ ...d, file: '' })));
  await sql(`GRANT USAGE ON SCHEMA "${schema}" TO "${ROLE}"`);
  await sql(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA "${schema}" TO "${ROLE}"`);
  // the claim tables: runs register, renew leases and hand back ranges there
  await sql(`GRANT UPDATE, DELETE ON "${schema}"."xmlmigrate_runs", "${schema}"."xmlmigrate_claims" TO "${ROLE}"`);
  return { schema, contract, model, q: (t) => `"${schema}"."${t}"` };
}

/** Empties the target tables and processing_log of a bench (the source stays). */
async function truncate(b: Bench): Promise<void> {
  await sql(`TRUNCATE ${[...b.model.tables, b.model.processingLog].map((t) => b.q(t.name)).join(', ')} CASCADE`);
}

async function log(b: Bench): Promise<{ appId: number; status: string; stage: string | null; reason: string | null }[]> {
  const rows = await sql(`SELECT app_id::text AS id, status, stage, failure_reason FROM ${b.q('processing_log')} ORDER BY app_id`);
  return rows.map((r) => ({ appId: Number(r['id']), status: String(r['status']), stage: (r['stage'] as string | null) ?? null, reason: (r['failure_reason'] as string | null) ?? null }));
}

async function appBaseIds(b: Bench): Promise<number[]> {
  return (await sql(`SELECT app_id::text AS id FROM ${b.q('app_base')} ORDER BY app_id`)).map((r) => Number(r['id']));
}

/** `run` as ROLE with a metrics file; returns the outcome and the summary (null when none was written). */
async function run(b: Bench, extra: readonly string[]): Promise<{ out: CliOutcome; metrics: Record<string, unknown> | null }> {
  const metricsFile = path.join(dir, `metrics-${randomBytes(4).toString('hex')}.json`);
  const out = await runCliAsync(runArgs(b.contract, dbUrl(ROLE), ['--metrics-out', metricsFile, ...extra]));
  let metrics: Record<string, unknown> | null = null;
  try { metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as Record<string, unknown>; } catch { /* none */ }
  return { out, metrics };
}

const text = (o: CliOutcome): string => `${o.stdout}\n${o.stderr}`;

/** Pids of ROLE's worker sessions waiting for a lock (a write held up by the test's lock). */
async function blockedWorkers(): Promise<{ pid: number; since: string }[]> {
  return (await sql<{ pid: number; since: string }>(
    `SELECT pid, query_start::text AS since FROM pg_stat_activity
      WHERE datname = $1 AND usename = $2 AND application_name LIKE 'xmlmigrate-w%' AND wait_event_type = 'Lock'`, [DB, ROLE]));
}

/** Holds processing_log of `b` in EXCLUSIVE mode (reads go on, inserts wait) until `release`. */
async function lockLog(b: Bench): Promise<{ release: () => Promise<void> }> {
  const c = await admin!.connect();
  await c.query('BEGIN');
  await c.query(`LOCK TABLE ${b.q('processing_log')} IN EXCLUSIVE MODE`);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      try { await c.query('COMMIT'); } finally { c.release(); }
    },
  };
}

describe('database errors (issue 9: items 1, 2, 5)', () => {
  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(path.join(tmpdir(), 'xm-dberrors-'));
    await onServer(async (c) => {
      await c.query(`CREATE DATABASE "${DB}" ENCODING 'SQL_ASCII' TEMPLATE template0`);
      created = true;
      await c.query(`CREATE ROLE "${ROLE}" LOGIN`);
    });
    admin = new pg.Pool({ connectionString: dbUrl(), max: 4, application_name: 'xm-dberrors-test' });
    admin.on('error', () => undefined);
  });

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await onServer(async (c) => {
      if (created) await c.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS "${ROLE}"`);
    });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('item 1: one row the database cannot return', () => {
    let b: Bench;
    const BAD = 30;
    beforeAll(async () => {
      b = await bench('read', syntheticDocs(60, 91));
      // the reproduction: a byte 0xFF inside one document of a SQL_ASCII database
      await sql(`UPDATE ${b.q('app_xml')} SET xml = convert_from(overlay(convert_to(xml, 'SQL_ASCII') placing '\\xff'::bytea from 200 for 0), 'SQL_ASCII') WHERE app_id = $1`, [BAD]);
    });

    for (const [label, extra] of [
      ['worker reads', ['--workers', '2', '--batch-size', '25']],
      ['worker reads, --batch-size 1', ['--workers', '2', '--batch-size', '1']],
      ['parent reads', ['--workers', '2', '--batch-size', '25', '--read-mode', 'parent']],
    ] as const) {
      it(`${label}: that app is logged failed at stage read with the server's reason, every other app lands, exit 1`, async () => {
        await truncate(b);
        const { out } = await run(b, extra);
        expect(out.code, text(out)).toBe(1);
        const rows = await log(b);
        expect(rows).toHaveLength(60);
        expect(rows.filter((r) => r.status !== 'success')).toEqual([{
          appId: BAD, status: 'failed', stage: 'read',
          reason: 'the database could not return this document: invalid byte sequence for encoding "UTF8": 0xff (code 22021)',
        }]);
        expect(await appBaseIds(b)).toEqual(syntheticDocs(60, 91).map((d) => d.appId).filter((id) => id !== BAD));
        recordResult({ scenario: `undecodable source row (0xFF, SQL_ASCII), ${label}`, dialect: 'postgres', seeds: [91], faults: 1, apps: 60, lost: 0, duplicated: 0, note: 'exit 1: 59 ok, app 30 failed at read' });
      });
    }
  });

  describe('item 1: 64-bit app ids and app ids of zero or below', () => {
    it('an app id above 2^31 migrates; an operator\'s processing_log with an int app_id is refused naming column and value', async () => {
      const big = 3_000_000_000;
      const b = await bench('big', [...syntheticDocs(4, 92), { appId: big, xml: generateDocument(big, 92, { targetBytes: 6000 }) }]);
      const first = await run(b, ['--workers', '1', '--batch-size', '10']);
      expect(first.out.code, text(first.out)).toBe(0);
      expect((await log(b)).map((r) => [r.appId, r.status])).toEqual([[1, 'success'], [2, 'success'], [3, 'success'], [4, 'success'], [big, 'success']]);
      expect(await appBaseIds(b)).toContain(big);
      // an operator's own processing_log, created with a 32-bit app_id
      await truncate(b);
      await sql(`ALTER TABLE ${b.q('processing_log')} ALTER COLUMN app_id TYPE integer`);
      const second = await run(b, ['--workers', '1']);
      expect(second.out.code, text(second.out)).toBe(2);
      expect(second.out.stderr).toContain(`${b.schema}.processing_log.app_id: integer cannot hold the source's app_id 3000000000 (its range ends at 2147483647): widen the column to bigint`);
      expect(await log(b)).toEqual([]);
    });

    it('source rows with app_id <= 0 are named by the preflight and status and logged failed, never left pending', async () => {
      const b = await bench('zero', syntheticDocs(3, 93));
      await sql(`INSERT INTO ${b.q('app_xml')} (app_id, xml) VALUES (0, $1), (-3, $2)`, [generateDocument(7, 93, { targetBytes: 6000 }), generateDocument(8, 93, { targetBytes: 6000 })]);
      const { out } = await run(b, ['--workers', '1']);
      expect(out.code, text(out)).toBe(1);
      expect(out.stderr).toContain(`${b.schema}.app_xml.app_id: 2 rows have an app_id of zero or below (e.g. -3, 0)`);
      const rows = await log(b);
      expect(rows.map((r) => [r.appId, r.status, r.stage])).toEqual([[-3, 'failed', 'validation'], [0, 'failed', 'validation'], [1, 'success', null], [2, 'success', null], [3, 'success', null]]);
      const status = await runCliAsync(['status', '--contract', b.contract, '--target', dbUrl(ROLE)]);
      expect(status.code, text(status)).toBe(0);
      expect(status.stdout).toContain('; 0 pending in app_xml');
      expect(status.stdout).toContain('2 rows have an app_id of zero or below (e.g. -3, 0)');
    });
  });

  describe('item 2: errors about the database are never recorded against an app', () => {
    let b: Bench;
    const N = 160;
    beforeAll(async () => { b = await bench('priv', syntheticDocs(N, 94)); });

    it('preflight: INSERT revoked on one target table → refused naming the table and the privilege, exit 2, nothing logged', async () => {
      await truncate(b);
      await sql(`REVOKE INSERT ON ${b.q('app_contact_address')} FROM "${ROLE}"`);
      try {
        const { out } = await run(b, ['--workers', '1']);
        expect(out.code, text(out)).toBe(2);
        expect(out.stderr).toContain(`${b.schema}.app_contact_address: the connecting user lacks INSERT (the run writes this table)`);
        expect(await log(b)).toEqual([]);
      } finally {
        await sql(`GRANT INSERT ON ${b.q('app_contact_address')} TO "${ROLE}"`);
      }
    });

    it('INSERT revoked mid-run → exit 3 naming the cause, zero apps logged failed; the rerun completes', async () => {
      await truncate(b);
      const lock = await lockLog(b);
      let revoke: Promise<unknown> | null = null;
      try {
        const cli = startCli(runArgs(b.contract, dbUrl(ROLE), ['--workers', '2', '--batch-size', '10']));
        expect(await waitFor(async () => (await blockedWorkers()).length > 0, 120_000, 50), 'a worker write waits for the lock').toBe(true);
        revoke = sql(`REVOKE INSERT ON ${b.q('app_base')} FROM "${ROLE}"`);
        await lock.release();
        await revoke;
        const out = await cli.done;
        expect(out.code, text(out)).toBe(3);
        expect(text(out)).toContain("the run's role lacks a privilege: permission denied for table app_base");
        expect(text(out)).toContain('no app was logged failed');
        const rows = await log(b);
        expect(rows.filter((r) => r.status !== 'success')).toEqual([]);
        expect(rows.length).toBeLessThan(N);
      } finally {
        await lock.release();
        await revoke?.catch(() => undefined);
        await sql(`GRANT INSERT ON ${b.q('app_base')} TO "${ROLE}"`);
      }
      const rerun = await run(b, ['--workers', '2', '--batch-size', '10']);
      expect(rerun.out.code, text(rerun.out)).toBe(0);
      const rows = await log(b);
      expect(rows).toHaveLength(N);
      expect(rows.every((r) => r.status === 'success')).toBe(true);
      recordResult({ scenario: 'INSERT revoked mid-run → exit 3, nothing failed; rerun', dialect: 'postgres', seeds: [94], faults: 1, apps: N, lost: 0, duplicated: 0 });
    });

    it('pg_cancel_backend on the write statements (57014) → retried, no app failed, no split', async () => {
      await truncate(b);
      const lock = await lockLog(b);
      const cancelled = new Set<string>();
      let cli;
      try {
        cli = startCli(runArgs(b.contract, dbUrl(ROLE), ['--workers', '2', '--batch-size', '1', '--retry-attempts', '10', '--metrics-out', path.join(dir, 'cancel.json')]));
        for (let i = 0; i < 4; i++) {
          let target: { pid: number; since: string } | undefined;
          const seen = await waitFor(async () => {
            target = (await blockedWorkers()).find((w) => !cancelled.has(`${w.pid}@${w.since}`));
            return target !== undefined;
          }, 120_000, 20);
          expect(seen, `blocked write statement #${i + 1}`).toBe(true);
          cancelled.add(`${target!.pid}@${target!.since}`);
          await sql('SELECT pg_cancel_backend($1)', [target!.pid]);
        }
      } finally {
        await lock.release();
      }
      const out = await cli.done;
      expect(out.code, text(out)).toBe(0);
      const rows = await log(b);
      expect(rows).toHaveLength(N);
      expect(rows.filter((r) => r.status !== 'success')).toEqual([]);
      const m = JSON.parse(readFileSync(path.join(dir, 'cancel.json'), 'utf8')) as { retries: number; splits: number };
      expect(m.retries).toBeGreaterThanOrEqual(4);
      expect(m.splits).toBe(0);
      recordResult({ scenario: 'pg_cancel_backend on write statements ×4', dialect: 'postgres', seeds: [94], faults: 4, apps: N, lost: 0, duplicated: 0, note: `exit 0; retries ${m.retries}, splits 0` });
    });

    it('idle_session_timeout on the role (57P05) → sessions ended by the server are retried, the run completes', async () => {
      const big = await bench('idle', syntheticDocs(40, 95, 1, 120_000));
      await sql(`ALTER ROLE "${ROLE}" IN DATABASE "${DB}" SET idle_session_timeout = '100ms'`);
      try {
        const { out } = await run(big, ['--workers', '2', '--batch-size', '10']);
        expect(out.code, text(out)).toBe(0);
        const rows = await log(big);
        expect(rows).toHaveLength(40);
        expect(rows.every((r) => r.status === 'success')).toBe(true);
      } finally {
        await sql(`ALTER ROLE "${ROLE}" IN DATABASE "${DB}" RESET idle_session_timeout`);
      }
    });

    it('a read-only role (25006) stops the run with exit 3 naming the cause; nothing logged failed', async () => {
      await truncate(b);
      await sql(`ALTER ROLE "${ROLE}" IN DATABASE "${DB}" SET default_transaction_read_only = on`);
      try {
        const { out } = await run(b, ['--workers', '1', '--batch-size', '20']);
        expect(out.code, text(out)).toBe(3);
        // the run's first write is its registration for claims (DELETE/INSERT on the claim tables) or a batch
        expect(text(out)).toMatch(/the database or transaction is read-only: cannot execute (INSERT|COPY FROM|DELETE|UPDATE) in a read-only transaction .*no app was logged failed/);
        expect(await log(b)).toEqual([]);
      } finally {
        await sql(`ALTER ROLE "${ROLE}" IN DATABASE "${DB}" RESET default_transaction_read_only`);
      }
    });
  });

  describe('item 5: the outage breaker counts the workers\' refused connections', () => {
    it('connection limit reached and workers terminated → exit 3 after about --outage-wait, nothing failed', async () => {
      const b = await bench('limit', syntheticDocs(200, 96));
      const lock = await lockLog(b);
      let cli;
      let releasedAt = 0;
      try {
        cli = startCli(runArgs(b.contract, dbUrl(ROLE), ['--workers', '2', '--batch-size', '10', '--outage-wait', '5']), { detached: true });
        expect(await waitFor(async () => (await blockedWorkers()).length > 0, 120_000, 50), 'a worker write waits for the lock').toBe(true);
        await sql(`ALTER ROLE "${ROLE}" CONNECTION LIMIT 1`);
        await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = $2 AND application_name LIKE 'xmlmigrate-w%'`, [DB, ROLE]);
      } finally {
        await lock.release();
        releasedAt = Date.now();
      }
      try {
        // without the fix the run cycles "unreachable" / "reachable again" for ever: give it 90 s
        const ended = await Promise.race([cli.done, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
        if (ended === null) { try { process.kill(-cli.pid, 'SIGKILL'); } catch { /* gone */ } }
        expect(ended, 'the run ended by itself').not.toBeNull();
        const out = ended!;
        const seconds = (Date.now() - releasedAt) / 1000;
        expect(out.code, text(out)).toBe(3);
        expect(text(out)).toContain('database unreachable for 5 s');
        expect(text(out)).toMatch(/too many connections for role/);
        expect(seconds).toBeLessThan(40);
        expect((await log(b)).filter((r) => r.status !== 'success')).toEqual([]);
        recordResult({ scenario: 'role connection limit reached, workers terminated, --outage-wait 5 → exit 3', dialect: 'postgres', seeds: [96], faults: 1, apps: 200, lost: 0, duplicated: 0, note: `exit 3 ${seconds.toFixed(1)} s after the workers lost their sessions` });
      } finally {
        await sql(`ALTER ROLE "${ROLE}" CONNECTION LIMIT -1`);
      }
    });
  });
});
