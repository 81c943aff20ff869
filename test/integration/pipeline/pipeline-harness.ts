/**
 * Shared pieces of the pipeline integration tests (and the CLI end-to-end test): a resettable test
 * database per dialect, the test corpus (the product's example contract contracts/credit-card.json,
 * documents from its own generator src/seed/generator.ts and the hand-written ones in
 * test/fixtures/documents — all inside the repository), the rows the DataMapper says an app must
 * produce, and a normalized snapshot of what the database really holds, so the two can be compared
 * exactly. {@link referenceDocs} reads the reference system's documents, for the reference-conformance
 * suite only (test/integration/conformance).
 *
 * Normalization (both sides, by the column's type in the SchemaModel): integers and bits as integer
 * text, floats through Number, decimals as exact text without insignificant zeros (never through a
 * double), datetimes as `YYYY-MM-DD HH:MM:SS.ffffff`, dates as `YYYY-MM-DD`, strings unchanged.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { resolveRunConfig } from '../../../src/cli/config.js';
import { openTarget } from '../../../src/db/create-dialect.js';
import { buildSchemaModel } from '../../../src/db/schema-model.js';
import type { ColumnModel, SchemaModel, TableModel } from '../../../src/db/schema-types.js';
import { AppFailure } from '../../../src/mapping/app-failure.js';
import type { MappingContract } from '../../../src/mapping/contract-types.js';
import { loadContractFile } from '../../../src/mapping/contract-loader.js';
import { DataMapper } from '../../../src/mapping/data-mapper.js';
import { compilePlan } from '../../../src/mapping/plan.js';
import { DateTime, Decimal, type CellValue } from '../../../src/mapping/values.js';
import type { RunSummary } from '../../../src/observability/metrics.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createProgress } from '../../../src/observability/progress.js';
import { ProductionProcessor } from '../../../src/processor/production-processor.js';
import { generateDocument } from '../../../src/seed/generator.js';
import { referencePath } from '../../fixtures-path.js';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
/** Workers are forked from the built code. */
export const WORKER_SCRIPT = path.join(ROOT, 'dist', 'worker', 'worker-main.js');
/** Local server for the PostgreSQL suite (override with PG_TEST_URL). */
export const PG_URL = process.env['PG_TEST_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The product's example contract: the contract of every pipeline and CLI test. */
export const CONTRACT = path.join(ROOT, 'contracts', 'credit-card.json');
/** Hand-written test documents (see test/fixtures/documents/README.md). */
export const DOCUMENTS = path.join(ROOT, 'test', 'fixtures', 'documents');
/** Source app_id given to test/fixtures/documents/fragment.xml, which carries no app id of its own. */
export const FRAGMENT_APP_ID = 900001;
/** The app id written in test/fixtures/documents/wrong-product-line.xml. */
export const WRONG_PRODUCT_LINE_APP_ID = 600000;
/** The app id written in test/fixtures/documents/small-app.xml. */
export const SMALL_APP_ID = 424242;
/** Source app_id given to the reference system's bloat.xml (no app id of its own); reference suite only. */
export const BLOAT_APP_ID = 900001;
/** Seed of the generated part of {@link corpusDocs}. */
export const CORPUS_SEED = 20_240_315;

/** Throws unless `npm run build` has produced the worker script. */
export function requireBuild(): void {
  if (!existsSync(WORKER_SCRIPT)) throw new Error(`${WORKER_SCRIPT} is missing: run \`npm run build\` first`);
}

// ---------------------------------------------------------------------------------------------
// Test databases

/** One resettable test database (a SQLite file, or one PostgreSQL schema). */
export interface PipelineDb {
  readonly dialect: 'sqlite' | 'postgres' | 'mssql';
  /** The contract's `target_schema` for this database. */
  readonly schema: string;
  /** Target URL of the current (latest reset) database. */
  url(): string;
  /** Starts over with an empty database. */
  reset(): Promise<void>;
  /** Raw SQL; integers come back as bigint or text, decimals/datetimes as the database's own text. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Executes statements (test set-up DDL). */
  exec(sql: string): Promise<void>;
  /** Quoted, qualified table name for raw SQL. */
  qualify(table: string): string;
  /** Removes everything this database created. */
  dispose(): Promise<void>;
}

/** A fresh SQLite file per reset, in a temp directory removed by dispose(). */
export function sqliteDb(): PipelineDb {
  const dir = mkdtempSync(path.join(tmpdir(), 'xm-pipe-'));
  let n = 0;
  const file = () => path.join(dir, `target-${n}.db`);
  const withDb = <T>(fn: (d: Database.Database) => T): T => {
    const d = new Database(file());
    d.defaultSafeIntegers(true);
    try { return fn(d); } finally { d.close(); }
  };
  return {
    dialect: 'sqlite',
    schema: 'ignored_on_sqlite',
    url: () => `sqlite:${file()}`,
    reset() { n++; return Promise.resolve(); },
    query: (sql) => Promise.resolve(withDb((d) => d.prepare(sql).all() as Record<string, unknown>[])),
    exec: (sql) => Promise.resolve(withDb((d) => { d.exec(sql); })),
    qualify: (t) => `"${t}"`,
    dispose() { rmSync(dir, { recursive: true, force: true }); return Promise.resolve(); },
  };
}

/** Read access to one existing SQLite file (for tests that let the CLI create it); reset() is not supported. */
export function sqliteFileDb(file: string): PipelineDb {
  const withDb = <T>(fn: (d: Database.Database) => T): T => {
    const d = new Database(file, { fileMustExist: true });
    d.defaultSafeIntegers(true);
    try { return fn(d); } finally { d.close(); }
  };
  return {
    dialect: 'sqlite',
    schema: 'ignored_on_sqlite',
    url: () => `sqlite:${file}`,
    reset: () => Promise.reject(new Error('sqliteFileDb cannot reset')),
    query: (sql) => Promise.resolve(withDb((d) => d.prepare(sql).all() as Record<string, unknown>[])),
    exec: (sql) => Promise.resolve(withDb((d) => { d.exec(sql); })),
    qualify: (t) => `"${t}"`,
    dispose: () => Promise.resolve(),
  };
}

/** One unique PostgreSQL schema for the whole test file; reset() drops and forgets it, dispose() drops it. */
export async function postgresDb(): Promise<PipelineDb> {
  const schema = `xm_pipe_${process.pid}_${Date.now().toString(36)}`;
  const client = new pg.Client({
    connectionString: PG_URL,
    options: '-c TimeZone=UTC',
    // Every value as the server's own text: no time-zone shift, no double rounding.
    types: { getTypeParser: () => (v: string) => v } as unknown as typeof pg.types,
  });
  await client.connect();
  const drop = async () => { await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); };
  return {
    dialect: 'postgres',
    schema,
    url: () => PG_URL,
    reset: drop,
    async query(sql) { return (await client.query(sql)).rows as Record<string, unknown>[]; },
    async exec(sql) { await client.query(sql); },
    qualify: (t) => `"${schema}"."${t}"`,
    async dispose() { try { await drop(); } finally { await client.end(); } },
  };
}

// ---------------------------------------------------------------------------------------------
// Contracts and documents

/**
 * Writes a copy of a contract (default: the example contract) with `target_schema` (and any other edits)
 * into `dir`.
 */
export function writeContract(dir: string, name: string, schema: string, edit: (c: MappingContract) => MappingContract = (c) => c, from = CONTRACT): string {
  mkdirSync(dir, { recursive: true });
  const raw = JSON.parse(readFileSync(from, 'utf8')) as MappingContract;
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(edit({ ...raw, target_schema: schema })));
  return file;
}

/** One source row. */
export interface SourceDoc {
  readonly appId: number;
  readonly xml: string;
  readonly file: string;
  /** Set on hand-made broken documents: the stage they must fail at. */
  readonly expectStage?: 'validation' | 'parsing' | 'mapping' | 'insert';
}

const REQUEST_ID = /<Request\b[^>]*?\sID="(\d+)"/;

/** The app id written in a document (`/Provenir/Request/@ID`), read without the product's code. */
export function requestId(xml: string): number | null {
  const m = REQUEST_ID.exec(xml);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** `xml` with its `/Provenir/Request/@ID` replaced. */
export function withRequestId(xml: string, appId: number): string {
  if (!REQUEST_ID.test(xml)) throw new Error('document has no Request@ID');
  return xml.replace(/(<Request\b[^>]*?\sID=")\d+"/, `$1${appId}"`);
}

/** A hand-written document of test/fixtures/documents (`name` without `.xml`), with its source app_id. */
export function handDoc(name: 'small-app' | 'fragment' | 'wrong-product-line'): SourceDoc {
  const file = `${name}.xml`;
  const xml = readFileSync(path.join(DOCUMENTS, file), 'utf8');
  const appId = requestId(xml) ?? (name === 'fragment' ? FRAGMENT_APP_ID : null);
  if (appId === null) throw new Error(`${file} has no Request@ID`);
  return { appId, xml, file };
}

/**
 * Documents from the product's generator for the example contract: `ids` in order, seeded by `seed`.
 * `size` 'small' keeps them near the generator's floor (≈ 8–14 KB); 'natural' samples the real-world
 * size model (median ≈ 130 KB, up to 2 MB).
 */
export function generatedDocs(ids: readonly number[], seed: number, options: { size?: 'small' | 'natural'; complete?: boolean } = {}): SourceDoc[] {
  return ids.map((appId) => ({
    appId,
    xml: generateDocument(appId, seed, { ...(options.size === 'natural' ? {} : { targetBytes: 6000 }), ...(options.complete ? { complete: true } : {}) }),
    file: `generated-${seed}-${appId}.xml`,
  }));
}

/** Number of generated documents in {@link corpusDocs}. */
export const CORPUS_GENERATED = 160;

let corpusCache: SourceDoc[] | null = null;

/**
 * The pipeline corpus, by app_id: {@link CORPUS_GENERATED} generated documents with gaps between their
 * app ids (every 8th at the natural size model, every 5th "complete": every attribute the contract
 * reads), the hand-written small-app.xml, and two documents that must fail validation: fragment.xml
 * (no root, no app id: source app_id {@link FRAGMENT_APP_ID}) and wrong-product-line.xml.
 */
export function corpusDocs(): SourceDoc[] {
  if (corpusCache) return corpusCache;
  const docs: SourceDoc[] = [];
  for (let i = 0; i < CORPUS_GENERATED; i++) {
    const appId = 100_000 + 7 * i + (i % 4); // gaps of 4..10, every residue class of small moduli
    const [doc] = generatedDocs([appId], CORPUS_SEED, { size: i % 8 === 0 ? 'natural' : 'small', complete: i % 5 === 0 });
    docs.push(doc!);
  }
  docs.push(handDoc('small-app'), handDoc('fragment'), handDoc('wrong-product-line'));
  docs.sort((a, b) => a.appId - b.appId);
  if (new Set(docs.map((d) => d.appId)).size !== docs.length) throw new Error('corpus app ids are not unique');
  corpusCache = docs;
  return docs;
}

let referenceCache: SourceDoc[] | null = null;

/**
 * The reference system's 166 documents with their source app_id (bloat.xml gets {@link BLOAT_APP_ID}),
 * by app_id. Reference-conformance suite only: the caller checks that the fixtures are present.
 */
export function referenceDocs(): SourceDoc[] {
  if (referenceCache) return referenceCache;
  const dir = referencePath('xml');
  const docs = readdirSync(dir).filter((f) => f.endsWith('.xml')).map((f) => {
    const xml = readFileSync(path.join(dir, f), 'utf8');
    const appId = requestId(xml) ?? (f === 'bloat.xml' ? BLOAT_APP_ID : null);
    if (appId === null) throw new Error(`reference document ${f} has no Request@ID`);
    return { appId, xml, file: f };
  }).sort((a, b) => a.appId - b.appId);
  if (new Set(docs.map((d) => d.appId)).size !== docs.length) throw new Error('reference app ids are not unique');
  referenceCache = docs;
  return docs;
}

/** Writes `docs` as `<dir>/<file>` (created) and returns the paths, in order. */
export function writeDocs(dir: string, docs: readonly SourceDoc[]): string[] {
  mkdirSync(dir, { recursive: true });
  return docs.map((d) => {
    const file = path.join(dir, d.file);
    writeFileSync(file, d.xml);
    return file;
  });
}

/** Applies the schema of `schemaContract` (with the source table) and loads `docs` into the source table. */
export async function loadSource(url: string, schemaContract: string, docs: readonly SourceDoc[]): Promise<void> {
  const { contract } = await loadContractFile(schemaContract);
  const s = await openTarget(url, buildSchemaModel(contract));
  try {
    await s.applySchema({ includeSource: true });
    for (let i = 0; i < docs.length; i += 40) {
      const res = await s.insertSource(docs.slice(i, i + 40).map((d) => ({ appId: d.appId, xml: d.xml })));
      if (res.skipped !== 0) throw new Error(`insertSource skipped ${res.skipped} documents`);
    }
  } finally {
    await s.close();
  }
}

/** Applies the schema of `contractFile` (data tables and processing_log, no source table). */
export async function applySchema(url: string, contractFile: string): Promise<void> {
  const { contract } = await loadContractFile(contractFile);
  const s = await openTarget(url, buildSchemaModel(contract));
  try { await s.applySchema({ includeSource: false }); } finally { await s.close(); }
}

/** The model of a contract file. */
export async function modelOf(contractFile: string): Promise<{ model: SchemaModel; mapper: DataMapper }> {
  const { contract } = await loadContractFile(contractFile);
  return { model: buildSchemaModel(contract), mapper: new DataMapper(compilePlan(contract)) };
}

// ---------------------------------------------------------------------------------------------
// Normalization and snapshots

/** A table's rows as sorted JSON arrays of normalized cells, in model column order. */
export type Snapshot = Record<string, string[]>;

/** Decimal text without sign noise, leading or trailing zeros: `"034.500"` → `"34.5"`, `"-0.00"` → `"0"`. */
export function normDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return `NOT-A-DECIMAL:${text}`;
  const int = (m[2] ?? '').replace(/^0+/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` from ISO or SQL timestamp text (no zone allowed). */
export function normTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return `NOT-A-TIMESTAMP:${text}`;
  return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(6, '0').slice(0, 6)}`;
}

function dtText(d: DateTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.year, 4)}-${p(d.month)}-${p(d.day)} ${p(d.hour)}:${p(d.minute)}:${p(d.second)}.${p(d.micro, 6)}`;
}

function intText(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : `NOT-AN-INTEGER:${v}`;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim()).toString();
  if (v instanceof Decimal && /^[+-]?\d+(\.0*)?$/.test(v.text)) return BigInt(v.text.replace(/\..*$/, '')).toString();
  return `NOT-AN-INTEGER:${String(v)}`;
}

/** A mapper cell, normalized for `col`. `''` counts as NULL (decision B11). */
export function normExpected(v: CellValue | undefined, col: ColumnModel): string | null {
  if (v === undefined || v === null || v === '') return null;
  switch (col.type.kind) {
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'bit': return intText(v);
    case 'float': return String(Number(v instanceof Decimal ? v.text : v));
    case 'decimal': return normDecimal(v instanceof Decimal ? v.text : String(v));
    case 'date': return v instanceof DateTime ? dtText(v).slice(0, 10) : `NOT-A-DATE:${String(v)}`;
    case 'datetime': case 'instant': return v instanceof DateTime ? dtText(v) : normTimestamp(String(v));
    case 'string': return typeof v === 'string' ? v : v instanceof DateTime ? v.iso : String(v);
  }
}

/** A database cell, normalized for `col`. */
export function normDb(v: unknown, col: ColumnModel): string | null {
  if (v === null || v === undefined) return null;
  switch (col.type.kind) {
    case 'tinyint': case 'smallint': case 'int': case 'bigint': case 'bit': return intText(v);
    case 'float': return String(Number(v));
    case 'decimal': return normDecimal(String(v));
    case 'date': return /^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? String(v) : `NOT-A-DATE:${String(v)}`;
    case 'datetime': case 'instant': return normTimestamp(String(v));
    case 'string': return typeof v === 'string' ? v : `NOT-TEXT(${typeof v}):${String(v)}`;
  }
}

/** What the pipeline must produce for `docs`, according to the DataMapper. */
export interface Expected {
  /** Rows per table (tables with no rows are absent). */
  readonly tables: Snapshot;
  /** app_ids that map. */
  readonly ok: number[];
  /** app_id → failure stage, for documents the mapper rejects. */
  readonly failed: Map<number, string>;
}

/** Maps `docs` in-process and normalizes the rows for `model`. The batch runner adds app_id to rows that lack it. */
export function expectedFor(mapper: DataMapper, model: SchemaModel, docs: readonly SourceDoc[]): Expected {
  const lists: Record<string, string[]> = {};
  const ok: number[] = [];
  const failed = new Map<number, string>();
  const tables = new Map(model.tables.map((t) => [t.name, t]));
  for (const d of docs) {
    let mapped;
    try {
      mapped = mapper.map(d.xml);
    } catch (err) {
      if (!(err instanceof AppFailure)) throw err;
      failed.set(d.appId, err.stage);
      continue;
    }
    if (mapped.appId !== d.appId) { failed.set(d.appId, 'validation'); continue; }
    ok.push(d.appId);
    for (const [name, rows] of mapped.tables) {
      const t = tables.get(name);
      if (!t) throw new Error(`mapper produced rows for ${name}, which is not in the schema model`);
      const list = (lists[name] ??= []);
      for (const r of rows) list.push(JSON.stringify(t.columns.map((c) => normExpected(c.name === 'app_id' && r['app_id'] === undefined ? d.appId : r[c.name], c))));
    }
  }
  for (const l of Object.values(lists)) l.sort();
  return { tables: lists, ok, failed };
}

/** Keeps only the rows of `snap` whose app_id (first column of every data table) is in `ids`. */
export function onlyApps(snap: Snapshot, model: SchemaModel, ids: ReadonlySet<number>): Snapshot {
  const out: Snapshot = {};
  for (const [name, rows] of Object.entries(snap)) {
    const t = model.tables.find((x) => x.name === name);
    const i = t?.columns.findIndex((c) => c.name === 'app_id') ?? -1;
    const kept = rows.filter((r) => ids.has(Number((JSON.parse(r) as (string | null)[])[i])));
    if (kept.length) out[name] = kept;
  }
  return out;
}

/** Every data table's rows, normalized (tables with no rows absent), plus any `''` cells found. */
export async function dbSnapshot(db: PipelineDb, model: SchemaModel): Promise<{ tables: Snapshot; emptyStrings: string[] }> {
  const tables: Snapshot = {};
  const emptyStrings: string[] = [];
  for (const t of model.tables) {
    const rows = await db.query(`SELECT * FROM ${db.qualify(t.name)}`);
    if (rows.length === 0) continue;
    tables[t.name] = rows.map((r) => {
      for (const c of t.columns) if (r[c.name] === '') emptyStrings.push(`${t.name}.${c.name} (app ${String(r['app_id'])})`);
      return JSON.stringify(t.columns.map((c) => normDb(r[c.name], c)));
    }).sort();
  }
  return { tables, emptyStrings };
}

/** processing_log as `[app_id, status, stage]`, ordered by app_id. */
export async function logRows(db: PipelineDb): Promise<{ appId: number; status: string; stage: string | null; reason: string | null }[]> {
  const rows = await db.query(`SELECT app_id, status, stage, failure_reason FROM ${db.qualify('processing_log')} ORDER BY app_id`);
  return rows.map((r) => ({
    appId: Number(r['app_id']), status: String(r['status']),
    stage: r['stage'] === null ? null : String(r['stage']), reason: r['failure_reason'] === null ? null : String(r['failure_reason']),
  }));
}

/** Row count of one table. */
export async function countRows(db: PipelineDb, table: string): Promise<number> {
  return Number((await db.query(`SELECT COUNT(*) AS n FROM ${db.qualify(table)}`))[0]?.['n'] ?? -1);
}

/** Row counts of every data table and processing_log. */
export async function allCounts(db: PipelineDb, model: SchemaModel): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...model.tables, model.processingLog]) out[t.name] = await countRows(db, t.name);
  return out;
}

/** Per table: rows expected but missing, and rows present but not expected (first 3 of each), only where they differ. */
export function diffSnapshots(expected: Snapshot, actual: Snapshot): Record<string, { expected: number; actual: number; missing: string[]; extra: string[] }> {
  const out: Record<string, { expected: number; actual: number; missing: string[]; extra: string[] }> = {};
  for (const name of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const e = expected[name] ?? [];
    const a = actual[name] ?? [];
    const left = new Map<string, number>();
    for (const r of a) left.set(r, (left.get(r) ?? 0) + 1);
    const missing: string[] = [];
    for (const r of e) {
      const n = left.get(r) ?? 0;
      if (n > 0) left.set(r, n - 1); else missing.push(r);
    }
    const extra = [...left].flatMap(([r, n]) => Array<string>(n).fill(r));
    if (missing.length || extra.length) out[name] = { expected: e.length, actual: a.length, missing: missing.slice(0, 3), extra: extra.slice(0, 3) };
  }
  return out;
}

/** SHA-256 over every data table's normalized rows and processing_log's (app_id, status, stage, reason). */
export async function checksum(db: PipelineDb, model: SchemaModel): Promise<string> {
  const snap = await dbSnapshot(db, model);
  const log = await logRows(db);
  return createHash('sha256').update(JSON.stringify({ tables: snap.tables, log })).digest('hex');
}

/** Per-table row counts of a snapshot. */
export function snapshotCounts(snap: Snapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(snap).map(([t, rows]) => [t, rows.length]));
}

/** A table's model. */
export function tableOf(model: SchemaModel, name: string): TableModel {
  const t = model.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Running the pipeline

/** Runs ProductionProcessor programmatically with flags as `xmlmigrate run` would receive them. */
export async function runPipeline(flags: Record<string, unknown>): Promise<RunSummary> {
  const cfg = resolveRunConfig({ workers: '2', batchSize: '20', progress: false, ...flags }, {});
  const processor = new ProductionProcessor(cfg, { log: createLogger(), progress: createProgress({ enabled: false }), workerScript: WORKER_SCRIPT });
  return processor.run();
}
