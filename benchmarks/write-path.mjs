#!/usr/bin/env node
// PostgreSQL write path (issue #3: "COPY FROM STDIN or multi-row parameterised INSERT, whichever
// measures faster"). Maps N fixture documents once, then writes their rows in transactions of 100
// apps (every table + processing_log, as a worker does) three ways, alternating, target tables
// truncated before each pass:
//   copy    — the product's writer: one COPY … FROM STDIN (text) per table;
//   unnest  — one INSERT … SELECT * FROM unnest($1::t[], …) per table (the writer before COPY; built here);
//   values  — multi-row INSERT … VALUES ($1, …), … (the product's fallback form).
// Prints wall, client CPU and whole-machine busy CPU (client + server) per pass, medians.
// Usage: node benchmarks/write-path.mjs [--target postgres://postgres@127.0.0.1:5432/test] [--docs 750] [--repeat 8]
// Needs `npm run build` and ../shared/fixtures/xmlconversion; uses (and drops) schema xmbench_w.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { prepareBatch } from '../dist/db/batch-prep.js';
import { postgresQualify } from '../dist/db/postgres/postgres-ddl.js';
import { postgresInsertStatements, postgresValue } from '../dist/db/postgres/postgres-plan.js';
import { writePostgresBatch } from '../dist/db/postgres/postgres-writer.js';
import { DataMapper } from '../dist/mapping/data-mapper.js';
import { compilePlan } from '../dist/mapping/plan.js';
import { dropSchema, fixtureSource, options } from './fixture-source.mjs';

const args = process.argv.slice(2);
const opt = options(args);
const target = opt('--target', 'postgres://postgres@127.0.0.1:5432/test');
const docsN = Number(opt('--docs', '750'));
const repeat = Number(opt('--repeat', '8'));
const schema = 'xmbench_w';
const fixtures = path.resolve(opt('--fixtures', '../shared/fixtures/xmlconversion'));

const { contract, model, session } = await fixtureSource({ target, schema, fixtures, docs: docsN });
const mapper = new DataMapper(compilePlan(contract));
const ids = await session.readSourceIds({ afterAppId: 0, limit: docsN, excludeLogged: false });
const mapped = [];
for (let i = 0; i < ids.length; i += 16) for (const r of await session.readSourceBytesByIds(ids.slice(i, i + 16))) mapped.push(mapper.map(r.bytes));
await session.close();

// the batches a worker would write (batch-runner's buildWrite, all apps ok)
const batches = [];
for (let i = 0; i < mapped.length; i += 100) {
  const byTable = new Map();
  const log = [];
  for (const m of mapped.slice(i, i + 100)) {
    for (const [t, rows] of m.tables) {
      if (!byTable.has(t)) byTable.set(t, []);
      for (const r of rows) byTable.get(t).push(r.app_id === undefined ? { ...r, app_id: m.appId } : r);
    }
    log.push({ appId: m.appId, status: 'success', runId: 'bench', workerId: 1 });
  }
  batches.push({ tables: model.tables.filter((t) => byTable.get(t.name)?.length).map((t) => ({ table: t, rows: byTable.get(t.name) })), log });
}

function unnestStatement(pt) {
  const elem = (c) => ({ string: 'text', decimal: 'numeric', float: 'double precision', date: 'date', datetime: 'timestamp', instant: 'timestamp' })[c.type.kind] ?? 'bigint';
  const cols = pt.table.columns.map((c, i) => ({ c, i })).filter(({ i }) => pt.used[i]);
  return {
    text: `INSERT INTO ${postgresQualify(pt.table)} (${cols.map(({ c }) => `"${c.name}"`).join(', ')}) OVERRIDING SYSTEM VALUE SELECT * FROM unnest(${cols.map(({ c }, k) => `$${k + 1}::${elem(c)}[]`).join(', ')})`,
    params: cols.map(({ c, i }) => pt.rows.map((row) => postgresValue(row[i] ?? null, c))),
  };
}
async function writeWith(client, p, statementsOf) {
  await client.query('BEGIN');
  for (const pt of [...p.tables, p.log]) for (const st of statementsOf(pt)) await client.query(st.text, st.params);
  await client.query('COMMIT');
}
const ways = {
  copy: (client, p) => writePostgresBatch(client, p),
  unnest: (client, p) => writeWith(client, p, (pt) => [unnestStatement(pt)]),
  values: (client, p) => writeWith(client, p, (pt) => postgresInsertStatements(pt)),
};

const busy = () => { const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number); return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * 10; };
const client = new pg.Client({ connectionString: target });
await client.connect();
const runs = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
let rows = 0;
for (let r = 0; r < repeat; r++) {
  for (const [name, write] of Object.entries(ways)) {
    await client.query(`TRUNCATE ${schema}.processing_log, ${schema}.app_base CASCADE`);
    const b0 = busy(); const c0 = process.cpuUsage(); const t0 = performance.now();
    for (const b of batches) await write(client, prepareBatch(b, model.processingLog));
    const wall = performance.now() - t0; const cu = process.cpuUsage(c0); const b1 = busy();
    runs[name].push({ wallMs: wall, clientCpuMs: (cu.user + cu.system) / 1000, busyCpuMs: b1 - b0 });
    rows = Number((await client.query(`SELECT (SELECT count(*) FROM ${schema}.app_historical_lookup) + (SELECT count(*) FROM ${schema}.scores) + (SELECT count(*) FROM ${schema}.processing_log) AS n`)).rows[0].n);
  }
}
await client.end();
await dropSchema(target, schema);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const summary = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, {
  wallMs: Math.round(median(v.map((x) => x.wallMs))), clientCpuMs: Math.round(median(v.map((x) => x.clientCpuMs))), busyCpuMs: Math.round(median(v.map((x) => x.busyCpuMs))),
}]));
console.log(JSON.stringify({
  benchmark: 'write-path', command: `node benchmarks/write-path.mjs ${args.join(' ')}`.trim(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
  apps: mapped.length, batches: batches.length, repeat, sampleRowCount: rows, medians: summary,
}, null, 1));
