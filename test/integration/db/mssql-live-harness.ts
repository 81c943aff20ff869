/**
 * Shared machinery of the SQL Server live suite (test/integration/db/mssql-live*.test.ts): every
 * file runs only when MSSQL_URL is set (a real SQL Server, or the Babelfish TDS test server) and
 * says loudly when it is skipped.
 *
 * Each file works in its own database, made with CREATE DATABASE over TDS and dropped afterwards,
 * also when a test fails. The product reaches it the way users do: a target URL without the
 * password, the password in XMLMIGRATE_TARGET_PASSWORD (inherited by the CLI and its workers), so
 * no password ever sits on a command line.
 *
 * {@link mssqlPipelineDb} is a PipelineDb (see test/integration/pipeline/pipeline-harness.ts) over
 * one schema of that database, so the fault suite's checks (clean reference, exactly-once, nothing
 * half-written) run unchanged: its `SELECT * FROM <table>` of a model table is answered with every
 * column as exact text (decimals CAST, datetimes in ODBC canonical form), since the driver would
 * hand decimals over as doubles.
 */
import { randomBytes } from 'node:crypto';
import sql from 'mssql';
import { openTarget } from '../../../src/db/create-dialect.js';
import { parseTargetUrl } from '../../../src/db/target-url.js';
import type { ColumnModel, SchemaModel } from '../../../src/db/schema-types.js';
import type { PipelineDb, SourceDoc } from '../pipeline/pipeline-harness.js';

/** The server under test, or undefined (every live file is then skipped). */
export const MSSQL_URL: string | undefined = process.env['MSSQL_URL'] || undefined;

/** Prints the skip banner for `what` when MSSQL_URL is unset; returns true when the file must skip. */
export function skipWithoutMssql(what: string): boolean {
  if (MSSQL_URL) return false;
  console.warn([
    '',
    '############################################################################',
    `#  SQL Server live suite SKIPPED (${what}): set MSSQL_URL=mssql://user:pass@host:1433/master?encrypt=false&trustServerCertificate=true`,
    '############################################################################',
    '',
  ].join('\n'));
  return true;
}

/** Connection settings of MSSQL_URL for a given database (the test's own admin connections). */
function poolConfig(database: string): sql.config {
  const u = new URL(MSSQL_URL ?? '');
  const q = u.searchParams;
  return {
    server: u.hostname, database, ...(u.port ? { port: Number(u.port) } : {}),
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    requestTimeout: 120_000,
    options: {
      encrypt: q.get('encrypt') !== 'false', trustServerCertificate: q.get('trustServerCertificate') === 'true',
      appName: 'xm-live-harness', useUTC: true,
    },
  };
}

/** Opens a pool (max 2) on `database`; a connection dropped by the server is replaced, never fatal. */
export async function adminPool(database: string): Promise<sql.ConnectionPool> {
  const pool = new sql.ConnectionPool({ ...poolConfig(database), pool: { max: 2, min: 0 } });
  pool.on('error', () => undefined);
  return pool.connect();
}

/** One database of the live server owned by a test file. */
export interface LiveDatabase {
  readonly name: string;
  /** Target URL of this database, without the password (that travels in XMLMIGRATE_TARGET_PASSWORD). */
  readonly url: string;
  /** Runs T-SQL in this database; returns the first recordset. */
  query(text: string): Promise<Record<string, unknown>[]>;
  /** Drops the database (after killing any session still in it). */
  drop(): Promise<void>;
}

/** Creates `xm_live_<tag>_<pid>_<random>` and sets XMLMIGRATE_TARGET_PASSWORD for the product. */
export async function createLiveDatabase(tag: string): Promise<LiveDatabase> {
  if (!MSSQL_URL) throw new Error('MSSQL_URL is unset');
  const u = new URL(MSSQL_URL);
  const name = `xm_live_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const master = await adminPool(u.pathname.replace(/^\//, '') || 'master');
  await master.request().query(`CREATE DATABASE [${name}]`);
  const pool = await adminPool(name);
  if (u.password) process.env['XMLMIGRATE_TARGET_PASSWORD'] = decodeURIComponent(u.password);
  const target = new URL(MSSQL_URL);
  target.password = '';
  target.pathname = `/${name}`;
  return {
    name,
    url: target.toString(),
    async query(text) { return (await pool.request().query(text)).recordset as unknown as Record<string, unknown>[] ?? []; },
    async drop() {
      await pool.close().catch(() => undefined);
      try {
        // SQL Server refuses to drop a database in use: end its sessions and wait until they are gone
        const inUse = async () => Number((await master.request().input('db', sql.NVarChar(128), name)
          .query('SELECT COUNT(*) AS n FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@db) AND session_id <> @@SPID AND is_user_process = 1')).recordset[0]?.n ?? 0);
        for (let i = 0; i < 100 && (await inUse()) > 0; i++) {
          await killSessions(master, name, '%');
          await new Promise((r) => setTimeout(r, 100));
        }
        await master.request().query(`DROP DATABASE [${name}]`);
      } finally {
        await master.close().catch(() => undefined);
      }
    },
  };
}

/**
 * KILLs every session in `database` whose program name matches `programLike` (LIKE pattern), as an
 * administrator would on SQL Server (sys.dm_exec_sessions + KILL). Returns the spids killed; throws
 * when the server refuses KILL.
 */
export async function killSessions(pool: sql.ConnectionPool, database: string, programLike: string): Promise<number[]> {
  const r = await pool.request()
    .input('db', sql.NVarChar(128), database).input('prog', sql.NVarChar(128), programLike)
    .query(`SELECT session_id FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@db) AND program_name LIKE @prog AND session_id <> @@SPID AND is_user_process = 1`);
  const spids = (r.recordset as { session_id: number | null }[]).map((x) => x.session_id).filter((x): x is number => typeof x === 'number');
  const killed: number[] = [];
  for (const spid of spids) {
    try {
      await pool.request().query(`KILL ${Number(spid)}`);
      killed.push(spid);
    } catch (err) {
      // a session that ended between the SELECT and the KILL is not an error
      if (!/not an active|does not exist|no such|not found/i.test((err as Error).message)) throw err;
    }
  }
  return killed;
}

/** Exact text for a column: decimals and bigints CAST, datetimes ODBC canonical, dates ISO. */
function projection(c: ColumnModel): string {
  const q = `[${c.name}]`;
  switch (c.type.kind) {
    case 'decimal': return `CAST(${q} AS varchar(60)) AS ${q}`;
    case 'bigint': return `CAST(${q} AS varchar(30)) AS ${q}`;
    case 'datetime': case 'instant': return `CONVERT(varchar(30), ${q}, 121) AS ${q}`;
    case 'date': return `CONVERT(varchar(10), ${q}, 23) AS ${q}`;
    default: return q;
  }
}

/** A PipelineDb on schema `schema` of `db` (see the file comment); reset() empties the model's tables. */
export function mssqlPipelineDb(db: LiveDatabase, schema: string, model: SchemaModel): PipelineDb {
  const qualify = (t: string) => `[${schema}].[${t}]`;
  const expand = new Map([...model.tables, model.processingLog].map((t) => [`SELECT * FROM ${qualify(t.name)}`, `SELECT ${t.columns.map(projection).join(', ')} FROM ${qualify(t.name)}`]));
  // children before parents (every data table's foreign key points at app_base)
  const deleteAll = [model.processingLog, ...[...model.tables].reverse()].map((t) => `DELETE FROM ${qualify(t.name)};`).join(' ');
  return {
    dialect: 'mssql', schema, url: () => db.url,
    async reset() { await db.query(deleteAll); },
    query: (text) => db.query(expand.get(text) ?? text),
    async exec(text) { await db.query(text); },
    qualify,
    dispose: () => Promise.resolve(),
  };
}

/** Applies the schema (with the source table) through the product and loads `docs` into the source table. */
export async function loadMssqlSource(url: string, model: SchemaModel, docs: readonly SourceDoc[]): Promise<void> {
  const s = await openTarget(parseTargetUrl(url, process.env['XMLMIGRATE_TARGET_PASSWORD'] ?? null), model);
  try {
    await s.applySchema({ includeSource: true });
    for (let i = 0; i < docs.length; i += 100) {
      const r = await s.insertSource(docs.slice(i, i + 100).map((d) => ({ appId: d.appId, xml: d.xml })));
      if (r.skipped !== 0) throw new Error(`insertSource skipped ${r.skipped} documents`);
    }
  } finally {
    await s.close();
  }
}

/** Replaces attribute `name`'s value in the first element that has it (throws when absent). */
export function setAttr(xml: string, name: string, value: string): string {
  const re = new RegExp(`(\\s${name}=")[^"]*(")`);
  if (!re.test(xml)) throw new Error(`document has no @${name}`);
  return xml.replace(re, (_m, a: string, b: string) => `${a}${value}${b}`);
}

/** Removes attribute `name` from every element (throws when absent). */
export function dropAttr(xml: string, name: string): string {
  const re = new RegExp(`\\s${name}="[^"]*"`, 'g');
  if (!re.test(xml)) throw new Error(`document has no @${name}`);
  return xml.replace(re, '');
}
