#!/usr/bin/env node
// Baseline for pipeline.mjs: a new Node.js process that connects to PostgreSQL with pg and reads the
// XML values of the first N apps of the source table in keyset pages of 100 (SELECT app_id, xml …
// WHERE app_id > $1 ORDER BY app_id LIMIT 100), then exits. Timed from spawn to exit by the caller,
// which is how `xmlmigrate run` is timed: process start, connection and reading included.
// Usage: node benchmarks/fresh-read.mjs <postgres-url> <schema.table> <column> <limit>
import pg from 'pg';

const [url, table, column, limitText] = process.argv.slice(2);
const limit = Number(limitText);
const ident = (s) => s.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
if (!url || !table || !column || !(limit > 0)) { console.error('usage: fresh-read.mjs <postgres-url> <schema.table> <column> <limit>'); process.exit(2); }
const client = new pg.Client({ connectionString: url });
await client.connect();
let last = 0; let n = 0; let bytes = 0;
while (n < limit) {
  const r = await client.query(`SELECT app_id, ${ident(column)} AS x FROM ${ident(table)} WHERE app_id > $1 ORDER BY app_id LIMIT ${Math.min(100, limit - n)}`, [last]);
  if (r.rows.length === 0) break;
  for (const row of r.rows) bytes += row.x.length;
  n += r.rows.length;
  last = r.rows.at(-1).app_id;
}
await client.end();
if (process.argv.includes('--verbose')) console.log(JSON.stringify({ values: n, chars: bytes }));
