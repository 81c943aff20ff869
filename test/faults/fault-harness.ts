/**
 * Shared machinery of the fault-injection suite (test/faults): seeded synthetic source data in
 * SQLite files and PostgreSQL schemas, clean reference runs, the programmatic processor with hooks for
 * killing workers, the built CLI in its own process group, a throwaway PostgreSQL server for the tests that
 * stop or restart one, and the checks
 * every scenario ends with — "exactly the rows of a clean run, one processing_log row per app" and
 * "nothing half-written".
 *
 * Everything runs against the built code for workers (dist/), like the pipeline tests; run
 * `npm run build` first. Documents come from the product's own generator (src/seed/generator.ts) and
 * contract (contracts/credit-card.json); no fixture is needed.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { resolveRunConfig } from '../../src/cli/config.js';
import type { ParallelCoordinator } from '../../src/coordinator/parallel-coordinator.js';
import { openTarget } from '../../src/db/create-dialect.js';
import { buildSchemaModel } from '../../src/db/schema-model.js';
import type { SchemaModel } from '../../src/db/schema-types.js';
import type { MappingContract } from '../../src/mapping/contract-types.js';
import { loadContractFile } from '../../src/mapping/contract-loader.js';
import type { Logger } from '../../src/observability/logger.js';
import type { RunSummary } from '../../src/observability/metrics.js';
import { ProductionProcessor } from '../../src/processor/production-processor.js';
import { generateDocument } from '../../src/seed/generator.js';
import {
  PG_URL, ROOT, WORKER_SCRIPT, allCounts, checksum, dbSnapshot, diffSnapshots, logRows, onlyApps, sqliteFileDb,
  type PipelineDb, type Snapshot, type SourceDoc,
} from '../integration/pipeline/pipeline-harness.js';

export { PG_URL, ROOT, WORKER_SCRIPT };

const execFileP = promisify(execFile);

/** The product's example contract (the generator writes documents for it). */
export const PRODUCT_CONTRACT = path.join(ROOT, 'contracts', 'credit-card.json');
/** The built CLI. */
export const CLI = path.join(ROOT, 'bin', 'xmlmigrate.js');

/** Throws unless `npm run build` has produced the worker script and the CLI's code. */
export function requireBuild(): void {
  for (const f of [WORKER_SCRIPT, path.join(ROOT, 'dist', 'cli', 'main.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
}

/** Writes a copy of the product contract with `target_schema` set (and any other edit) into `dir`. */
export function productContract(dir: string, name: string, schema: string, edit: (c: MappingContract) => MappingContract = (c) => c): string {
  mkdirSync(dir, { recursive: true });
  const raw = JSON.parse(readFileSync(PRODUCT_CONTRACT, 'utf8')) as MappingContract;
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(edit({ ...raw, target_schema: schema }), null, 2));
  return file;
}

/** The schema model of a contract file. */
export async function modelOfContract(file: string): Promise<SchemaModel> {
  return buildSchemaModel((await loadContractFile(file)).contract);
}

/**
 * `n` synthetic documents (app ids `start`..`start+n-1`) from the product's generator with `seed`.
 * `targetBytes` keeps them small (≈ 11 KB: the generator's floor) so a run takes well under a second.
 */
export function syntheticDocs(n: number, seed: number, start = 1, targetBytes = 6000): SourceDoc[] {
  const out: SourceDoc[] = [];
  for (let i = 0; i < n; i++) {
    const appId = start + i;
    out.push({ appId, xml: generateDocument(appId, seed, { targetBytes }), file: `generated-${seed}-${appId}.xml` });
  }
  return out;
}

/** Applies the schema (with the source table) and inserts `docs` into the source table. */
export async function loadSourceDocs(url: string, model: SchemaModel, docs: readonly SourceDoc[]): Promise<void> {
  const s = await openTarget(url, model);
  try {
    await s.applySchema({ includeSource: true });
    let chunk: { appId: number; xml: string }[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const r = await s.insertSource(chunk);
      if (r.skipped !== 0) throw new Error(`insertSource skipped ${r.skipped} documents`);
      chunk = [];
      bytes = 0;
    };
    for (const d of docs) {
      chunk.push({ appId: d.appId, xml: d.xml });
      bytes += d.xml.length;
      if (chunk.length >= 100 || bytes > 8_000_000) await flush();
    }
    await flush();
  } finally {
    await s.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Benches: one source data set on one database, handing out fresh (empty) targets.

/** One data set on one database. `fresh()` gives an empty target with the source loaded. */
export interface Bench {
  readonly dialect: 'sqlite' | 'postgres' | 'mssql';
  readonly contract: string;
  readonly model: SchemaModel;
  readonly docs: readonly SourceDoc[];
  readonly appIds: readonly number[];
  /** An empty target (no data, no processing_log rows) with every document in the source table. */
  fresh(): Promise<PipelineDb>;
  dispose(): Promise<void>;
}

/** SQLite: the source is loaded once into a template file; every fresh() is a copy of it. */
export async function sqliteBench(dir: string, docs: readonly SourceDoc[], contract?: string): Promise<Bench> {
  mkdirSync(dir, { recursive: true });
  const contractFile = contract ?? productContract(dir, 'contract.json', 'dbo');
  const model = await modelOfContract(contractFile);
  const template = path.join(dir, 'template.db');
  await loadSourceDocs(`sqlite:${template}`, model, docs);
  let n = 0;
  return {
    dialect: 'sqlite', contract: contractFile, model, docs, appIds: docs.map((d) => d.appId).sort((a, b) => a - b),
    fresh() {
      const file = path.join(dir, `target-${++n}.db`);
      copyFileSync(template, file);
      return Promise.resolve(sqliteFileDb(file));
    },
    dispose: () => Promise.resolve(),
  };
}

/** Target URL of a SQLite PipelineDb (`sqlite:/path`), as a file path. */
export function sqliteFile(db: PipelineDb): string {
  return db.url().replace(/^sqlite:/, '');
}

/** A database of its own on a PostgreSQL server, created for one test file and dropped afterwards. */
export interface ScratchDatabase {
  /** Its name (`xmf_<tag>_<pid>_<random>`). */
  readonly name: string;
  /** URL of the database (the server URL with its name as the path). */
  readonly url: string;
  /** Ends the sessions still in it and drops it (idempotent). */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database on the server of `serverUrl` (default: the machine's test server,
 * PG_URL): terminating "every xmlmigrate session" there touches no other test, and dropping it removes
 * everything the test made. Nothing else on that server is changed.
 */
export async function scratchDatabase(tag: string, serverUrl = PG_URL): Promise<ScratchDatabase> {
  const name = `xmf_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`scratchDatabase: tag ${JSON.stringify(tag)} must be lower-case letters, digits and _`);
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: serverUrl, application_name: 'xm-faults-admin', connectionTimeoutMillis: 30_000 });
    c.on('error', () => undefined);
    await c.connect();
    try { return await fn(c); } finally { await c.end().catch(() => undefined); }
  };
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  let dropped = false;
  return {
    name, url: u.toString(),
    async drop() {
      if (dropped) return;
      // WITH (FORCE) ends the sessions still connected to this database (PostgreSQL 13+)
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      dropped = true;
    },
  };
}

/** A PipelineDb on one schema of `url`, through a small pool that survives server restarts. */
export function pgSchemaDb(url: string, schema: string): PipelineDb {
  const pool = new pg.Pool({
    connectionString: url, max: 2, options: '-c TimeZone=UTC', application_name: 'xm-faults-harness',
    types: { getTypeParser: () => (v: string) => v } as unknown as typeof pg.types,
  });
  pool.on('error', () => undefined); // idle clients dropped by a restart: the next query reconnects
  const drop = async () => { await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); };
  return {
    dialect: 'postgres', schema, url: () => url, reset: drop,
    async query(sql) { return (await pool.query(sql)).rows as Record<string, unknown>[]; },
    async exec(sql) { await pool.query(sql); },
    qualify: (t) => `"${schema}"."${t}"`,
    async dispose() { try { await drop(); } finally { await pool.end(); } },
  };
}

/**
 * PostgreSQL: a database of its own ({@link scratchDatabase}) on the server of `serverUrl` (default:
 * the machine's test server; a {@link ThrowawayPg} for tests that stop or restart the server); fresh()
 * truncates the target tables (the source stays); dispose() drops the database.
 */
export async function postgresBench(dir: string, docs: readonly SourceDoc[], tag: string, serverUrl = PG_URL): Promise<Bench & { readonly database: ScratchDatabase }> {
  const database = await scratchDatabase(tag, serverUrl);
  try {
    const url = database.url;
    const schema = `xmf_${tag}`;
    const contractFile = productContract(dir, `contract-${database.name}.json`, schema);
    const model = await modelOfContract(contractFile);
    const db = pgSchemaDb(url, schema);
    await loadSourceDocs(url, model, docs);
    const targets = [...model.tables, model.processingLog].map((t) => db.qualify(t.name)).join(', ');
    return {
      dialect: 'postgres', contract: contractFile, model, docs, appIds: docs.map((d) => d.appId).sort((a, b) => a - b), database,
      async fresh() {
        await db.exec(`TRUNCATE ${targets} CASCADE`);
        return db;
      },
      async dispose() {
        try { await db.dispose(); } finally { await database.drop(); }
      },
    };
  } catch (err) {
    await database.drop().catch(() => undefined);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Running the processor in-process, with hooks.

/** One line the processor logged. */
export interface CapturedEvent {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly msg: string;
  readonly obj: Record<string, unknown>;
}

/** A Logger that keeps every line and tracks which worker pids are ready (handshake done, not dead). */
export class CapturingLog {
  readonly events: CapturedEvent[] = [];
  private readonly ready = new Set<number>();

  /** The product's Logger interface over this capture. */
  logger(): Logger {
    const at = (level: CapturedEvent['level']) => (a: unknown, b?: unknown) => {
      const obj = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
      const msg = typeof a === 'string' ? a : typeof b === 'string' ? b : '';
      this.events.push({ level, msg, obj });
      if (obj['type'] === 'worker-ready' && typeof obj['pid'] === 'number') this.ready.add(obj['pid']);
      if (obj['type'] === 'worker-crash' && typeof obj['pid'] === 'number') this.ready.delete(obj['pid']);
    };
    const self: Record<string, unknown> = {
      trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'),
      child: () => self, flush: () => Promise.resolve(),
    };
    return self as unknown as Logger;
  }

  /** Pids of workers that completed the ready handshake and have not been reported dead. */
  readyPids(): number[] {
    return [...this.ready];
  }

  /** Events of one coordinator type (`worker-crash`, `batch-split`, `app-poisoned`, …). */
  ofType(type: string): CapturedEvent[] {
    return this.events.filter((e) => e.obj['type'] === type);
  }
}

/** What a hook can see and do while a run is going. */
export interface RunControl {
  readonly coordinator: ParallelCoordinator;
  readonly log: CapturingLog;
  /** Ready workers that the coordinator still counts as live. */
  readyWorkerPids(): number[];
}

/** Hooks into an in-process run. */
export interface RunHooks {
  /** Worker entry script (default: dist/worker/worker-main.js). */
  readonly workerScript?: string;
  /** Workers are up; the run is about to hand out work. */
  readonly onStarted?: (ctl: RunControl) => void;
  /** After every batch result (done = ok + failed + already logged so far). */
  readonly onProgress?: (done: number, failed: number, ctl: RunControl) => void;
}

/** Result of {@link runProcessor}. */
export interface ProcessorRun {
  readonly summary: RunSummary;
  readonly log: CapturingLog;
}

/** Runs ProductionProcessor in this process with `flags` as `xmlmigrate run` would get them. */
export async function runProcessor(flags: Record<string, unknown>, hooks: RunHooks = {}): Promise<ProcessorRun> {
  const cfg = resolveRunConfig({ workers: '2', batchSize: '10', progress: false, ...flags }, {});
  const log = new CapturingLog();
  let ctl: RunControl | null = null;
  const processor = new ProductionProcessor(cfg, {
    log: log.logger(),
    progress: {
      start: () => undefined,
      update: (done, failed) => { if (ctl) hooks.onProgress?.(done, failed, ctl); },
      stop: () => undefined,
    },
    workerScript: hooks.workerScript ?? WORKER_SCRIPT,
    onStarted: (coordinator) => {
      const c: RunControl = {
        coordinator, log,
        readyWorkerPids: () => { const live = new Set(coordinator.pids()); return log.readyPids().filter((p) => live.has(p)); },
      };
      ctl = c;
      hooks.onStarted?.(c);
    },
  });
  const summary = await processor.run();
  return { summary, log };
}

/** Sends SIGKILL to `pid`; false when it was already gone. */
export function sigkill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until it is true or `timeoutMs` passes; returns its last value. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// The built CLI as a separate process (optionally in its own process group).

/** How a CLI process ended. */
export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from start to exit. */
  readonly ms: number;
}

/** A running CLI process. With `detached`, its pid is also its process-group id. */
export interface CliProcess {
  readonly pid: number;
  readonly done: Promise<CliOutcome>;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
}

/** Starts `xmlmigrate ...args`. `detached`: a new process group (workers join it), like a shell job. */
export function startCli(args: readonly string[], opts: { detached?: boolean; env?: Record<string, string>; cwd?: string } = {}): CliProcess {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, detached: opts.detached ?? false, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const done = new Promise<CliOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 }));
  });
  if (child.pid === undefined) throw new Error('the CLI did not start');
  return { pid: child.pid, done, output: () => ({ stdout, stderr }) };
}

/** Runs the CLI to completion. */
export function runCliAsync(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliOutcome> {
  return startCli(args, opts).done;
}

/** `run` arguments for a target and contract (no progress output). */
export function runArgs(contract: string, target: string, extra: readonly string[] = []): string[] {
  return ['run', '--contract', contract, '--target', target, '--no-progress', ...extra];
}

/**
 * Polls the peak resident memory (VmHWM, in kB) of every process in the process group `pgid` — the
 * run's parent and each worker it forks, replacements included — until `done` settles. VmHWM is the
 * kernel's own high-water mark, so a peak between two polls is not missed while the process lives.
 */
export async function watchPeakRss<T>(pgid: number, done: Promise<T>): Promise<{ result: T; peakKb: Map<number, number> }> {
  const peakKb = new Map<number, number>();
  let running = true;
  const poll = (async () => {
    while (running) {
      for (const pid of groupMembers(pgid)) {
        try {
          const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
          if (kb > (peakKb.get(pid) ?? 0)) peakKb.set(pid, kb);
        } catch { /* exited */ }
      }
      await sleep(20);
    }
  })();
  try {
    return { result: await done, peakKb };
  } finally {
    running = false;
    await poll;
  }
}

/** Pids of live (non-zombie) processes in process group `pgid` (Linux /proc). */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${name}/stat`, 'utf8'); } catch { continue; }
    // pid (comm) state ppid pgrp …  — comm may contain spaces: split after the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] !== 'Z' && Number(rest[2]) === pgid) out.push(Number(name));
  }
  return out;
}

/** Counts processing_log rows of a SQLite target without disturbing the writer (read-only, WAL). */
export function sqliteLogCount(file: string): number {
  let d: Database.Database | null = null;
  try {
    d = new Database(file, { readonly: true, fileMustExist: true });
    return Number((d.prepare('SELECT COUNT(*) AS n FROM processing_log').get() as { n: number }).n);
  } catch {
    return 0; // locked or mid-recovery: try again on the next poll
  } finally {
    d?.close();
  }
}

/** processing_log row count of any PipelineDb (0 while the database is unreachable). */
export async function logCount(db: PipelineDb): Promise<number> {
  if (db.dialect === 'sqlite') return sqliteLogCount(sqliteFile(db));
  try {
    return Number((await db.query(`SELECT COUNT(*) AS n FROM ${db.qualify('processing_log')}`))[0]?.['n'] ?? 0);
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// References and the end-of-scenario checks.

/** What a clean run leaves behind. */
export interface Reference {
  readonly snapshot: Snapshot;
  /** Row counts of every data table and processing_log. */
  readonly counts: Record<string, number>;
  /** SHA-256 over every data table's normalized rows and processing_log (app_id, status, stage, reason). */
  readonly checksum: string;
  readonly appIds: readonly number[];
}

/** Runs a clean migration of `bench` on a fresh target and records what it wrote. */
export async function cleanReference(bench: Bench, flags: Record<string, unknown> = {}): Promise<Reference> {
  const db = await bench.fresh();
  const { summary } = await runProcessor({ contract: bench.contract, target: db.url(), ...flags });
  if (summary.exitCode !== 0 || summary.apps.ok !== bench.docs.length) {
    throw new Error(`the clean reference run did not land every app: ${JSON.stringify(summary.apps)} exit ${summary.exitCode}`);
  }
  const snap = await dbSnapshot(db, bench.model);
  const log = await logRows(db);
  if (!log.every((r) => r.status === 'success')) throw new Error('the clean reference run logged failures');
  return {
    snapshot: snap.tables, counts: await allCounts(db, bench.model), checksum: await checksum(db, bench.model),
    appIds: log.map((r) => r.appId),
  };
}

/** Apps lost and rows duplicated relative to a reference (for the results table). */
export interface Damage {
  /** Reference apps without a `success` processing_log row or with rows missing. */
  readonly lost: number;
  /** Rows present beyond the reference, over every data table and processing_log. */
  readonly duplicated: number;
}

/** Measures how far `db` is from `ref` (before asserting, so the numbers can be reported). */
export async function damage(db: PipelineDb, model: SchemaModel, ref: Reference): Promise<Damage> {
  const log = await logRows(db);
  const ok = new Set(log.filter((r) => r.status === 'success').map((r) => r.appId));
  const snap = (await dbSnapshot(db, model)).tables;
  const diff = diffSnapshots(ref.snapshot, snap);
  const damagedApps = new Set<number>();
  for (const [name, d] of Object.entries(diff)) {
    const t = model.tables.find((x) => x.name === name);
    const i = t?.columns.findIndex((c) => c.name === 'app_id') ?? -1;
    for (const r of d.missing) damagedApps.add(Number((JSON.parse(r) as (string | null)[])[i]));
  }
  let lost = 0;
  for (const id of ref.appIds) if (!ok.has(id) || damagedApps.has(id)) lost++;
  const counts = await allCounts(db, model);
  let duplicated = 0;
  for (const [t, n] of Object.entries(counts)) duplicated += Math.max(0, n - (ref.counts[t] ?? 0));
  return { lost, duplicated };
}

/**
 * The target holds exactly the rows of the clean reference run: per-table row counts, content
 * checksum, every row equal, and processing_log has exactly one `success` row per app.
 */
export async function expectExactlyReference(db: PipelineDb, model: SchemaModel, ref: Reference, label: string): Promise<Damage> {
  const dmg = await damage(db, model, ref);
  const snap = (await dbSnapshot(db, model)).tables;
  expect(diffSnapshots(ref.snapshot, snap), `${label}: rows differ from the clean run`).toEqual({});
  expect(await allCounts(db, model), `${label}: per-table row counts`).toEqual(ref.counts);
  const log = await logRows(db);
  expect(log.map((r) => r.appId), `${label}: one processing_log row per app`).toEqual([...ref.appIds]);
  expect(log.filter((r) => r.status !== 'success'), `${label}: every app success`).toEqual([]);
  expect(await checksum(db, model), `${label}: content checksum`).toBe(ref.checksum);
  expect(dmg, label).toEqual({ lost: 0, duplicated: 0 });
  return dmg;
}

/**
 * Nothing is half-written: every app with a processing_log row has exactly its reference rows, and
 * no app without one has any row. Returns the number of apps logged.
 */
export async function expectNoHalfWrittenApp(db: PipelineDb, model: SchemaModel, ref: Reference, label: string): Promise<number> {
  const log = await logRows(db);
  expect(log.filter((r) => r.status !== 'success'), `${label}: no failures`).toEqual([]);
  const logged = new Set(log.map((r) => r.appId));
  const snap = (await dbSnapshot(db, model)).tables;
  expect(diffSnapshots(onlyApps(ref.snapshot, model, logged), snap), `${label}: rows of logged apps only, complete`).toEqual({});
  return logged.size;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL server control: a throwaway server of the test's own. The machine's server is never
// stopped, restarted or reconfigured.

/**
 * The directory holding `initdb`, `pg_ctl` and `postgres`: `pg_config --bindir` when it has initdb,
 * else the newest /usr/lib/postgresql/<version>/bin (Debian), else the directory of `initdb` on PATH;
 * null when PostgreSQL's server binaries are not installed.
 */
export const PG_BIN: string | null = (() => {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')) && existsSync(path.join(dir, 'postgres'));
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && has(dir)) return dir;
  } catch { /* no pg_config */ }
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(`/usr/lib/postgresql/${v}/bin`)) return `/usr/lib/postgresql/${v}/bin`;
  } catch { /* not Debian's layout */ }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir || !existsSync(path.join(dir, 'initdb'))) continue;
    try {
      const real = path.dirname(realpathSync(path.join(dir, 'initdb')));
      if (has(real)) return real;
    } catch { /* dangling link */ }
  }
  return null;
})();

/** Why tests needing a throwaway server are skipped here (null when they can run). */
export const THROWAWAY_PG_SKIP: string | null = PG_BIN === null
  ? 'PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed: install the postgresql package to run the server-restart and outage tests'
  : null;

/** A free TCP port on 127.0.0.1 (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** uid/gid of an unprivileged account (PostgreSQL refuses to run as root). */
function unprivileged(): { uid: number; gid: number; name: string } {
  for (const name of ['nobody', 'postgres', 'daemon']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isInteger(uid) && uid > 0 && Number.isInteger(gid)) return { uid, gid, name };
    } catch { /* no such user */ }
  }
  throw new Error('running as root, and no unprivileged user (nobody, postgres, daemon) to run PostgreSQL as');
}

/** A PostgreSQL server of the test's own: its own data directory, port and socket directory. */
export interface ThrowawayPg {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  readonly url: string;
  readonly port: number;
  /** The temporary directory (data, socket, log); removed by dispose(). */
  readonly dir: string;
  /** `pg_ctl stop -m fast` (waits until it is down). */
  stop(): Promise<void>;
  /** `pg_ctl start` (waits until it accepts connections). */
  start(): Promise<void>;
  /** `pg_ctl restart -m fast`. */
  restart(): Promise<void>;
  /** True when the server answers `SELECT 1`. */
  up(): Promise<boolean>;
  /** Stops the server (immediately) and removes its directory; safe to call twice, also after a failed start. */
  dispose(): Promise<void>;
}

/**
 * initdb into a new temporary directory and start the server on a free port of 127.0.0.1 with its
 * unix socket in that directory. As root, everything runs as an unprivileged user (setpriv or runuser)
 * who owns the directory. The server is also stopped if this process exits without dispose().
 * Throws (after cleaning up) when it cannot start; check {@link THROWAWAY_PG_SKIP} first.
 */
export async function startThrowawayPg(): Promise<ThrowawayPg> {
  if (PG_BIN === null) throw new Error(THROWAWAY_PG_SKIP ?? 'no PostgreSQL binaries');
  const bin = PG_BIN;
  const dir = mkdtempSync(path.join(tmpdir(), 'xm-faults-pgserver-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? unprivileged() : null;
  if (user) chownSync(dir, user.uid, user.gid);
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  delete env['PGDATA'];
  // as root: run the binary as the unprivileged user (setpriv from util-linux; else runuser)
  const command = (exe: string, args: string[]): [string, string[]] => {
    if (!user) return [exe, args];
    if (existsSync('/usr/bin/setpriv') || existsSync('/bin/setpriv')) {
      return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', exe, ...args]];
    }
    return ['runuser', ['-u', user.name, '--', exe, ...args]];
  };
  const run = async (exe: string, args: string[], timeout = 120_000): Promise<void> => {
    const [c, a] = command(path.join(bin, exe), args);
    try {
      await execFileP(c, a, { env, cwd: dir, timeout });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      let tail = '';
      try { tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n'); } catch { /* no log yet */ }
      throw new Error(`${exe} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}${tail ? `\nserver log:\n${tail}` : ''}`);
    }
  };
  let port = 0;
  let running = false;
  const stopSync = () => {
    if (!running) return;
    try {
      const [c, a] = command(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      execFileSync(c, a, { env, stdio: 'ignore', timeout: 60_000 });
    } catch { /* already down */ }
    running = false;
  };
  const onExit = () => { stopSync(); rmSync(dir, { recursive: true, force: true }); };
  process.once('exit', onExit);
  const pgCtl = async (action: 'start' | 'stop' | 'restart', mode: 'fast' | 'immediate' = 'fast') => {
    const args = ['-D', data, '-l', logFile, '-w', '-t', '120'];
    if (action !== 'start') args.push('-m', mode);
    // options are remembered in postmaster.opts: restart keeps them
    if (action === 'start') args.push('-o', `-c listen_addresses=127.0.0.1 -p ${port} -k '${dir}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`);
    await run('pg_ctl', [action, ...args]);
    running = action !== 'stop';
  };
  const self: ThrowawayPg = {
    get url() { return `postgres://postgres@127.0.0.1:${port}/postgres`; },
    get port() { return port; },
    dir,
    stop: () => pgCtl('stop'),
    start: () => pgCtl('start'),
    restart: () => pgCtl('restart'),
    up: () => pgUp(self.url),
    async dispose() {
      process.off('exit', onExit);
      if (running) await pgCtl('stop', 'immediate').catch(() => stopSync());
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // the port is free when picked; another process may take it before the server binds: try again
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await pgCtl('start');
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    return self;
  } catch (err) {
    await self.dispose().catch(() => undefined);
    throw err;
  }
}

/** True when the server answers `SELECT 1`. */
export async function pgUp(url = PG_URL): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Terminates every session of `database` whose application_name starts with `xmlmigrate` (the product's). */
export async function pgTerminateProductSessions(serverUrl: string, database: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000, application_name: 'xm-faults-terminator' });
  c.on('error', () => undefined);
  try {
    await c.connect();
    const r = await c.query<{ application_name: string }>(
      `SELECT pg_terminate_backend(pid), application_name FROM pg_stat_activity
        WHERE datname = $1 AND application_name LIKE 'xmlmigrate%' AND pid <> pg_backend_pid()`, [database]);
    return r.rows.map((x) => x.application_name);
  } catch {
    return [];
  } finally {
    await c.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Results for docs/reliability.md

/** One row of the results table. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly dialect: string;
  readonly seeds: readonly number[];
  /** Faults actually injected (kills landed, sessions terminated, restarts, signals, hostile documents…). */
  readonly faults: number;
  readonly apps: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly note?: string;
  /** Set when the scenario's assertions failed: the first line of the failure. */
  readonly failed?: string;
}

/** The first line of an assertion failure, for the results table. */
export function failureLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 200) ?? '';
}

/** Appends a result line to $XMLMIGRATE_FAULTS_REPORT (JSON lines) when it is set. */
export function recordResult(r: ScenarioResult): void {
  const file = process.env['XMLMIGRATE_FAULTS_REPORT'];
  if (file) appendFileSync(file, `${JSON.stringify(r)}\n`);
}

interface TaskLike { readonly name: string; readonly type?: string; readonly tasks?: readonly TaskLike[]; readonly result?: { readonly state?: string } }

/** Names of the failed tests of a finished suite (the second argument of an afterAll listener). */
export function failedTestNames(suite: unknown): string[] {
  const out: string[] = [];
  const walk = (t: TaskLike) => {
    if (t.tasks) for (const c of t.tasks) walk(c);
    else if (t.result?.state === 'fail') out.push(t.name);
  };
  walk(suite as TaskLike);
  return out;
}
