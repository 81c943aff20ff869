// Shared by the SQL Server benchmarks: the server in MSSQL_URL (skip cleanly when unset), a scratch
// database created on it for one benchmark run and dropped afterwards (also after a failure or Ctrl-C).
// The password never reaches a command line or a file: child processes get XMLMIGRATE_TARGET_PASSWORD.
import crypto from 'node:crypto';
import sql from 'mssql';
import { parseTargetUrl, redactUrl } from '../dist/db/target-url.js';

/** mssql pool config for a parsed target (database overridable). */
export function poolConfig(cfg, database = cfg.database, max = 1) {
  return {
    server: cfg.host, database, ...(cfg.port === null ? {} : { port: cfg.port }),
    ...(cfg.user === null ? {} : { user: cfg.user }), ...(cfg.password === null ? {} : { password: cfg.password }),
    pool: { max, min: 0 }, requestTimeout: 300_000,
    options: { encrypt: cfg.params.encrypt !== 'false', trustServerCertificate: cfg.params.trustServerCertificate === 'true' },
  };
}

/**
 * Runs `fn({ target, cfg, env, database, shownTarget, version, admin, scratchPool })` on a fresh scratch
 * database `<prefix>_<pid>_<random>` of the MSSQL_URL server; exits 0 saying SKIPPED when MSSQL_URL is
 * unset. `target`: the URL of the scratch database without password; `env`: the password for children.
 */
export async function withScratchDatabase(name, prefix, fn) {
  const raw = process.env.MSSQL_URL;
  if (!raw) {
    console.log(`${name}: SKIPPED — MSSQL_URL is not set (e.g. MSSQL_URL='mssql://user:pass@host:1433/master?encrypt=false&trustServerCertificate=true')`);
    process.exit(0);
  }
  const cfg = parseTargetUrl(raw, process.env.XMLMIGRATE_TARGET_PASSWORD ?? null);
  if (cfg.dialect !== 'mssql') { console.error(`MSSQL_URL must be an mssql:// URL, got ${redactUrl(raw)}`); process.exit(2); }
  const database = `${prefix}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const u = new URL(raw);
  u.password = '';
  u.pathname = `/${database}`;
  const target = u.toString();
  const env = cfg.password === null ? {} : { XMLMIGRATE_TARGET_PASSWORD: cfg.password };
  // this process opens sessions on `target` too (fixture-source.mjs): same environment as the children
  Object.assign(process.env, env);
  const admin = await new sql.ConnectionPool(poolConfig(cfg)).connect();
  let scratch = null;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await scratch?.close().catch(() => undefined);
    // a connection of its own: on Ctrl-C the admin pool may be busy or closing
    let pool = null;
    try {
      pool = await new sql.ConnectionPool(poolConfig(cfg)).connect();
      // sessions left on it (a killed run's workers) are ended first
      const r = await pool.request().input('db', sql.NVarChar(128), database)
        .query('SELECT session_id FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@db) AND session_id <> @@SPID');
      for (const { session_id: id } of r.recordset) await pool.request().query(`KILL ${Number(id)}`).catch(() => undefined);
      await pool.request().query(`DROP DATABASE IF EXISTS [${database}]`);
    } catch (err) {
      console.error(`could not drop scratch database ${database}: ${err.message} — drop it by hand`);
    } finally {
      await pool?.close().catch(() => undefined);
    }
  };
  process.on('SIGINT', () => { void drop().finally(() => process.exit(130)); });
  let failed = false;
  try {
    await admin.request().query(`CREATE DATABASE [${database}]`);
    const version = (await admin.request().query('SELECT @@VERSION AS v')).recordset[0].v.replace(/\s+/g, ' ').trim();
    console.log(`server: ${version}\nscratch database: ${database}`);
    const scratchPool = async () => (scratch ??= await new sql.ConnectionPool(poolConfig(cfg, database)).connect());
    await fn({ target, cfg, env, database, version, admin, scratchPool, shownTarget: redactUrl(raw).replace(/\/[^/?]*(\?|$)/, `/${database}$1`) });
  } catch (err) {
    failed = true;
    console.error(`${name} failed: ${err.stack ?? err}`);
  } finally {
    await drop();
    await admin.close();
  }
  process.exit(failed ? 1 : 0);
}
