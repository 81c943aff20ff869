#!/usr/bin/env node
// SQL Server pipeline benchmark (issue #12): benchmarks/pipeline.mjs against the server in MSSQL_URL.
// Creates a scratch database (xmbench_<pid>_<random>) on that server, fills its app_xml with documents
// of the product's own generator (src/seed, seed 42, as `xmlmigrate seed` makes them; `--fixtures
// <dir>` for the XmlConversion reference documents instead), measures bare reads of the same documents
// (this process: keyset pages of 100 as strings; a fresh `node` process doing the same), times the
// built CLI `xmlmigrate run --limit N --workers W …` for each configuration of the sweep, and drops
// the database at the end (also after a failure or Ctrl-C).
//
// Usage: MSSQL_URL='mssql://user:pass@host:1433/master?encrypt=false&trustServerCertificate=true' \
//          node benchmarks/mssql-pipeline.mjs [--docs 750] [--limit 750] [--workers 1,2,4] [--batch 100]
//          [--pool off,on] [--read worker,parent] [--repeat 3] [--fixtures <dir>] [--server-pid <pid>]
//          [--out benchmarks/results/mssql-pipeline.json]
// Without MSSQL_URL it says it is skipped and exits 0. The password never reaches the command lines
// or files it writes: the CLI and the fresh read get it from XMLMIGRATE_TARGET_PASSWORD.
// `--server-pid`: the pid of a server on this machine whose children are its backends (e.g. the
// postmaster of a Babelfish cluster): its CPU over each run is reported.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sql from 'mssql';
import { creationOrder } from '../dist/db/ddl-common.js';
import { parseTargetUrl, redactUrl } from '../dist/db/target-url.js';
import { pipelineBenchmark } from './pipeline.mjs';

const argv = process.argv.slice(2);
const raw = process.env.MSSQL_URL;
if (!raw) {
  console.log('mssql-pipeline: SKIPPED — MSSQL_URL is not set (e.g. MSSQL_URL=\'mssql://user:pass@host:1433/master?encrypt=false&trustServerCertificate=true\')');
  process.exit(0);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cfg = parseTargetUrl(raw, process.env.XMLMIGRATE_TARGET_PASSWORD ?? null);
if (cfg.dialect !== 'mssql') { console.error(`MSSQL_URL must be an mssql:// URL, got ${redactUrl(raw)}`); process.exit(2); }
const database = `xmbench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
// the same URL on the scratch database, without its password
const u = new URL(raw);
u.password = '';
u.pathname = `/${database}`;
const target = u.toString();
const env = cfg.password === null ? {} : { XMLMIGRATE_TARGET_PASSWORD: cfg.password };

const poolConfig = {
  server: cfg.host, database: cfg.database, ...(cfg.port === null ? {} : { port: cfg.port }),
  ...(cfg.user === null ? {} : { user: cfg.user }), ...(cfg.password === null ? {} : { password: cfg.password }),
  pool: { max: 1, min: 0 }, requestTimeout: 300_000,
  options: { encrypt: cfg.params.encrypt !== 'false', trustServerCertificate: cfg.params.trustServerCertificate === 'true' },
};
const admin = await new sql.ConnectionPool(poolConfig).connect();
let scratch = null;
let dropped = false;
async function dropDatabase() {
  if (dropped) return;
  dropped = true;
  await scratch?.close().catch(() => undefined);
  try {
    // other sessions (a killed run's workers) may still be connected: end them first
    const r = await admin.request().input('db', sql.NVarChar(128), database)
      .query('SELECT session_id FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@db) AND session_id <> @@SPID');
    for (const { session_id: id } of r.recordset) await admin.request().query(`KILL ${Number(id)}`).catch(() => undefined);
    await admin.request().query(`DROP DATABASE IF EXISTS [${database}]`);
  } catch (err) {
    console.error(`could not drop scratch database ${database}: ${err.message} — drop it by hand`);
  }
}
process.on('SIGINT', () => { void dropDatabase().finally(() => process.exit(130)); });

let failed = false;
try {
  await admin.request().query(`CREATE DATABASE [${database}]`);
  const version = (await admin.request().query('SELECT @@VERSION AS v')).recordset[0].v;
  console.log(`server: ${version.split('\n')[0]}  scratch database: ${database}`);
  const schema = 'xmbench';
  await pipelineBenchmark(argv, {
    name: 'mssql-pipeline', target, env, defaultFixtures: 'none', shownTarget: redactUrl(raw).replace(/\/[^/?]*(\?|$)/, `/${database}$1`),
    command: `node benchmarks/mssql-pipeline.mjs ${argv.join(' ')}`.trim(),
    serverVersion: async () => version.replace(/\s+/g, ' ').trim(),
    freshRead: [path.join(root, 'benchmarks/fresh-read.mjs'), target, `${schema}.app_xml`, 'xml'],
    async reset(_session, model) {
      scratch ??= await new sql.ConnectionPool({ ...poolConfig, database }).connect();
      // children before parents: the reverse of the order the DDL creates them in
      for (const t of [model.processingLog, ...creationOrder(model.tables).reverse()]) await scratch.request().query(`DELETE FROM [${t.schema}].[${t.name}]`);
    },
  });
} catch (err) {
  failed = true;
  console.error(`mssql-pipeline failed: ${err.stack ?? err}`);
} finally {
  await dropDatabase();
  await admin.close();
}
process.exit(failed ? 1 : 0);
