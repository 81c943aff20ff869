#!/usr/bin/env node
// Baseline for pipeline.mjs / mssql-pipeline.mjs: a new Node.js process that connects with the plain
// driver (pg for postgres://, mssql/tedious for mssql://) and reads the XML values of the first N apps
// of the source table as strings in keyset pages of 100 (SELECT app_id, xml … WHERE app_id > @last
// ORDER BY app_id, 100 rows), then exits. Timed from spawn to exit by the caller, which is how
// `xmlmigrate run` is timed: process start, connection and reading included.
// Usage: node benchmarks/fresh-read.mjs <url> <schema.table> <column> <limit> [--verbose]
// (a SQL Server password may come from XMLMIGRATE_TARGET_PASSWORD instead of the URL)
const [url, table, column, limitText] = process.argv.slice(2);
const limit = Number(limitText);
if (!url || !table || !column || !(limit > 0)) { console.error('usage: fresh-read.mjs <url> <schema.table> <column> <limit>'); process.exit(2); }
let last = 0; let n = 0; let chars = 0;
if (/^(mssql|sqlserver):/.test(url)) {
  const { parseTargetUrl } = await import('../dist/db/target-url.js');
  const sql = (await import('mssql')).default;
  const cfg = parseTargetUrl(url, process.env.XMLMIGRATE_TARGET_PASSWORD ?? null);
  const ident = (s) => s.split('.').map((p) => `[${p.replace(/]/g, ']]')}]`).join('.');
  const pool = await new sql.ConnectionPool({
    server: cfg.host, database: cfg.database, ...(cfg.port === null ? {} : { port: cfg.port }),
    ...(cfg.user === null ? {} : { user: cfg.user }), ...(cfg.password === null ? {} : { password: cfg.password }),
    pool: { max: 1, min: 0 },
    options: { encrypt: cfg.params.encrypt !== 'false', trustServerCertificate: cfg.params.trustServerCertificate === 'true' },
  }).connect();
  while (n < limit) {
    const r = await pool.request().input('last', sql.Int, last)
      .query(`SELECT TOP (${Math.min(100, limit - n)}) app_id, ${ident(column)} AS x FROM ${ident(table)} WHERE app_id > @last ORDER BY app_id`);
    if (r.recordset.length === 0) break;
    for (const row of r.recordset) chars += row.x.length;
    n += r.recordset.length;
    last = r.recordset.at(-1).app_id;
  }
  await pool.close();
} else {
  const pg = (await import('pg')).default;
  const ident = (s) => s.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  while (n < limit) {
    const r = await client.query(`SELECT app_id, ${ident(column)} AS x FROM ${ident(table)} WHERE app_id > $1 ORDER BY app_id LIMIT ${Math.min(100, limit - n)}`, [last]);
    if (r.rows.length === 0) break;
    for (const row of r.rows) chars += row.x.length;
    n += r.rows.length;
    last = r.rows.at(-1).app_id;
  }
  await client.end();
}
if (process.argv.includes('--verbose')) console.log(JSON.stringify({ values: n, chars }));
