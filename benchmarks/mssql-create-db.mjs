#!/usr/bin/env node
// Creates the database named in XMLMIGRATE_TARGET_URL on a SQL Server if it does not exist yet
// (CI and docker-compose helper; the migrator itself never creates databases).
// Password from XMLMIGRATE_TARGET_PASSWORD; nothing secret is printed.
import sql from 'mssql';

const url = new URL(process.env.XMLMIGRATE_TARGET_URL ?? '');
if (!/^(mssql|sqlserver):$/.test(url.protocol)) { console.error('XMLMIGRATE_TARGET_URL must be an mssql:// URL'); process.exit(2); }
const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(database)) { console.error(`unsafe database name ${JSON.stringify(database)}`); process.exit(2); }
const config = {
  server: url.hostname, port: Number(url.port || 1433), database: 'master',
  user: decodeURIComponent(url.username), password: process.env.XMLMIGRATE_TARGET_PASSWORD ?? decodeURIComponent(url.password),
  options: { encrypt: url.searchParams.get('encrypt') !== 'false', trustServerCertificate: url.searchParams.get('trustServerCertificate') === 'true' },
};
for (let attempt = 1; ; attempt++) {
  try {
    const pool = await sql.connect(config);
    await pool.request().query(`IF DB_ID(N'${database}') IS NULL CREATE DATABASE [${database}]`);
    await pool.close();
    console.log(`database ${database} ready on ${url.hostname}:${config.port}`);
    break;
  } catch (err) {
    if (attempt >= 30) { console.error(`cannot create database ${database}: ${err.message}`); process.exit(3); }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
